// transform (W for a fixed H), transformColumns (H for a fixed W) and inverseTransform
// (W·H) on every module: planted factors recovered, KL in the full module, shape
// mismatches, the Worker client, a stable heap.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NmfError, createWorker } from '../src/node.js';
import { MODULES, instance, loadOptions, matrix, relDiff, toRows } from './helpers.mjs';

const n = 30, m = 20, r = 3;
// planted factors bounded away from 0, so the solution is unique and MU converges fast
const W = matrix(n, r, 5).map((v) => 0.2 + v);
const H = matrix(r, m, 6).map((v) => 0.2 + v);
const product = (A, B, rows, rank, cols) => {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) {
      let s = 0;
      for (let k = 0; k < rank; k++) s += A[i * rank + k] * B[k * cols + j];
      out[i * cols + j] = s;
    }
  return out;
};
const X = product(W, H, n, r, m);
const solve = { maxIter: 5000, tol: 0 };

for (const [label] of MODULES) {
  describe(`${label} module`, async () => {
    const nmf = await instance(label);

    test('transform recovers W of X = W·H from H (float64 and float32)', async () => {
      const t = await nmf.transform(X, { H, rows: n, ...solve });
      assert.deepEqual(Object.keys(t).sort(), ['W', 'cols', 'converged', 'iterations', 'loss', 'objective', 'observed', 'rank', 'relativeError', 'rows']);
      assert.ok(t.W instanceof Float64Array);
      assert.equal(t.rank, r);
      assert.equal(t.iterations, solve.maxIter);
      assert.ok(relDiff(t.W, W) < 1e-3, `relative difference ${relDiff(t.W, W)}`);
      assert.ok(t.relativeError < 1e-4, `${t.relativeError}`);
      const t32 = await nmf.transform(Float32Array.from(X), { H: toRows(H, r, m), rows: n, cols: m, ...solve });
      assert.ok(t32.W instanceof Float32Array);
      assert.ok(relDiff(t32.W, W) < 1e-3, `float32: relative difference ${relDiff(t32.W, W)}`);
    });

    test('transformColumns recovers H of X = W·H from W', async () => {
      const t = await nmf.transformColumns(toRows(X, n, m), { W: toRows(W, n, r), ...solve });
      assert.deepEqual(Object.keys(t).sort(), ['H', 'cols', 'converged', 'iterations', 'loss', 'objective', 'observed', 'rank', 'relativeError', 'rows']);
      assert.ok(relDiff(t.H, H) < 1e-3, `relative difference ${relDiff(t.H, H)}`);
      const t32 = await nmf.transformColumns(Float32Array.from(X), { W: Float32Array.from(W), cols: m, rank: r, ...solve });
      assert.ok(relDiff(t32.H, H) < 1e-3, `float32: relative difference ${relDiff(t32.H, H)}`);
    });

    test('transform of a fitted model: W·H of the fit, the fixed factor as given', async () => {
      const f = nmf.fitSync(X, { rows: n, rank: r, maxIter: 100, seed: 3 });
      const t = await nmf.transform(X, { H: f.H, rows: n, maxIter: 300, tol: 0 });
      assert.ok(t.relativeError <= f.relativeError * 1.01, `${t.relativeError} vs the fit's ${f.relativeError}`);
      assert.ok(t.converged === false && t.iterations === 300);
      const stop = await nmf.transform(X, { H: f.H, rows: n, maxIter: 1000, tol: 1e-3 });
      assert.ok(stop.converged && stop.iterations < 1000, 'tol stops the transform');
    });

    test('inverseTransform equals the triple loop', () => {
      const ref = product(W, H, n, r, m);
      const p = nmf.inverseTransform(W, H, { rank: r });
      assert.ok(p instanceof Float64Array && p.length === n * m);
      assert.ok(relDiff(p, ref) < 1e-12, `${relDiff(p, ref)}`);
      const p32 = nmf.inverseTransform(Float32Array.from(W), Float32Array.from(H), { rows: n, cols: m });
      assert.ok(p32 instanceof Float32Array);
      assert.ok(relDiff(p32, ref) < 1e-6, `${relDiff(p32, ref)}`);
      const mixed = nmf.inverseTransform(toRows(Float32Array.from(W), n, r), toRows(H, r, m));
      assert.ok(mixed instanceof Float64Array && relDiff(mixed, ref) < 1e-6);
    });

    test('KL transform (the full module on the default instance) lowers the KL loss', async () => {
      const f = await nmf.fit(X, { rows: n, rank: r, loss: 'kullback-leibler', maxIter: 50, seed: 1 });
      const kl = { H: f.H, rows: n, loss: 'kullback-leibler', tol: 0 };
      const t0 = await nmf.transform(X, { ...kl, maxIter: 0 });
      const t = await nmf.transform(X, { ...kl, maxIter: 500 });
      assert.ok(t.loss < t0.loss, `${t.loss} < ${t0.loss}`);
      const c = await nmf.transformColumns(X, { W: f.W, rows: n, beta: 1, maxIter: 500, tol: 0 });
      assert.ok(c.loss < t0.loss);
      const penalized = await nmf.transform(X, { ...kl, maxIter: 50, alphaW: 0.1, l1Ratio: 0.5 });
      assert.ok(penalized.objective > penalized.loss);
    });

    test('errors: shape mismatch, bad options, bad values; the heap is back each time', async () => {
      await nmf.transform(X, { H, rows: n, maxIter: 1 });
      nmf.inverseTransform(W, H, { rank: r });
      const heap = nmf.heapUsed();
      const code = async (run, c, pattern) => {
        await assert.rejects(async () => run(), (e) => e instanceof NmfError && e.code === c && (!pattern || pattern.test(e.message)));
        assert.equal(nmf.heapUsed(), heap);
      };
      const tsm = 'transform_shape_mismatch';
      await code(() => nmf.transform(X, { H: H.subarray(1), rows: n }), tsm, /H has 59 elements/);
      await code(() => nmf.transform(X, { H: toRows(H, r, m).map((row) => row.slice(1)), rows: n }), tsm, /H has 19 columns, expected 20/);
      await code(() => nmf.transform(X, { H, rows: n, rank: 2 }), tsm);
      await code(() => nmf.transformColumns(X, { W: toRows(W, n, r).slice(1), rows: n }), tsm, /W has 29 rows, expected 30/);
      await code(() => nmf.transformColumns(X, { W: W.subarray(1), rows: n }), tsm);
      await code(() => nmf.transform(X, { rows: n }), 'invalid_argument', /H must be/);
      await code(() => nmf.transform(X, { H, rows: n, seed: 1 }), 'invalid_argument', /unknown option seed/);
      await code(() => nmf.transform(X, { H, rows: n, init: 'custom' }), 'invalid_argument', /unknown option init/);
      await code(() => nmf.transformColumns(X, { W, H, rows: n }), 'invalid_argument', /unknown option H/);
      await code(() => nmf.transform(X, { H, rows: 2.5 }), 'invalid_argument', /rows must be a non-negative integer/);
      await code(() => nmf.transform(X, { H, rows: n, maxIter: -1 }), 'invalid_argument', /maxIter/);
      await code(() => nmf.transform(X, { H, rows: n, tol: -1 }), 'invalid_tol');
      await code(() => nmf.transform(X, { H: H.map((v, i) => (i === 22 ? -1 : v)), rows: n }), 'init_negative', /\(H\[1\]\[2\]\)/);
      await code(() => nmf.transformColumns(X, { W: W.map((v, i) => (i === 4 ? NaN : v)), rows: n }), 'init_not_finite', /\(W\[1\]\[1\]\)/);
      await code(() => nmf.transform(X.map((v, i) => (i === 5 ? -1 : v)), { H, rows: n }), 'x_negative', /X\[0\]\[5\]/);
      await code(() => nmf.transform(new Float64Array(0), { H, rows: 0, cols: m }), 'empty_dimension');
      await code(() => nmf.inverseTransform(W, H.subarray(1), { rank: r }), 'shape_mismatch');
      await code(() => nmf.inverseTransform(toRows(W, n, r), toRows(H, r, m).slice(1)), 'shape_mismatch', /H has 2 rows, expected 3/);
      await code(() => nmf.inverseTransform(W, H, { rank: r, seed: 1 }), 'invalid_argument', /unknown option seed/);
      await code(() => nmf.inverseTransform(W, H, { rank: 2.5 }), 'invalid_argument', /must be a non-negative integer/);
      await code(() => nmf.inverseTransform(new Float64Array(0), new Float64Array(0), { rows: 0, rank: 0, cols: 0 }), 'empty_dimension');
    });

    test('200 transforms of each kind: heap and memory size stable', async () => {
      const X32 = Float32Array.from(X);
      await nmf.transform(X32, { H, rows: n, maxIter: 20 });
      await nmf.transformColumns(X, { W, rows: n, maxIter: 20, beta: 1 });
      nmf.inverseTransform(W, H, { rank: r });
      const heap = nmf.heapUsed();
      const bytes = nmf.memory.buffer.byteLength;
      const first = await nmf.transform(X32, { H, rows: n, maxIter: 20 });
      for (let i = 0; i < 200; i++) {
        const t = await nmf.transform(X32, { H, rows: n, maxIter: 20 });
        assert.deepEqual(t.W, first.W);
        await nmf.transformColumns(X, { W, rows: n, maxIter: 20, beta: 1 });
        nmf.inverseTransform(W, H, { rank: r });
      }
      assert.equal(nmf.heapUsed(), heap);
      assert.equal(nmf.memory.buffer.byteLength, bytes);
    });
  });
}

test('the Worker client runs transform, transformColumns and inverseTransform', async () => {
  const label = MODULES[0][0];
  const worker = await createWorker(loadOptions(label));
  try {
    const nmf = await instance(label);
    const t = await worker.transform(X, { H, rows: n, maxIter: 200 });
    assert.deepEqual(t, await nmf.transform(X, { H, rows: n, maxIter: 200 }));
    const c = await worker.transformColumns(X, { W, rows: n, loss: 'kullback-leibler', maxIter: 50 });
    assert.deepEqual(c, await nmf.transformColumns(X, { W, rows: n, loss: 'kullback-leibler', maxIter: 50 }));
    assert.deepEqual(await worker.inverseTransform(W, H, { rank: r }), nmf.inverseTransform(W, H, { rank: r }));
    await assert.rejects(worker.transform(X, { H: H.subarray(1), rows: n }), (e) => e instanceof NmfError && e.code === 'transform_shape_mismatch');
  } finally {
    await worker.terminate();
  }
});
