// selectRank(): cross-validated rank selection in every module (the default SIMD module hands it
// to the full one), dense and sparse X, progress, cancellation, and through the Worker.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { NmfError, createWorker } from '../src/node.js';
import { MODULES, instance, loadOptions } from './helpers.mjs';

// X = W·H of rank 3 (uniform factors from an LCG) times (1 + 10 % noise): 60 × 40, row-major
function planted(n, m, k, seed) {
  let s = seed >>> 0;
  const u = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const W = Array.from({ length: n * k }, u);
  const H = Array.from({ length: k * m }, u);
  const X = new Float64Array(n * m);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < m; j++) {
      let v = 0;
      for (let c = 0; c < k; c++) v += W[i * k + c] * H[c * m + j];
      X[i * m + j] = v * (1 + 0.2 * (u() - 0.5));
    }
  return X;
}

const rows = 60;
const cols = 40;
const X = planted(rows, cols, 3, 11);
const o = { rows, cols, ranks: [1, 2, 3, 4, 5], reps: 2, testFraction: 0.1, maxIter: 400, tol: 1e-5, seed: 2 };

// CSR of a dense row-major matrix (its zeros unstored)
function csr(A, n, m) {
  const indptr = [0];
  const indices = [];
  const values = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) if (A[i * m + j] !== 0) indices.push(j), values.push(A[i * m + j]);
    indptr.push(indices.length);
  }
  return { rows: n, cols: m, indptr, indices, values: Float64Array.from(values) };
}

for (const [label] of MODULES) {
  describe(`selectRank, ${label} module`, async () => {
    const nmf = await instance(label);

    test('a planted rank-3 matrix gets rank 3; scores for every rank, with progress over every fit', async () => {
      const seen = [];
      const r = await nmf.selectRank(X, { ...o, onProgress: (p) => seen.push(p) });
      assert.equal(r.suggestedRank, 3);
      assert.ok(r.suggestedRank1se >= 1 && r.suggestedRank1se <= 3);
      assert.deepEqual(r.ranks.map((s) => s.rank), [1, 2, 3, 4, 5]);
      for (const s of r.ranks) {
        assert.equal(s.reps, 2);
        assert.ok(s.train > 0 && s.test > 0 && s.testSd >= 0, JSON.stringify(s));
        assert.ok(s.cophenetic <= 1 && s.dispersion <= 1, JSON.stringify(s));
      }
      assert.ok(r.ranks[0].train > r.ranks[2].train, 'training error falls with the rank');
      assert.ok(r.testEntries > 0.05 * rows * cols && r.testEntries < 0.15 * rows * cols, String(r.testEntries));
      assert.equal(seen.at(-1).fitsDone, 10);
      assert.equal(seen.at(-1).fitsTotal, 10);
      for (let i = 1; i < seen.length; i++) assert.ok(seen[i].fitsDone >= seen[i - 1].fitsDone);
      assert.equal(new Set(seen.map((p) => `${p.rankIndex}/${p.rep}`)).size, 11, 'every (rank, rep) and the end');
    });

    test('deterministic: float32 input twice gives the same numbers; the heap returns to its size', async () => {
      const before = nmf.heapUsed();
      const f = Float32Array.from(X);
      const a = await nmf.selectRank(f, { ...o, ranks: [2, 3], consensus: false });
      const b = await nmf.selectRank(f, { ...o, ranks: [2, 3], consensus: false });
      assert.deepEqual(a, b);
      assert.ok(Number.isNaN(a.ranks[0].cophenetic));
      assert.equal(nmf.heapUsed(), before);
    });

    test('sparse X: zeros observed (hidden among all entries) and missing: unstored (hidden among the stored)', async () => {
      const Z = X.map((v, i) => (i % 7 === 0 ? 0 : v));
      const dense = await nmf.selectRank(Z, { ...o, ranks: [2, 3], reps: 1 });
      const sparse = await nmf.selectRank(csr(Z, rows, cols), { ...o, rows: undefined, cols: undefined, ranks: [2, 3], reps: 1 });
      for (let i = 0; i < 2; i++) assert.ok(Math.abs(dense.ranks[i].test - sparse.ranks[i].test) <= 1e-9 * dense.ranks[i].test);
      const u = await nmf.selectRank(csr(X, rows, cols), { ...o, rows: undefined, cols: undefined, ranks: [2, 3, 4], missing: 'unstored' });
      assert.equal(u.suggestedRank, 3);
    });

    test('cancel mid-way rejects with an AbortError whose partial holds what completed', async () => {
      const ac = new AbortController();
      const p = nmf.selectRank(X, {
        ...o,
        signal: ac.signal,
        onProgress: (q) => {
          if (q.fitsDone === 5) ac.abort();
        },
      });
      const e = await p.then(() => assert.fail('not cancelled'), (err) => err);
      assert.equal(e.name, 'AbortError');
      assert.ok(e.partial, 'partial results');
      assert.equal(e.partial.ranks[0].reps, 2);
      assert.equal(e.partial.ranks[1].reps, 2);
      assert.ok(e.partial.ranks[4].reps === 0);
    });

    test('bad options are NmfError invalid_argument / invalid_rank_options', async () => {
      await assert.rejects(nmf.selectRank(X, { ...o, ranks: [] }), (e) => e instanceof NmfError);
      await assert.rejects(nmf.selectRank(X, { ...o, ranks: [0, 2] }), (e) => e instanceof NmfError);
      await assert.rejects(nmf.selectRank(X, { ...o, testFraction: 1 }), (e) => e instanceof NmfError);
      await assert.rejects(nmf.selectRank(X, { ...o, rank: 3 }), /unknown option rank/);
      const neg = X.slice();
      neg[5] = -1;
      await assert.rejects(nmf.selectRank(neg, o), (e) => e instanceof NmfError && e.code === 'x_negative');
    });
  });
}

describe('selectRank through the Worker', async () => {
  const [label] = MODULES[0];
  const w = await createWorker(loadOptions(label));
  const local = await instance(label);
  after(() => w.terminate());

  test('the same result as in this thread, with progress', async () => {
    const seen = [];
    const small = { ...o, ranks: [2, 3, 4] };
    const r = await w.selectRank(X, { ...small, onProgress: (p) => seen.push(p.fitsDone) });
    assert.deepEqual(r, await local.selectRank(X, small));
    assert.equal(r.suggestedRank, 3);
    assert.equal(seen.at(-1), 6);
  });

  test('abort rejects with an AbortError', async () => {
    const ac = new AbortController();
    const p = w.selectRank(X, { ...o, signal: ac.signal, onProgress: () => ac.abort() });
    await assert.rejects(p, (e) => e.name === 'AbortError');
    // the worker still serves
    assert.equal((await w.selectRank(X, { ...o, ranks: [3], reps: 1 })).ranks.length, 1);
  });
});

// The native CLI (NMFKIT_NATIVE_CLI, as native.test.mjs) on the same float64 matrix: the same
// suggestion, the same errors up to the kernels' summation order.
const cli = process.env.NMFKIT_NATIVE_CLI;
const skip = !cli ? 'NMFKIT_NATIVE_CLI is not set' : !existsSync(cli) && `NMFKIT_NATIVE_CLI=${cli} does not exist`;
describe('selectRank vs nmfkit rank (native)', { skip }, () => {
  test('same suggestion, test and train errors to 1e-6', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nmfkit-rank-'));
    try {
      const file = join(dir, 'x.csv');
      writeFileSync(file, Array.from({ length: rows }, (_, i) => Array.from(X.subarray(i * cols, (i + 1) * cols)).join(',')).join('\n') + '\n');
      const out = execFileSync(cli, ['rank', file, '--ranks', '1..5', '--reps', '2', '--test-fraction', '0.1', '--max-iter', '400', '--tol', '1e-5', '--seed', '2', '--dtype', 'f64', '--json', '--threads', '1'], { encoding: 'utf8' });
      const native = JSON.parse(out);
      const [label] = MODULES[0];
      const r = await (await instance(label)).selectRank(X, o);
      assert.equal(r.suggestedRank, native.suggested_rank);
      assert.equal(r.suggestedRank1se, native.suggested_rank_1se);
      assert.equal(r.testEntries, native.test_entries);
      native.ranks.forEach((s, i) => {
        for (const [a, b] of [[r.ranks[i].test, s.test], [r.ranks[i].train, s.train]])
          assert.ok(Math.abs(a - b) <= 1e-6 * b, `rank ${s.rank}: ${a} vs ${b}`);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
