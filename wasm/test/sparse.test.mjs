// Sparse X ({ rows, cols, indptr, indices, values }, CSR) and missing entries on every
// module: the same fit as on the same matrix dense, every array type, the observed-entry
// loss, transforms, what the wrapper and what the core reject, the lite module alone, a
// stable heap.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NmfError, load } from '../src/node.js';
import { MODULES, WASM, instance, matrix, relDiff } from './helpers.mjs';

const n = 24, m = 18, r = 3;

/** A rows×cols Float64Array with about `density` of its entries non-zero (the rest exactly 0). */
function sparseDense(rows, cols, density, seed) {
  const x = matrix(rows, cols, seed);
  const keep = matrix(rows, cols, seed + 100);
  return x.map((v, i) => (keep[i] < density ? 0.1 + v : 0));
}

/** The CSR form of a dense row-major matrix: its non-zero entries (or those for which keep(i, j) holds). */
function toCsr(x, rows, cols, keep = (i, j) => x[i * cols + j] !== 0) {
  const indptr = [0];
  const indices = [];
  const values = [];
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++)
      if (keep(i, j)) {
        indices.push(j);
        values.push(x[i * cols + j]);
      }
    indptr.push(indices.length);
  }
  return { rows, cols, indptr: Int32Array.from(indptr), indices: Int32Array.from(indices), values: Float64Array.from(values) };
}

/** The same CSR matrix with float32 values. */
const csr32 = (X) => ({ ...X, values: Float32Array.from(X.values) });

/** W·H at (i, j). */
const wh = (W, H, i, j, rank, cols) => {
  let s = 0;
  for (let k = 0; k < rank; k++) s += W[i * rank + k] * H[k * cols + j];
  return s;
};

/** ½ Σ (x − WH)² and Σ x² over the entries observed(i, j) of a dense x. */
function frobenius(x, W, H, rows, cols, rank, observed = () => true) {
  let loss = 0;
  let norm = 0;
  let count = 0;
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++)
      if (observed(i, j)) {
        const v = x[i * cols + j];
        loss += 0.5 * (v - wh(W, H, i, j, rank, cols)) ** 2;
        norm += v * v;
        count++;
      }
  return { loss, relativeError: Math.sqrt(2 * loss / norm), count };
}

const X = sparseDense(n, m, 0.35, 3);
const Xs = toCsr(X, n, m);
const nnz = Xs.indices.length;
const W0 = matrix(n, r, 11).map((v) => 0.1 + v);
const H0 = matrix(r, m, 12).map((v) => 0.1 + v);
const start = { rank: r, init: 'custom', W0, H0, maxIter: 50, tol: 0 };

for (const [label] of MODULES) {
  describe(`${label} module, sparse X`, async () => {
    const nmf = await instance(label);
    await nmf.fit(Xs, { rank: r, maxIter: 1 }); // loads the full module where it is separate

    test('CSR and the same matrix dense: same fit from the same start (Frobenius, KL; float32, float64)', async () => {
      assert.ok(nnz > 0.25 * n * m && nnz < 0.45 * n * m, `nnz ${nnz}`);
      for (const loss of ['frobenius', 'kullback-leibler'])
        for (const [xs, xd, tol] of [[Xs, X, 1e-9], [csr32(Xs), Float32Array.from(X), 1e-5]]) {
          const o = { ...start, loss };
          const s = await nmf.fit(xs, o);
          const d = await nmf.fit(xd, { ...o, rows: n });
          assert.equal(s.W.constructor, xd.constructor);
          assert.deepEqual([s.rows, s.cols, s.rank, s.iterations, s.observed, d.observed], [n, m, r, 50, n * m, n * m]);
          assert.ok(relDiff(s.W, d.W) < tol, `${loss} ${s.W.constructor.name}: W differs by ${relDiff(s.W, d.W)}`);
          assert.ok(relDiff(s.H, d.H) < tol, `${loss} ${s.W.constructor.name}: H differs by ${relDiff(s.H, d.H)}`);
          assert.ok(Math.abs(s.loss - d.loss) <= 10 * tol * d.loss, `loss ${s.loss} vs ${d.loss}`);
          assert.ok(Math.abs(s.relativeError - d.relativeError) <= 10 * tol * d.relativeError);
        }
      // the same seed gives the same random start: mean(X) is the same either way
      const s = await nmf.fit(Xs, { rank: r, seed: 5, maxIter: 30, tol: 0 });
      const d = await nmf.fit(X, { rows: n, rank: r, seed: 5, maxIter: 30, tol: 0 });
      assert.ok(relDiff(s.W, d.W) < 1e-9 && relDiff(s.H, d.H) < 1e-9, `seeded: ${relDiff(s.W, d.W)}`);
      assert.deepEqual(nmf.fitSync(Xs, { ...start, loss: 'kl' }), await nmf.fit(Xs, { ...start, loss: 'kl' }));
    });

    test('every option on CSR as on dense: NNDSVD starts, other β (tiles), penalties; AMU runs', async () => {
      for (const o of [{ init: 'nndsvda' }, { init: 'nndsvd' }, { beta: 0.5, init: 'nndsvdar' }, { beta: 1.5 }, { alphaW: 0.1, alphaH: 0.2, l1Ratio: 0.5 }]) {
        const base = { rank: r, seed: 2, maxIter: 40, tol: 0, ...o };
        const s = await nmf.fit(Xs, base);
        const d = await nmf.fit(X, { ...base, rows: n });
        assert.ok(relDiff(s.W, d.W) < 1e-9 && relDiff(s.H, d.H) < 1e-9, `${JSON.stringify(o)}: W differs by ${relDiff(s.W, d.W)}`);
        assert.ok(Math.abs(s.objective - d.objective) <= 1e-9 * d.objective);
      }
      // AMU's inner-update budget depends on nnz (Gillis & Glineur): another path, a good fit too
      const a = await nmf.fit(Xs, { ...start, solver: 'amu', maxIter: 100 });
      const mu = await nmf.fit(Xs, { ...start, maxIter: 100 });
      assert.ok(a.loss <= 1.01 * mu.loss, `amu ${a.loss}, mu ${mu.loss}`);
    });

    test('every accepted array type gives the same fit; no values is a pattern matrix (all ones)', async () => {
      const ref = await nmf.fit(Xs, start);
      const indptrs = [Xs.indptr, Uint32Array.from(Xs.indptr), BigInt64Array.from(Xs.indptr, BigInt), BigUint64Array.from(Xs.indptr, BigInt), Array.from(Xs.indptr)];
      for (const indptr of indptrs)
        for (const indices of [Xs.indices, Uint32Array.from(Xs.indices), Array.from(Xs.indices)])
          for (const values of [Xs.values, Array.from(Xs.values)]) {
            const o = await nmf.fit({ rows: n, cols: m, indptr, indices, values }, start);
            assert.deepEqual([o.W, o.H, o.loss], [ref.W, ref.H, ref.loss], `${indptr.constructor.name} ${indices.constructor.name} ${values.constructor.name}`);
          }
      assert.deepEqual(await nmf.fit(Xs, { ...start, rows: n, cols: m }), ref, 'rows and cols may be repeated in the options');
      const ones = X.map((v) => (v ? 1 : 0));
      for (const values of [undefined, null]) {
        const p = await nmf.fit({ ...Xs, values }, start);
        const d = await nmf.fit(ones, { ...start, rows: n });
        assert.ok(p.W instanceof Float64Array);
        assert.ok(relDiff(p.W, d.W) < 1e-9 && relDiff(p.H, d.H) < 1e-9, `pattern: ${relDiff(p.W, d.W)}`);
      }
      // never densified: a 2000 × 1000 X with 2000 entries needs a fraction of its dense form's memory
      const big = { rows: 2000, cols: 1000, indptr: Array.from({ length: 2001 }, (_, i) => i), indices: new Int32Array(2000), values: new Float32Array(2000).fill(1) };
      for (const loss of ['frobenius', 'kl'])
        assert.ok(nmf.bytesNeeded(big, { rank: 10, loss }) < 0.1 * nmf.bytesNeeded(new Float32Array(2e6), { rows: 2000, rank: 10, loss }));
    });

    test("missing: 'unstored' on CSR fits the stored entries only, as 'nan' does the same entries dense", async () => {
      const stored = (i, j) => X[i * m + j] !== 0;
      const holes = X.map((v) => (v ? v : NaN)); // the unstored entries as NaN
      for (const loss of ['frobenius', 'kl']) {
        const losses = [(await nmf.fit(Xs, { ...start, loss, maxIter: 0, missing: 'unstored' })).loss]; // the start's
        const s = await nmf.fit(Xs, { ...start, loss, maxIter: 200, missing: 'unstored', onProgress: (p) => losses.push(p.loss) });
        const d = await nmf.fit(holes, { ...start, loss, maxIter: 200, rows: n, missing: 'nan' });
        assert.deepEqual([s.observed, d.observed], [nnz, nnz]);
        assert.ok(relDiff(s.W, d.W) < 1e-8 && relDiff(s.H, d.H) < 1e-8, `${loss}: W differs by ${relDiff(s.W, d.W)}`);
        assert.ok(Math.abs(s.loss - d.loss) <= 1e-8 * d.loss);
        assert.equal(losses.length, 21);
        for (let k = 1; k < losses.length; k++) assert.ok(losses[k] <= losses[k - 1] * (1 + 1e-12), `${loss}: the observed loss rose at check ${k}: ${losses}`);
        assert.ok(losses.at(-1) < losses[0], `${loss}: ${losses[0]} → ${losses.at(-1)}`);
        if (loss === 'frobenius') {
          const f = frobenius(X, s.W, s.H, n, m, r, stored);
          assert.equal(f.count, nnz);
          assert.ok(Math.abs(s.loss - f.loss) <= 1e-9 * f.loss, `loss ${s.loss}, direct ${f.loss}`);
          assert.ok(Math.abs(s.relativeError - f.relativeError) <= 1e-9);
          // the unstored entries count as zeros without `missing`: a much worse fit of the stored ones
          const z = await nmf.fit(Xs, { ...start, maxIter: 200 });
          assert.ok(frobenius(X, z.W, z.H, n, m, r, stored).loss > 2 * f.loss);
        }
      }
    });

    test("missing: 'nan' without a NaN is the plain fit; a NaN without it is x_not_finite", async () => {
      const plain = await nmf.fit(X, { ...start, rows: n });
      const masked = await nmf.fit(X, { ...start, rows: n, missing: 'nan' });
      assert.ok(relDiff(masked.W, plain.W) < 1e-12 && relDiff(masked.H, plain.H) < 1e-12);
      assert.equal(masked.observed, n * m);
      assert.deepEqual(await nmf.fit(Xs, { ...start, missing: 'none' }), await nmf.fit(Xs, start));
      const holes = X.slice();
      holes[5 * m + 7] = NaN;
      await assert.rejects(nmf.fit(holes, { ...start, rows: n }), { code: 'x_not_finite', row: 5, col: 7 });
      const t = await nmf.fit(holes, { ...start, rows: n, missing: 'nan' });
      assert.equal(t.observed, n * m - 1);
      assert.ok(t.W.every(Number.isFinite) && t.H.every(Number.isFinite));
    });

    test('a planted rank-2 matrix with 40 % of its entries unstored is completed', async () => {
      const rows = 30, cols = 20;
      const A = matrix(rows, 2, 21).map((v) => 0.2 + v);
      const B = matrix(2, cols, 22).map((v) => 0.2 + v);
      const full = Float64Array.from({ length: rows * cols }, (_, k) => wh(A, B, Math.floor(k / cols), k % cols, 2, cols));
      const hide = matrix(rows, cols, 23);
      const seen = toCsr(full, rows, cols, (i, j) => hide[i * cols + j] >= 0.4);
      const f = await nmf.fit(seen, { rank: 2, seed: 1, maxIter: 3000, tol: 0, missing: 'unstored' });
      assert.equal(f.observed, seen.indices.length);
      const hidden = frobenius(full, f.W, f.H, rows, cols, 2, (i, j) => hide[i * cols + j] < 0.4);
      assert.ok(hidden.count > 0.3 * rows * cols);
      assert.ok(hidden.relativeError < 1e-2, `relative error on the hidden entries ${hidden.relativeError}`);
    });

    test('transform and transformColumns take CSR and missing; a new row with few entries is folded in', async () => {
      const fitted = await nmf.fit(Xs, { ...start, maxIter: 100 });
      const H = fitted.H;
      const solve = { maxIter: 300, tol: 0 };
      // the CSR rows give the dense rows' W, and 'unstored' the 'nan' rows' W
      const a = await nmf.transform(Xs, { H, ...solve });
      const b = await nmf.transform(X, { H, rows: n, ...solve });
      assert.ok(relDiff(a.W, b.W) < 1e-9, `transform: ${relDiff(a.W, b.W)}`);
      assert.equal(a.observed, n * m);
      const c = await nmf.transform(Xs, { H, ...solve, missing: 'unstored' });
      const d = await nmf.transform(X.map((v) => (v ? v : NaN)), { H, rows: n, ...solve, missing: 'nan' });
      assert.ok(relDiff(c.W, d.W) < 1e-9, `transform, missing: ${relDiff(c.W, d.W)}`);
      assert.deepEqual([c.observed, d.observed], [nnz, nnz]);
      const f = frobenius(X, c.W, H, n, m, r, (i, j) => X[i * m + j] !== 0);
      assert.ok(Math.abs(c.loss - f.loss) <= 1e-9 * f.loss, `loss ${c.loss}, direct ${f.loss}`);
      const e = await nmf.transformColumns(csr32(Xs), { W: Float32Array.from(fitted.W), ...solve, missing: 'unstored' });
      const g = await nmf.transformColumns(Float32Array.from(X, (v) => (v ? v : NaN)), { W: Float32Array.from(fitted.W), cols: m, ...solve, missing: 'nan' });
      assert.ok(e.H instanceof Float32Array);
      assert.ok(relDiff(e.H, g.H) < 1e-5, `transformColumns: ${relDiff(e.H, g.H)}`);

      // fold-in: a row whose known entries come from planted weights w·H gets those weights back
      const w = [0.7, 0.2, 1.1];
      const known = [1, 4, 6, 9, 12, 15, 17]; // 7 of 18 columns
      const user = {
        rows: 1, cols: m, indptr: [0, known.length], indices: known,
        values: known.map((j) => w.reduce((s, v, k) => s + v * H[k * m + j], 0)),
      };
      const t = await nmf.transform(user, { H, maxIter: 5000, tol: 0, missing: 'unstored' });
      assert.equal(t.observed, known.length);
      assert.ok(relDiff(t.W, w) < 1e-3, `fold-in weights ${Array.from(t.W)}`);
      // the zeros reading of the same row pulls its weights down
      const zeros = await nmf.transform(user, { H, maxIter: 5000, tol: 0 });
      assert.ok(relDiff(zeros.W, w) > 1e-2);
    });

    const ok = { rank: 2, maxIter: 5 };
    const X3 = { rows: 3, cols: 4, indptr: [0, 2, 3, 5], indices: [0, 2, 1, 1, 3], values: [1, 2, 3, 4, 5] };
    const with_ = (over) => ({ ...X3, ...over });
    const JS_ERRORS = [
      ['rows missing', with_({ rows: undefined }), /X\.rows must be a non-negative integer; got undefined/],
      ['cols not an integer', with_({ cols: 2.5 }), /X\.cols must be a non-negative integer/],
      ['no indptr', with_({ indptr: undefined }), /X\.indptr must be an array of integers or one of Int32Array, Uint32Array, BigInt64Array, BigUint64Array$/],
      ['indptr of floats', with_({ indptr: new Float64Array([0, 2, 3, 5]) }), /X\.indptr must be/],
      ['indptr with a fraction', with_({ indptr: [0, 2, 3.5, 5] }), /X\.indptr must be/],
      ['indices of bigints', with_({ indices: BigInt64Array.from([0n, 2n, 1n, 1n, 3n]) }), /X\.indices must be an array of integers or one of Int32Array, Uint32Array$/],
      ['indptr.length !== rows + 1', with_({ indptr: [0, 2, 5] }), /X\.indptr has 3 entries, expected rows \+ 1 = 4/],
      ['indices.length !== values.length', with_({ values: [1, 2, 3, 4] }), /X\.values has 4 entries, X\.indices 5/],
      ['values of strings', with_({ values: ['1', 2, 3, 4, 5] }), /X\.values must be a Float32Array, a Float64Array, an array of numbers, or null/],
      ['values of ints', with_({ values: Int32Array.from([1, 2, 3, 4, 5]) }), /X\.values must be/],
      ['rows option disagrees', X3, /X has 3 rows, the options say 2/, { rows: 2 }],
      ['cols option disagrees', X3, /X has 4 columns, the options say 5/, { cols: 5 }],
    ];
    for (const [what, x, pattern, extra] of JS_ERRORS)
      test(`invalid_argument: ${what}`, async () => {
        const heap = nmf.heapUsed();
        await assert.rejects(nmf.fit(x, { ...ok, ...extra }), (e) => e instanceof NmfError && e.code === 'invalid_argument' && pattern.test(e.message) || assert.fail(`${e.code}: ${e.message}`));
        assert.throws(() => nmf.fitSync(x, { ...ok, ...extra }), { code: 'invalid_argument' });
        assert.equal(nmf.heapUsed(), heap);
      });

    // [what, X, code, row, entry, col]: the core's checks, with the entry's position (the row
    // of an indptr error: the first i + 1 with indptr[i + 1] < indptr[i], or 0 for indptr[0] ≠ 0)
    const C_ERRORS = [
      ['unsorted indices', with_({ indices: [2, 0, 1, 1, 3] }), 'csr_unsorted_indices', 0, 1],
      ['a repeated index', with_({ indices: [0, 2, 1, 3, 3] }), 'csr_duplicate_index', 2, 4],
      ['an index ≥ cols', with_({ indices: [0, 2, 4, 1, 3] }), 'csr_index_out_of_range', 1, 2],
      ['a negative index', with_({ indices: Int32Array.from([0, 2, 1, -1, 3]) }), 'csr_index_out_of_range', 2, 3],
      ['indptr decreasing', with_({ indptr: [0, 3, 2, 5] }), 'csr_bad_indptr', 2],
      ['indptr not starting at 0', with_({ indptr: [1, 2, 3, 5] }), 'csr_bad_indptr', 0],
      ['a negative offset', with_({ indptr: Int32Array.from([0, -2, 3, 5]) }), 'csr_bad_indptr'], // 2^64 − 2 in C
      ['last offset ≠ nnz', with_({ indptr: [0, 2, 3, 4] }), 'csr_nnz_mismatch', 3],
      ['a negative value', with_({ values: [1, 2, -3, 4, 5] }), 'x_negative', 1, 2, 1],
      ['a NaN value', with_({ values: Float32Array.from([1, 2, 3, NaN, 5]) }), 'x_not_finite', 2, 3, 1],
    ];
    for (const [what, x, code, row, entry, col] of C_ERRORS)
      test(`${code}: ${what}`, async () => {
        const heap = nmf.heapUsed();
        await assert.rejects(nmf.fit(x, ok), (e) => {
          assert.ok(e instanceof NmfError, String(e));
          assert.equal(e.code, code, e.message);
          assert.equal(e.matrix, 'X', e.message);
          if (row !== undefined) assert.equal(e.row, row, `row: ${e.message}`);
          if (entry !== undefined) {
            assert.equal(e.entry, entry, `entry: ${e.message}`);
            assert.match(e.message, new RegExp(`\\(X row ${row}, entry ${entry}\\)`));
          }
          if (col !== undefined) assert.equal(e.col, col);
          return true;
        });
        await assert.rejects(nmf.transform(x, { H: matrix(2, 4) }), { code });
        assert.equal(nmf.heapUsed(), heap);
      });

    test("invalid_missing: 'unstored' on a dense X, 'nan' on a sparse one; a row with no entry is fine", async () => {
      const heap = nmf.heapUsed();
      await assert.rejects(nmf.fit(X, { ...start, rows: n, missing: 'unstored' }), { code: 'invalid_missing' });
      await assert.rejects(nmf.fit(Xs, { ...start, missing: 'nan' }), { code: 'invalid_missing' });
      await assert.rejects(nmf.fit(Xs, { ...start, missing: 'all' }), /missing must be one of 'none', 'nan', 'unstored'/);
      const empty = await nmf.fit(with_({ indptr: [0, 2, 2, 4], indices: [0, 2, 1, 3], values: [1, 2, 4, 5] }), { ...ok, missing: 'unstored', maxIter: 50 });
      assert.equal(empty.observed, 4);
      assert.ok(empty.W.every(Number.isFinite) && empty.H.every(Number.isFinite));
      assert.deepEqual(Array.from(empty.W.subarray(2, 4)), [0, 0], 'the row without an observed entry gets zero weights');
      assert.equal(nmf.heapUsed(), heap);
    });

    test('a sparse fit reports progress and an AbortSignal stops it; the heap is back', async () => {
      const heap = nmf.heapUsed();
      const ac = new AbortController();
      const seen = [];
      const p = nmf.fit(Xs, { rank: r, maxIter: 1e7, tol: 0, checkEvery: 5, missing: 'unstored', signal: ac.signal,
        onProgress: (q) => { seen.push(q.iteration); if (q.iteration >= 50) ac.abort(); } });
      await assert.rejects(p, { name: 'AbortError' });
      assert.deepEqual(seen.slice(0, 3), [5, 10, 15]);
      assert.equal(nmf.heapUsed(), heap);
    });

    test('100 sparse fits and transforms: heap and memory size stable', async () => {
      await nmf.fit(csr32(Xs), { rank: r, maxIter: 3, missing: 'unstored' });
      const heap = nmf.heapUsed();
      const mem = nmf.memory.buffer.byteLength;
      for (let k = 0; k < 50; k++) {
        await nmf.fit(csr32(Xs), { rank: r, seed: k, maxIter: 3, missing: k % 2 ? 'unstored' : 'none' });
        await nmf.transform(Xs, { H: H0, maxIter: 3 });
      }
      assert.equal(nmf.heapUsed(), heap);
      assert.equal(nmf.memory.buffer.byteLength, mem);
    });
  });
}

describe('the default SIMD module', { skip: !WASM.simd && 'needs the SIMD modules' }, () => {
  test('alone (no full module): sparse X and missing entries are not_built', async () => {
    const lite = await load({ wasm: WASM.simd });
    lite.fitSync(Float32Array.from(X), { rows: n, rank: r, maxIter: 1 }); // the heap's first-use allocations
    const heap = lite.heapUsed();
    assert.throws(() => lite.fitSync(X, { rows: n, rank: r }), { code: 'not_built' }); // float64: the full module
    assert.throws(() => lite.fitSync(Float32Array.from(X, (v) => v * 1e30), { rows: n, rank: r }), { code: 'not_built' }); // X at 1e30: the scale-safe one
    await assert.rejects(lite.fit(Xs, { rank: r }), (e) => e instanceof NmfError && e.code === 'not_built' && /needs nmfkit-simd-full\.wasm/.test(e.message));
    assert.throws(() => lite.fitSync(Xs, { rank: r }), { code: 'not_built' });
    await assert.rejects(lite.fit(X, { rows: n, rank: r, missing: 'nan' }), { code: 'not_built' });
    await assert.rejects(lite.transform(Xs, { H: H0 }), { code: 'not_built' });
    await assert.rejects(lite.transform(X, { H: H0, rows: n }), { code: 'not_built' });
    assert.equal(lite.heapUsed(), heap);
  });

  test('with the full module: sparse X and missing load it, fitSync waits for it (not_loaded)', async () => {
    const auto = await instance('simd');
    const full = await instance('simdFull');
    assert.throws(() => auto.fitSync(Xs, start), { code: 'not_loaded' });
    assert.throws(() => auto.fitSync(X, { ...start, rows: n, missing: 'nan' }), { code: 'not_loaded' });
    assert.throws(() => auto.bytesNeeded(Xs, start), { code: 'not_loaded' });
    const heap = auto.heapUsed();
    assert.deepEqual(await auto.fit(Xs, start), full.fitSync(Xs, start));
    assert.ok(auto.heapUsed() > heap, 'the full module is loaded');
    assert.deepEqual(auto.fitSync(X, { ...start, rows: n, missing: 'nan' }), full.fitSync(X, { ...start, rows: n, missing: 'nan' }));
    assert.equal(auto.bytesNeeded(Xs, start), full.bytesNeeded(Xs, start));
    assert.deepEqual(await auto.fit(X, { ...start, rows: n, missing: 'none' }), full.fitSync(X, { ...start, rows: n }));
  });
});
