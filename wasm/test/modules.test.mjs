// The two .wasm files themselves: the baseline has no SIMD128 instruction at all, the SIMD
// module has them; both import only env.emscripten_notify_memory_growth and export the
// C API the wrapper calls; both give the same numbers.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { NmfError, simdSupported } from '../src/node.js';
import { MODULES, WASM, instance, lowRank, relDiff } from './helpers.mjs';
import { simdUsage } from './wasm-bytes.mjs';

const NEEDED_EXPORTS = [
  'memory', '_initialize', 'nmfkit_wasm_alloc', 'nmfkit_wasm_free', 'nmfkit_wasm_heap_used',
  'nmfkit_version', 'nmfkit_status_name', 'nmfkit_status_message', 'nmfkit_options_default',
  'nmfkit_sizeof_options', 'nmfkit_sizeof_result',
  ...['f32', 'f64'].flatMap((t) => ['workspace_size', 'solver_start', 'solver_run', 'solver_finish', 'kernel_name'].map((f) => `nmfkit_${f}_${t}`)),
];

describe('module files', () => {
  for (const [label, path] of MODULES) {
    const bytes = readFileSync(path);
    const mod = new WebAssembly.Module(bytes);

    test(`${label}: imports only env.emscripten_notify_memory_growth`, () => {
      assert.deepEqual(WebAssembly.Module.imports(mod), [{ module: 'env', name: 'emscripten_notify_memory_growth', kind: 'function' }]);
    });

    test(`${label}: exports the C API the wrapper calls`, () => {
      const names = WebAssembly.Module.exports(mod).map((e) => e.name);
      for (const n of NEEDED_EXPORTS) assert.ok(names.includes(n), `missing export ${n}`);
    });

    test(`${label}: ${label === 'simd' ? 'uses' : 'contains no'} SIMD128 instructions`, () => {
      const use = simdUsage(bytes);
      assert.ok(use.functions > 10);
      if (label === 'simd') assert.ok(use.simdFunctions > 0, 'no v128 instruction in the SIMD module');
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
      assert.equal(nmf.simd, label === 'simd');
    }
    // the browser entry, through a Response (compileStreaming for application/wasm)
    const browser = await import('../src/browser.js');
    for (const type of ['application/wasm', 'application/octet-stream']) {
      const nmf = await browser.load({ wasm: new Response(bytes, { headers: { 'content-type': type } }) });
      assert.equal(nmf.fitSync([[1, 2], [3, 4]], { rank: 1 }).W.length, 2);
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
      const a = simd.fitSync(x, o);
      const b = base.fitSync(x, o);
      const tol = x instanceof Float32Array ? 1e-5 : 1e-12;
      assert.ok(relDiff(a.W, b.W) < tol, `W differs by ${relDiff(a.W, b.W)}`);
      assert.ok(relDiff(a.H, b.H) < tol, `H differs by ${relDiff(a.H, b.H)}`);
      assert.ok(Math.abs(a.loss - b.loss) <= tol * 10 * b.loss);
    }
  });
});
