// A pool worker of a threaded instance in a browser (a module Worker; see threads.js).
import { work } from './threads.js';

self.addEventListener('message', (e) => work(e.data, (r) => self.postMessage(r)), { once: true });
