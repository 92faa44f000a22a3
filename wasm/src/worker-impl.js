// The worker side of createWorker(): runs fits on a message port. Shared by the Node
// (worker_threads) and browser (Worker) entries, which supply post/listen.
// Messages in:  { id, type: 'load', options } | { id, type: 'fit', X, options, progress }
//               | { id, type: 'transform' | 'transformColumns' | 'inverseTransform', args }
//               | { id, type: 'abort' }
// Messages out: { id, type: 'loaded', info } | { id, type: 'progress', progress }
//               | { id, type: 'result', result } | { id, type: 'error', error }
export function serve(load, post, listen) {
  let nmf;
  const running = new Map(); // id -> AbortController
  const fail = (id, e) =>
    post({
      id,
      type: 'error',
      error: e && typeof e === 'object' ? { ...e, name: e.name, message: e.message, code: e.code } : { message: String(e) },
    });
  listen(async (msg) => {
    const { id, type } = msg;
    if (type === 'abort') {
      const ac = running.get(id);
      if (ac) ac.abort();
      return;
    }
    try {
      if (type === 'load') {
        nmf = await load(msg.options);
        post({ id, type: 'loaded', info: { simd: nmf.simd, kernel: nmf.kernel, version: nmf.version } });
      } else if (type === 'fit') {
        const ac = new AbortController();
        running.set(id, ac);
        const options = { ...msg.options, signal: ac.signal };
        if (msg.progress) options.onProgress = (p) => post({ id, type: 'progress', progress: p });
        try {
          const result = await nmf.fit(msg.X, options);
          post({ id, type: 'result', result }, [result.W.buffer, result.H.buffer]);
        } finally {
          running.delete(id);
        }
      } else if (/^(transform|transformColumns|inverseTransform)$/.test(type)) {
        const result = await nmf[type](...msg.args);
        post({ id, type: 'result', result }, (ArrayBuffer.isView(result) ? [result] : [result.W || result.H]).map((a) => a.buffer));
      }
    } catch (e) {
      fail(id, e);
    }
  });
}
