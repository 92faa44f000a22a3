// Worker entry for browsers (module Worker): `nmfkit/worker`. Started by createWorker().
import { load } from './browser.js';
import { serve } from './worker-impl.js';

if (typeof WorkerGlobalScope !== 'undefined' && globalThis instanceof WorkerGlobalScope)
  serve(load, (m, t) => globalThis.postMessage(m, t), (fn) => globalThis.addEventListener('message', (e) => fn(e.data)));
