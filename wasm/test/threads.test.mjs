// The clang-19 modules: relaxed SIMD (nmfkit-relaxed.wasm, picked where the engine validates
// it; Node 20 needs --experimental-wasm-relaxed-simd, which CTest passes, and .ci/test-node18
// runs these tests without it: the fallback) and the threaded ones (nmfkit-relaxed-mt.wasm,
// nmfkit-simd-mt.wasm): W and H bitwise the same for 1, 2, 3 threads, progress, abort,
// dispose, createWorker({ threads }), the error without SharedArrayBuffer.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { loadWith } from '../src/core.js';
import { NmfError, createWorker, load, relaxedSupported, simdSupported } from '../src/node.js';
import { WASM, lowRank, matrix, relDiff } from './helpers.mjs';

const same = (a, b) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
// load()'s module choice with this build's files in place of the package's dist/
const FILES = {
  'nmfkit-relaxed.wasm': WASM.relaxed,
  'nmfkit-simd.wasm': WASM.simd,
  'nmfkit-simd-full.wasm': WASM.simdFull,
  'nmfkit.wasm': WASM.baseline,
  'nmfkit-relaxed-mt.wasm': WASM.relaxedMt,
  'nmfkit-simd-mt.wasm': WASM.simdMt,
};
// node.js's, with the threaded modules of this build
const platform = { threads: () => 1, pool: async () => ({ ...(await import('../src/threads.node.js')), url: (m) => FILES[`nmfkit-${m}-mt.wasm`] }) };
const choose = (options) => loadWith(options, (f) => FILES[f], (p) => readFile(p), platform);
const HAVE = WASM.relaxed && WASM.relaxedMt && WASM.simdMt && WASM.simd && WASM.simdFull;

describe('relaxed SIMD: detection and choice', { skip: !HAVE && 'needs the clang-19 modules' }, () => {
  test('relaxedSupported() is WebAssembly.validate of nmfkit-relaxed.wasm', () => {
    assert.equal(relaxedSupported(), WebAssembly.validate(readFileSync(WASM.relaxed)));
    assert.equal(WebAssembly.validate(readFileSync(WASM.simd)), simdSupported());
  });

  test('load() picks relaxed where validated, else simd; module forces one', async () => {
    const auto = await choose({});
    assert.equal(auto.module, relaxedSupported() ? 'relaxed' : 'simd');
    assert.equal(auto.kernel, relaxedSupported() ? 'wasm-relaxed-simd' : 'wasm-simd128');
    assert.equal(auto.threads, 1);
    assert.equal((await choose({ module: 'simd' })).module, 'simd');
    assert.equal((await choose({ module: 'baseline' })).module, 'baseline');
    assert.equal((await choose({ simd: false })).module, 'baseline');
    if (relaxedSupported()) assert.equal((await choose({ module: 'relaxed' })).kernel, 'wasm-relaxed-simd');
    else await assert.rejects(choose({ module: 'relaxed' }), (e) => e instanceof NmfError && e.code === 'unsupported');
    await assert.rejects(choose({ module: 'fma' }), { code: 'invalid_argument' });
  });

  test('an engine without relaxed SIMD falls back (Node without the flag)', () => {
    const script = `import { relaxedSupported } from ${JSON.stringify(new URL('../src/node.js', import.meta.url).href)};
      import { loadWith } from ${JSON.stringify(new URL('../src/core.js', import.meta.url).href)};
      import { readFile } from 'node:fs/promises';
      const files = ${JSON.stringify(FILES)};
      const nmf = await loadWith({}, (f) => files[f], (p) => readFile(p), { threads: () => 1 });
      const forced = await loadWith({ module: 'relaxed' }, (f) => files[f], (p) => readFile(p), { threads: () => 1 }).then(() => 'loaded', (e) => e.code);
      console.log(JSON.stringify({ relaxed: relaxedSupported(), module: nmf.module, forced }));`;
    const flags = process.execArgv.filter((a) => a !== '--experimental-wasm-relaxed-simd');
    const r = spawnSync(process.execPath, [...flags, '--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    // Node ≥ 22 has relaxed SIMD without a flag; Node 18 and 20 do not
    const major = Number(process.versions.node.split('.')[0]);
    if (major < 22) assert.deepEqual(out, { relaxed: false, module: 'simd', forced: 'unsupported' });
    else assert.equal(out.module, out.relaxed ? 'relaxed' : 'simd');
  });
});

describe('relaxed module', { skip: !(HAVE && relaxedSupported()) && 'needs relaxed SIMD (Node 20: --experimental-wasm-relaxed-simd)' }, () => {
  test('float32 fits within 1e-5 of the SIMD module (relaxed_madd may fuse)', async () => {
    const relaxed = await load({ wasm: WASM.relaxed });
    const simd = await load({ wasm: WASM.simd });
    for (const [n, m, r, seed] of [[67, 45, 6, 42], [130, 97, 9, 1], [300, 200, 20, 5]]) {
      const X = Float32Array.from(lowRank(n, m, r, seed));
      const o = { rows: n, cols: m, rank: r, maxIter: 100, tol: 0, seed };
      const a = relaxed.fitSync(X, o);
      const b = simd.fitSync(X, o);
      assert.ok(relDiff(a.W, b.W) < 1e-5 && relDiff(a.H, b.H) < 1e-5, `${n}x${m}: ${relDiff(a.W, b.W)}, ${relDiff(a.H, b.H)}`);
      assert.ok(Math.abs(a.loss - b.loss) <= 1e-5 * b.loss);
    }
  });

  test('float64 fits run in the full module (the relaxed one has float32 only)', async () => {
    const relaxed = await load({ wasm: WASM.relaxed, wasmFull: WASM.simdFull });
    const full = await load({ wasm: WASM.simdFull });
    const X = lowRank(40, 30, 4, 5);
    const o = { rows: 40, cols: 30, rank: 4, maxIter: 50, tol: 0, seed: 3 };
    assert.throws(() => relaxed.fitSync(X, o), { code: 'not_loaded' });
    assert.deepEqual(await relaxed.fit(X, o), full.fitSync(X, o));
    assert.deepEqual(relaxed.fitSync(X, o), full.fitSync(X, o));
    assert.deepEqual(relaxed.inverseTransform(new Float64Array([1, 2]), new Float64Array([3, 4]), { rows: 2, rank: 1 }), new Float64Array([3, 4, 6, 8]));
    const fresh = await load({ wasm: WASM.relaxed, wasmFull: WASM.simdFull });
    assert.throws(() => fresh.inverseTransform([[1]], [[2]]), { code: 'not_loaded' });
    assert.deepEqual(fresh.inverseTransform(new Float32Array([1, 2]), new Float32Array([3, 4]), { rows: 2, rank: 1 }), new Float32Array([3, 4, 6, 8]));
  });
});

describe('threads', { skip: !HAVE && 'needs the clang-19 modules' }, () => {
  const n = 1000;
  const m = 400;
  const X = Float32Array.from(matrix(n, m, 11));
  const o = { rows: n, cols: m, rank: 10, maxIter: 30, tol: 0, seed: 2 };
  const labels = ['simdMt', ...(relaxedSupported() ? ['relaxedMt'] : [])];

  for (const label of labels) {
    test(`${label}: W and H bitwise the same with 1, 2 and 3 threads (float32 and float64)`, async () => {
      const ref = {};
      for (const threads of [1, 2, 3]) {
        const nmf = await load({ wasm: WASM[label], threads });
        assert.equal(nmf.threads, threads);
        assert.equal(nmf.module, label === 'simdMt' ? 'simd' : 'relaxed');
        for (const x of [X, Float64Array.from(X)]) {
          const r = nmf.fitSync(x, o);
          const k = x.constructor.name;
          if (!ref[k]) ref[k] = r;
          else assert.ok(same(r.W, ref[k].W) && same(r.H, ref[k].H) && r.loss === ref[k].loss, `${threads} threads, ${k}`);
        }
        nmf.dispose();
      }
      // and within 1e-5 of the single-threaded module of the same kernels
      const single = await load({ wasm: label === 'simdMt' ? WASM.simd : WASM.relaxed });
      const s = single.fitSync(X, o);
      assert.ok(relDiff(s.W, ref.Float32Array.W) < 1e-5 && relDiff(s.H, ref.Float32Array.H) < 1e-5);
    });
  }

  test('progress and abort mid-fit with threads; the instance stays usable; dispose()', async () => {
    const nmf = await load({ wasm: WASM.simdMt, threads: 2, wasmFull: WASM.simdFull });
    const ref = nmf.fitSync(X, o);
    const heap = nmf.heapUsed(); // after the first fit's first-use allocations
    const seen = [];
    const r = await nmf.fit(X, { ...o, checkEvery: 5, onProgress: (p) => seen.push(p.iteration) });
    assert.deepEqual(seen, [5, 10, 15, 20, 25, 30]);
    assert.ok(same(r.W, ref.W) && same(r.H, ref.H));
    const ac = new AbortController();
    const p = nmf.fit(X, { ...o, maxIter: 100000, checkEvery: 1, signal: ac.signal, onProgress: (q) => q.iteration === 3 && ac.abort() });
    await assert.rejects(p, { name: 'AbortError' });
    assert.equal(nmf.heapUsed(), heap);
    assert.ok(same(nmf.fitSync(X, o).W, ref.W));
    // a fit the threaded module cannot run goes to the full one (one thread)
    assert.ok((await nmf.fit(X, { ...o, beta: 1 })).W.length === n * 10);
    nmf.dispose();
    assert.equal(nmf.threads, 1);
    assert.ok(same(nmf.fitSync(X, o).W, ref.W), 'after dispose(): the same fit on one thread');
    nmf.dispose(); // twice: nothing
  });

  test('threads: checked; a threaded module for threads > 1; no SharedArrayBuffer: NmfError threads_unavailable', async () => {
    for (const threads of [0, 1.5, -1, 65, '2']) await assert.rejects(load({ wasm: WASM.simdMt, threads }), { code: 'invalid_argument' });
    await assert.rejects(load({ wasm: WASM.simd, threads: 2 }), /threaded module/);
    await assert.rejects(choose({ module: 'baseline', threads: 2 }), /no threaded baseline/);
    const auto = await choose({ threads: 2 });
    assert.equal(auto.threads, 2);
    assert.equal(auto.module, relaxedSupported() ? 'relaxed' : 'simd');
    auto.dispose();
    // a page that is not cross-origin isolated (crossOriginIsolated false, as browsers say)
    globalThis.crossOriginIsolated = false;
    try {
      await assert.rejects(load({ wasm: WASM.simdMt, threads: 2 }), (e) => e instanceof NmfError && e.code === 'threads_unavailable' && /Cross-Origin-Embedder-Policy/.test(e.message));
      assert.equal((await load({ wasm: WASM.simdMt })).threads, 1, 'the default there: one thread');
    } finally {
      delete globalThis.crossOriginIsolated;
    }
  });

  test('createWorker({ threads }): the worker runs the threaded module, same W and H', async () => {
    const w = await createWorker({ wasm: WASM.simdMt, threads: 2 });
    try {
      assert.deepEqual([w.module, w.threads], ['simd', 2]);
      const local = await load({ wasm: WASM.simdMt, threads: 1 });
      const [a, b] = [await w.fit(X, o), local.fitSync(X, o)];
      assert.ok(same(a.W, b.W) && same(a.H, b.H));
    } finally {
      await w.dispose();
    }
  });
});
