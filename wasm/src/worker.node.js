// Worker entry for Node (worker_threads): `nmfkit/worker`. Started by createWorker().
import { isMainThread, parentPort } from 'node:worker_threads';
import { load } from './node.js';
import { serve } from './worker-impl.js';

if (!isMainThread && parentPort) serve(load, (m, t) => parentPort.postMessage(m, t), (fn) => parentPort.on('message', fn));
