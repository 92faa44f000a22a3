// ms/iteration of nmf.fitSync on a random 2000×1000 float32 matrix, rank 20, for the
// SIMD modules (nmfkit-simd.wasm, Frobenius-only, and nmfkit-simd-full.wasm) and the
// baseline module (or the .wasm files given as arguments); then, on the modules with
// sparse X, a random 20000×5000 CSR X at 0.5 % density (the issue 12 case), Frobenius and
// KL. Warms V8 up with a full-size untimed fit first (Liftoff → TurboFan), then reports
// the best of 3.
//   node scripts/bench.mjs [simd.wasm simd-full.wasm baseline.wasm]   (default: dist/)
import { load } from '../src/node.js';

const [simdWasm, fullWasm, baseWasm] = process.argv.slice(2);
const n = 2000, m = 1000, rank = 20, iters = 50;
let s = 12345;
const rnd = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
const X = new Float32Array(n * m).map(rnd);
// 20000×5000 with 25 entries a row (0.5 %) at distinct random columns, values uniform in [0, 1)
const S = { rows: 20000, cols: 5000, indptr: new Uint32Array(20001), indices: new Uint32Array(20000 * 25), values: new Float32Array(20000 * 25) };
for (let i = 0; i < S.rows; i++) {
  const cols = new Set();
  while (cols.size < 25) cols.add(Math.floor(rnd() * S.cols));
  S.indices.set(Float64Array.from(cols).sort(), i * 25);
  for (let k = 0; k < 25; k++) S.values[i * 25 + k] = rnd();
  S.indptr[i + 1] = (i + 1) * 25;
}
for (const [label, opts] of [
  ['simd', simdWasm ? { wasm: simdWasm } : { simd: true }],
  ['simd-full', fullWasm ? { wasm: fullWasm } : { simd: true, features: 'full' }],
  ['baseline', baseWasm ? { wasm: baseWasm } : { simd: false }],
]) {
  const t0 = performance.now();
  const nmf = await load(opts);
  const loadMs = performance.now() - t0;
  const dense = best(() => nmf.fitSync(X, { rows: n, cols: m, rank, maxIter: iters, tol: 0, seed: 1 }));
  console.log(`${label} (${nmf.kernel}): ${dense.toFixed(2)} ms/iteration, ${n}x${m} r=${rank} float32 (load ${loadMs.toFixed(0)} ms)`);
  if (label === 'simd') continue; // sparse X runs in the full modules
  for (const loss of ['frobenius', 'kl']) {
    const ms = best(() => nmf.fitSync(S, { rank, maxIter: iters, tol: 0, seed: 1, loss }));
    console.log(`${label} (${nmf.kernel}): ${ms.toFixed(2)} ms/iteration, sparse ${S.rows}x${S.cols} nnz=${S.indices.length} r=${rank} float32 ${loss}`);
  }
}

// ms per iteration of fit(): one untimed run, then the best of 3
function best(fit) {
  fit();
  let b = Infinity;
  for (let rep = 0; rep < 3; rep++) {
    const t = performance.now();
    fit();
    b = Math.min(b, (performance.now() - t) / iters);
  }
  return b;
}
