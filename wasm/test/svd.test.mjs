// nmf.svd(X, k): the core's truncated SVD through the wrapper. A matrix with planted singular
// values (orthonormal factors by Gram-Schmidt) gives them back with orthonormal U and Vt, in
// float32 and float64, the same through createWorker(); signed X works (PCA); errors are
// NmfErrors with the C status (rank_too_large, x_not_finite) or argument checks.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createWorker } from '../src/node.js';
import { MODULES, instance, loadOptions } from './helpers.mjs';

// n×k with orthonormal columns from a fixed pseudo-random start
function orthonormal(n, k, seed) {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) - 0.5;
  const Q = Array.from({ length: k }, () => Array.from({ length: n }, rnd));
  for (let c = 0; c < k; c++) {
    for (let p = 0; p < c; p++) {
      let d = 0;
      for (let i = 0; i < n; i++) d += Q[c][i] * Q[p][i];
      for (let i = 0; i < n; i++) Q[c][i] -= d * Q[p][i];
    }
    const norm = Math.hypot(...Q[c]);
    for (let i = 0; i < n; i++) Q[c][i] /= norm;
  }
  return Q; // Q[c] is column c
}
const n = 30;
const m = 20;
const sigmas = [10, 5, 3, 1, 0.5];
const A = orthonormal(n, 5, 7);
const B = orthonormal(m, 5, 11);
const X = new Float64Array(n * m);
for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) for (let c = 0; c < 5; c++) X[i * m + j] += A[c][i] * sigmas[c] * B[c][j];

function check(r, k, tol) {
  assert.equal(r.S.length, k);
  for (let c = 0; c < k; c++) assert.ok(Math.abs(r.S[c] - sigmas[c]) < tol * 10, `sigma ${c}: ${r.S[c]}`);
  for (let a = 0; a < k; a++)
    for (let b = 0; b < k; b++) {
      let uu = 0;
      let vv = 0;
      for (let i = 0; i < n; i++) uu += r.U[i * k + a] * r.U[i * k + b];
      for (let j = 0; j < m; j++) vv += r.Vt[a * m + j] * r.Vt[b * m + j];
      assert.ok(Math.abs(uu - (a === b)) < tol * 10 && Math.abs(vv - (a === b)) < tol * 10, `orthonormal ${a}, ${b}`);
    }
}

describe('svd', () => {
  for (const [label] of MODULES)
    test(`${label}: planted singular values, orthonormal factors, float32 and float64`, async () => {
      const nmf = await instance(label);
      const r64 = await nmf.svd(X, 3, { rows: n, cols: m, seed: 1 });
      assert.ok(r64.U instanceof Float64Array && r64.Vt instanceof Float64Array && r64.S instanceof Float64Array);
      assert.deepEqual([r64.rows, r64.cols, r64.k, r64.U.length, r64.Vt.length], [n, m, 3, n * 3, 3 * m]);
      check(r64, 3, 1e-10);
      const r32 = await nmf.svd(Float32Array.from(X), 5, { rows: n, seed: 1 });
      assert.ok(r32.U instanceof Float32Array);
      check(r32, 5, 1e-5);
      // an array of rows; the same seed, the same numbers
      const rows = Array.from({ length: n }, (_, i) => Array.from(X.subarray(i * m, (i + 1) * m)));
      assert.deepEqual(await nmf.svd(rows, 3, { seed: 1 }), r64);
      const heap = nmf.heapUsed();
      await nmf.svd(X, 2, { rows: n });
      assert.equal(nmf.heapUsed(), heap, 'no wasm memory kept');
    });

  test('errors: the C statuses and the argument checks', async () => {
    const nmf = await instance(MODULES[0][0]);
    await assert.rejects(nmf.svd(X, 21, { rows: n }), { name: 'NmfError', code: 'rank_too_large' });
    const bad = Float64Array.from(X);
    bad[7] = NaN;
    await assert.rejects(nmf.svd(bad, 2, { rows: n }), { code: 'x_not_finite' });
    await assert.rejects(nmf.svd(X, 0, { rows: n }), { code: 'invalid_argument', message: /k must be an integer >= 1/ });
    await assert.rejects(nmf.svd(X, 2, { rows: n, rank: 2 }), { code: 'invalid_argument', message: /unknown option rank/ });
    await assert.rejects(nmf.svd(X, 2, { rows: n, seed: -1 }), { message: /seed must be a non-negative integer/ });
    await assert.rejects(nmf.svd(X, 2, { rows: 7 }), { code: 'invalid_argument', message: /X has 600 elements/ });
  });

  test('signed X (PCA of centred data); createWorker gives the same numbers', async () => {
    const C = Float64Array.from(X, (x, i) => x - (i % 2 ? 0.3 : -0.3));
    const nmf = await instance(MODULES[0][0]);
    const r = await nmf.svd(C, 4, { rows: n, seed: 2 });
    const w = await createWorker(loadOptions(MODULES[0][0]));
    try {
      assert.deepEqual(await w.svd(C, 4, { rows: n, seed: 2 }), r);
    } finally {
      await w.terminate();
    }
  });
});
