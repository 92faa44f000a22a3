// Threads in Node: ./threads.js with worker_threads as pool workers, and the threaded
// modules' URLs (literal new URL(…, import.meta.url), as in node.js).
import { Worker } from 'node:worker_threads';
import { threaded as run } from './threads.js';

export { check } from './threads.js';

const URLS = {
  relaxed: () => new URL('../dist/nmfkit-relaxed-mt.wasm', import.meta.url),
  simd: () => new URL('../dist/nmfkit-simd-mt.wasm', import.meta.url),
};
/** The threaded module of 'relaxed' or 'simd'. */
export const url = (module) => URLS[module]();

function spawn() {
  const w = new Worker(new URL('./pool-worker.node.js', import.meta.url));
  return {
    post: (m) => w.postMessage(m),
    listen: (fn) => {
      w.on('message', fn);
      w.on('error', (e) => fn(e));
    },
    terminate: () => w.terminate(),
    unref: () => w.unref(),
  };
}

export const threaded = (module, loadFull, threads, api) => run(module, loadFull, threads, spawn, api);
