// ms/iteration of nmf.fitSync on a random 2000×1000 float32 matrix, rank 20, for the
// SIMD modules (nmfkit-simd.wasm, Frobenius-only, and nmfkit-simd-full.wasm) and the
// baseline module (or the .wasm files given as arguments). Warms V8 up with a full-size
// untimed fit first (Liftoff → TurboFan), then reports the best of 3.
//   node scripts/bench.mjs [simd.wasm simd-full.wasm baseline.wasm]   (default: dist/)
import { load } from '../src/node.js';

const [simdWasm, fullWasm, baseWasm] = process.argv.slice(2);
const n = 2000, m = 1000, rank = 20, iters = 50;
let s = 12345;
const X = new Float32Array(n * m).map(() => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32));
for (const [label, opts] of [
  ['simd', simdWasm ? { wasm: simdWasm } : { simd: true }],
  ['simd-full', fullWasm ? { wasm: fullWasm } : { simd: true, features: 'full' }],
  ['baseline', baseWasm ? { wasm: baseWasm } : { simd: false }],
]) {
  const t0 = performance.now();
  const nmf = await load(opts);
  const loadMs = performance.now() - t0;
  const fit = () => nmf.fitSync(X, { rows: n, cols: m, rank, maxIter: iters, tol: 0, seed: 1 });
  fit(); // warm-up
  let best = Infinity;
  for (let rep = 0; rep < 3; rep++) {
    const t = performance.now();
    fit();
    best = Math.min(best, (performance.now() - t) / iters);
  }
  console.log(`${label} (${nmf.kernel}): ${best.toFixed(2)} ms/iteration, ${n}x${m} r=${rank} float32 (load ${loadMs.toFixed(0)} ms)`);
}
