// The SIMD and baseline modules against each other for every initialization (issue 15), at the
// bounds wasm/README.md states: float64 bit for bit, float32 within 1e-5 from a random start,
// 1e-4 from nndsvda and 1e-3 from nndsvd / nndsvdar (their exact zeros and the SVD's float32
// rounding let the two modules' roundings grow apart over 100 iterations; measured worst cases
// on these problems: 2.3e-6, 1.5e-5, 1.2e-4, 1.7e-4).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WASM, instance, lowRank, relDiff } from './helpers.mjs';

const F32_BOUND = { random: 1e-5, nndsvda: 1e-4, nndsvd: 1e-3, nndsvdar: 1e-3 };

describe('SIMD and baseline agree for every init', { skip: !(WASM.simdFull && WASM.baseline) && 'needs both modules' }, () => {
  for (const init of Object.keys(F32_BOUND))
    test(`${init}: float64 identical, float32 within ${F32_BOUND[init]}`, async () => {
      const simd = await instance('simdFull');
      const base = await instance('baseline');
      for (const [n, m, r, k] of [[67, 45, 5, 6], [40, 30, 4, 4], [25, 60, 3, 3], [90, 20, 6, 5]])
        for (const seed of [1, 7, 42]) {
          const X = lowRank(n, m, r, seed);
          const o = { rows: n, cols: m, rank: k, maxIter: 100, tol: 0, seed, init };
          for (const x of [X, Float32Array.from(X)]) {
            const a = simd.fitSync(x, o);
            const b = base.fitSync(x, o);
            const tol = x instanceof Float32Array ? F32_BOUND[init] : 1e-12;
            const d = Math.max(relDiff(a.W, b.W), relDiff(a.H, b.H));
            assert.ok(d <= tol, `${x.constructor.name} ${n}x${m} rank ${k} seed ${seed}: W, H differ by ${d}`);
          }
        }
    });
});
