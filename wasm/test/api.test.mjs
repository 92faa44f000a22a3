// The fit API on each module: every input type, result shape and precision, options,
// custom initialization, fitSync vs fit.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KERNEL, MODULES, THREADED, THREADS, instance, lowRank, matrix, relDiff, toRows } from './helpers.mjs';

for (const [label] of MODULES) {
  describe(`${label} module`, async () => {
    const nmf = await instance(label);
    const rows = 30;
    const cols = 20;
    const X64 = lowRank(rows, cols, 4);
    const X32 = Float32Array.from(X64);

    test('reports what runs', () => {
      assert.equal(nmf.simd, label !== 'baseline');
      assert.equal(nmf.kernel, KERNEL[label]);
      assert.equal(nmf.module, /^relaxed/.test(label) ? 'relaxed' : label === 'baseline' ? 'baseline' : 'simd');
      assert.equal(nmf.threads, THREADED.includes(label) ? THREADS : 1);
      assert.match(nmf.version, /^\d+\.\d+\.\d+/);
    });

    test('the whole float range: fit(4^50 X) = 2^100 fit(4^-50 X) bit for bit, the relative error of fit(X)', async () => {
      // X of that scale runs in a scale-safe module (the default ones send it to the full one)
      for (const beta of [2, 1]) {
        const o = { rows, cols, rank: 4, maxIter: 50, tol: 0, seed: 3, beta };
        const base = await nmf.fit(X32, o);
        const [big, small] = [await nmf.fit(X32.map((v) => v * 2 ** 100), o), await nmf.fit(X32.map((v) => v * 2 ** -100), o)];
        assert.ok(big.W.every((v, i) => v === small.W[i] * 2 ** 100), `beta ${beta}: W`);
        assert.ok(big.H.every((v, i) => v === small.H[i] * 2 ** 100), `beta ${beta}: H`);
        for (const r of [big, small]) assert.ok(Math.abs(r.relativeError - base.relativeError) <= 1e-5, `beta ${beta}: relative error`);
      }
    });

    test('Float32Array in, Float32Array out, good fit of a rank-4 matrix', async () => {
      const r = await nmf.fit(X32, { rows, cols, rank: 4, maxIter: 400, tol: 0, seed: 3 });
      assert.ok(r.W instanceof Float32Array && r.H instanceof Float32Array);
      assert.equal(r.W.length, rows * 4);
      assert.equal(r.H.length, 4 * cols);
      assert.deepEqual([r.rows, r.cols, r.rank, r.iterations, r.converged], [rows, cols, 4, 400, false]);
      assert.ok(r.relativeError < 0.05, `relative error ${r.relativeError}`);
      assert.ok(r.W.every((v) => v >= 0) && r.H.every((v) => v >= 0));
      assert.ok(Math.abs(r.loss - 0.5 * (r.relativeError * norm(X64)) ** 2) <= 1e-4 * r.loss + 1e-9);
    });

    test('Float64Array in, Float64Array out; rows or cols alone is enough', async () => {
      const a = await nmf.fit(X64, { rows, rank: 4, seed: 3, tol: 1e-2 });
      const b = await nmf.fit(X64, { cols, rank: 4, seed: 3, tol: 1e-2 });
      assert.ok(a.W instanceof Float64Array && a.H instanceof Float64Array);
      assert.equal(a.cols, cols);
      assert.deepEqual(a.W, b.W);
      assert.ok(a.converged && a.iterations < 200, `iterations ${a.iterations}`);
    });

    test('array of rows (arrays and typed-array rows) gives float64 results equal to the flat input', async () => {
      const ref = nmf.fitSync(X64, { rows, cols, rank: 3, seed: 9, maxIter: 50 });
      const fromArrays = await nmf.fit(toRows(X64, rows, cols), { rank: 3, seed: 9, maxIter: 50 });
      const typedRows = Array.from({ length: rows }, (_, i) => X64.subarray(i * cols, (i + 1) * cols));
      const fromTyped = await nmf.fit(typedRows, { rank: 3, seed: 9, maxIter: 50, rows, cols });
      for (const r of [fromArrays, fromTyped]) {
        assert.ok(r.W instanceof Float64Array);
        assert.deepEqual(r.W, ref.W);
        assert.deepEqual(r.H, ref.H);
        assert.equal(r.loss, ref.loss);
      }
    });

    test('fit and fitSync give identical results; same seed, same result; other seed differs', async () => {
      const o = { rows, cols, rank: 5, seed: 11, maxIter: 60 };
      const a = await nmf.fit(X32, o);
      const b = nmf.fitSync(X32, o);
      const c = nmf.fitSync(X32, { ...o, seed: 12 });
      assert.deepEqual(a, b);
      assert.notDeepEqual(a.W, c.W);
      const big = nmf.fitSync(X32, { ...o, seed: 2n ** 64n - 1n });
      assert.equal(big.W.length, rows * 5);
    });

    test("init: 'custom' starts from W0, H0 (typed arrays or rows); maxIter 0 returns them", async () => {
      const W0 = matrix(rows, 2, 5);
      const H0 = matrix(2, cols, 6);
      const r0 = await nmf.fit(X64, { rows, cols, rank: 2, init: 'custom', W0, H0, maxIter: 0 });
      assert.deepEqual(r0.W, W0);
      assert.deepEqual(r0.H, H0);
      assert.equal(r0.iterations, 0);
      const a = await nmf.fit(X64, { rows, cols, rank: 2, init: 'custom', W0, H0, maxIter: 30, tol: 0 });
      const b = await nmf.fit(toRows(X64, rows, cols), {
        rank: 2, init: 'custom', W0: toRows(W0, rows, 2), H0: toRows(H0, 2, cols), maxIter: 30, tol: 0,
      });
      assert.deepEqual(a.W, b.W);
      assert.ok(a.loss < r0.loss);
    });

    test('kernel: scalar agrees with the default kernel', async () => {
      const o = { rows, cols, rank: 4, seed: 1, maxIter: 100, tol: 0 };
      const a = nmf.fitSync(X32, o);
      const b = await nmf.fit(X32, { ...o, kernel: 'scalar' }); // the full module where this one has SIMD kernels only
      assert.ok(relDiff(a.W, b.W) < 1e-4 && relDiff(a.H, b.H) < 1e-4);
    });

    test('checkEvery and tol control convergence; the zero matrix works', async () => {
      const r = await nmf.fit(X64, { rows, cols, rank: 4, tol: 0.5, checkEvery: 3, seed: 1 });
      assert.ok(r.converged);
      assert.equal(r.iterations % 3, 0);
      const z = await nmf.fit(new Float32Array(12), { rows: 3, cols: 4, rank: 2 });
      assert.equal(z.loss, 0);
      assert.equal(z.relativeError, 0);
    });

    test('beta-divergence losses, NNDSVD inits, AMU and penalties (the option table)', async () => {
      // fit(), not fitSync(): on the 'simd' instance the first of these loads the full module
      const base = { rows, cols, rank: 4, seed: 2, maxIter: 100, tol: 0 };
      const fro = await nmf.fit(X64, base);
      assert.equal(fro.objective, fro.loss);
      const kl = await nmf.fit(X64, { ...base, loss: 'kullback-leibler' });
      assert.deepEqual(kl, await nmf.fit(X64, { ...base, beta: 1 }));
      assert.deepEqual(kl, nmf.fitSync(X64, { ...base, beta: 1 }), 'fitSync, once the full module is there');
      assert.notEqual(kl.loss, fro.loss);
      const is = await nmf.fit(X64.map((v) => v + 0.1), { ...base, loss: 'itakura-saito' });
      assert.ok(Number.isFinite(is.loss) && is.loss >= 0);
      for (const init of ['nndsvd', 'nndsvda', 'nndsvdar']) {
        const r = await nmf.fit(X64, { ...base, init });
        assert.ok(r.relativeError < 0.1, `${init}: ${r.relativeError}`);
      }
      const amu = await nmf.fit(X64, { ...base, solver: 'amu' });
      assert.ok(amu.loss <= fro.loss * 1.01, `amu ${amu.loss} vs mu ${fro.loss}`);
      const hals = await nmf.fit(X64, { ...base, solver: 'hals' });
      assert.ok(hals.loss <= fro.loss * 1.01, `hals ${hals.loss} vs mu ${fro.loss}`);
      assert.deepEqual(await nmf.fit(X64, { ...base, solver: 'cd' }), hals, "'cd' is hals by scikit-learn's name");
      assert.deepEqual(await nmf.fit(X64, { ...base, solver: 'auto' }), hals, "'auto' is hals for beta = 2");
      assert.deepEqual(await nmf.fit(X64, { ...base, solver: 'mu' }), fro, 'the JS default is mu (C\'s is auto)');
      assert.notDeepEqual(hals, fro);
      assert.deepEqual(await nmf.fit(X64, { ...base, beta: 1, solver: 'auto' }), kl, "'auto' is mu for beta = 1");
      const pen = await nmf.fit(X64, { ...base, alphaW: 0.1, alphaH: 0.1, l1Ratio: 0.5 });
      assert.ok(pen.objective > pen.loss);
    });

    test('bytesNeeded grows with the problem', () => {
      const a = nmf.bytesNeeded(X32, { rows, cols, rank: 4 });
      const b = nmf.bytesNeeded(X64, { rows, cols, rank: 4 });
      assert.ok(a >= rows * cols * 4 && b > a);
    });
  });
}

function norm(x) {
  let s = 0;
  for (const v of x) s += v * v;
  return Math.sqrt(s);
}
