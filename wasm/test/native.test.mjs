// Same numbers everywhere: W and H from each wasm module match the native CLI (same seed,
// options and precision) to 1e-5 relative, for a dense X (CSV) and a sparse one (a
// Matrix Market file; KL with the unstored entries missing). The CLI comes from NMFKIT_NATIVE_CLI (CMake:
// -DNMFKIT_NATIVE_CLI=build/release/nmfkit); without it the test is skipped.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { MODULES, instance, lowRank, matrix, relDiff } from './helpers.mjs';

const cli = process.env.NMFKIT_NATIVE_CLI;
const skip = !cli
  ? 'NMFKIT_NATIVE_CLI is not set (configure with -DNMFKIT_NATIVE_CLI=<path of the native nmfkit CLI>)'
  : !existsSync(cli) && `NMFKIT_NATIVE_CLI=${cli} does not exist`;

const readCsv = (file) => Float64Array.from(readFileSync(file, 'utf8').trim().split(/\r?\n/).flatMap((l) => l.split(',').map(Number)));

describe('wasm vs the native CLI', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'nmfkit-native-'));
  const rows = 80;
  const cols = 50;
  const rank = 6;
  // a noisy low-rank matrix, printed with round-trip precision for both dtypes
  const X = lowRank(rows, cols, 5, 11).map((v, i) => v + 0.05 * matrix(rows, cols, 4)[i]);
  const X32 = Float32Array.from(X);
  const csv = (a) => Array.from({ length: rows }, (_, i) => Array.from(a.subarray(i * cols, (i + 1) * cols)).join(',')).join('\n') + '\n';
  writeFileSync(join(dir, 'x32.csv'), csv(X32));
  writeFileSync(join(dir, 'x64.csv'), csv(X));
  const opts = { rank, maxIter: 150, tol: 1e-6, seed: 1234 };
  // the same X with 70 % of its entries dropped, as CSR and as a coordinate .mtx (1-based)
  const drop = matrix(rows, cols, 9);
  const S = { rows, cols, indptr: [0], indices: [], values: [] };
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++)
      if (drop[i * cols + j] < 0.3) {
        S.indices.push(j);
        S.values.push(X32[i * cols + j]);
      }
    S.indptr.push(S.indices.length);
  }
  S.values = Float32Array.from(S.values);
  const mtx = ['%%MatrixMarket matrix coordinate real general', `${rows} ${cols} ${S.indices.length}`];
  for (let i = 0; i < rows; i++) for (let k = S.indptr[i]; k < S.indptr[i + 1]; k++) mtx.push(`${i + 1} ${S.indices[k] + 1} ${S.values[k]}`);
  writeFileSync(join(dir, 's32.mtx'), mtx.join('\n') + '\n');
  const sparseOpts = { rank, maxIter: 100, tol: 0, seed: 99, loss: 'kl', missing: 'unstored' };

  const native = (dtype) => {
    const w = join(dir, `W-${dtype}.csv`);
    const h = join(dir, `H-${dtype}.csv`);
    const out = execFileSync(cli, ['fit', join(dir, dtype === 'f32' ? 'x32.csv' : 'x64.csv'), '--rank', String(rank),
      '--max-iter', String(opts.maxIter), '--tol', String(opts.tol), '--seed', String(opts.seed), '--dtype', dtype, '--solver', 'mu',
      '--out-w', w, '--out-h', h, '--json'], { encoding: 'utf8' });
    return { W: readCsv(w), H: readCsv(h), ...JSON.parse(out) };
  };
  const ref = { f32: native('f32'), f64: native('f64') };
  const w = join(dir, 'W-s.csv');
  const h = join(dir, 'H-s.csv');
  const out = execFileSync(cli, ['fit', join(dir, 's32.mtx'), '--rank', String(rank), '--max-iter', String(sparseOpts.maxIter),
    '--tol', '0', '--seed', String(sparseOpts.seed), '--dtype', 'f32', '--loss', 'kl', '--missing', 'unstored',
    '--out-w', w, '--out-h', h, '--json'], { encoding: 'utf8' });
  const sparseRef = { W: readCsv(w), H: readCsv(h), ...JSON.parse(out) };
  rmSync(dir, { recursive: true, force: true });

  for (const [label] of MODULES)
    for (const dtype of ['f32', 'f64'])
      test(`${label} module, ${dtype}`, async () => {
        const nmf = await instance(label);
        const r = await nmf.fit(dtype === 'f32' ? X32 : X, { rows, cols, ...opts });
        const n = ref[dtype];
        assert.equal(r.iterations, n.iterations);
        assert.equal(r.converged, n.converged);
        assert.ok(relDiff(r.W, n.W) < 1e-5, `W differs by ${relDiff(r.W, n.W)}`);
        assert.ok(relDiff(r.H, n.H) < 1e-5, `H differs by ${relDiff(r.H, n.H)}`);
        assert.ok(Math.abs(r.relativeError - n.relative_error) <= 1e-5 * n.relative_error);
      });

  for (const [label] of MODULES)
    test(`${label} module, sparse X, KL, missing: 'unstored'`, async () => {
      const nmf = await instance(label);
      const r = await nmf.fit(S, sparseOpts);
      const n = sparseRef;
      assert.deepEqual([r.iterations, r.observed], [n.iterations, n.observed]);
      assert.equal(r.observed, S.indices.length);
      assert.ok(relDiff(r.W, n.W) < 1e-5, `W differs by ${relDiff(r.W, n.W)}`);
      assert.ok(relDiff(r.H, n.H) < 1e-5, `H differs by ${relDiff(r.H, n.H)}`);
      assert.ok(Math.abs(r.loss - n.loss) <= 1e-5 * n.loss);
    });
});
