// createWorker(): the same fit API in a worker thread (Node worker_threads; the browser
// entry uses the same client and worker code over a module Worker).
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { NmfError, createWorker } from '../src/node.js';
import { MODULES, instance, loadOptions, matrix } from './helpers.mjs';

const rows = 40;
const cols = 25;
const X = Float32Array.from(matrix(rows, cols, 8));
const o = { rows, cols, rank: 4, maxIter: 60, tol: 0, seed: 5 };

for (const [label] of MODULES) {
  describe(`${label} module in a worker`, async () => {
    const w = await createWorker(loadOptions(label));
    const local = await instance(label);
    after(() => w.terminate());

    test('load info comes back', () => {
      assert.equal(w.simd, label !== 'baseline');
      assert.equal(w.kernel, local.kernel);
      assert.equal(w.version, local.version);
    });

    test('fit gives the same result as in this thread, with progress', async () => {
      const seen = [];
      const r = await w.fit(X, { ...o, onProgress: (p) => seen.push(p.iteration) });
      assert.deepEqual(r, local.fitSync(X, o));
      assert.deepEqual(seen, [10, 20, 30, 40, 50, 60]);
      assert.equal(X.length, rows * cols, 'X was copied, not moved');
    });

    test('a fit that needs the full module (KL, NNDSVD) gives the same result as in this thread', async () => {
      const o2 = { ...o, loss: 'kullback-leibler', init: 'nndsvda' };
      assert.deepEqual(await w.fit(X, o2), await local.fit(X, o2));
    });

    test('transfer: true moves X to the worker', async () => {
      const x = X.slice();
      const r = await w.fit(x, { ...o, transfer: true });
      assert.equal(x.length, 0, 'X buffer detached');
      assert.equal(r.W.length, rows * 4);
    });

    test('errors arrive as NmfError with code and location', async () => {
      const bad = X.slice();
      bad[3 * cols + 2] = -1;
      await assert.rejects(w.fit(bad, o), (e) => {
        assert.ok(e instanceof NmfError);
        assert.equal(e.code, 'x_negative');
        assert.deepEqual([e.matrix, e.row, e.col], ['X', 3, 2]);
        return true;
      });
      await assert.rejects(w.fit(X, { ...o, rank: 1.5 }), { code: 'invalid_argument' });
    });

    test('an AbortSignal cancels the fit in the worker', async () => {
      const ac = new AbortController();
      const big = Float32Array.from(matrix(300, 200, 1));
      const p = w.fit(big, {
        rows: 300, cols: 200, rank: 10, maxIter: 1e6, tol: 0, signal: ac.signal,
        onProgress: (q) => q.iteration >= 20 && ac.abort(),
      });
      await assert.rejects(p, { name: 'AbortError' });
      const before = await w.fit(X, o); // the worker is free again
      assert.equal(before.iterations, 60);
      const done = new AbortController();
      done.abort();
      await assert.rejects(w.fit(X, { ...o, signal: done.signal }), { name: 'AbortError' });
    });

    test('a sparse X (CSR) with missing entries: copied or moved, same results, errors with the entry', async () => {
      const csr = () => ({ rows: 3, cols: 4, indptr: BigUint64Array.from([0n, 2n, 3n, 5n]), indices: Uint32Array.from([0, 2, 1, 1, 3]), values: Float32Array.from([1, 2, 3, 4, 5]) });
      const so = { rank: 2, maxIter: 40, tol: 0, seed: 3, missing: 'unstored' };
      const x = csr();
      const ref = await local.fit(x, so);
      assert.equal(ref.observed, 5);
      const seen = [];
      assert.deepEqual(await w.fit(x, { ...so, onProgress: (p) => seen.push(p.iteration) }), ref);
      assert.deepEqual(seen, [10, 20, 30, 40]);
      assert.deepEqual(x, csr(), 'X was copied, not moved');
      const moved = csr();
      assert.deepEqual(await w.fit(moved, { ...so, transfer: true }), ref);
      assert.deepEqual([moved.indptr.length, moved.indices.length, moved.values.length], [0, 0, 0], 'the three buffers moved');
      const t = await w.transform(csr(), { H: ref.H, missing: 'unstored', maxIter: 50 });
      assert.deepEqual(t, await local.transform(csr(), { H: ref.H, missing: 'unstored', maxIter: 50 }));
      await assert.rejects(w.fit({ ...csr(), values: Float32Array.from([1, 2, -3, 4, 5]) }, so), (e) => {
        assert.ok(e instanceof NmfError);
        assert.deepEqual([e.code, e.matrix, e.row, e.col, e.entry], ['x_negative', 'X', 1, 1, 2]);
        return true;
      });
      await assert.rejects(w.fit({ ...csr(), indptr: [0, 2] }, so), { code: 'invalid_argument' });
    });

    test('concurrent calls are matched to their results', async () => {
      const [a, b] = await Promise.all([w.fit(X, { ...o, seed: 1 }), w.fit(X, { ...o, seed: 2 })]);
      assert.deepEqual(a.W, local.fitSync(X, { ...o, seed: 1 }).W);
      assert.deepEqual(b.W, local.fitSync(X, { ...o, seed: 2 }).W);
    });
  });
}

test('terminate rejects pending fits; a bad module rejects createWorker', async () => {
  const w = await createWorker({ wasm: MODULES[0][1] });
  const p = w.fit(Float32Array.from(matrix(300, 200, 1)), { rows: 300, cols: 200, rank: 10, maxIter: 1e6, tol: 0 });
  const rejected = assert.rejects(p, { code: 'terminated' });
  await w.terminate();
  await rejected;
  await assert.rejects(w.fit(X, o), { code: 'terminated' });
  await assert.rejects(createWorker({ wasm: `${MODULES[0][1]}.missing` }), /ENOENT|no such file/);
});
