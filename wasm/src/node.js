// nmfkit for Node >= 18: the .wasm files are read from disk (Node's fetch cannot read
// file: URLs); http(s) URLs are fetched.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { connect } from './client.js';
import { loadWith } from './core.js';
import { FATAL } from './protocol.js';

export { NmfError, relaxedSupported, simdSupported } from './core.js';

// literal URLs, as in browser.js (bundlers targeting Node see them too)
const URLS = {
  'nmfkit-relaxed.wasm': () => new URL('../dist/nmfkit-relaxed.wasm', import.meta.url),
  'nmfkit-simd.wasm': () => new URL('../dist/nmfkit-simd.wasm', import.meta.url),
  'nmfkit-simd-full.wasm': () => new URL('../dist/nmfkit-simd-full.wasm', import.meta.url),
  'nmfkit.wasm': () => new URL('../dist/nmfkit.wasm', import.meta.url),
};
// Node: one thread unless asked for (threads: n; ./threads.node.js)
const platform = { threads: () => 1, pool: () => import('./threads.node.js') };
const defaultUrl = (file) => URLS[file]();

async function read(src) {
  const url = src instanceof URL ? src : /^[a-z][a-z0-9+.-]+:/i.test(src) ? new URL(src) : pathToFileURL(resolve(src));
  return url.protocol === 'file:' ? readFile(url) : fetch(url);
}

/**
 * Instantiates nmfkit. options.simd: true/false forces the SIMD/baseline module (default:
 * SIMD where supported); options.wasm (and wasmFull): a WebAssembly.Module, bytes, a
 * Response, a URL or a file path instead of the bundled module; options.features: 'full'
 * loads the module with every feature at once.
 */
export function load(options = {}) {
  return loadWith(options, defaultUrl, read, platform);
}

/**
 * Runs nmfkit in a worker thread; resolves to { simd, kernel, version, fit, terminate }.
 * options.worker: a Worker already running 'nmfkit/worker'; options.startTimeout: ms to
 * wait for it to answer (NmfError 'worker_failed' then).
 */
export function createWorker(options = {}) {
  const { worker: given, startTimeout, ...loadOptions } = options;
  for (const k of ['wasm', 'wasmFull']) if (loadOptions[k] instanceof URL) loadOptions[k] = loadOptions[k].href;
  const w = given || new Worker(new URL('./worker.node.js', import.meta.url));
  return connect(
    {
      post: (m, t) => w.postMessage(m, t),
      listen: (fn) => {
        w.on('message', fn);
        w.on('error', (e) => fn({ type: FATAL, error: { message: e.message } }));
        w.on('exit', (code) => fn({ type: FATAL, error: { message: `nmfkit: the worker exited (code ${code})` } }));
      },
      terminate: () => w.terminate(),
      ref: () => w.ref(),
      unref: () => w.unref(),
    },
    loadOptions,
    startTimeout,
  );
}
