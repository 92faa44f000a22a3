// src/abi.js, the wrapper's copy of the C ABI: it is what scripts/gen-abi.mjs makes of
// core/include/nmfkit/abi.def and project(VERSION), package.json carries its version, and
// every module agrees with it (struct sizes, version, status names, the byte offsets of the
// option and result fields as the C code writes them). Also: the wrapper takes the library's
// spellings, the CLI's short loss names included.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ABI_JS, CMAKE, DEF, generate, readAbi } from '../scripts/gen-abi.mjs';
import { ENUMS, OPTION_FIELDS, OPTIONS_BYTES, RESULT_BYTES, RESULT_FIELDS, STATUS_NAMES, VERSION } from '../src/abi.js';
import { instance, lowRank, MODULES, RAW_IMPORTS } from './helpers.mjs';

test('src/abi.js is the generator output for abi.def and CMakeLists.txt', () => {
  assert.equal(readFileSync(ABI_JS, 'utf8'), generate(), 'stale src/abi.js: run node scripts/gen-abi.mjs');
});

test('the generator refuses a .def the C compiler would lay out otherwise', () => {
  const def = readFileSync(DEF, 'utf8');
  const cmake = readFileSync(CMAKE, 'utf8');
  const broken = (from, to) => {
    assert.ok(def.includes(from), from);
    return () => readAbi(def.replace(from, to), cmake);
  };
  assert.doesNotThrow(() => readAbi(def, cmake));
  assert.throws(broken('NMFKIT_OPTION(seed, uint64_t, 32,', 'NMFKIT_OPTION(seed, uint64_t, 36,'), /seed at 36, but C puts it at 32/);
  assert.throws(broken('NMFKIT_RESULT(done, int32_t, 28,', 'NMFKIT_RESULT(done, double, 28,'), /done at 28, but C puts it at 32/);
  assert.throws(broken('NMFKIT_STRUCT(result, 72)', 'NMFKIT_STRUCT(result, 76)'), /sizeof\(nmfkit_result\) is 72, not 76/);
  assert.throws(broken('NMFKIT_STATUS(3, zero_rank', 'NMFKIT_STATUS(4, zero_rank'), /zero_rank is 4, expected 3/);
  assert.throws(broken('NMFKIT_INIT(4, nndsvdar, NNDSVDAR, "nndsvdar")', 'NMFKIT_INIT(4, nndsvdar, NNDSVDAR, "nndsvda")'), /twice/);
  assert.throws(() => readAbi(def, cmake.replace('project(nmfkit VERSION', 'project(nmfkit')), /project/);
});

test("package.json's version is the library's", () => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  assert.equal(pkg.version, VERSION);
});

async function raw(path) {
  const { instance: inst } = await WebAssembly.instantiate(readFileSync(path), RAW_IMPORTS());
  inst.exports._initialize();
  return inst.exports;
}

const read = (dv, p, type) =>
  ({ u32: () => dv.getUint32(p, true), i32: () => dv.getInt32(p, true), u64: () => dv.getBigUint64(p, true), f64: () => dv.getFloat64(p, true) })[type]();

for (const [label, path] of MODULES) {
  test(`${label} module: sizes, version, status names and field offsets match src/abi.js`, async () => {
    const ex = await raw(path);
    assert.equal(ex.nmfkit_sizeof_options(), OPTIONS_BYTES);
    assert.equal(ex.nmfkit_sizeof_result(), RESULT_BYTES);
    const str = (p) => {
      const h = new Uint8Array(ex.memory.buffer);
      let e = p >>> 0;
      while (h[e]) e++;
      return new TextDecoder().decode(h.slice(p >>> 0, e));
    };
    assert.equal(str(ex.nmfkit_version()), VERSION);
    assert.deepEqual(STATUS_NAMES.map((_, i) => str(ex.nmfkit_status_name(i))), STATUS_NAMES);
    assert.equal(str(ex.nmfkit_status_name(STATUS_NAMES.length)), 'unknown');

    // nmfkit_options_default() over a block of 0xA5 bytes: each field, read at its abi.js
    // offset with its abi.js type, holds the documented default (a wrong offset or type reads
    // the filler or a neighbour).
    const opt = ex.nmfkit_wasm_alloc(OPTIONS_BYTES + RESULT_BYTES) >>> 0;
    new Uint8Array(ex.memory.buffer, opt, OPTIONS_BYTES + RESULT_BYTES).fill(0xa5);
    ex.nmfkit_options_default(opt);
    let dv = new DataView(ex.memory.buffer);
    const defaults = Object.fromEntries(OPTION_FIELDS.map(([name, off, type]) => [name, read(dv, opt + off, type)]));
    assert.deepEqual(defaults, {
      rank: 0n, max_iter: 200, check_every: 10, tol: 1e-4, epsilon: 2 ** -23, seed: 0n, init: ENUMS.init.random,
      kernel: ENUMS.kernel.auto, beta: ENUMS.loss.frobenius, alpha_w: 0, alpha_h: 0, l1_ratio: 0, solver: ENUMS.solver.auto,
      missing: ENUMS.missing.none,
    });

    // The result fields, as the C code writes them: a 3×4 X with a negative entry at [1][2],
    // then a valid fit of 7 iterations.
    const O = Object.fromEntries(OPTION_FIELDS.map(([name, off]) => [name, off]));
    const R = Object.fromEntries(RESULT_FIELDS.map(([name, off, type]) => [name, [off, type]]));
    const res = opt + OPTIONS_BYTES;
    const result = () => {
      dv = new DataView(ex.memory.buffer);
      return Object.fromEntries(Object.entries(R).map(([name, [off, type]]) => [name, read(dv, res + off, type)]));
    };
    dv.setBigUint64(opt + O.rank, 2n, true);
    dv.setUint32(opt + O.max_iter, 7, true);
    dv.setFloat64(opt + O.tol, 0, true);
    // float64 (float32 in nmfkit-relaxed.wasm, which has no float64 fits)
    const t = ex.nmfkit_solver_start_f64 ? 'f64' : 'f32';
    const Arr = t === 'f64' ? Float64Array : Float32Array;
    const n = 3;
    const m = 4;
    const size = ex.nmfkit_wasm_alloc(8) >>> 0;
    assert.equal(ex[`nmfkit_workspace_size_${t}`](n, m, opt, size), 0);
    const wsBytes = new DataView(ex.memory.buffer).getUint32(size, true);
    const X = ex.nmfkit_wasm_alloc(Arr.BYTES_PER_ELEMENT * n * m) >>> 0;
    const W = ex.nmfkit_wasm_alloc(Arr.BYTES_PER_ELEMENT * n * 2) >>> 0;
    const H = ex.nmfkit_wasm_alloc(Arr.BYTES_PER_ELEMENT * 2 * m) >>> 0;
    const ws = ex.nmfkit_wasm_alloc(wsBytes) >>> 0;
    const x = new Arr(ex.memory.buffer, X, n * m);
    x.set(lowRank(n, m, 2));
    x[1 * m + 2] = -1;
    const start = () => ex[`nmfkit_solver_start_${t}`](X, n, m, 0, W, 0, H, 0, opt, ws, wsBytes, res);
    assert.equal(STATUS_NAMES[start()], 'x_negative');
    let r = result();
    assert.deepEqual([r.bad_matrix, r.bad_row, r.bad_col], [ENUMS.matrix.X, 1n, 2n]);
    new Arr(ex.memory.buffer, X, n * m)[1 * m + 2] = 0.5;
    assert.equal(start(), 0);
    assert.equal(ex[`nmfkit_solver_run_${t}`](ws, 100, res), 0);
    assert.equal(ex[`nmfkit_solver_finish_${t}`](ws, res), 0);
    r = result();
    assert.equal(r.iterations, 7);
    assert.equal(r.done, 1);
    assert.equal(r.converged, 0);
    assert.equal(r.bad_matrix, ENUMS.matrix.none);
    assert.ok(r.loss > 0 && r.relative_error > 0 && r.relative_error < 1, JSON.stringify(r, (_, v) => String(v)));
    assert.equal(r.objective, r.loss); // no penalties
    for (const p of [X, W, H, ws, size, opt]) ex.nmfkit_wasm_free(p);
  });
}

test("the wrapper takes every loss spelling of the library, the CLI's 'kl' and 'is' included", async () => {
  assert.deepEqual(ENUMS.loss, { frobenius: 2, 'kullback-leibler': 1, 'itakura-saito': 0, kl: 1, is: 0 });
  const nmf = await instance(MODULES[0][0]);
  const X = lowRank(8, 6, 2).map((v) => v + 0.1);
  const fit = (o) => nmf.fit(X, { rows: 8, rank: 2, seed: 3, maxIter: 20, ...o });
  const byBeta = {};
  for (const [name, beta] of Object.entries(ENUMS.loss)) {
    byBeta[beta] ??= await fit({ beta });
    const r = await fit({ loss: name });
    assert.deepEqual(r.W, byBeta[beta].W, `loss '${name}' is not beta ${beta}`);
  }
});
