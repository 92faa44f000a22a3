// The worker side of createWorker(): runs fits on a message port. Shared by the Node
// (worker_threads) and browser (Worker) entries, which supply post/listen. The messages
// are in protocol.js.
import { ABORT, CALLS, ERROR, FIT, FIT_METHODS, LOAD, LOADED, PROGRESS, RESULT, STARTED, UNKNOWN } from './protocol.js';

export function serve(load, post, listen) {
  let nmf;
  const running = new Map(); // id -> AbortController
  const fail = (id, e) =>
    post({
      id,
      type: ERROR,
      error: e && typeof e === 'object' ? { ...e, name: e.name, message: e.message, code: e.code } : { message: String(e) },
    });
  listen(async (msg) => {
    const { id, type } = msg && typeof msg === 'object' ? msg : {};
    if (type === ABORT) {
      const ac = running.get(id);
      if (ac) ac.abort();
      return;
    }
    try {
      if (type === LOAD) {
        post({ id, type: STARTED }); // the page stops waiting for a worker that never starts
        nmf = await load(msg.options);
        post({ id, type: LOADED, info: { simd: nmf.simd, kernel: nmf.kernel, version: nmf.version, module: nmf.module, threads: nmf.threads } });
      } else if (type === FIT) {
        const ac = new AbortController();
        running.set(id, ac);
        const options = { ...msg.options, signal: ac.signal };
        if (msg.progress) options.onProgress = (p) => post({ id, type: PROGRESS, progress: p });
        try {
          const method = msg.method === undefined ? 'fit' : msg.method;
          if (!FIT_METHODS.includes(method)) throw { name: 'NmfError', code: UNKNOWN, message: `nmfkit: the worker does not know the method ${String(method)}` };
          const result = await nmf[method](msg.X, options);
          post({ id, type: RESULT, result }, method === 'fit' ? [result.W.buffer, result.H.buffer] : []);
        } finally {
          running.delete(id);
        }
      } else if (CALLS.includes(type)) {
        const result = await nmf[type](...msg.args);
        // the result's arrays move back: a typed array, or those of { W | H } and svd's { U, S, Vt }
        post({ id, type: RESULT, result }, (ArrayBuffer.isView(result) ? [result] : Object.values(result).filter((v) => ArrayBuffer.isView(v))).map((a) => a.buffer));
      } else {
        // a page running another version of nmfkit, or not nmfkit: answer, never leave it waiting
        fail(id, { name: 'NmfError', code: UNKNOWN, message: `nmfkit: the worker does not know the message type ${String(type)}` });
      }
    } catch (e) {
      fail(id, e);
    }
  });
}
