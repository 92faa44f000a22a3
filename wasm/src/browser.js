// nmfkit for browsers (and Deno, bundlers): the .wasm is fetched and compiled while it
// streams in (compileStreaming, when served as application/wasm).
import { connect } from './client.js';
import { loadWith } from './core.js';
import { FATAL } from './protocol.js';

export { NmfError, relaxedSupported, simdSupported } from './core.js';

// What a relative URL is relative to: the page (a worker's script; Deno's --location).
// Not import.meta.url: webpack would write the package file's path on the build machine
// into the bundle.
const base = () => globalThis.document?.baseURI ?? globalThis.location?.href;
// One literal new URL(…, import.meta.url) a file, so that bundlers (Vite, webpack,
// Rollup's import-meta-assets) emit each and rewrite its URL. The packed dist/browser.js
// has './' here (scripts/prepack.mjs), next to the modules.
const URLS = {
  'nmfkit-relaxed.wasm': () => new URL('../dist/nmfkit-relaxed.wasm', import.meta.url),
  'nmfkit-simd.wasm': () => new URL('../dist/nmfkit-simd.wasm', import.meta.url),
  'nmfkit-simd-full.wasm': () => new URL('../dist/nmfkit-simd-full.wasm', import.meta.url),
  'nmfkit.wasm': () => new URL('../dist/nmfkit.wasm', import.meta.url),
};
// Threads by default only where SharedArrayBuffer is (a cross-origin-isolated page): one
// per core, at most 4 (./threads.browser.js)
const platform = {
  threads: () => (globalThis.crossOriginIsolated ? Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1)) : 1),
  pool: () => import('./threads.browser.js'),
};
const defaultUrl = (file) => URLS[file]();
const read = (src) => fetch(src instanceof URL ? src : new URL(src, base()));

/**
 * Instantiates nmfkit. options.simd: true/false forces the SIMD/baseline module (default:
 * SIMD where supported); options.wasm (and wasmFull): a WebAssembly.Module, bytes, a
 * Response or a URL instead of the bundled module (bundlers: pass the URL of
 * 'nmfkit/nmfkit-simd.wasm', and of 'nmfkit/nmfkit-simd-full.wasm' as wasmFull);
 * options.features: 'full' loads the module with every feature at once.
 */
export function load(options = {}) {
  return loadWith(options, defaultUrl, read, platform);
}

/**
 * Runs nmfkit in a module Worker; resolves to { simd, kernel, version, fit, terminate }.
 * options.worker: a Worker already running 'nmfkit/worker'; options.startTimeout: ms to
 * wait for it to answer (NmfError 'worker_failed' then).
 */
export function createWorker(options = {}) {
  const { worker: given, startTimeout, ...loadOptions } = options;
  // the worker resolves a string against its own script URL: make it absolute here, so a
  // relative one means relative to the page (as in load())
  for (const k of ['wasm', 'wasmFull']) {
    const v = loadOptions[k];
    if (v instanceof URL || typeof v === 'string') loadOptions[k] = new URL(v, base()).href;
  }
  const w = given || new Worker(new URL('./worker.browser.js', import.meta.url), { type: 'module' });
  return connect(
    {
      post: (m, t) => w.postMessage(m, t),
      listen: (fn) => {
        w.addEventListener('message', (e) => fn(e.data));
        w.addEventListener('error', (e) => fn({ type: FATAL, error: { message: e.message || 'nmfkit: the worker failed to start' } }));
      },
      terminate: () => w.terminate(),
    },
    loadOptions,
    startTimeout,
  );
}
