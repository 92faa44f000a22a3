// The messages between createWorker()'s page side (client.js) and the worker
// (worker-impl.js). Every request carries an id; every reply names the id it answers.
// Page → worker:  { id, type: LOAD, options } | { id, type: FIT, X, options, progress, method? }
//                 | { id, type: one of CALLS, args } | { id, type: ABORT }
// Worker → page:  { id, type: STARTED } (at once, on LOAD) | { id, type: LOADED, info } | { id, type: PROGRESS, progress }
//                 | { id, type: RESULT, result } | { id, type: ERROR, error }
// A request of a type the worker does not know gets an ERROR reply with code UNKNOWN.
// FATAL is made on the page side when the worker itself fails (no id: every call fails
// with NmfError 'worker_failed', as when no STARTED comes within createWorker's startTimeout).
export const LOAD = 'load';
export const FIT = 'fit';
export const ABORT = 'abort';
export const STARTED = 'started';
export const LOADED = 'loaded';
export const PROGRESS = 'progress';
export const RESULT = 'result';
export const ERROR = 'error';
export const FATAL = 'fatal';
/** FIT's method: 'fit' (default) or 'selectRank' (both with progress and abort). */
export const FIT_METHODS = ['fit', 'selectRank'];
/** The instance methods forwarded as { type: name, args }. */
export const CALLS = ['transform', 'transformColumns', 'inverseTransform', 'svd'];
/** The NmfError code of a reply to a message type the other side does not know. */
export const UNKNOWN = 'unknown_message';
