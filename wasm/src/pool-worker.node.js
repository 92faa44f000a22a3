// A pool worker of a threaded instance in Node (worker_threads; see threads.js).
import { parentPort } from 'node:worker_threads';
import { work } from './threads.js';

parentPort.once('message', (m) => work(m, (r) => parentPort.postMessage(r)));
