// The .wasm files themselves: the baseline has no SIMD128 instruction at all, the SIMD
// modules have them; all import only env.emscripten_notify_memory_growth and export the
// C API the wrapper calls; all give the same numbers. The lite SIMD module
// (nmfkit-simd.wasm) really lacks beta != 2, NNDSVD and AMU (and sparse X, missing
// entries: sparse.test.mjs), and the wrapper switches to nmfkit-simd-full.wasm for them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { NmfError, simdSupported } from '../src/node.js';
import { LITE, MODULES, THREADED, WASM, instance, lowRank, matrix, relDiff } from './helpers.mjs';
import { simdUsage } from './wasm-bytes.mjs';

const NEEDED_EXPORTS = [
  'memory', '_initialize', 'nmfkit_wasm_alloc', 'nmfkit_wasm_free', 'nmfkit_wasm_heap_used',
  'nmfkit_version', 'nmfkit_status_name', 'nmfkit_status_message', 'nmfkit_options_default',
  'nmfkit_sizeof_options', 'nmfkit_sizeof_result',
  ...['workspace_size', 'solver_start', 'solver_run', 'solver_finish', 'kernel_name', 'inverse_transform'].map((f) => `nmfkit_${f}_f32`),
];
// transform and sparse X run in the full modules; the default modules keep to a dense float32
// Frobenius fit and float32 W·H (float64 fits and W·H: the full and the threaded modules).
const TRANSFORM_EXPORTS = ['f32', 'f64'].flatMap((t) =>
  ['transform', 'transform_columns', 'workspace_size_csr', 'solver_start_csr', 'transform_csr', 'transform_columns_csr'].map((f) => `nmfkit_${f}_${t}`));
const F64_EXPORTS = ['workspace_size', 'solver_start', 'solver_run', 'solver_finish', 'kernel_name', 'inverse_transform'].map((f) => `nmfkit_${f}_f64`);

describe('module files', () => {
  for (const [label, path] of MODULES) {
    const bytes = readFileSync(path);
    const mod = new WebAssembly.Module(bytes);

    test(`${label}: imports only env.emscripten_notify_memory_growth${THREADED.includes(label) ? ' and its shared memory' : ''}`, () => {
      const memory = THREADED.includes(label) ? [{ module: 'env', name: 'memory', kind: 'memory' }] : [];
      assert.deepEqual(WebAssembly.Module.imports(mod), [...memory, { module: 'env', name: 'emscripten_notify_memory_growth', kind: 'function' }]);
    });

    test(`${label}: exports the C API the wrapper calls`, () => {
      const names = WebAssembly.Module.exports(mod).map((e) => e.name);
      for (const n of NEEDED_EXPORTS) assert.ok(names.includes(n), `export ${n}`);
      for (const n of TRANSFORM_EXPORTS) assert.equal(names.includes(n), !LITE.includes(label), `export ${n}`);
      for (const n of F64_EXPORTS) assert.equal(names.includes(n), label !== 'simd' && label !== 'relaxed', `export ${n}`);
      if (THREADED.includes(label)) for (const n of ['__stack_pointer', 'nmfkit_wasm_pool_init', 'nmfkit_wasm_pool_work', 'nmfkit_wasm_pool_stop', 'nmfkit_solver_start_ex_f32']) assert.ok(names.includes(n), n);
    });

    test(`${label}: ${label !== 'baseline' ? 'uses' : 'contains no'} SIMD128 instructions`, () => {
      const use = simdUsage(bytes);
      assert.ok(use.functions > 10);
      if (label !== 'baseline') assert.ok(use.simdFunctions > 0, 'no v128 instruction in the SIMD module');
      else assert.equal(use.simdFunctions, 0, `${use.simdFunctions} functions use v128`);
      assert.equal(use.v128Types, false);
    });
  }

  test('simdSupported() matches WebAssembly.validate of a SIMD module', () => {
    assert.equal(simdSupported(), WASM.simd ? WebAssembly.validate(readFileSync(WASM.simd)) : simdSupported());
    assert.equal(typeof simdSupported(), 'boolean');
  });

  test('load accepts a compiled module, bytes and a file URL', async () => {
    const [label, path] = MODULES[0];
    const bytes = readFileSync(path);
    const { load } = await import('../src/node.js');
    for (const wasm of [new WebAssembly.Module(bytes), bytes, bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length), new URL(`file://${path}`), Promise.resolve(new WebAssembly.Module(bytes))]) {
      const nmf = await load({ wasm });
      assert.equal(nmf.simd, label !== 'baseline');
    }
    // the browser entry, through a Response (compileStreaming for application/wasm)
    const browser = await import('../src/browser.js');
    for (const type of ['application/wasm', 'application/octet-stream']) {
      const nmf = await browser.load({ wasm: new Response(bytes, { headers: { 'content-type': type } }) });
      assert.equal(nmf.fitSync(new Float32Array([1, 2, 3, 4]), { rows: 2, rank: 1 }).W.length, 2);
    }
    await assert.rejects(browser.load({ wasm: new Response('x', { status: 404 }) }), { code: 'load_failed' });
    await assert.rejects(load({ wasm: new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 99]) }), WebAssembly.CompileError);
    await assert.rejects(load({ wasm: `${path}.missing` }), { code: 'ENOENT' });
    assert.ok(new NmfError('x', 'y') instanceof Error);
  });
});

describe('SIMD and baseline agree', { skip: !(WASM.simd && WASM.baseline) && 'needs both modules' }, () => {
  test('float32 and float64, same seed: W, H within 1e-5 relative', async () => {
    const simd = await instance('simd');
    const base = await instance('baseline');
    const X = lowRank(67, 45, 5, 3);
    for (const x of [X, Float32Array.from(X)]) {
      const o = { rows: 67, cols: 45, rank: 6, maxIter: 100, tol: 0, seed: 42 };
      const a = await simd.fit(x, o); // float64 runs in the full module, loaded on first use
      const b = base.fitSync(x, o);
      const tol = x instanceof Float32Array ? 1e-5 : 1e-12;
      assert.ok(relDiff(a.W, b.W) < tol, `W differs by ${relDiff(a.W, b.W)}`);
      assert.ok(relDiff(a.H, b.H) < tol, `H differs by ${relDiff(a.H, b.H)}`);
      assert.ok(Math.abs(a.loss - b.loss) <= tol * 10 * b.loss);
    }
  });
});

describe('lite and full SIMD modules', { skip: !WASM.simd && 'needs the SIMD modules' }, () => {
  const X = Float32Array.from(lowRank(40, 30, 4, 5)); // the lite module fits float32 only
  const base = { rows: 40, cols: 30, rank: 4, maxIter: 60, tol: 0, seed: 3 };
  const EXTENDED = [{ beta: 1 }, { loss: 'itakura-saito' }, { beta: 1.5 }, { init: 'nndsvd' }, { init: 'nndsvdar' }, { solver: 'amu' }];

  test('nmfkit-simd.wasm given alone as wasm: beta != 2, NNDSVD and AMU are not_built', async () => {
    const { load } = await import('../src/node.js');
    const lite = await load({ wasm: WASM.simd });
    const heap = lite.heapUsed();
    for (const o of EXTENDED) {
      await assert.rejects(lite.fit(X, { ...base, ...o }), (e) => {
        assert.ok(e instanceof NmfError);
        assert.equal(e.code, 'not_built', JSON.stringify(o));
        assert.match(e.message, /only the Frobenius loss.*needs nmfkit-simd-full\.wasm/);
        return true;
      });
      assert.throws(() => lite.fitSync(X, { ...base, ...o }), { code: 'not_built' });
    }
    assert.equal(lite.heapUsed(), heap);
    assert.ok(lite.fitSync(X, { ...base, alphaW: 0.1, l1Ratio: 0.5 }).relativeError < 0.2, 'penalties are in');
  });

  test('the lite module is the smaller one; the full one has what it lacks', () => {
    assert.ok(readFileSync(WASM.simd).length < 0.7 * readFileSync(WASM.simdFull).length);
  });

  test('the wrapper switches to the full module: same results as the full module alone', async () => {
    const auto = await instance('simd');
    const full = await instance('simdFull');
    auto.fitSync(X, base); // first-use allocations of the heap
    const heap = auto.heapUsed();
    // Frobenius in float32: the lite module, and the same W and H as the full one (the loss
    // may differ in its last bit: the full core sums it along another code path)
    const [a0, b0] = [await auto.fit(X, base), full.fitSync(X, base)];
    assert.deepEqual([a0.W, a0.H, a0.iterations], [b0.W, b0.H, b0.iterations]);
    assert.ok(Math.abs(a0.loss - b0.loss) <= 1e-12 * b0.loss && Math.abs(a0.relativeError - b0.relativeError) <= 1e-12);
    assert.equal(auto.heapUsed(), heap, 'the full module is not loaded for a float32 Frobenius fit');
    assert.throws(() => auto.fitSync(Float64Array.from(X), base), { code: 'not_loaded' }); // float64: the full module
    // fitSync cannot wait for the full module
    assert.throws(() => auto.fitSync(X, { ...base, beta: 1 }), (e) => e instanceof NmfError && e.code === 'not_loaded' && /features: 'full'/.test(e.message));
    assert.throws(() => auto.bytesNeeded(X, { ...base, beta: 1 }), { code: 'not_loaded' });
    // two fits at once load it once
    const [a, b] = await Promise.all([auto.fit(X, { ...base, beta: 1 }), auto.fit(X, { ...base, init: 'nndsvda' })]);
    assert.ok(auto.heapUsed() > heap, 'the full module is loaded (its heap counts)');
    assert.deepEqual(a, full.fitSync(X, { ...base, beta: 1 }));
    assert.deepEqual(b, full.fitSync(X, { ...base, init: 'nndsvda' }));
    for (const o of EXTENDED) {
      const x = o.loss === 'itakura-saito' ? X.map((v) => v + 0.1) : X;
      assert.deepEqual(await auto.fit(x, { ...base, ...o }), full.fitSync(x, { ...base, ...o }), JSON.stringify(o));
      assert.deepEqual(auto.fitSync(x, { ...base, ...o }), full.fitSync(x, { ...base, ...o }));
      assert.equal(auto.bytesNeeded(x, { ...base, ...o }), full.bytesNeeded(x, { ...base, ...o }));
    }
    // errors of the full module come through; frobenius options stay on the lite one
    await assert.rejects(auto.fit(X, { ...base, beta: NaN }), { code: 'invalid_beta' });
    assert.deepEqual(await auto.fit(X, { ...base, beta: 2 }), await auto.fit(X, { ...base, loss: 'frobenius' }));
    assert.equal(auto.simd, true);
    assert.equal(auto.kernel, 'wasm-simd128');
  });

  test("features: 'full' loads the full module alone; a failed load of it rejects the fit and is retried", async () => {
    const { load } = await import('../src/node.js');
    const full = await load({ wasm: WASM.simd, wasmFull: WASM.simdFull, features: 'full' });
    const ref = await instance('simdFull');
    assert.deepEqual(full.fitSync(X, { ...base, beta: 1 }), ref.fitSync(X, { ...base, beta: 1 }));
    assert.equal(full.heapUsed(), ref.heapUsed());
    await assert.rejects(load({ features: 'all' }), /features must be 'auto' or 'full'/);

    const broken = await load({ wasm: WASM.simd, wasmFull: `${WASM.simdFull}.missing` });
    await assert.rejects(broken.fit(X, { ...base, beta: 1 }), { code: 'ENOENT' });
    await assert.rejects(broken.fit(X, { ...base, beta: 1 }), { code: 'ENOENT' });
    assert.equal(broken.fitSync(X, base).W.length, 40 * 4, 'the lite module still works');
    const Xs = Float32Array.from(matrix(8, 6));
    const late = await load({ wasm: WASM.simd, wasmFull: readFileSync(WASM.simdFull) });
    assert.equal((await late.fit(Xs, { rows: 8, rank: 2, beta: 0.5 })).W.length, 16);
  });
});
