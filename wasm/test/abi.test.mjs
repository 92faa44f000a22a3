// src/abi.js (the C ABI as data) against the modules, and the marshalling derived from it:
// struct sizes, status names, the C defaults read back through the field offsets, and the
// JS option names that come out of the C field names.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { ENUMS, OPTIONS_BYTES, OPTION_FIELDS, RESULT_BYTES, STATUS_NAMES } from '../src/abi.js';
import { OPTION_NAMES, matrixName, readOptions, writeOptions } from '../src/abi-marshal.js';
import { MODULES, RAW_IMPORTS } from './helpers.mjs';

async function raw(path) {
  const { instance } = await WebAssembly.instantiate(readFileSync(path), RAW_IMPORTS());
  instance.exports._initialize();
  const ex = instance.exports;
  const str = (p) => {
    const h = new Uint8Array(ex.memory.buffer);
    let e = p >>> 0;
    while (h[e]) e++;
    return new TextDecoder().decode(h.slice(p >>> 0, e));
  };
  return { ex, str };
}

test('the JS option names are the camelCase C field names (and loss, the names of beta)', () => {
  assert.deepEqual([...OPTION_NAMES], [
    'rank', 'maxIter', 'checkEvery', 'tol', 'epsilon', 'seed', 'init', 'kernel', 'beta', 'loss', 'alphaW', 'alphaH',
    'l1Ratio', 'solver', 'missing',
  ]);
  assert.deepEqual([matrixName(ENUMS.matrix.none), matrixName(1), matrixName(2), matrixName(3), matrixName(9)], ['', 'X', 'W', 'H', '']);
});

test('writeOptions puts each option at its offset; named values become their C values', () => {
  const dv = new DataView(new ArrayBuffer(OPTIONS_BYTES));
  writeOptions(dv, 0, { rank: 7, maxIter: 300, checkEvery: 5, tol: 0.5, seed: 2n ** 40n, init: 'nndsvda', kernel: 'scalar', loss: 'kullback-leibler', alphaW: 0.25, l1Ratio: 1, solver: 'amu', missing: 'unstored' });
  const o = readOptions(dv, 0);
  assert.deepEqual(
    [o.rank, o.maxIter, o.checkEvery, o.tol, o.seed, o.init, o.kernel, o.beta, o.alphaW, o.alphaH, o.l1Ratio, o.solver, o.missing],
    [7, 300, 5, 0.5, 2 ** 40, ENUMS.init.nndsvda, ENUMS.kernel.scalar, 1, 0.25, 0, 1, ENUMS.solver.amu, ENUMS.missing.unstored],
  );
  assert.deepEqual(ENUMS.missing, { none: 0, nan: 1, unstored: 2 });
  const at = Object.fromEntries(OPTION_FIELDS.map(([c, off]) => [c, off]));
  assert.equal(dv.getUint32(at.max_iter, true), 300);
  assert.equal(dv.getFloat64(at.beta, true), 1);
  assert.throws(() => writeOptions(dv, 0, { solver: 'als' }), /solver must be one of 'auto', 'mu', 'amu', 'hals', 'cd'; got als/);
  assert.throws(() => writeOptions(dv, 0, { missing: 'zero' }), /missing must be one of 'none', 'nan', 'unstored'; got zero/);
  assert.throws(() => writeOptions(dv, 0, { beta: 1, loss: 'frobenius' }), /pass beta or loss, not both/);
});

for (const [label, path] of MODULES) {
  describe(`abi.js matches the ${label} module`, async () => {
    const { ex, str } = await raw(path);

    test('struct sizes', () => {
      assert.equal(ex.nmfkit_sizeof_options(), OPTIONS_BYTES);
      assert.equal(ex.nmfkit_sizeof_result(), RESULT_BYTES);
    });

    test('status names, every one (the next value is unknown)', () => {
      assert.deepEqual(STATUS_NAMES.map((_, st) => str(ex.nmfkit_status_name(st))), STATUS_NAMES);
      assert.equal(str(ex.nmfkit_status_name(STATUS_NAMES.length)), 'unknown');
    });

    test('the C defaults read back through the offsets', () => {
      const p = ex.nmfkit_wasm_alloc(OPTIONS_BYTES) >>> 0;
      ex.nmfkit_options_default(p);
      const o = readOptions(new DataView(ex.memory.buffer), p);
      ex.nmfkit_wasm_free(p);
      assert.deepEqual(
        [o.maxIter, o.checkEvery, o.tol, o.epsilon, o.seed, o.init, o.kernel, o.beta, o.alphaW, o.alphaH, o.l1Ratio, o.solver, o.missing],
        [200, 10, 1e-4, 2 ** -23, 0, ENUMS.init.random, ENUMS.kernel.auto, ENUMS.loss.frobenius, 0, 0, 0, ENUMS.solver.auto, 0],
      );
    });
  });
}
