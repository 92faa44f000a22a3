// Coercion and validation of the JS arguments (types, shapes, option keys) before any of
// them reaches wasm memory; C validates the values (rank, tol, finiteness, ...).
import { OPTION_NAMES } from './abi-marshal.js';
import { bad } from './errors.js';

export const FLOAT = { f32: Float32Array, f64: Float64Array };

// fit() options that are not C fields
const JS_OPTIONS = new Set(['rows', 'cols', 'W0', 'H0', 'onProgress', 'signal']);

/**
 * May options hold key in this call? mode 0: fit(); 1: transform() (H fixed, W solved);
 * 2: transformColumns() (W fixed). Transforms take the C fields but seed and init, plus
 * rows, cols and the fixed factor.
 */
export const allowed = (k, mode) =>
  mode
    ? k === 'rows' || k === 'cols' || k === 'HW'[mode - 1] || (OPTION_NAMES.has(k) && k !== 'seed' && k !== 'init')
    : OPTION_NAMES.has(k) || JS_OPTIONS.has(k);

/** Checks that options is an object whose keys all pass ok(key). */
export function checkKeys(options, ok) {
  if (options === null || typeof options !== 'object') throw bad('options must be an object');
  for (const k of Object.keys(options)) if (!ok(k)) throw bad(`unknown option ${k}`);
}

const isRow = (v) => Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));

// Typed arrays of bigints cannot be copied into a float heap (TypedArray.set throws a TypeError).
const isBigInts = (v) => v instanceof BigInt64Array || v instanceof BigUint64Array;
const noBigInts = (what, v) => {
  if (isBigInts(v)) throw bad(`${what} is a ${v.constructor.name}: matrices hold numbers (convert with Float64Array.from(a, Number))`);
};

/** Is X a sparse matrix (./sparse.js): an object, neither an array nor a typed array? */
export const isSparse = (X) => !!X && typeof X === 'object' && !ArrayBuffer.isView(X) && !Array.isArray(X);

function checkNumbers(name, a, row) {
  for (let j = 0; j < a.length; j++)
    if (typeof a[j] !== 'number') throw bad(`${name}[${row}][${j}] is not a number (${typeof a[j]})`);
}

/**
 * A matrix argument as { type, rows, cols, write(heapView, elementOffset) }.
 * Accepts Float32Array / Float64Array (row-major; other typed arrays and plain arrays of
 * numbers are read as float64) or an array of rows (arrays or typed arrays of numbers).
 * A shape that disagrees with rows / cols throws `code`.
 */
export function describe(name, value, rows, cols, code) {
  const fix = (what, v) => {
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 0))
      throw bad(`${what} must be a non-negative integer; got ${String(v)}`);
    return v;
  };
  rows = fix(`${name} rows`, rows);
  cols = fix(`${name} cols`, cols);
  const flat = ArrayBuffer.isView(value) && !(value instanceof DataView);
  if (flat || (Array.isArray(value) && (value.length === 0 || !isRow(value[0])))) {
    if (flat) noBigInts(name, value);
    else checkNumbers(name, value, 0);
    const type = value instanceof Float32Array ? 'f32' : 'f64';
    const n = value.length;
    if (rows === undefined && cols === undefined) throw bad(`${name}: pass rows and cols for a flat array`);
    if (rows === undefined) rows = cols === 0 ? 0 : n / cols;
    if (cols === undefined) cols = rows === 0 ? 0 : n / rows;
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows * cols !== n)
      throw bad(`${name} has ${n} elements, expected rows × cols = ${rows} × ${cols}`, code);
    return { type, rows, cols, write: (h, at) => h.set(value, at) };
  }
  if (!Array.isArray(value)) throw bad(`${name} must be a Float32Array, a Float64Array or an array of rows`);
  const r = value.length;
  const c = r ? value[0].length : 0;
  if (rows !== undefined && rows !== r) throw bad(`${name} has ${r} rows, expected ${rows}`, code);
  if (cols !== undefined && cols !== c) throw bad(`${name} has ${c} columns, expected ${cols}`, code);
  for (let i = 0; i < r; i++) {
    const row = value[i];
    if (!isRow(row)) throw bad(`${name} row ${i} is not an array`);
    noBigInts(`${name} row ${i}`, row);
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
