// Reads and writes the C structs in wasm memory, driven by the tables of ./abi.js: the JS
// option names (camelCase of the C field names), their offsets, types and named values
// and the result fields all come from there, so a new C field needs no edit here.
// Status names and messages are read from the module (its one table holds both; shipping
// STATUS_NAMES too would add 160 bytes gzip to the page); test/abi.test.mjs checks that
// the module's names are abi.js's.
import { ENUMS, OPTIONS_BYTES, OPTION_FIELDS, RESULT_BYTES, RESULT_FIELDS } from './abi.js';
import { bad } from './errors.js';

export { OPTIONS_BYTES, RESULT_BYTES };

export const ALIGN = 64; // NMFKIT_WORKSPACE_ALIGNMENT
export const roundUp = (n) => Math.ceil(n / ALIGN) * ALIGN;

// scratch block layout: nmfkit_options at 0, nmfkit_result at RES, a size_t at SIZE
export const RES = OPTIONS_BYTES;
export const SIZE = RES + RESULT_BYTES;
export const SCRATCH_BYTES = SIZE + 8;

const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());

// JS options that name the values of a C field (not C fields themselves): loss sets beta.
const NAMES_FOR = { beta: 'loss' };

// [JS name, byte offset, type, allowed string values → C values], in C field order, each
// naming option right after its field; the reserved fields are not options.
const OPTIONS = [];
for (const [c, off, type] of OPTION_FIELDS) {
  if (c.startsWith('reserved')) continue;
  OPTIONS.push([camel(c), off, type, ENUMS[c]]);
  if (NAMES_FOR[c]) OPTIONS.push([NAMES_FOR[c], off, type, ENUMS[NAMES_FOR[c]]]);
}

/** The JS names of the options that are C fields. */
export const OPTION_NAMES = new Set(OPTIONS.map((o) => o[0]));

const oneOf = (values) => Object.keys(values).map((k) => `'${k}'`).join(', ');

/** Writes the options given in `opts` (the others keep the value at ptr) into nmfkit_options. */
export function writeOptions(dv, ptr, opts) {
  if (opts.beta !== undefined && opts.loss !== undefined) throw bad('pass beta or loss, not both');
  for (const [name, off, type, values] of OPTIONS) {
    let v = opts[name];
    if (v === undefined) continue;
    if (values) {
      if (!Object.hasOwn(values, v)) throw bad(`${name} must be one of ${oneOf(values)}; got ${String(v)}`);
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
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw bad(`${name} must be an integer in [0, 2^32); got ${String(v)}`);
      dv.setUint32(p, v, true);
    } else {
      dv.setInt32(p, v, true);
    }
  }
}

const GETTER = { u32: 'getUint32', i32: 'getInt32', f64: 'getFloat64', u64: 'getBigUint64' };

// One struct as an object with the camelCase names of its fields (64-bit integers as numbers).
const read = (fields) => (dv, ptr) => {
  const o = {};
  for (const [c, off, type] of fields) o[camel(c)] = Number(dv[GETTER[type]](ptr + off, true));
  return o;
};

/** nmfkit_options at ptr: { rank, maxIter, checkEvery, ... }. */
export const readOptions = read(OPTION_FIELDS);

/** nmfkit_result at ptr: { iterations, converged, loss, relativeError, badMatrix, ... }. */
export const readResult = read(RESULT_FIELDS);

/** The name of an nmfkit_matrix value: 'X', 'W', 'H', or '' for none. */
export const matrixName = (v) => (v && Object.keys(ENUMS.matrix).find((k) => ENUMS.matrix[k] === v)) || '';
