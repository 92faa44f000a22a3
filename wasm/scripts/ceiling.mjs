// node scripts/ceiling.mjs [path/to/ceiling.wasm]
// The float32 SIMD128 rates this engine reaches on this machine (see ceiling.cpp), next
// to what the speed target of scripts/bench.mjs asks of the two big products.
// ceiling.wasm is built with the SIMD modules (build/wasm-simd/wasm/ceiling.wasm).
import fs from 'node:fs';

const file = process.argv[2] ?? new URL('../../build/wasm-simd/wasm/ceiling.wasm', import.meta.url);
const { instance } = await WebAssembly.instantiate(fs.readFileSync(file), {
  env: { emscripten_notify_memory_growth() {} },
  wasi_snapshot_preview1: { proc_exit() {} },
});
const ex = instance.exports;
ex._initialize?.();
ex.ceiling_init();

const cases = [
  ['registers only: f32x4 mul + add, 7 + 7 chains', (n) => ex.madd_peak(n, 1), 7 * 8, 4e6],
  ['gemm_nt (dot tiles), operands in L1', (n) => ex.gemm_nt_cached(n), ex.gemm_nt_flops(), 4e3],
  ['gemm_tn (broadcast tiles), operands in L1', (n) => ex.gemm_tn_cached(n), ex.gemm_tn_flops(), 4e3],
];
for (const [, f, , n] of cases) for (let i = 0; i < 30; i++) f(n); // Liftoff → TurboFan
const best = cases.map(() => Infinity);
for (let round = 0; round < 40; round++) {
  cases.forEach(([, f, , n], i) => {
    const t0 = performance.now();
    f(n);
    best[i] = Math.min(best[i], performance.now() - t0);
  });
}
cases.forEach(([label, , flops, n], i) => {
  console.log(`${label.padEnd(46)} ${((flops * n) / best[i] / 1e6).toFixed(1).padStart(6)} GFLOPS`);
});
// 2000×1000 r=20: X·Hᵀ and Wᵀ·X are 4·n·m·r = 160 MFLOP of an iteration; the rest
// (r×r products, updates, ~0.15 ms in the modules) is left aside.
const bigFlops = 4 * 2000 * 1000 * 20;
console.log(`3.5 ms/iteration at 2000x1000 r=20 needs the two big products at >= ${(bigFlops / 3.35e-3 / 1e9).toFixed(1)} GFLOPS`);
