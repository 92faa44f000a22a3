// The page side of createWorker(): the nmfkit API over a Worker, every call a promise.
import { NmfError, abortError } from './errors.js';
import { ABORT, CALLS, ERROR, FATAL, FIT, LOAD, LOADED, PROGRESS, RESULT, STARTED, UNKNOWN } from './protocol.js';

const TYPED = (v) => ArrayBuffer.isView(v) && !(v instanceof DataView);

// port: { post(msg, transfer), listen(fn), terminate(), ref?(), unref?() }
// startTimeout: ms within which the worker must acknowledge the first call.
export function connect(port, loadOptions, startTimeout = 15000) {
  let next = 1;
  let timer;
  const calls = new Map(); // id -> { resolve, reject, onProgress }
  const settle = () => {
    if (calls.size === 0 && port.unref) port.unref();
  };
  // the worker itself failed (could not start, uncaught error, exited): fail every call
  const fatal = (message) => {
    clearTimeout(timer);
    for (const c of calls.values()) c.reject(new NmfError('worker_failed', message));
    calls.clear();
    settle();
  };
  port.listen((msg) => {
    if (msg.type === FATAL) return fatal(msg.error.message);
    clearTimeout(timer); // it answers: STARTED at once (an older nmfkit/worker: its first reply)
    const c = calls.get(msg.id);
    if (!c || msg.type === STARTED) return;
    if (msg.type === PROGRESS) {
      if (c.onProgress) c.onProgress(msg.progress);
      return;
    }
    calls.delete(msg.id);
    settle();
    if (msg.type === ERROR) c.reject(rebuild(msg.error));
    else if (msg.type === LOADED || msg.type === RESULT) c.resolve(msg.type === LOADED ? msg.info : msg.result);
    else c.reject(new NmfError(UNKNOWN, `nmfkit: the worker sent a reply of unknown type ${String(msg.type)}`));
  });
  const call = (msg, transfer, onProgress) => {
    const id = next++;
    if (port.ref) port.ref();
    const p = new Promise((resolve, reject) => calls.set(id, { resolve, reject, onProgress }));
    port.post({ ...msg, id }, transfer);
    return { id, p };
  };

  let terminated = false;
  const gone = () => new NmfError('terminated', 'nmfkit: the worker was terminated');
  const api = {
    /**
     * Same as nmf.fit() in the worker. X is copied unless options.transfer is true (then
     * X's buffer (a sparse X's indptr, indices and values buffers), and W0/H0's, are moved
     * to the worker and become unusable here).
     */
    fit(X, options = {}) {
      return run('fit', X, options);
    },
    /** Same as nmf.selectRank() in the worker (X copied, or moved with options.transfer). */
    selectRank(X, options = {}) {
      return run('selectRank', X, options);
    },
    /** Stops the worker (and its pool workers); pending fits reject. dispose() is the same. */
    terminate() {
      terminated = true;
      for (const c of calls.values()) c.reject(gone());
      calls.clear();
      return port.terminate();
    },
    dispose() {
      return api.terminate();
    },
  };
  // fit() and selectRank(): progress, abort, transfer
  function run(method, X, options) {
    if (terminated) return Promise.reject(gone());
    const { onProgress, signal, transfer, ...rest } = options || {};
    if (signal && signal.aborted) return Promise.reject(abortError(signal));
    const moved = [];
    if (transfer)
      for (const v of [X, X?.indptr, X?.indices, X?.values, rest.W0, rest.H0])
        if (TYPED(v) && !moved.includes(v.buffer)) moved.push(v.buffer);
    const msg = { type: FIT, X, options: rest, progress: typeof onProgress === 'function' };
    if (method !== 'fit') msg.method = method;
    const { id, p } = call(msg, moved, onProgress);
    if (!signal) return p;
    const onAbort = () => {
      port.post({ type: ABORT, id });
      const c = calls.get(id);
      if (c) {
        calls.delete(id);
        settle();
        c.reject(abortError(signal));
      }
    };
    signal.addEventListener('abort', onAbort, { once: true });
    return p.finally(() => signal.removeEventListener('abort', onAbort));
  }
  // Same as nmf.transform() / transformColumns() / inverseTransform() in the worker: the
  // arguments are copied, the result's arrays moved back.
  for (const type of CALLS)
    api[type] = async (...args) => {
      if (terminated) throw gone();
      return call({ type, args }).p;
    };
  const loaded = call({ type: LOAD, options: loadOptions }).p;
  // A Worker that does not run nmfkit/worker (another script; a bundler that dropped
  // `import 'nmfkit/worker'`) never answers: give up on it.
  timer = setTimeout(() => {
    fatal(`nmfkit: no answer from the worker in ${startTimeout} ms: does it run nmfkit/worker?`);
    api.terminate();
  }, startTimeout);
  return loaded.then((info) => Object.assign(api, info));
}

function rebuild(e) {
  if (e.name === 'AbortError') return abortError();
  const { name, message, code, ...details } = e;
  if (name === 'NmfError' || code) return new NmfError(code, message, details);
  const err = new Error(message);
  err.name = name || 'Error';
  return err;
}
