// selectRank(): cross-validated rank selection (nmfkit/rank.hpp) over one module with every
// feature. Re-exported by sparse.js (the JS of the full modules' calls, fetched only with one),
// so a page that fits dense matrices never downloads it. instance.js passes what svd() gets: the
// module's exports, a scratch size_t (the options struct is just before it), describe() and
// bad(), the package's NmfError; sparse.js adds its sparse(). The helpers imported here are
// copies in dist/sparse.js: an error they throw is turned into the package's NmfError (own()).
//
// One wasm block: X (dense, or a sparse X's three arrays), the ranks (uint32), the progress (8
// doubles), the scores (8 doubles a rank), the suggestion (2 uint32 + a uint64), the workspace.
import { SIZE, writeOptions } from './abi-marshal.js';
import { allowed, checkKeys, isSparse } from './args.js';
import { drive } from './schedule.js';

// selectRank()'s own options; every other key is a fit option (loss, maxIter, tol, seed, init, ...)
const RANK_OPTIONS = new Set(['ranks', 'reps', 'restarts', 'testFraction', 'testSeed', 'consensus', 'onProgress', 'signal', 'rows', 'cols']);
const NO_CONSENSUS = 1; // NMFKIT_RANK_NO_CONSENSUS
const NOT_BUILT = 28;

const FLOAT = { f32: Float32Array, f64: Float64Array };
const roundUp = (b) => Math.ceil(b / 64) * 64; // NMFKIT_WORKSPACE_ALIGNMENT
function abortError(signal) {
  return signal.reason !== undefined ? signal.reason : Object.assign(new Error('The fit was aborted'), { name: 'AbortError' });
}

const SCORE_KEYS = ['rank', 'reps', 'train', 'trainSd', 'test', 'testSd', 'cophenetic', 'dispersion'];

function integer(bad, name, v, dflt, min) {
  if (v === undefined) return dflt;
  if (!Number.isSafeInteger(v) || v < min || v > 0xffffffff) throw bad(`${name} must be an integer >= ${min}; got ${String(v)}`);
  return v;
}

/**
 * Runs the search; resolves to { suggestedRank, suggestedRank1se, ranks: [{ rank, reps, train,
 * trainSd, test, testSd, cophenetic, dispersion }], testEntries }. A NaN score (null cophenetic
 * without consensus) is one not computed. onProgress({ rankIndex, rank, rep, restart, iteration,
 * maxIter, fitsDone, fitsTotal }) after every slice; `signal` cancels: the AbortError then has
 * `partial`, the same object for the replicates that completed.
 */
export function selectRank(ex, at, describe, bad, sparse, X, options = {}) {
  const own = (f) => {
    try {
      return f();
    } catch (e) {
      throw e && e.code ? bad(e.message, e.code) : e;
    }
  };
  const str = (p) => {
    const h = new Uint8Array(ex.memory.buffer, p);
    return new TextDecoder().decode(h.subarray(0, h.indexOf(0)));
  };
  // a failed status as the package's NmfError (code: the status name)
  const check = (st) => {
    if (st) throw Object.assign(bad(`nmfkit: ${str(ex.nmfkit_status_message(st))}`, str(ex.nmfkit_status_name(st))), { status: st });
  };
  const call = (name, ...args) => check(ex[name] ? ex[name](...args) : NOT_BUILT);
  const alloc = (total) => {
    const block = total < 2 ** 31 ? ex.nmfkit_wasm_alloc(total || 1) >>> 0 : 0;
    if (!block) throw bad(`nmfkit: out of wasm memory allocating ${total} bytes`, 'out_of_memory');
    return block;
  };
  if (options === null || typeof options !== 'object') throw bad('options must be an object');
  const { ranks, reps, restarts, testFraction, testSeed, consensus, onProgress, signal, rows, cols, ...fitOptions } = options;
  own(() => checkKeys(fitOptions, (k) => allowed(k, 0) && !RANK_OPTIONS.has(k) && k !== 'rank' && k !== 'W0' && k !== 'H0'));
  if (fitOptions.init === 'custom') throw bad("selectRank fits from init 'random' or 'nndsvd*', not 'custom'");
  if (onProgress !== undefined && typeof onProgress !== 'function') throw bad('onProgress must be a function');
  if (!Array.isArray(ranks) && !ArrayBuffer.isView(ranks)) throw bad('ranks must be an array of integers >= 1, e.g. [2, 3, 4, 5]');
  const list = Array.from(ranks, (k) => integer(bad, 'every rank', k, 0, 1));
  if (list.length === 0) throw bad('ranks must list at least one rank');
  const nReps = integer(bad, 'reps', reps, 3, 1);
  const nRestarts = integer(bad, 'restarts', restarts, 1, 1);
  const fraction = testFraction === undefined ? 0.05 : testFraction;
  if (typeof fraction !== 'number' || !(fraction > 0 && fraction < 1)) throw bad(`testFraction must be a number in (0, 1); got ${String(testFraction)}`);
  const seed = testSeed === undefined ? fitOptions.seed ?? 0 : testSeed;
  if (!(Number.isSafeInteger(seed) && seed >= 0) && typeof seed !== 'bigint') throw bad('testSeed must be a non-negative integer');
  const flags = consensus === false ? NO_CONSENSUS : 0;
  const dv = () => new DataView(ex.memory.buffer);

  if (signal && signal.aborted) return Promise.reject(abortError(signal));
  const x = isSparse(X) ? sparse(X, rows, cols, bad) : describe('X', X, rows, cols);
  const csr = x.put ? '_csr' : '';
  const fn = x.type;
  const size = FLOAT[fn].BYTES_PER_ELEMENT;
  const n = x.rows;
  const m = x.cols;
  const opt = at - SIZE; // the options struct of instance.js's scratch
  ex.nmfkit_options_default(opt);
  own(() => writeOptions(dv(), opt, { ...fitOptions, rank: 1 }));
  const R = list.length;
  const dims = x.dims || [n, m];
  // the size query: ranks are read from wasm memory, so they go into the block's place first;
  // a small separate block holds them for the query
  const q = alloc(4 * R);
  let wsBytes;
  try {
    new Uint32Array(ex.memory.buffer, q, R).set(list);
    call(`nmfkit_rank_workspace_size${csr}_${fn}`, ...dims, opt, q, R, nReps, nRestarts, fraction, flags, at);
    wsBytes = dv().getUint32(at, true);
  } finally {
    ex.nmfkit_wasm_free(q);
  }
  const bx = csr ? x.bytes : roundUp(n * m * size);
  const pRanks = bx;
  const pProg = pRanks + roundUp(4 * R);
  const pScores = pProg + 64;
  const pSugg = pScores + roundUp(64 * R);
  const pWs = pSugg + 64;
  const total = pWs + wsBytes;

  function read(block) {
    const s = new Float64Array(ex.memory.buffer, block + pScores, 8 * R);
    const d = dv();
    const out = {
      suggestedRank: d.getUint32(block + pSugg, true),
      suggestedRank1se: d.getUint32(block + pSugg + 4, true),
      ranks: list.map((_, i) => Object.fromEntries(SCORE_KEYS.map((k, f) => [k, s[8 * i + f]]))),
      testEntries: Number(d.getBigUint64(block + pSugg + 8, true)),
    };
    return out;
  }

  let partial;
  function* job() {
    const block = alloc(total);
    try {
      const buf = ex.memory.buffer;
      const xa = csr ? x.put(buf, block) : (x.write(new FLOAT[fn](buf), block / size), [block, n, m, 0]);
      new Uint32Array(ex.memory.buffer, block + pRanks, R).set(list);
      call(`nmfkit_rank_start${csr}_${fn}`, ...xa, opt, block + pRanks, R, nReps, nRestarts, fraction, BigInt(seed), flags, block + pWs, wsBytes, 0);
      const every = fitOptions.checkEvery ?? 10;
      let done = -1;
      for (;;) {
        yield;
        check(ex[`nmfkit_rank_run_${fn}`](block + pWs, every, block + pProg));
        const p = new Float64Array(ex.memory.buffer, block + pProg, 8);
        const [rankIndex, rank, rep, restart, iteration, maxIter, fitsDone, fitsTotal] = p;
        if (fitsDone !== done) {
          done = fitsDone;
          check(ex[`nmfkit_rank_scores_${fn}`](block + pWs, block + pScores, R));
          check(ex[`nmfkit_rank_suggested_${fn}`](block + pWs, block + pSugg, block + pSugg + 4, block + pSugg + 8));
          partial = read(block);
        }
        if (onProgress) onProgress({ rankIndex, rank, rep, restart, iteration, maxIter, fitsDone, fitsTotal });
        if (fitsDone === fitsTotal) break;
      }
      return partial;
    } finally {
      ex.nmfkit_wasm_free(block);
    }
  }
  return drive(job(), signal).catch((e) => {
    if (e && e.name === 'AbortError' && partial) e.partial = partial;
    throw e;
  });
}
