// wasm memory: 1000 fits leave the heap and the memory size unchanged (on the 'simd'
// instance also when they alternate between its lite and full modules); fits larger than
// the initial memory grow it (views re-created); sizes beyond 2 GiB are refused before
// calling in; a refused memory.grow becomes an 'out_of_memory' NmfError and the instance
// keeps working.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MODULES, instance, matrix } from './helpers.mjs';

for (const [label] of MODULES) {
  describe(`${label} module`, async () => {
    const nmf = await instance(label);
    const X32 = Float32Array.from(matrix(24, 16, 2));
    const X64 = matrix(16, 24, 3);

    test('1000 consecutive fits: heap and memory size stable', async () => {
      const o = { rank: 3, maxIter: 20, checkEvery: 5 };
      await nmf.fit(X32, { ...o, rows: 24 });
      await nmf.fit(X64, { ...o, rows: 16 }); // float64: loads the full module where it is separate
      nmf.fitSync(X64, { ...o, rows: 16 });
      const heap = nmf.heapUsed();
      const bytes = nmf.memory.buffer.byteLength;
      const first = nmf.fitSync(X32, { ...o, rows: 24 });
      for (let i = 0; i < 1000; i++) {
        const r = i % 2 ? nmf.fitSync(X64, { ...o, rows: 16, seed: i }) : await nmf.fit(X32, { ...o, rows: 24 });
        if (i % 2 === 0) assert.deepEqual(r.W, first.W);
      }
      assert.equal(nmf.heapUsed(), heap);
      assert.equal(nmf.memory.buffer.byteLength, bytes);
    });

    test('1000 consecutive fits alternating Frobenius and KL (lite and full module): heap stable', async () => {
      const o = { rank: 3, maxIter: 20, checkEvery: 5 };
      const kl = { ...o, rows: 16, loss: 'kullback-leibler' };
      await nmf.fit(X32, { ...o, rows: 24 });
      await nmf.fit(X64, kl); // loads the full module on the 'simd' instance
      const heap = nmf.heapUsed();
      const bytes = nmf.memory.buffer.byteLength;
      const first = await nmf.fit(X64, kl);
      for (let i = 0; i < 1000; i++) {
        const r = i % 2 ? nmf.fitSync(X32, { ...o, rows: 24, seed: i }) : await nmf.fit(X64, kl);
        if (i % 2 === 0) assert.deepEqual(r.W, first.W);
      }
      assert.equal(nmf.heapUsed(), heap);
      assert.equal(nmf.memory.buffer.byteLength, bytes);
    });

    test('a fit larger than the current memory grows it and returns correct data', async () => {
      const rows = 1200;
      const cols = 1000; // X alone is 4.8 MB, more than the initial memory
      const X = new Float32Array(rows * cols).fill(1);
      const before = nmf.memory.buffer.byteLength;
      assert.ok(nmf.bytesNeeded(X, { rows, rank: 2 }) > before);
      const r = await nmf.fit(X, { rows, rank: 2, maxIter: 50, tol: 0 });
      assert.ok(nmf.memory.buffer.byteLength > before);
      assert.equal(r.W.length, rows * 2);
      assert.ok(r.relativeError < 0.05, `all-ones X is rank 1: relative error ${r.relativeError}`);
      assert.deepEqual(nmf.fitSync(X, { rows, rank: 2, maxIter: 50, tol: 0 }), r, 'same result once grown');
    });

    test('sizes beyond 2 GiB are refused before calling in', async () => {
      const X = new Float32Array(4);
      const bytes = nmf.memory.buffer.byteLength;
      await assert.rejects(nmf.fit(X, { rows: 2, rank: 2 ** 24 }), (e) => ['out_of_memory', 'size_overflow'].includes(e.code));
      assert.equal(nmf.memory.buffer.byteLength, bytes);
    });

    test('a refused memory.grow is an out_of_memory error; the instance keeps working', async () => {
      // 1×1 X and the largest rank whose block is still below 2 GiB: the allocation
      // needs more than the memory can grow to (static data and stack come first).
      const X = new Float32Array([1]);
      let lo = 1;
      let hi = 2 ** 20;
      const need = (rank) => {
        try {
          return nmf.bytesNeeded(X, { rows: 1, rank });
        } catch {
          return Infinity;
        }
      };
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (need(mid) < 2 ** 31) lo = mid;
        else hi = mid;
      }
      assert.ok(need(lo) > 2 ** 31 - 2 ** 20, `block of ${need(lo)} bytes`);
      const heap = nmf.heapUsed();
      await assert.rejects(nmf.fit(X, { rows: 1, rank: lo }), (e) => {
        assert.equal(e.code, 'out_of_memory');
        assert.match(e.message, /out of wasm memory allocating \d+ bytes/);
        return true;
      });
      assert.equal(nmf.heapUsed(), heap);
      assert.ok(nmf.memory.buffer.byteLength < 2 ** 30, 'the refused growth did not happen');
      assert.equal(nmf.fitSync(X32, { rows: 24, rank: 3 }).W.length, 72);
    });
  });
}
