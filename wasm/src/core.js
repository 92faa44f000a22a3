// nmfkit: the platform-neutral part of the wrapper around the standalone nmfkit .wasm
// modules (no Emscripten JS glue). node.js and browser.js add how a module file is
// read and how a Worker is started, then re-export this.
//
// Memory rules (the module's memory can grow during any call that allocates, which
// detaches every typed-array view over the old buffer):
//   - views are taken through heap() right before use, never kept across a call in;
//   - every call allocates one block (fit and transforms: X, W, H, workspace;
//     inverseTransform: W, H, W·H) and frees it in `finally`.

import { ENUMS, OPTION_FIELDS, OPTIONS_BYTES, RESULT_BYTES, RESULT_FIELDS } from './abi.js';

const ALIGN = 64; // NMFKIT_WORKSPACE_ALIGNMENT
const MAX_BYTES = 2 ** 31; // -sMAXIMUM_MEMORY=2GB; pointers are i32
// scratch block layout: nmfkit_options at 0, nmfkit_result at RES, a size_t at SIZE
const RES = OPTIONS_BYTES;
const SIZE = RES + RESULT_BYTES;
const SCRATCH_BYTES = SIZE + 8;
// byte offsets of the nmfkit_result fields, by C name
const R = Object.fromEntries(RESULT_FIELDS.map(([name, off]) => [name, off]));

/** Error thrown for every failure except cancellation (AbortError). */
export class NmfError extends Error {
  constructor(code, message, details) {
    super(message);
    this.name = 'NmfError';
    /** The C status name ("x_negative", ...), or "invalid_argument" / "out_of_memory". */
    this.code = code;
    if (details) Object.assign(this, details);
  }
}

const bad = (message, code = 'invalid_argument') => new NmfError(code, message);

export function abortError(signal) {
  if (signal && signal.reason !== undefined) return signal.reason;
  return typeof DOMException === 'function'
    ? new DOMException('The fit was aborted', 'AbortError')
    : Object.assign(new Error('The fit was aborted'), { name: 'AbortError' });
}

// (module (func (result v128) i32.const 0 i8x16.splat)): valid only where SIMD128 is.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 8, 1, 6, 0, 65, 0, 253, 15, 11,
]);

/** True when this engine supports WebAssembly SIMD128 (the faster module). */
export function simdSupported() {
  try {
    return WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

// The SIMD module comes in two flavours: nmfkit-simd.wasm has what every Frobenius fit
// needs (beta = 2, random/custom init, mu, penalties) and is what load() instantiates;
// nmfkit-simd-full.wasm adds beta != 2, NNDSVD and AMU and is instantiated the first
// time a fit asks for one of them. The baseline module has everything.
export const MODULE_FILES = { simd: 'nmfkit-simd.wasm', simdFull: 'nmfkit-simd-full.wasm', baseline: 'nmfkit.wasm' };

// Does a fit with these options need the full module? (Invalid values go there too: its
// checks report them.)
const needsFull = (o) =>
  !!o &&
  ((o.beta !== undefined && o.beta !== 2) ||
    (o.loss !== undefined && o.loss !== 'frobenius') ||
    (typeof o.init === 'string' && o.init.startsWith('nndsvd')) ||
    o.solver === 'amu');

// ---- options: one row per C field of nmfkit_options (src/abi.js, from abi.def), named
// in camelCase, plus `loss`, the names of beta's values; the reserved field stays 0.
// [camelCase name, byte offset, type, allowed string values → C values]
const camel = (s) => s.replace(/_(.)/g, (_, c) => c.toUpperCase());
const OPTIONS = OPTION_FIELDS.filter(([c]) => c !== 'reserved').flatMap(([c, off, type]) => [
  [camel(c), off, type, ENUMS[c]],
  ...(c === 'beta' ? [['loss', off, type, ENUMS.loss]] : []),
]);
const OPTION_NAMES = new Set(OPTIONS.map((o) => o[0]));
// fit() options that are not C fields
const JS_OPTIONS = new Set(['rows', 'cols', 'W0', 'H0', 'onProgress', 'signal']);
// transform() (mode 1: H fixed, W solved) and transformColumns() (mode 2: W fixed) take
// the C fields but seed and init, plus rows, cols and the fixed factor
const allowed = (k, mode) =>
  mode
    ? k === 'rows' || k === 'cols' || k === 'HW'[mode - 1] || (OPTION_NAMES.has(k) && k !== 'seed' && k !== 'init')
    : OPTION_NAMES.has(k) || JS_OPTIONS.has(k);

// Checks that options is an object whose keys all pass ok(key).
function checkKeys(options, ok) {
  if (options === null || typeof options !== 'object') throw bad('options must be an object');
  for (const k of Object.keys(options)) if (!ok(k)) throw bad(`unknown option ${k}`);
}

function writeOptions(dv, ptr, opts) {
  if (opts.beta !== undefined && opts.loss !== undefined) throw bad('pass beta or loss, not both');
  for (const [name, off, type, values] of OPTIONS) {
    let v = opts[name];
    if (v === undefined) continue;
    if (values) {
      if (!Object.prototype.hasOwnProperty.call(values, v))
        throw bad(`${name} must be one of ${Object.keys(values).map((k) => `'${k}'`).join(', ')}; got ${String(v)}`);
      v = values[v];
    }
    const p = ptr + off;
    if (type === 'f64') {
      if (typeof v !== 'number') throw bad(`${name} must be a number; got ${typeof v}`);
      dv.setFloat64(p, v, true);
    } else if (type === 'u64') {
      if (typeof v === 'bigint') {
        if (v < 0n || v >= 2n ** 64n) throw bad(`${name} must fit in 64 bits unsigned; got ${v}`);
      } else if (!Number.isSafeInteger(v) || v < 0) {
        throw bad(`${name} must be a non-negative integer; got ${String(v)}`);
      }
      dv.setBigUint64(p, BigInt(v), true);
    } else if (type === 'u32') {
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff)
        throw bad(`${name} must be an integer in [0, 2^32); got ${String(v)}`);
      dv.setUint32(p, v, true);
    } else {
      dv.setInt32(p, v, true);
    }
  }
}

// ---- matrices -------------------------------------------------------------------
const FLOAT = { f32: Float32Array, f64: Float64Array };

// A matrix argument as { type, rows, cols, write(heapView, elementOffset) }.
// Accepts Float32Array / Float64Array (row-major; other typed arrays and plain arrays of
// numbers are read as float64) or an array of rows (arrays or typed arrays of numbers).
// A shape that disagrees with rows / cols throws `code`.
function describe(name, value, rows, cols, code) {
  const fix = (what, v) => {
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 0))
      throw bad(`${what} must be a non-negative integer; got ${String(v)}`);
    return v;
  };
  rows = fix(`${name} rows`, rows);
  cols = fix(`${name} cols`, cols);
  const flat = ArrayBuffer.isView(value) && !(value instanceof DataView);
  if (flat || (Array.isArray(value) && (value.length === 0 || !isRow(value[0])))) {
    if (!flat) checkNumbers(name, value, 0);
    const type = value instanceof Float32Array ? 'f32' : 'f64';
    const n = value.length;
    if (rows === undefined && cols === undefined) throw bad(`${name}: pass rows and cols for a flat array`);
    if (rows === undefined) rows = cols === 0 ? 0 : n / cols;
    if (cols === undefined) cols = rows === 0 ? 0 : n / rows;
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows * cols !== n)
      throw bad(`${name} has ${n} elements, expected rows × cols = ${rows} × ${cols}`, code);
    return { type, rows, cols, write: (h, at) => h.set(value, at) };
  }
  if (!Array.isArray(value))
    throw bad(`${name} must be a Float32Array, a Float64Array or an array of rows`);
  const r = value.length;
  const c = r ? value[0].length : 0;
  if (rows !== undefined && rows !== r) throw bad(`${name} has ${r} rows, expected ${rows}`, code);
  if (cols !== undefined && cols !== c) throw bad(`${name} has ${c} columns, expected ${cols}`, code);
  for (let i = 0; i < r; i++) {
    const row = value[i];
    if (!isRow(row)) throw bad(`${name} row ${i} is not an array`);
    if (row.length !== c) throw bad(`${name} row ${i} has ${row.length} entries, row 0 has ${c}`);
    if (Array.isArray(row)) checkNumbers(name, row, i);
  }
  return {
    type: 'f64',
    rows: r,
    cols: c,
    write: (h, at) => {
      for (let i = 0; i < r; i++) h.set(value[i], at + i * c);
    },
  };
}

function isRow(v) {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

function checkNumbers(name, a, row) {
  for (let j = 0; j < a.length; j++)
    if (typeof a[j] !== 'number') throw bad(`${name}[${row}][${j}] is not a number (${typeof a[j]})`);
}

const roundUp = (n) => Math.ceil(n / ALIGN) * ALIGN;

// ---- yielding between slices: setImmediate (Node) > MessageChannel > setTimeout
// Not scheduler.yield(): Chromium runs its continuations ahead of message events and
// timers, so a fit in a Worker never saw the 'abort' message (nor any later fit), and on
// the main thread setTimeout / AbortSignal.timeout() never fired during a fit.
// A MessageChannel message is an ordinary task, queued behind those already waiting.
let channel;
const pending = [];
function yieldToEventLoop() {
  if (typeof setImmediate === 'function') return new Promise((r) => setImmediate(r));
  if (typeof MessageChannel === 'function') {
    if (!channel) {
      channel = new MessageChannel();
      channel.port1.onmessage = () => pending.shift()();
    }
    return new Promise((r) => {
      pending.push(r);
      channel.port2.postMessage(0);
    });
  }
  return new Promise((r) => setTimeout(r, 0));
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

// ---- the instance -----------------------------------------------------------------
/**
 * Instantiates a compiled WebAssembly.Module and returns the nmfkit API over it.
 * loadFull: () => Promise<Nmfkit> for the module with every feature, when this one is
 * the Frobenius-only module; fits that need more run there.
 */
export async function fromModule(module, loadFull) {
  const { exports: ex } = await WebAssembly.instantiate(module, {
    env: { emscripten_notify_memory_growth() {} }, // views are re-created lazily
  });
  ex._initialize();
  return new Nmfkit(ex, loadFull);
}

class Nmfkit {
  #ex;
  #scratch; // options, result, a size_t: allocated once, reused by every call
  #u8 = new Uint8Array(0);
  #loadFull; // see fromModule
  #fullP; // promise of the full module's instance, once asked for
  #full; // that instance, once loaded

  constructor(ex, loadFull) {
    this.#ex = ex;
    this.#loadFull = loadFull;
    if (ex.nmfkit_sizeof_options() !== OPTIONS_BYTES || ex.nmfkit_sizeof_result() !== RESULT_BYTES)
      throw new NmfError('abi_mismatch', 'nmfkit: the .wasm does not match this wrapper (struct sizes)');
    this.#scratch = ex.nmfkit_wasm_alloc(SCRATCH_BYTES) >>> 0;
    if (!this.#scratch) throw new NmfError('out_of_memory', 'nmfkit: cannot allocate its scratch memory');
    /** The version of the C library in the module. */
    this.version = this.#str(ex.nmfkit_version());
    /** Name of the float32 kernel set: "wasm-simd128" or "scalar". */
    this.kernel = this.#str(ex.nmfkit_kernel_name_f32(0));
    /** True when the SIMD128 module runs. */
    this.simd = this.kernel !== 'scalar';
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
    return (this.#ex.nmfkit_wasm_heap_used() >>> 0) + (this.#full ? this.#full.heapUsed() : 0);
  }

  // The instance for a fit with these options: this one, or the full module's (null
  // when it has to be loaded first).
  #pick(options, full = needsFull(options)) {
    return this.#loadFull && full ? this.#full || null : this;
  }

  #pickSync(options) {
    const nmf = this.#pick(options);
    if (nmf) return nmf;
    throw new NmfError('not_loaded', "nmfkit: beta != 2, NNDSVD and AMU run in the full module, which is not loaded yet: use await nmf.fit() once, or load({ features: 'full' })");
  }

  #heap() {
    const buf = this.#ex.memory.buffer;
    if (this.#u8.buffer !== buf) this.#u8 = new Uint8Array(buf);
    return this.#u8;
  }

  #str(p) {
    const h = this.#heap();
    let e = p >>> 0;
    while (h[e]) e++;
    return new TextDecoder().decode(h.subarray(p >>> 0, e));
  }

  // s: suffix of the names of W and H in a location ('0': W0, H0 of a custom start)
  #check(st, res, s = '0') {
    if (st === 0) return;
    const code = this.#str(this.#ex.nmfkit_status_name(st));
    let message = this.#str(this.#ex.nmfkit_status_message(st));
    if (code === 'not_built') message += `: beta != 2, NNDSVD and AMU need ${MODULE_FILES.simdFull} or ${MODULE_FILES.baseline}`;
    let details;
    const dv = new DataView(this.#ex.memory.buffer);
    const m = res && ['', 'X', 'W' + s, 'H' + s][dv.getInt32(res + R.bad_matrix, true)];
    if (m) {
      const row = Number(dv.getBigUint64(res + R.bad_row, true));
      const col = Number(dv.getBigUint64(res + R.bad_col, true));
      message += ` (${m}[${row}][${col}])`;
      details = { matrix: m, row, col };
    }
    throw new NmfError(code, `nmfkit: ${message}`, { status: st, ...details });
  }

  #result(res) {
    const dv = new DataView(this.#ex.memory.buffer);
    return {
      iterations: dv.getUint32(res + R.iterations, true),
      converged: dv.getInt32(res + R.converged, true) !== 0,
      loss: dv.getFloat64(res + R.loss, true),
      relativeError: dv.getFloat64(res + R.relative_error, true),
      objective: dv.getFloat64(res + R.objective, true),
      done: dv.getInt32(res + R.done, true) !== 0,
    };
  }

  /**
   * Factorizes X ≈ W·H. Runs in slices of `checkEvery` iterations, yielding to the event
   * loop about every 10 ms; onProgress at each check; `signal` cancels.
   */
  async fit(X, options = {}) {
    const signal = options && options.signal;
    if (signal && signal.aborted) throw abortError(signal);
    const nmf = await this.#use(options);
    if (nmf !== this) return nmf.fit(X, options);
    const job = this.#run(X, options);
    try {
      let step = job.next();
      let t = now();
      while (!step.done) {
        if (now() - t >= 10) {
          await yieldToEventLoop();
          t = now();
        }
        if (signal && signal.aborted) throw abortError(signal);
        step = job.next();
      }
      return step.value;
    } finally {
      job.return(); // frees the wasm block if the loop stopped early
    }
  }

  // The instance for a call with these options, loading the full module if needed.
  async #use(options, full) {
    const nmf = this.#pick(options, full);
    if (nmf) return nmf;
    this.#fullP ||= this.#loadFull().catch((e) => {
      this.#fullP = null; // a later call tries again
      throw e;
    });
    return (this.#full = await this.#fullP);
  }

  /** The same fit, synchronously (no yielding, no signal). */
  fitSync(X, options = {}) {
    if (options && options.signal !== undefined) throw bad('fitSync does not take a signal; use fit()');
    return this.#pickSync(options).#sync(X, options, 0);
  }

  /**
   * W for X ≈ W·H with H fixed (scikit-learn's NMF.transform), in one call into the
   * module (no slices, no signal). Runs in a full module (the default SIMD module
   * holds only what a Frobenius fit needs): the first call loads it.
   */
  transform(X, options = {}) {
    return this.#use(options, true).then((nmf) => nmf.#sync(X, options, 1));
  }

  /** H for X ≈ W·H with W fixed. */
  transformColumns(X, options = {}) {
    return this.#use(options, true).then((nmf) => nmf.#sync(X, options, 2));
  }

  /** W·H (rows × cols, row-major): Float32Array when W and H are, else Float64Array. */
  inverseTransform(W, H, options = {}) {
    checkKeys(options, (k) => /^(rows|rank|cols)$/.test(k));
    const w = describe('W', W, options.rows, options.rank);
    const h = describe('H', H, w.cols, options.cols, 'shape_mismatch');
    const fn = w.type === h.type ? w.type : 'f64';
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

  // One wasm block of `total` bytes (never 0: C reports the empty dimensions).
  #alloc(total) {
    if (total >= MAX_BYTES)
      throw new NmfError('out_of_memory', `nmfkit: the call needs ${total} bytes of wasm memory, more than the 2 GiB it can have`);
    const block = this.#ex.nmfkit_wasm_alloc(total || 1) >>> 0;
    if (!block) throw new NmfError('out_of_memory', `nmfkit: out of wasm memory allocating ${total} bytes`);
    return block;
  }

  // Runs #run to its end without yielding.
  #sync(X, options, mode) {
    const job = this.#run(X, options, mode);
    try {
      let step = job.next();
      while (!step.done) step = job.next();
      return step.value;
    } finally {
      job.return();
    }
  }

  /** Bytes of wasm memory fit(X, options) would allocate (X, W, H and the workspace). */
  bytesNeeded(X, options = {}) {
    const nmf = this.#pickSync(options);
    if (nmf !== this) return nmf.bytesNeeded(X, options);
    return this.#plan(X, options).total;
  }

  // Validates the arguments (JS types here, the rest in C) and lays out the one block.
  // mode: 0 fit, 1 transform (H fixed), 2 transformColumns (W fixed).
  #plan(X, options, mode = 0) {
    checkKeys(options, (k) => allowed(k, mode));
    const { onProgress } = options;
    if (onProgress !== undefined && typeof onProgress !== 'function') throw bad('onProgress must be a function');
    const x = describe('X', X, options.rows, options.cols);
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
    // validates rank, tol, epsilon, checkEvery, the dimensions and size_t overflow
    ex.nmfkit_options_default(opt);
    writeOptions(new DataView(ex.memory.buffer), opt, mode ? { ...options, rank: fh ? fh.rows : fw.cols } : options);
    this.#check(ex[`nmfkit_workspace_size_${fn}`](n, m, opt, opt + SIZE));
    const dv = new DataView(ex.memory.buffer);
    const wsBytes = dv.getUint32(opt + SIZE, true); // size_t is 32-bit
    const rank = Number(dv.getBigUint64(opt, true));
    const plan = { x, fn, size, n, m, rank, onProgress, wsBytes, every: dv.getUint32(opt + 12, true) };
    plan.w = custom ? describe('W0', options.W0, n, rank) : fw;
    plan.h = custom ? describe('H0', options.H0, rank, m) : fh;
    plan.bx = roundUp(n * m * size);
    plan.bw = roundUp(n * rank * size);
    plan.bh = roundUp(rank * m * size);
    plan.total = plan.bx + plan.bw + plan.bh + wsBytes;
    return plan;
  }

  // The fit as a generator: one step per slice of iterations (a transform: one call).
  *#run(X, options, mode) {
    const { x, fn, size, n, m, rank, w, h, onProgress, wsBytes, every, bx, bw, bh, total } = this.#plan(X, options, mode);
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
      x.write(heap, px / size);
      if (w) w.write(heap, pw / size);
      if (h) h.write(heap, ph / size);
      if (mode) {
        // nmfkit_transform*(X, n, m, ldx, fixed, ld, solved, ld, opt, ws, bytes, res, no progress callback)
        const [f, o] = mode === 1 ? [ph, pw] : [pw, ph];
        this.#check(ex[`nmfkit_transform${mode === 1 ? '' : '_columns'}_${fn}`](px, n, m, 0, f, 0, o, 0, opt, pws, wsBytes, res, 0, 0), res, '');
      } else {
        this.#check(ex[`nmfkit_solver_start_${fn}`](px, n, m, 0, pw, 0, ph, 0, opt, pws, wsBytes, res), res);
        let r = this.#result(res);
        while (!r.done) {
          yield;
          this.#check(ex[`nmfkit_solver_run_${fn}`](pws, every, res), res);
          r = this.#result(res);
          if (onProgress) onProgress({ iteration: r.iterations, loss: r.loss, relativeError: r.relativeError, objective: r.objective });
        }
        this.#check(ex[`nmfkit_solver_finish_${fn}`](pws, res), res);
      }
      const r = this.#result(res);
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
        converged: r.converged,
      };
    } finally {
      ex.nmfkit_wasm_free(block);
    }
  }
}

// ---- instantiation ----------------------------------------------------------------
/**
 * Shared body of load(): `read(urlOrString)` returns bytes or a Response for a location.
 * source: WebAssembly.Module | ArrayBuffer | typed array | Response | Promise<Response> | URL | string
 */
export async function loadWith(options, defaultUrl, read) {
  if (options === null || typeof options !== 'object') throw bad('load options must be an object');
  if (typeof WebAssembly !== 'object') throw new NmfError('unsupported', 'nmfkit: WebAssembly is not available');
  let { wasm, wasmFull, simd, features = 'auto' } = options;
  if (simd !== undefined && typeof simd !== 'boolean') throw bad('simd must be true or false');
  if (features !== 'auto' && features !== 'full') throw bad(`features must be 'auto' or 'full'; got ${String(features)}`);
  if (wasm === undefined) {
    const useSimd = simd === undefined ? simdSupported() : simd;
    if (useSimd && !simdSupported()) throw new NmfError('unsupported', 'nmfkit: this engine has no WebAssembly SIMD');
    wasm = defaultUrl(useSimd ? MODULE_FILES.simd : MODULE_FILES.baseline);
    if (useSimd && wasmFull === undefined) wasmFull = defaultUrl(MODULE_FILES.simdFull);
  }
  // features 'full': the full module alone, from the start (fitSync can use every feature)
  if (features === 'full' && wasmFull !== undefined) [wasm, wasmFull] = [wasmFull, undefined];
  const full = wasmFull === undefined ? undefined : async () => fromModule(await compile(await wasmFull, read));
  return fromModule(await compile(await wasm, read), full);
}

async function compile(src, read) {
  if (src instanceof WebAssembly.Module) return src;
  if (src instanceof ArrayBuffer || ArrayBuffer.isView(src)) return WebAssembly.compile(src);
  if (typeof Response === 'function' && src instanceof Response) {
    if (!src.ok) throw new NmfError('load_failed', `nmfkit: cannot load ${src.url}: HTTP ${src.status}`);
    const type = src.headers.get('content-type') || '';
    if (typeof WebAssembly.compileStreaming === 'function' && type.startsWith('application/wasm'))
      return WebAssembly.compileStreaming(src);
    return WebAssembly.compile(await src.arrayBuffer());
  }
  if (src instanceof URL || typeof src === 'string') return compile(await read(src), read);
  throw bad('wasm must be a WebAssembly.Module, bytes, a Response or a URL');
}
