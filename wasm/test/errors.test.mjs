// Every error: C status codes reachable from JS (NmfError.code = nmfkit_status_name),
// JS argument checks ('invalid_argument'), wasm memory limits ('out_of_memory'). After
// each error the instance keeps working and its heap is back where it was.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NmfError } from '../src/node.js';
import { MODULES, instance, matrix } from './helpers.mjs';

const X = Float32Array.from(matrix(6, 5));
const ok = { rows: 6, cols: 5, rank: 2 };

// [what, X, options, code, message pattern, extra fields]
const C_ERRORS = [
  ['no rows', new Float32Array(0), { rows: 0, cols: 5, rank: 2 }, 'empty_dimension'],
  ['rank 0', X, { ...ok, rank: 0 }, 'zero_rank'],
  ['rank beyond size_t', X, { ...ok, rank: 2 ** 40 }, 'size_overflow'],
  ['NaN in X', with_(X, 7, NaN), ok, 'x_not_finite', /X\[1\]\[2\]/, { matrix: 'X', row: 1, col: 2 }],
  ['Infinity in X', with_(X, 29, Infinity), ok, 'x_not_finite', /X\[5\]\[4\]/, { row: 5, col: 4 }],
  ['negative X', with_(X, 8, -1), ok, 'x_negative', /X\[1\]\[3\]/, { matrix: 'X', row: 1, col: 3 }],
  ['negative W0', X, custom(with_(matrix(6, 2), 5, -0.5), matrix(2, 5)), 'init_negative', /W0\[2\]\[1\]/, { matrix: 'W0', row: 2, col: 1 }],
  ['NaN in H0', X, custom(matrix(6, 2), with_(matrix(2, 5), 6, NaN)), 'init_not_finite', /H0\[1\]\[1\]/, { matrix: 'H0', row: 1, col: 1 }],
  ['negative tol', X, { ...ok, tol: -1 }, 'invalid_tol'],
  ['NaN tol', X, { ...ok, tol: NaN }, 'invalid_tol'],
  ['epsilon 0', X, { ...ok, epsilon: 0 }, 'invalid_epsilon'],
  ['checkEvery 0', X, { ...ok, checkEvery: 0 }, 'invalid_check_every'],
  ['a zero with beta 0', with_(X, 11, 0), { ...ok, loss: 'itakura-saito' }, 'x_not_positive', /X\[2\]\[1\]/, { matrix: 'X', row: 2, col: 1 }],
  ['beta NaN', X, { ...ok, beta: NaN }, 'invalid_beta'],
  ['negative alphaW', X, { ...ok, alphaW: -1 }, 'invalid_alpha'],
  ['l1Ratio above 1', X, { ...ok, l1Ratio: 1.5 }, 'invalid_l1_ratio'],
  ['amu with beta 1', X, { ...ok, solver: 'amu', beta: 1 }, 'invalid_solver'],
  ['hals with beta 1', X, { ...ok, solver: 'hals', beta: 1 }, 'invalid_solver'],
  ['nndsvd with rank > min(n, m)', X, { ...ok, rank: 6, init: 'nndsvd' }, 'rank_too_large'],
];

const JS_ERRORS = [
  ['X of the wrong type', 'abc', ok, /Float32Array, a Float64Array or an array of rows/],
  ['length not rows × cols', X, { rows: 4, cols: 5, rank: 2 }, /30 elements, expected rows × cols = 4 × 5/],
  ['flat X without shape', X, { rank: 2 }, /pass rows and cols/],
  ['non-integer rows', X, { rows: 1.5, cols: 20, rank: 2 }, /rows must be a non-negative integer/],
  ['non-integer rank', X, { ...ok, rank: 2.5 }, /rank must be a non-negative integer/],
  ['negative maxIter', X, { ...ok, maxIter: -1 }, /maxIter must be an integer/],
  ['maxIter ≥ 2^32', X, { ...ok, maxIter: 2 ** 32 }, /maxIter must be an integer/],
  ['seed ≥ 2^64', X, { ...ok, seed: 2n ** 64n }, /seed must fit in 64 bits/],
  ['tol not a number', X, { ...ok, tol: '1e-3' }, /tol must be a number/],
  ['ragged rows', [[1, 2], [3]], { rank: 1 }, /row 1 has 1 entries, row 0 has 2/],
  ['string entry', [[1, 2], [3, 'x']], { rank: 1 }, /X\[1\]\[1\] is not a number/],
  ['rows option disagrees', [[1, 2], [3, 4]], { rows: 3, rank: 1 }, /has 2 rows, expected 3/],
  ['unknown option', X, { ...ok, maxIters: 3 }, /unknown option maxIters/],
  ['unknown init', X, { ...ok, init: 'svd' }, /init must be one of 'random', 'custom', 'nndsvd'/],
  ['unknown loss', X, { ...ok, loss: 'l2' }, /loss must be one of 'frobenius', 'kullback-leibler', 'itakura-saito'/],
  ['unknown solver', X, { ...ok, solver: 'als' }, /solver must be one of 'auto', 'mu', 'amu', 'hals', 'cd'; got als/],
  ['beta and loss together', X, { ...ok, beta: 1, loss: 'frobenius' }, /beta or loss, not both/],
  ['alphaW not a number', X, { ...ok, alphaW: '0.1' }, /alphaW must be a number/],
  ['unknown kernel', X, { ...ok, kernel: 'avx' }, /kernel must be one of 'auto', 'scalar'/],
  ['custom without W0', X, { ...ok, init: 'custom' }, /needs W0 and H0/],
  ['W0 without custom', X, { ...ok, W0: matrix(6, 2) }, /only with init: 'custom'/],
  ['W0 of the wrong size', X, custom(matrix(6, 3), matrix(2, 5)), /W0 has 18 elements, expected rows × cols = 6 × 2/],
  ['onProgress not a function', X, { ...ok, onProgress: 1 }, /onProgress must be a function/],
];

for (const [label] of MODULES) {
  describe(`${label} module`, async () => {
    const nmf = await instance(label);
    nmf.fitSync(X, ok); // settles the heap's first-use allocations
    await nmf.fit(X, { ...ok, beta: 1 }); // and loads the full module where it is separate
    const heap = nmf.heapUsed();

    const expectError = async (run, check) => {
      await assert.rejects(run, (e) => {
        assert.ok(e instanceof NmfError, `not an NmfError: ${e}`);
        assert.equal(e.name, 'NmfError');
        check(e);
        return true;
      });
      assert.equal(nmf.heapUsed(), heap, 'heap back to its size after the error');
      assert.equal(nmf.fitSync(X, ok).W.length, 12, 'still works');
    };

    for (const [what, x, opts, code, pattern, fields] of C_ERRORS)
      test(`${code}: ${what}`, async () => {
        await expectError(() => nmf.fit(x, opts), (e) => {
          assert.equal(e.code, code);
          assert.ok(e.message.startsWith('nmfkit: '), e.message);
          if (pattern) assert.match(e.message, pattern);
          for (const [k, v] of Object.entries(fields || {})) assert.equal(e[k], v, k);
        });
        assert.throws(() => nmf.fitSync(x, opts), (e) => e.code === code);
      });

    for (const [what, x, opts, pattern] of JS_ERRORS)
      test(`invalid_argument: ${what}`, async () => {
        await expectError(() => nmf.fit(x, opts), (e) => {
          assert.equal(e.code, 'invalid_argument');
          assert.match(e.message, pattern);
        });
      });

    test('invalid_argument: fitSync takes no signal; load checks its options', async () => {
      assert.throws(() => nmf.fitSync(X, { ...ok, signal: new AbortController().signal }), /does not take a signal/);
      const { load } = await import('../src/node.js');
      await assert.rejects(load({ simd: 'yes' }), /simd must be true or false/);
      await assert.rejects(load({ wasm: 42 }), /wasm must be a WebAssembly.Module, bytes, a Response or a URL/);
    });
  });
}

function with_(a, i, v) {
  const b = a.slice();
  b[i] = v;
  return b;
}

function custom(W0, H0) {
  return { ...ok, init: 'custom', W0, H0 };
}
