// Progress at every check, yielding between slices, cancellation with an AbortSignal
// (before the start, from onProgress, from a timer mid-fit): the promise rejects with
// the signal's reason (an AbortError DOMException by default) and no wasm memory leaks.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MODULES, instance, matrix } from './helpers.mjs';

const rows = 40;
const cols = 30;
const X = Float32Array.from(matrix(rows, cols, 3));

for (const [label] of MODULES) {
  describe(`${label} module`, async () => {
    const nmf = await instance(label);
    nmf.fitSync(X, { rows, cols, rank: 3 });
    const heap = nmf.heapUsed();

    test('onProgress at every check, with the loss going down', async () => {
      const seen = [];
      const r = await nmf.fit(X, { rows, cols, rank: 3, maxIter: 55, tol: 0, checkEvery: 10, onProgress: (p) => seen.push(p) });
      assert.deepEqual(seen.map((p) => p.iteration), [10, 20, 30, 40, 50, 55]);
      for (let i = 1; i < seen.length; i++) assert.ok(seen[i].loss <= seen[i - 1].loss, `loss rose at ${seen[i].iteration}`);
      for (const p of seen) assert.deepEqual(Object.keys(p).sort(), ['iteration', 'loss', 'objective', 'relativeError']);
      assert.ok(Math.abs(seen.at(-1).relativeError - r.relativeError) <= 1e-4 * r.relativeError);
      const sync = [];
      nmf.fitSync(X, { rows, cols, rank: 3, maxIter: 55, tol: 0, onProgress: (p) => sync.push(p) });
      assert.deepEqual(sync, seen);
    });

    test('progress stops at convergence', async () => {
      const seen = [];
      const r = await nmf.fit(X, { rows, cols, rank: 3, tol: 0.05, onProgress: (p) => seen.push(p.iteration) });
      assert.ok(r.converged);
      assert.equal(seen.at(-1), r.iterations);
    });

    test('fit yields to the event loop between slices', async () => {
      const big = Float32Array.from(matrix(300, 200, 5));
      let ticks = 0;
      const timer = setInterval(() => ticks++, 0);
      try {
        await nmf.fit(big, { rows: 300, cols: 200, rank: 10, maxIter: 400, tol: 0, checkEvery: 1 });
      } finally {
        clearInterval(timer);
      }
      assert.ok(ticks > 0, 'a timer ran while the fit was running');
    });

    test('abort before the start: rejects at once, nothing runs', async () => {
      const ac = new AbortController();
      ac.abort();
      let called = false;
      await assert.rejects(nmf.fit(X, { rows, cols, rank: 3, signal: ac.signal, onProgress: () => (called = true) }), {
        name: 'AbortError',
      });
      assert.equal(called, false);
      assert.equal(nmf.heapUsed(), heap);
    });

    test('abort from onProgress: rejects with AbortError after that check, memory freed', async () => {
      const ac = new AbortController();
      const seen = [];
      const p = nmf.fit(X, {
        rows, cols, rank: 3, maxIter: 1000, tol: 0, signal: ac.signal,
        onProgress: ({ iteration }) => {
          seen.push(iteration);
          if (iteration === 20) ac.abort();
        },
      });
      await assert.rejects(p, (e) => e.name === 'AbortError' && (typeof DOMException !== 'function' || e instanceof DOMException));
      assert.deepEqual(seen, [10, 20]);
      assert.equal(nmf.heapUsed(), heap);
    });

    test('abort from a timer while the fit runs; a custom reason is passed through', async () => {
      const big = Float32Array.from(matrix(300, 200, 5));
      const ac = new AbortController();
      let last = 0;
      setTimeout(() => ac.abort(new Error('user gave up')), 0);
      await assert.rejects(
        nmf.fit(big, { rows: 300, cols: 200, rank: 10, maxIter: 100000, tol: 0, signal: ac.signal, onProgress: (p) => (last = p.iteration) }),
        /user gave up/,
      );
      assert.ok(last < 100000);
      assert.equal(nmf.heapUsed(), heap);
    });

    test('an exception in onProgress rejects the fit and frees its memory', async () => {
      await assert.rejects(
        nmf.fit(X, { rows, cols, rank: 3, onProgress: () => { throw new RangeError('boom'); } }),
        /boom/,
      );
      assert.equal(nmf.heapUsed(), heap);
    });

    test('concurrent fits on one instance do not disturb each other', async () => {
      const o = { rows, cols, rank: 3, maxIter: 100, tol: 0, checkEvery: 5 };
      const ref = nmf.fitSync(X, { ...o, seed: 1 });
      const ref2 = nmf.fitSync(X, { ...o, seed: 2 });
      const [a, b] = await Promise.all([nmf.fit(X, { ...o, seed: 1 }), nmf.fit(X, { ...o, seed: 2 })]);
      assert.deepEqual(a, ref);
      assert.deepEqual(b, ref2);
      assert.equal(nmf.heapUsed(), heap);
    });
  });
}
