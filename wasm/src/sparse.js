// The JS of the calls only the full modules have: a sparse X in CSR form (scipy's names:
// { rows, cols, indptr, indices, values }), the truncated SVD and rank selection (./rank.js).
// Loaded (dynamic import) only with a module that has sparse X, never with the default
// nmfkit-simd.wasm, so a page that fits dense matrices does not download it; no code is shared
// with the main bundle (the caller passes its error maker, and what else it needs; rank.js's
// imports are copies here).
//
// In wasm memory, one block of three arrays, as C's nmfkit::csr_view takes them:
//   indptr   rows + 1 row offsets as uint64 (from numbers or bigints; C checks that they
//            start at 0, never decrease and end at nnz)
//   indices  nnz column indices as uint32 (a negative one wraps around to >= 2^31: C
//            reports it as out of range, with its row and entry, as it does an unsorted
//            or repeated index)
//   values   nnz values in the fit's precision; none for a pattern matrix (values null or
//            omitted: every stored value is 1, C gets a null pointer)

import { selectRank as rank } from './rank.js';

const INTS = [Int32Array, Uint32Array, BigInt64Array, BigUint64Array]; // indices: the first two
const up = (b) => Math.ceil(b / 64) * 64; // NMFKIT_WORKSPACE_ALIGNMENT

/**
 * X as instance.js takes it; throws bad(message) if its shapes or types are wrong (C checks
 * the contents). rows / cols of the options, when given, must agree with X's.
 *   type       'f32' for Float32Array values, else 'f64' (numbers, Float64Array, a pattern)
 *   dims       the sizes nmfkit_workspace_size_csr_* takes: n, m, nnz
 *   bytes      of the three arrays in wasm memory (each aligned)
 *   put(b, at) writes them at `at` in the buffer b; gives the arguments that stand for X in
 *              the nmfkit_*_csr_* calls: n, m, nnz, indptr, indices, values (0: a pattern)
 *   where(result, details) words the location of a bad entry of X (and adds its offset)
 */
export function sparse(X, rows, cols, bad) {
  const { rows: n, cols: m, indptr: p, indices: j, values: v } = X;
  for (const [k, a] of [['rows', n], ['cols', m]])
    if (!Number.isSafeInteger(a) || a < 0) throw bad(`X.${k} must be a non-negative integer; got ${String(a)}`);
  if ((rows ?? n) !== n) throw bad(`X has ${n} rows, the options say ${rows}`);
  if ((cols ?? m) !== m) throw bad(`X has ${m} columns, the options say ${cols}`);
  for (const [k, a, kinds] of [['indptr', p, INTS], ['indices', j, INTS.slice(0, 2)]])
    if (Array.isArray(a) ? !a.every(Number.isSafeInteger) : !kinds.some((T) => a instanceof T))
      throw bad(`X.${k} must be an array of integers or one of ${kinds.map((T) => T.name).join(', ')}`);
  const nnz = j.length;
  if (p.length !== n + 1) throw bad(`X.indptr has ${p.length} entries, expected rows + 1 = ${n + 1}`);
  if (v != null) {
    if (!(v instanceof Float32Array || v instanceof Float64Array || (Array.isArray(v) && v.every((e) => typeof e === 'number'))))
      throw bad('X.values must be a Float32Array, a Float64Array, an array of numbers, or null (every stored value is 1)');
    if (v.length !== nnz) throw bad(`X.values has ${v.length} entries, X.indices ${nnz}`);
  }
  const Arr = v instanceof Float32Array ? Float32Array : Float64Array;
  const bj = up(8 * (n + 1));
  const bv = up(4 * nnz);
  return {
    type: Arr === Float32Array ? 'f32' : 'f64',
    rows: n,
    cols: m,
    dims: [n, m, nnz],
    bytes: bj + bv + (v == null ? 0 : up(nnz * Arr.BYTES_PER_ELEMENT)),
    put(buffer, at) {
      if (typeof p[0] === 'bigint') new BigUint64Array(buffer, at, n + 1).set(p);
      else {
        // each offset as two uint32 halves (little-endian); a negative one as its two's complement
        const u = new Uint32Array(buffer, at, 2 * n + 2);
        for (let i = 0; i <= n; i++) {
          u[2 * i] = p[i];
          u[2 * i + 1] = Math.floor(p[i] / 2 ** 32);
        }
      }
      new Uint32Array(buffer, at + bj, nnz).set(j);
      if (v != null) new Arr(buffer, at + bj + bv, nnz).set(v);
      return [n, m, nnz, at, at + bj, v == null ? 0 : at + bj + bv];
    },
    // csr_* statuses and bad values: bad_row is the row, bad_entry the offset k in
    // indices / values (bad_col, the entry's column, is in the details too)
    where(r, details) {
      details.entry = r.badEntry;
      return ` (X row ${r.badRow}, entry ${r.badEntry})`;
    },
  };
}

/**
 * nmf.svd(X, k, options) on the module's exports ex, with a scratch size_t at `at` and
 * instance.js's describe() and bad(message, code) (the NmfError of the package).
 */
export function svd(ex, at, describe, bad, X, k, options = {}) {
  if (options === null || typeof options !== 'object') throw bad('options must be an object');
  for (const key of Object.keys(options)) if (key !== 'rows' && key !== 'cols' && key !== 'seed') throw bad(`unknown option ${key}`);
  if (!Number.isSafeInteger(k) || k < 1) throw bad(`k must be an integer >= 1; got ${String(k)}`);
  const { seed = 0 } = options;
  if (!(Number.isSafeInteger(seed) && seed >= 0) && !(typeof seed === 'bigint' && seed >= 0n && seed < 2n ** 64n))
    throw bad(`seed must be a non-negative integer; got ${String(seed)}`);
  const x = describe('X', X, options.rows, options.cols);
  const { type: fn, rows: n, cols: m } = x;
  const Arr = fn === 'f32' ? Float32Array : Float64Array;
  const size = Arr.BYTES_PER_ELEMENT;
  const str = (p) => {
    const h = new Uint8Array(ex.memory.buffer, p);
    return new TextDecoder().decode(h.subarray(0, h.indexOf(0)));
  };
  // a failed status as instance.js's NmfError (code: the status name; module without an SVD: not_built)
  const call = (name, ...args) => {
    const st = ex[name] ? ex[name](...args) : 28;
    if (st) throw Object.assign(bad(`nmfkit: ${str(ex.nmfkit_status_message(st))}`, str(ex.nmfkit_status_name(st))), { status: st });
  };
  call(`nmfkit_svd_workspace_size_${fn}`, n, m, k, at);
  const wsBytes = new DataView(ex.memory.buffer).getUint32(at, true); // size_t is 32-bit
  const pu = up(n * m * size);
  const ps = pu + up(n * k * size);
  const pv = ps + up(8 * k);
  const pw = pv + up(k * m * size);
  const total = pw + wsBytes;
  const block = total < 2 ** 31 ? ex.nmfkit_wasm_alloc(total) >>> 0 : 0;
  if (!block) throw bad(`nmfkit: out of wasm memory allocating ${total} bytes`, 'out_of_memory');
  try {
    x.write(new Arr(ex.memory.buffer), block / size);
    call(`nmfkit_truncated_svd_${fn}`, block, n, m, m, k, BigInt(seed), block + pu, k, block + ps, block + pv, m, block + pw, wsBytes);
    const b = ex.memory.buffer;
    return { U: new Arr(b, block + pu, n * k).slice(), S: new Float64Array(b, block + ps, k).slice(), Vt: new Arr(b, block + pv, k * m).slice(), rows: n, cols: m, k };
  } finally {
    ex.nmfkit_wasm_free(block);
  }
}

/** nmf.selectRank(X, options): ./rank.js (cross-validated rank selection), with sparse() above. */
export const selectRank = (ex, at, describe, bad, ...args) => rank(ex, at, describe, bad, sparse, ...args);
