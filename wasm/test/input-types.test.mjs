// Every JS entry point against hostile argument types (issue 15): each must throw (or reject
// with) an NmfError with a code, never a raw TypeError from deep inside the wrapper, and the
// heap must be back where it was.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NmfError } from '../src/node.js';
import { MODULES, instance, matrix } from './helpers.mjs';

const X = Float64Array.from(matrix(4, 3));
const ok = { rows: 4, cols: 3, rank: 2 };
const big = (n) => BigInt64Array.from({ length: n }, (_, i) => BigInt(i + 1));
const ubig = (n) => BigUint64Array.from({ length: n }, (_, i) => BigInt(i + 1));
const csr = (over) => ({ rows: 2, cols: 2, indptr: [0, 1, 2], indices: [0, 1], values: [1, 2], ...over });

// [what, X, options]
const BAD_X = [
  ['BigInt64Array X', big(12), ok],
  ['BigUint64Array X', ubig(12), ok],
  ['rows that are BigInt64Arrays', [big(3), big(3), big(3), big(3)], { rank: 2 }],
  ['rows that are BigUint64Arrays', [ubig(3), ubig(3)], { rank: 1 }],
  ['rows of bigints', [[1n, 2n], [3n, 4n]], { rank: 1 }],
  ['a flat array of bigints', [1n, 2n, 3n, 4n], { rows: 2, cols: 2, rank: 1 }],
  ['a DataView', new DataView(new ArrayBuffer(96)), ok],
  ['an ArrayBuffer', new ArrayBuffer(96), ok],
  ['a number', 42, ok],
  ['a string', 'abc', ok],
  ['a boolean', true, ok],
  ['null', null, ok],
  ['undefined', undefined, ok],
  ['a symbol', Symbol('X'), ok],
  ['a function', () => 1, ok],
  ['a Map', new Map(), ok],
  ['symbols as entries', [Symbol('a'), Symbol('b')], { rows: 1, cols: 2, rank: 1 }],
  ['rows holding symbols', [[Symbol('a')], [1]], { rank: 1 }],
  ['rows of rows', [[[1]], [[2]]], { rank: 1 }],
  ['a null row', [null, [1]], { rank: 1 }],
  ['a null entry', [[1, null]], { rank: 1 }],
  ['CSR without arrays', { rows: 2, cols: 2 }, { rank: 1 }],
  ['CSR with bigint rows', csr({ rows: 2n }), { rank: 1 }],
  ['CSR with BigInt64Array values', csr({ values: big(2) }), { rank: 1 }],
  ['CSR with symbol indices', csr({ indices: [Symbol('i'), 1] }), { rank: 1 }],
  ['CSR with BigInt64Array indices', csr({ indices: big(2) }), { rank: 1 }],
  ['CSR with a string indptr', csr({ indptr: '012' }), { rank: 1 }],
];

const BAD_OPTIONS = [
  ['options a string', 'rank=2'],
  ['options a symbol', Symbol('o')],
  ['rank a symbol', { ...ok, rank: Symbol('r') }],
  ['rank a string', { ...ok, rank: '2' }],
  ['rank an object', { ...ok, rank: {} }],
  ['tol a bigint', { ...ok, tol: 1n }],
  ['tol a symbol', { ...ok, tol: Symbol('t') }],
  ['maxIter a bigint', { ...ok, maxIter: 10n }],
  ['beta an object', { ...ok, beta: {} }],
  ['init a symbol', { ...ok, init: Symbol('i') }],
  ['loss a number', { ...ok, loss: 2 }],
  ['seed a symbol', { ...ok, seed: Symbol('s') }],
  ['seed a negative bigint', { ...ok, seed: -1n }],
  ['seed a string', { ...ok, seed: '1' }],
  ['onProgress a symbol', { ...ok, onProgress: Symbol('p') }],
  ['rows a bigint', { ...ok, rows: 4n }],
  ['custom W0 a BigInt64Array', { ...ok, init: 'custom', W0: big(8), H0: matrix(2, 3) }],
  ['custom H0 rows of bigints', { ...ok, init: 'custom', W0: matrix(4, 2), H0: [[1n, 2n, 3n], [1n, 2n, 3n]] }],
];

const isNmfError = (e) => {
  assert.ok(e instanceof NmfError, `not an NmfError: ${e && e.name}: ${e && e.message}`);
  assert.equal(typeof e.code, 'string');
  assert.ok(e.code.length > 0);
  return true;
};

for (const [label] of MODULES) {
  describe(`${label} module`, async () => {
    const nmf = await instance(label);
    await nmf.fit(X, { ...ok, beta: 1 }); // loads the full module where it is separate
    nmf.fitSync(X, ok);
    await nmf.transform(X, { rows: 4, cols: 3, H: matrix(2, 3) });
    const heap = nmf.heapUsed();
    const after = () => {
      assert.equal(nmf.heapUsed(), heap, 'heap back to its size');
      assert.equal(nmf.fitSync(X, ok).W.length, 8, 'still works');
    };

    for (const [what, x, opts] of BAD_X)
      test(`X: ${what}`, async () => {
        await assert.rejects(async () => nmf.fit(x, opts), isNmfError);
        assert.throws(() => nmf.fitSync(x, opts), isNmfError);
        assert.throws(() => nmf.bytesNeeded(x, opts), isNmfError);
        await assert.rejects(async () => nmf.transform(x, { H: matrix(2, 3) }), isNmfError);
        await assert.rejects(async () => nmf.transformColumns(x, { W: matrix(4, 2) }), isNmfError);
        after();
      });

    for (const [what, opts] of BAD_OPTIONS)
      test(`options: ${what}`, async () => {
        await assert.rejects(async () => nmf.fit(X, opts), isNmfError);
        assert.throws(() => nmf.fitSync(X, opts), isNmfError);
        after();
      });

    test('the fixed factor of a transform, and inverseTransform, of hostile types', async () => {
      for (const F of [big(6), ubig(6), [[1n, 2n, 3n], [4n, 5n, 6n]], [big(3), big(3)], Symbol('H'), null, 'H']) {
        await assert.rejects(async () => nmf.transform(X, { rows: 4, cols: 3, H: F }), isNmfError);
        await assert.rejects(async () => nmf.transformColumns(X, { rows: 4, cols: 3, W: F }), isNmfError);
        assert.throws(() => nmf.inverseTransform(F, matrix(2, 3), { rows: 3, rank: 2 }), isNmfError);
        assert.throws(() => nmf.inverseTransform(matrix(4, 2), F, { rows: 4, rank: 2, cols: 3 }), isNmfError);
      }
      assert.throws(() => nmf.inverseTransform(matrix(4, 2), matrix(2, 3), Symbol('o')), isNmfError);
      after();
    });
  });
}
