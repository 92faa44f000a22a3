// Threads in browsers: ./threads.js with module Workers as pool workers, and the threaded
// modules' URLs (literal new URL(…, import.meta.url), as in browser.js, for bundlers).
import { threaded as run } from './threads.js';

export { check } from './threads.js';

const URLS = {
  relaxed: () => new URL('../dist/nmfkit-relaxed-mt.wasm', import.meta.url),
  simd: () => new URL('../dist/nmfkit-simd-mt.wasm', import.meta.url),
};
// What an entry gives when it loads this file as a plain asset (dist/browser.webpack.js:
// webpack copies the file without rewriting the URLs in it): the threaded modules' URLs and
// a function starting a pool worker, { relaxed, simd, worker }.
let given;
/** Where the threaded modules and the pool worker are, when not next to this file. */
export const use = (urls) => {
  given = urls;
};
/** The threaded module of 'relaxed' or 'simd'. */
export const url = (module) => (given ? given[module] : URLS[module]());

function spawn() {
  const w = given ? given.worker() : new Worker(new URL('./pool-worker.browser.js', import.meta.url), { type: 'module' });
  return {
    post: (m) => w.postMessage(m),
    listen: (fn) => {
      w.addEventListener('message', (e) => fn(e.data));
      w.addEventListener('error', (e) => fn({ message: e.message || 'the worker failed to start' }));
    },
    terminate: () => w.terminate(),
  };
}

export const threaded = (module, loadFull, threads, api) => run(module, loadFull, threads, spawn, api);
