// The nmfkit API over one instantiated module.
//
// Memory rules (the module's memory can grow during any call that allocates, which
// detaches every typed-array view over the old buffer):
//   - views over memory.buffer are made right before use, never kept across a call in;
//   - every call allocates one block (fit and transforms: X (dense, or a sparse X's three
//     arrays), W, H, workspace; inverseTransform: W, H, W·H) and frees it in `finally`.
import {
  OPTIONS_BYTES, RESULT_BYTES, RES, SCRATCH_BYTES, SIZE, matrixName, readOptions, readResult, roundUp, writeOptions,
} from './abi-marshal.js';
import { FLOAT, allowed, checkKeys, describe, isSparse } from './args.js';
import { NmfError, abortError, bad } from './errors.js';
import { MODULE_FILES, needsFull } from './modules.js';
import { drain, drive } from './schedule.js';

const MAX_BYTES = 2 ** 31; // -sMAXIMUM_MEMORY=2GB; pointers are i32
const NOT_BUILT = 28; // the status (abi.def pins the values)

/**
 * Instantiates a compiled WebAssembly.Module and returns the nmfkit API over it.
 * loadFull: () => Promise<Nmfkit> for the module with every feature, when this one is
 * the Frobenius-only module; fits that need more run there.
 */
export async function fromModule(module, loadFull) {
  const ex = await instantiate(module);
  ex._initialize();
  // the code of the full modules' calls (./sparse.js: sparse X, the SVD) is fetched only with one
  return new Nmfkit(ex, loadFull, ex.nmfkit_solver_start_csr_f32 && (await import('./sparse.js')));
}

// views are re-created lazily: nothing to do when memory grows
const instantiate = async (module) => (await WebAssembly.instantiate(module, { env: { emscripten_notify_memory_growth() {} } })).exports;

/** The API over an initialized threaded instance (./threads.js): pool is its executor, stop() ends the workers. */
// The default modules (float32 only) fit X at its own scale: a largest entry within 2^-60..2^56,
// else the full module, which scales X (README: scale-safe fits).
const ordinary = (X) => {
  let m = 0;
  for (const v of X) m = v > m ? v : m;
  return !m || (m >= 2 ** -60 && m < 2 ** 56);
};

export const fromThreaded = (ex, loadFull, threads, pool, stop) => new Nmfkit(ex, loadFull, undefined, { threads, pool, stop });

class Nmfkit {
  #ex;
  #scratch; // options, result, a size_t: allocated once, reused by every call
  #loadFull; // see fromModule
  #fullP; // promise of the full module's instance, once asked for
  #full; // that instance, once loaded
  #ext; // ./sparse.js (sparse(), svd()) where this module has sparse X

  #exec; // the pool (an nmfkit_executor in wasm memory) of a threaded instance, 0 otherwise
  #stop; // ends its workers

  constructor(ex, loadFull, ext, mt = { threads: 1, pool: 0 }) {
    this.#ex = ex;
    this.#loadFull = loadFull;
    this.#ext = ext;
    this.#exec = mt.pool;
    this.#stop = mt.stop;
    /** Threads that run a fit's loops (the calling one included). */
    this.threads = mt.threads;
    if (ex.nmfkit_sizeof_options() !== OPTIONS_BYTES || ex.nmfkit_sizeof_result() !== RESULT_BYTES)
      throw new NmfError('abi_mismatch', 'nmfkit: the .wasm does not match this wrapper (struct sizes)');
    this.#scratch = ex.nmfkit_wasm_alloc(SCRATCH_BYTES) >>> 0;
    if (!this.#scratch) throw new NmfError('out_of_memory', 'nmfkit: cannot allocate its scratch memory');
    /** The version of the C library in the module. */
    this.version = this.#str(ex.nmfkit_version());
    /** Name of the float32 kernel set: "wasm-relaxed-simd", "wasm-simd128" or "scalar". */
    this.kernel = this.#str(ex.nmfkit_kernel_name_f32(0));
    /** True when a SIMD module (relaxed or SIMD128) runs. */
    this.simd = this.kernel !== 'scalar';
    /** Which module runs: 'relaxed', 'simd' or 'baseline'. */
    this.module = /relaxed/.test(this.kernel) ? 'relaxed' : this.simd ? 'simd' : 'baseline';
  }

  /** Ends the worker threads of a threaded instance (later fits run on the calling thread); no-op otherwise. */
  dispose() {
    if (this.#stop) this.#stop();
    this.#stop = undefined;
    this.#exec = 0;
    this.threads = 1;
  }

  /** The module's WebAssembly.Memory (for diagnostics). */
  get memory() {
    return this.#ex.memory;
  }

  /**
   * Bytes of the module's heap currently allocated (returns to its value after each fit),
   * plus the full module's once it is loaded.
   */
  heapUsed() {
    return (this.#ex.nmfkit_wasm_heap_used() >>> 0) + (this.#full?.heapUsed() ?? 0);
  }

  // Does this fit need the full module? (Also a float64 fit, or X of extreme scale, where this
  // module is a default one: float32 only, X at its own scale.)
  #needsFull(X, options) {
    return needsFull(options, X) || (!this.#ex.nmfkit_solver_start_f64 && !(X instanceof Float32Array && ordinary(X)));
  }

  // The instance for a call that needs the full module or not: this one, or the full
  // module's (null when it has to be loaded first).
  #pick(full) {
    return this.#loadFull && full ? this.#full || null : this;
  }

  #pickSync(X, options) {
    const nmf = this.#pick(this.#needsFull(X, options));
    if (nmf) return nmf;
    throw new NmfError('not_loaded', "nmfkit: this fit runs in the full module, which is not loaded yet: use await nmf.fit() once, or load({ features: 'full' })");
  }

  // The instance for a call that needs the full module or not, loading it if needed.
  async #use(full) {
    const nmf = this.#pick(full);
    if (nmf) return nmf;
    this.#fullP ||= this.#loadFull().catch((e) => {
      this.#fullP = null; // a later call tries again
      throw e;
    });
    return (this.#full = await this.#fullP);
  }

  #dv() {
    return new DataView(this.#ex.memory.buffer);
  }

  #str(p) {
    const h = new Uint8Array(this.#ex.memory.buffer);
    return new TextDecoder().decode(h.slice(p >>> 0, h.indexOf(0, p >>> 0))); // to the NUL; a copy: decode refuses shared memory
  }

  // Calls the module's C function `name`; one this module does not export (the transforms
  // of nmfkit-simd.wasm, given alone as `wasm`) gives not_built.
  #call(name, ...args) {
    const f = this.#ex[name];
    return f ? f(...args) : NOT_BUILT;
  }

  // Throws the NmfError of a failed status, with the bad entry's location from the result
  // at res. s: suffix of the names of W and H in a location ('0': W0, H0 of a custom start);
  // x: X's description, which for a sparse X words a location in X (see ./sparse.js).
  #check(st, res, s = '0', x) {
    if (st === 0) return;
    const code = this.#str(this.#ex.nmfkit_status_name(st)); // = STATUS_NAMES[st] of abi.js (tested)
    let message = this.#str(this.#ex.nmfkit_status_message(st));
    if (code === 'not_built') message += `: everything else needs ${MODULE_FILES.simdFull} or ${MODULE_FILES.baseline}`;
    let details;
    const r = res && readResult(this.#dv(), res);
    const m = r && matrixName(r.badMatrix);
    if (m) {
      const matrix = m === 'X' ? m : m + s;
      details = { matrix, row: r.badRow, col: r.badCol };
      message += m === 'X' && x?.where ? x.where(r, details) : ` (${matrix}[${r.badRow}][${r.badCol}])`;
    }
    throw new NmfError(code, `nmfkit: ${message}`, { status: st, ...details });
  }

  /**
   * Factorizes X ≈ W·H. Runs in slices of `checkEvery` iterations, yielding to the event
   * loop about every 10 ms; onProgress at each check; `signal` cancels.
   */
  async fit(X, options = {}) {
    const signal = options?.signal;
    if (signal?.aborted) throw abortError(signal);
    const nmf = await this.#use(this.#needsFull(X, options));
    if (nmf !== this) return nmf.fit(X, options);
    return drive(this.#run(X, options, 0), signal);
  }

  /** The same fit, synchronously (no yielding, no signal). */
  fitSync(X, options = {}) {
    if (options?.signal !== undefined) throw bad('fitSync does not take a signal; use fit()');
    const nmf = this.#pickSync(X, options);
    return drain(nmf.#run(X, options, 0));
  }

  /**
   * W for X ≈ W·H with H fixed (scikit-learn's NMF.transform), in one call into the
   * module (no slices, no signal). Runs in a full module (the default SIMD module
   * holds only what a Frobenius fit needs): the first call loads it.
   */
  transform(X, options = {}) {
    return this.#use(true).then((nmf) => drain(nmf.#run(X, options, 1)));
  }

  /** H for X ≈ W·H with W fixed. */
  transformColumns(X, options = {}) {
    return this.#use(true).then((nmf) => drain(nmf.#run(X, options, 2)));
  }

  /** W·H (rows × cols, row-major): Float32Array when W and H are, else Float64Array. */
  inverseTransform(W, H, options = {}) {
    checkKeys(options, (k) => /^(rows|rank|cols)$/.test(k));
    const w = describe('W', W, options.rows, options.rank);
    const h = describe('H', H, w.cols, options.cols, 'shape_mismatch');
    const fn = w.type === h.type ? w.type : 'f64';
    if (!this.#ex[`nmfkit_inverse_transform_${fn}`]) {
      // float64 where this module has float32 only (nmfkit-relaxed.wasm): the full module's
      if (this.#full) return this.#full.inverseTransform(W, H, options);
      throw new NmfError('not_loaded', 'nmfkit: float64 runs in the full module, which is not loaded yet: use await nmf.fit() once, or load({ features: \'full\' })');
    }
    const Arr = FLOAT[fn];
    const size = Arr.BYTES_PER_ELEMENT;
    const { rows: n, cols: r } = w;
    const m = h.cols;
    const bw = roundUp(n * r * size);
    const ph = bw + roundUp(r * m * size);
    const ex = this.#ex;
    const block = this.#alloc(ph + n * m * size);
    try {
      const heap = new Arr(ex.memory.buffer);
      w.write(heap, block / size);
      h.write(heap, (block + bw) / size);
      this.#check(ex[`nmfkit_inverse_transform_${fn}`](block, 0, block + bw, 0, n, r, m, block + ph, 0));
      return new Arr(ex.memory.buffer, block + ph, n * m).slice();
    } finally {
      ex.nmfkit_wasm_free(block);
    }
  }

  /**
   * The k leading singular triplets of X (any finite values: centred data too), X ≈ U·diag(S)·Vt:
   * { U (rows × k), S (k, Float64Array, descending), Vt (k × cols), rows, cols, k }. Runs in a
   * full module (the default SIMD module has no SVD), loaded by the first call; the code is
   * ./sparse.js's, which comes with it.
   */
  svd(...args) {
    return this.#inFull('svd', args);
  }

  /** Cross-validated rank selection (./rank.js, bundled into ./sparse.js, as svd). */
  selectRank(...args) {
    return this.#inFull('selectRank', args);
  }

  // A call whose code is ./sparse.js's, in the full module (loaded by the first call).
  #inFull(name, args) {
    return this.#use(true).then((nmf) => nmf.#extension()[name](nmf.#ex, nmf.#scratch + SIZE, describe, bad, ...args));
  }

  // One wasm block of `total` bytes (never 0: C reports the empty dimensions).
  #alloc(total) {
    if (total >= MAX_BYTES)
      throw new NmfError('out_of_memory', `nmfkit: the call needs ${total} bytes of wasm memory, more than the 2 GiB it can have`);
    const block = this.#ex.nmfkit_wasm_alloc(total || 1) >>> 0;
    if (!block) throw new NmfError('out_of_memory', `nmfkit: out of wasm memory allocating ${total} bytes`);
    return block;
  }

  // ./sparse.js, the code of the full modules' calls (not_built in a module without them).
  #extension() {
    if (!this.#ext) this.#check(NOT_BUILT);
    return this.#ext;
  }

  // A sparse X as ./sparse.js describes it.
  #csr(X, options) {
    return this.#extension().sparse(X, options.rows, options.cols, bad);
  }

  /** Bytes of wasm memory fit(X, options) would allocate (X's arrays, W, H and the workspace). */
  bytesNeeded(X, options = {}) {
    const nmf = this.#pickSync(X, options);
    if (nmf !== this) return nmf.bytesNeeded(X, options);
    return this.#plan(X, options).total;
  }

  // Validates the arguments (JS types here, the rest in C) and lays out the one block.
  // mode: 0 fit, 1 transform (H fixed), 2 transformColumns (W fixed).
  #plan(X, options, mode = 0) {
    checkKeys(options, (k) => allowed(k, mode));
    const { onProgress } = options;
    if (onProgress !== undefined && typeof onProgress !== 'function') throw bad('onProgress must be a function');
    const x = isSparse(X) ? this.#csr(X, options) : describe('X', X, options.rows, options.cols);
    const csr = x.put ? '_csr' : '';
    // the fixed factor of a transform sets the rank
    const tsm = 'transform_shape_mismatch';
    const fh = mode === 1 ? describe('H', options.H, options.rank, x.cols, tsm) : null;
    const fw = mode === 2 ? describe('W', options.W, x.rows, options.rank, tsm) : null;
    const custom = options.init === 'custom';
    if (custom !== (options.W0 !== undefined || options.H0 !== undefined)) {
      if (custom) throw bad("init: 'custom' needs W0 and H0");
      throw bad("W0 and H0 are used only with init: 'custom'");
    }
    const ex = this.#ex;
    const fn = x.type;
    const size = FLOAT[fn].BYTES_PER_ELEMENT;
    const opt = this.#scratch;
    const n = x.rows;
    const m = x.cols;
    if (n > 0xffffffff || m > 0xffffffff) throw new NmfError('size_overflow', 'nmfkit: X is too large for wasm32');
    // options into the scratch struct (C defaults first), then the workspace size: C
    // validates rank, tol, epsilon, checkEvery, the dimensions and size_t overflow. The JS
    // default solver is mu (C's auto would be hals in the full module only: the default ones have MU)
    ex.nmfkit_options_default(opt);
    writeOptions(this.#dv(), opt, { ...options, solver: options.solver ?? 'mu', ...(mode && { rank: fh ? fh.rows : fw.cols }) });
    this.#check(this.#call(`nmfkit_workspace_size${csr}_${fn}`, ...(x.dims || [n, m]), opt, opt + SIZE));
    const dv = this.#dv();
    const wsBytes = dv.getUint32(opt + SIZE, true); // size_t is 32-bit
    const { rank, checkEvery: every } = readOptions(dv, opt);
    const plan = { x, csr, fn, size, n, m, rank, onProgress, wsBytes, every };
    plan.w = custom ? describe('W0', options.W0, n, rank) : fw;
    plan.h = custom ? describe('H0', options.H0, rank, m) : fh;
    plan.bx = csr ? x.bytes : roundUp(n * m * size);
    plan.bw = roundUp(n * rank * size);
    plan.bh = roundUp(rank * m * size);
    plan.total = plan.bx + plan.bw + plan.bh + wsBytes;
    return plan;
  }

  // The fit as a generator: one step per slice of iterations (a transform: one call).
  *#run(X, options, mode) {
    const { x, csr, fn, size, n, m, rank, w, h, onProgress, wsBytes, every, bx, bw, bh, total } = this.#plan(X, options, mode);
    const ex = this.#ex;
    const Arr = FLOAT[fn];
    const opt = this.#scratch; // the options #plan wrote stay there until start reads them
    const res = opt + RES;
    const block = this.#alloc(total);
    try {
      const px = block;
      const pw = px + bx;
      const ph = pw + bw;
      const pws = ph + bh;
      let heap = new Arr(ex.memory.buffer); // memory may have grown in alloc
      // X's arguments: dense (X, n, m, ldx), sparse (n, m, nnz, indptr, indices, values)
      const xa = csr ? x.put(ex.memory.buffer, px) : (x.write(heap, px / size), [px, n, m, 0]);
      if (w) w.write(heap, pw / size);
      if (h) h.write(heap, ph / size);
      if (mode) {
        // nmfkit_transform*(X..., fixed, ld, solved, ld, opt, ws, bytes, res, no progress callback)
        const [f, o] = mode === 1 ? [ph, pw] : [pw, ph];
        this.#check(this.#call(`nmfkit_transform${mode === 1 ? '' : '_columns'}${csr}_${fn}`, ...xa, f, 0, o, 0, opt, pws, wsBytes, res, 0, 0), res, '', x);
      } else {
        const start = this.#exec ? ex[`nmfkit_solver_start_ex_${fn}`] : ex[`nmfkit_solver_start${csr}_${fn}`];
        this.#check(start(...xa, pw, 0, ph, 0, opt, pws, wsBytes, res, this.#exec), res, '0', x);
        let r = readResult(this.#dv(), res);
        while (!r.done) {
          yield;
          this.#check(ex[`nmfkit_solver_run_${fn}`](pws, every, res), res);
          r = readResult(this.#dv(), res);
          if (onProgress) onProgress({ iteration: r.iterations, loss: r.loss, relativeError: r.relativeError, objective: r.objective });
        }
        this.#check(ex[`nmfkit_solver_finish_${fn}`](pws, res), res);
      }
      const r = readResult(this.#dv(), res);
      heap = new Arr(ex.memory.buffer);
      return {
        ...(mode === 2 ? {} : { W: heap.slice(pw / size, pw / size + n * rank) }),
        ...(mode === 1 ? {} : { H: heap.slice(ph / size, ph / size + rank * m) }),
        rows: n,
        cols: m,
        rank,
        iterations: r.iterations,
        loss: r.loss,
        relativeError: r.relativeError,
        objective: r.objective,
        converged: r.converged !== 0,
        observed: r.observed,
      };
    } finally {
      ex.nmfkit_wasm_free(block);
    }
  }
}
