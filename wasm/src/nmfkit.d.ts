// Types of the `nmfkit` package (hand-written; the same for the Node and browser entries).

/** Row-major matrix input: a typed array (with `rows`/`cols`) or an array of rows. */
export type MatrixInput = Float32Array | Float64Array | ArrayLike<number>[] | number[];

/**
 * A sparse X in CSR (compressed sparse row) form, with scipy.sparse.csr_matrix's names:
 * row i holds the entries k in [indptr[i], indptr[i + 1]), at columns indices[k], of
 * values values[k]. Never densified: the fit costs O(nnz·rank) per iteration for β = 2 and
 * β = 1. It runs in a full module (loaded on first use, as for β ≠ 2).
 */
export interface CsrMatrix {
  rows: number;
  cols: number;
  /** rows + 1 offsets: 0 first, never decreasing, nnz last (written as uint64 into wasm memory). */
  indptr: Int32Array | Uint32Array | BigInt64Array | BigUint64Array | number[];
  /** nnz column indices, < cols and strictly increasing within each row. */
  indices: Int32Array | Uint32Array | number[];
  /**
   * nnz values ≥ 0: a Float32Array gives a float32 fit, a Float64Array or numbers a float64
   * one. null or omitted: a pattern matrix, every stored value is 1 (float64).
   */
  values?: Float32Array | Float64Array | number[] | null;
}

/** What fit() and the transforms take as X: dense or sparse. */
export type XInput = MatrixInput | CsrMatrix;

export interface LoadOptions {
  /** Forces a module. Default: 'relaxed' where the engine validates relaxed SIMD, else 'simd' where SIMD128, else 'baseline'. */
  module?: 'relaxed' | 'simd' | 'baseline';
  /** false: the baseline module (module: 'baseline'); true: the best SIMD module. */
  simd?: boolean;
  /**
   * Threads that run a fit (the calling one included), 1..64; more than 1 loads a threaded module
   * (nmfkit-relaxed-mt.wasm or nmfkit-simd-mt.wasm). Default: navigator.hardwareConcurrency (at
   * most 4) in a cross-origin-isolated page, else 1. NmfError 'threads_unavailable' where there is
   * no SharedArrayBuffer (a page that is not cross-origin isolated).
   */
  threads?: number;
  /**
   * Use this module instead of the bundled .wasm: a compiled WebAssembly.Module (e.g. from a
   * bundler or passed to a Worker), its bytes, a Response (or a promise of one), or a URL
   * (Node: also a file path). Bundlers find the package's own modules without it.
   */
  wasm?: WasmSource;
  /**
   * The module with every feature, loaded by the first fit that needs beta ≠ 2, NNDSVD or
   * AMU (the default SIMD module, nmfkit-simd.wasm, has the Frobenius fits only). Default:
   * the bundled nmfkit-simd-full.wasm, unless `wasm` is given: then `wasm` runs every fit
   * (a fit it cannot run fails with code 'not_built').
   */
  wasmFull?: WasmSource;
  /**
   * 'auto' (default): the Frobenius-only SIMD module, and the full one when a fit first
   * needs it (fitSync cannot wait for it: it throws 'not_loaded' until then).
   * 'full': the module with every feature (wasmFull) from the start, for everything.
   */
  features?: 'auto' | 'full';
}

/** Module bytes may be any ArrayBuffer or view of one (a Uint8Array, a Node Buffer). */
export type WasmSource = WebAssembly.Module | ArrayBuffer | ArrayBufferView | Response | PromiseLike<Response> | URL | string;

export interface Progress {
  /** Iterations completed. */
  iteration: number;
  /** D_beta(X | W·H) at this check (½‖X − W·H‖²_F for beta = 2). */
  loss: number;
  /** loss + penalties. */
  objective: number;
  /** ‖X − W·H‖_F / ‖X‖_F at this check (over the observed entries under `missing`). */
  relativeError: number;
}

export interface FitOptions {
  /** Rows of X (required for a flat typed array unless `cols` is given). */
  rows?: number;
  /** Columns of X (required for a flat typed array unless `rows` is given). */
  cols?: number;
  /** The factorization rank r ≥ 1 (required). */
  rank: number;
  /** Maximum iterations (each updates W, then H); 0 only initializes. Default 200. */
  maxIter?: number;
  /** Stop when (e_prev − e) / e_0 < tol at a check (e = ‖X − W·H‖_F). 0 never stops early. Default 1e-4. */
  tol?: number;
  /** Iterations between convergence checks and onProgress calls. Default 10. */
  checkEvery?: number;
  /** Seed of the random initialization, an integer in [0, 2^64). Same seed: same W, H everywhere. Default 0. */
  seed?: number | bigint;
  /** 'random' (default), 'custom' (start from W0, H0) or scikit-learn's 'nndsvd' / 'nndsvda' / 'nndsvdar' (rank ≤ min(rows, cols)). */
  init?: 'random' | 'custom' | 'nndsvd' | 'nndsvda' | 'nndsvdar';
  /** Beta-divergence: 2 Frobenius (default), 1 Kullback-Leibler, 0 Itakura-Saito, or any finite value. */
  beta?: number;
  /** beta by name (pass beta or loss, not both). */
  loss?: 'frobenius' | 'kullback-leibler' | 'kl' | 'itakura-saito' | 'is';
  /** Penalty weight on W (scikit-learn's alpha_W). Default 0. */
  alphaW?: number;
  /** Penalty weight on H (alpha_H). Default 0. */
  alphaH?: number;
  /** Share of L1 in the penalties, in [0, 1]. Default 0. */
  l1Ratio?: number;
  /**
   * 'mu' (default), 'amu' (accelerated MU) or 'hals' (hierarchical ALS, scikit-learn's solver='cd';
   * 'cd' is accepted too); 'auto' is hals where beta = 2 and missing: 'none', else mu (the native
   * default). amu and hals: beta = 2 and missing: 'none' only, else 'invalid_solver'. Every
   * solver but mu runs in the full module (fetched on first use).
   */
  solver?: 'mu' | 'amu' | 'hals' | 'cd' | 'auto';
  /**
   * Which entries of X are unknown rather than measured: the loss, the updates and
   * relativeError then see the observed entries only (weighted MU). 'none' (default): every
   * entry is observed, and a NaN is an error; 'nan': a dense X's NaN entries are missing;
   * 'unstored': a sparse X's unstored entries are missing, the stored ones observed
   * (ratings). 'nan' with a sparse X, 'unstored' with a dense one: 'invalid_missing'.
   * A row (column) without an observed entry gets a zero row of W (column of H), never NaN.
   * Runs in a full module, as β ≠ 2 does.
   */
  missing?: 'none' | 'nan' | 'unstored';
  /** Initial W (rows × rank) for init: 'custom'. */
  W0?: MatrixInput;
  /** Initial H (rank × cols) for init: 'custom'. */
  H0?: MatrixInput;
  /** Zero-denominator guard of the updates (> 0). Default 2^-23. */
  epsilon?: number;
  /** 'auto' (default): the module's fastest kernels; 'scalar': the reference kernels. */
  kernel?: 'auto' | 'scalar';
  /** Called at every check (every checkEvery iterations and after the last one). */
  onProgress?: (progress: Progress) => void;
  /** Cancels the fit: the promise rejects with signal.reason (an AbortError DOMException by default). */
  signal?: AbortSignal;
}

export interface FitResult<T extends Float32Array | Float64Array = Float32Array | Float64Array> {
  /** rows × rank, row-major, of X's precision (Float64Array for arrays of numbers). */
  W: T;
  /** rank × cols, row-major. */
  H: T;
  rows: number;
  cols: number;
  rank: number;
  iterations: number;
  /** D_beta(X | W·H) of the returned W, H (½‖X − W·H‖²_F for beta = 2). */
  loss: number;
  /** loss + penalties (equal to loss without alphaW/alphaH). */
  objective: number;
  /** ‖X − W·H‖_F / ‖X‖_F (0 when X is all zeros); with `missing`, both norms over the observed entries. */
  relativeError: number;
  /** true when the tol rule stopped the fit before maxIter. */
  converged: boolean;
  /** Entries the loss and relativeError sum over: rows·cols, or the observed ones under `missing`. */
  observed: number;
}

/** The precision of the results for an X: float32 for a Float32Array or Float32Array CSR values, else float64. */
type Prec<X> = X extends Float32Array ? Float32Array : X extends { values: Float32Array } ? Float32Array : Float64Array;
type ResultFor<X> = FitResult<Prec<X>>;

/** Options of transform() / transformColumns(): fit's, without rank (set by the fixed factor), seed, init, W0, H0, onProgress, signal. */
export interface SolveOptions
  extends Pick<FitOptions, 'rows' | 'cols' | 'maxIter' | 'tol' | 'checkEvery' | 'beta' | 'loss' | 'alphaW' | 'alphaH' | 'l1Ratio' | 'solver' | 'epsilon' | 'kernel' | 'missing'> {
  /** Optional: if given, it must equal the fixed factor's rank ('transform_shape_mismatch' otherwise). */
  rank?: number;
}

export interface TransformOptions extends SolveOptions {
  /** The fixed H (rank × cols; a flat array has rank = H.length / cols). */
  H: MatrixInput;
}

export interface TransformColumnsOptions extends SolveOptions {
  /** The fixed W (rows × rank; a flat array has rank = W.length / rows). */
  W: MatrixInput;
}

/** FitResult without the fixed factor: transform() gives W, transformColumns() gives H. */
export type TransformResult<T extends Float32Array | Float64Array> = Omit<FitResult<T>, 'H'>;
export type TransformColumnsResult<T extends Float32Array | Float64Array> = Omit<FitResult<T>, 'W'>;

export interface SvdOptions {
  /** Rows and columns of a flat X. */
  rows?: number;
  cols?: number;
  /** Seed of the randomized range finder (default 0). */
  seed?: number | bigint;
}

/** X ≈ U·diag(S)·Vt: the k leading singular triplets. */
export interface SvdResult<A extends Float32Array | Float64Array> {
  /** rows × k, orthonormal columns (row-major). */
  U: A;
  /** The k singular values, descending. */
  S: Float64Array;
  /** k × cols, orthonormal rows (row-major). */
  Vt: A;
  rows: number;
  cols: number;
  k: number;
}

export interface InverseTransformOptions {
  /** Rows of W; flat W and H need `rank`, or `rows` and `cols`. */
  rows?: number;
  rank?: number;
  /** Columns of H. */
  cols?: number;
}

/** Options of selectRank(): fit's options (loss, maxIter, tol, seed, init, missing, ...) without rank, W0, H0, plus these. */
export interface SelectRankOptions extends Omit<FitOptions, 'rank' | 'W0' | 'H0' | 'onProgress'> {
  /** The ranks to try, each an integer >= 1, e.g. [2, 3, 4, 5, 6]. */
  ranks: ArrayLike<number>;
  /** Replicates per rank (fits from seeds seed, seed + 1, ...; the same hidden entries). Default 3. */
  reps?: number;
  /** Fits per replicate; the lowest objective gives its errors, all enter the consensus. Default 1. */
  restarts?: number;
  /** Share of the entries hidden, in (0, 1). Default 0.05. */
  testFraction?: number;
  /** Seed of the hidden set (default: `seed`). */
  testSeed?: number | bigint;
  /** false: no consensus (cophenetic and dispersion NaN; no m(m−1)/2 distance matrix). */
  consensus?: boolean;
  /** After every slice of checkEvery iterations of the current fit. */
  onProgress?: (p: RankProgress) => void;
}

export interface RankProgress {
  rankIndex: number;
  rank: number;
  rep: number;
  restart: number;
  /** Iterations of the current fit. */
  iteration: number;
  maxIter: number;
  fitsDone: number;
  fitsTotal: number;
}

/** Errors are mean deviances per entry, 2·D_β / entries (the mean squared error for Frobenius); NaN where not computed. */
export interface RankScore {
  rank: number;
  /** Replicates completed. */
  reps: number;
  train: number;
  trainSd: number;
  test: number;
  testSd: number;
  /** Cophenetic correlation of the consensus of the fits' column clusterings (Brunet 2004). */
  cophenetic: number;
  /** Dispersion of that consensus (Kim & Park 2007). */
  dispersion: number;
}

export interface RankResult {
  /** The rank with the lowest mean test error (among ranks whose replicates all completed). */
  suggestedRank: number;
  /** The smallest rank within one standard error of that minimum. */
  suggestedRank1se: number;
  ranks: RankScore[];
  /** Entries hidden (the test set). */
  testEntries: number;
}

export interface Nmfkit {
  /** true when a SIMD module (relaxed or SIMD128) runs. */
  readonly simd: boolean;
  /** Which module runs. */
  readonly module: 'relaxed' | 'simd' | 'baseline';
  /** Threads that run a fit (1 without a threaded module, or after dispose()). */
  readonly threads: number;
  /** Kernel set of the module: 'wasm-relaxed-simd', 'wasm-simd128' or 'scalar'. */
  readonly kernel: string;
  /** Ends the pool workers of a threaded instance (later fits run on the calling thread); no-op otherwise. */
  dispose(): void;
  /** Version of the C library inside the module. */
  readonly version: string;
  /** The module's memory (grows as needed, up to 2 GiB). */
  readonly memory: WebAssembly.Memory;
  /** Factorizes X ≈ W·H in slices, yielding to the event loop between them. */
  fit<X extends XInput>(X: X, options: FitOptions): Promise<ResultFor<X>>;
  /** The same fit, synchronously (onProgress is called; no signal). */
  fitSync<X extends XInput>(X: X, options: Omit<FitOptions, 'signal'>): ResultFor<X>;
  /**
   * W (rows × rank) for X ≈ W·H with H fixed: scikit-learn's NMF.transform. The start is
   * sqrt(mean(X) / rank) everywhere, then the fit's updates on W alone. One synchronous
   * call into the module (no slices, no signal); the promise waits only for the full
   * module, which runs beta ≠ 2 as for fit().
   */
  transform<X extends XInput>(X: X, options: TransformOptions): Promise<TransformResult<Prec<X>>>;
  /** The mirror: H (rank × cols) for X ≈ W·H with W fixed. */
  transformColumns<X extends XInput>(X: X, options: TransformColumnsOptions): Promise<TransformColumnsResult<Prec<X>>>;
  /** W·H (rows × cols, row-major): a Float32Array when W and H both are, else a Float64Array. */
  inverseTransform(W: MatrixInput, H: MatrixInput, options?: InverseTransformOptions): Float32Array | Float64Array;
  /**
   * The truncated SVD of a dense X of any finite values (PCA: pass the centred data): the
   * core's randomized SVD (the NNDSVD's), seeded. Runs in a full module (loaded on first use).
   */
  svd<X extends MatrixInput>(X: X, k: number, options?: SvdOptions): Promise<SvdResult<Prec<X>>>;
  /**
   * Cross-validated rank selection: hides testFraction of the entries (the same for every rank
   * and replicate), fits each rank with them missing, scores test and training error. Runs in
   * the full module (loaded on the first call, with its JS). `signal` cancels: the AbortError
   * has `partial`, a RankResult of what completed.
   */
  selectRank(X: XInput, options: SelectRankOptions): Promise<RankResult>;
  /** Bytes of wasm memory fit(X, options) would allocate. */
  bytesNeeded(X: XInput, options: Omit<FitOptions, 'signal' | 'onProgress'>): number;
  /** Bytes of the module's heap in use, with the full module's once loaded (back to the same value after every fit). */
  heapUsed(): number;
}

/** Loads and instantiates a module. */
export function load(options?: LoadOptions): Promise<Nmfkit>;

/** true when this engine supports WebAssembly SIMD128. */
export function simdSupported(): boolean;

/** true when this engine supports relaxed SIMD (nmfkit-relaxed.wasm). */
export function relaxedSupported(): boolean;

export interface WorkerFitOptions extends FitOptions {
  /** Move X (a sparse X: its indptr, indices, values), W0 and H0 to the worker instead of copying them; they become unusable here. */
  transfer?: boolean;
}

export interface NmfkitWorker {
  readonly simd: boolean;
  readonly module: 'relaxed' | 'simd' | 'baseline';
  readonly threads: number;
  readonly kernel: string;
  readonly version: string;
  /** Runs fit() in the worker; W and H are transferred back. */
  fit<X extends XInput>(X: X, options: WorkerFitOptions): Promise<ResultFor<X>>;
  /** selectRank() in the worker (X copied, or moved with transfer; cancel rejects with an AbortError). */
  selectRank(X: XInput, options: SelectRankOptions & { transfer?: boolean }): Promise<RankResult>;
  /** transform() in the worker (arguments copied, W moved back). */
  transform<X extends XInput>(X: X, options: TransformOptions): Promise<TransformResult<Prec<X>>>;
  /** transformColumns() in the worker. */
  transformColumns<X extends XInput>(X: X, options: TransformColumnsOptions): Promise<TransformColumnsResult<Prec<X>>>;
  /** inverseTransform() in the worker (asynchronous here). */
  inverseTransform(W: MatrixInput, H: MatrixInput, options?: InverseTransformOptions): Promise<Float32Array | Float64Array>;
  /** svd() in the worker (X copied, U, S, Vt moved back). */
  svd<X extends MatrixInput>(X: X, k: number, options?: SvdOptions): Promise<SvdResult<Prec<X>>>;
  /** Stops the worker; pending fits reject with code 'terminated'. */
  terminate(): Promise<unknown> | void;
  /** The same as terminate(). */
  dispose(): Promise<unknown> | void;
}

export interface CreateWorkerOptions extends LoadOptions {
  /** A Worker already running the 'nmfkit/worker' entry (a worker file of your own); by default one is started. */
  worker?: unknown;
  /**
   * Milliseconds within which the worker must answer (its script loaded and running
   * 'nmfkit/worker'); then the promise rejects with NmfError code 'worker_failed'. Default 15000.
   */
  startTimeout?: number;
}

/** Starts a Worker (browser module Worker or Node worker thread) running nmfkit. */
export function createWorker(options?: CreateWorkerOptions): Promise<NmfkitWorker>;

/** Every failure except cancellation. */
export class NmfError extends Error {
  readonly name: 'NmfError';
  /**
   * The C status name ('x_negative', 'zero_rank', 'invalid_tol', 'transform_shape_mismatch', 'invalid_missing',
   * 'csr_bad_indptr', 'csr_nnz_mismatch', 'csr_index_out_of_range', 'csr_unsorted_indices', 'csr_duplicate_index', ...)
   * or a wrapper code:
   * 'invalid_argument', 'out_of_memory', 'unsupported', 'load_failed', 'terminated', 'threads_unavailable',
   * 'worker_failed' (createWorker: the worker's script failed, it exited, or it did not answer within startTimeout),
   * 'not_loaded' (fitSync needs the full module before a fit() loaded it), 'not_built'
   * (the module given as `wasm` has no such feature), 'unknown_message' (a worker of another nmfkit version did not
   * know the call).
   */
  readonly code: string;
  /** The numeric C status, for errors from the C library. */
  readonly status?: number;
  /**
   * For x_not_finite, x_negative, x_not_positive, init_not_finite, init_negative and the csr_*
   * codes: where the bad entry is ('W' / 'H': a transform's fixed factor).
   */
  readonly matrix?: 'X' | 'W0' | 'H0' | 'W' | 'H';
  readonly row?: number;
  /** The column (for a sparse X: the entry's column index; 0 for csr_bad_indptr, csr_nnz_mismatch). */
  readonly col?: number;
  /** A sparse X: the bad entry's offset k in indices / values. */
  readonly entry?: number;
  constructor(code: string, message: string, details?: object);
}
