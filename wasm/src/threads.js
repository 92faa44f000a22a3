// Threaded instances (nmfkit-relaxed-mt.wasm, nmfkit-simd-mt.wasm): one shared
// WebAssembly.Memory, the module instantiated here (the thread that calls fit) and in
// threads − 1 pool workers (pool-worker.*.js), each with its own stack in that memory. The
// executor is C (wasm/pool.cpp): fit() passes it to nmfkit_solver_start_ex_*, and each
// slice's loops run as tasks on every thread. Imported by load.js only for such a module,
// so a page with one thread never fetches this file; ./threads.browser.js and
// ./threads.node.js add how a pool worker starts and where the threaded modules are. It
// imports nothing of the wrapper: load.js hands it NmfError and fromThreaded (one copy of
// each in the minified dist/ files).

const PAGE = 65536;
const STACK = 1 << 18; // bytes of stack per worker (the kernels need < 16 KiB)

// A page's main thread may not wait (Atomics.wait throws there): its fits spin instead.
function canWait() {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/** Throws unless `threads` threads can run here (an integer in [1, 64]; SharedArrayBuffer, which a page has only when cross-origin isolated). */
export function check(threads, NmfError) {
  if (!Number.isInteger(threads) || threads < 1 || threads > 64)
    throw new NmfError('invalid_argument', `nmfkit: threads must be an integer in [1, 64]; got ${String(threads)}`);
  if (threads > 1 && (typeof SharedArrayBuffer !== 'function' || globalThis.crossOriginIsolated === false))
    throw new NmfError('threads_unavailable', 'nmfkit: threads need SharedArrayBuffer, which a page has only when cross-origin isolated (served with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp); use threads: 1');
}

const instantiate = async (module, memory) =>
  (await WebAssembly.instantiate(module, { env: { memory, emscripten_notify_memory_growth() {} } })).exports;

/**
 * The nmfkit API over a threaded module with `threads` threads (1: no worker).
 * spawn() starts a pool worker: { post(msg), listen(fn), terminate(), unref?() }.
 */
export async function threaded(module, loadFull, threads, spawn, { NmfError, fromThreaded }) {
  check(threads, NmfError);
  // 2 MiB at first, growing to 2 GiB as a fit needs (the module's --initial/--max-memory)
  const memory = new WebAssembly.Memory({ initial: 32, maximum: 2 ** 31 / PAGE, shared: true });
  const ex = await instantiate(module, memory);
  ex._initialize();
  const pool = ex.nmfkit_wasm_pool_init(canWait() ? 1 : 0) >>> 0;
  if (!pool) throw new NmfError('out_of_memory', 'nmfkit: cannot allocate the thread pool');
  const workers = [];
  const stop = () => {
    ex.nmfkit_wasm_pool_stop(pool);
    for (const w of workers) w.terminate();
  };
  try {
    await Promise.all(
      Array.from({ length: threads - 1 }, () => {
        const stack = ex.nmfkit_wasm_alloc(STACK) >>> 0;
        if (!stack) throw new NmfError('out_of_memory', 'nmfkit: cannot allocate a worker stack');
        const w = spawn();
        workers.push(w);
        return new Promise((resolve, reject) => {
          w.listen((m) => {
            if (m === 'ready') resolve();
            else reject(new NmfError('worker_failed', `nmfkit: a pool worker failed: ${m && m.message ? m.message : String(m)}`));
          });
          w.post({ module, memory, pool, stack: stack + STACK });
        });
      }),
    );
  } catch (e) {
    stop();
    throw e;
  }
  for (const w of workers) if (w.unref) w.unref(); // a Node process need not wait for them
  return fromThreaded(ex, loadFull, threads, pool, stop);
}

/** A pool worker's side: instantiate over the shared memory, then run tasks until stopped. */
export async function work({ module, memory, pool, stack }, post) {
  try {
    const ex = await instantiate(module, memory); // the start function copies no data twice
    ex.__stack_pointer.value = stack; // its own stack (never _initialize: one heap for all)
    post('ready');
    ex.nmfkit_wasm_pool_work(pool);
  } catch (e) {
    post({ message: e && e.message ? e.message : String(e) });
  }
}
