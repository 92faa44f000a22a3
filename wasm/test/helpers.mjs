// Shared by the *.test.mjs files. CTest passes the modules of its build folder:
//   NMFKIT_WASM_SIMD, NMFKIT_WASM_BASELINE  paths of nmfkit-simd.wasm / nmfkit.wasm
// (a NMFKIT_SIMD=OFF build has only the baseline). Without them the modules in dist/
// are used, as an installed package would.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { load } from '../src/node.js';

const dist = (f) => fileURLToPath(new URL(`../dist/${f}`, import.meta.url));
const pick = (env, file) => process.env[env] || (existsSync(dist(file)) ? dist(file) : undefined);

export const WASM = {
  simd: pick('NMFKIT_WASM_SIMD', 'nmfkit-simd.wasm'),
  baseline: pick('NMFKIT_WASM_BASELINE', 'nmfkit.wasm'),
};
if (!WASM.simd && !WASM.baseline) throw new Error('no nmfkit .wasm: build it (see wasm/README.md) or set NMFKIT_WASM_*');

/** [label, path] of every module available to this run. */
export const MODULES = Object.entries(WASM).filter(([, p]) => p);

/** Resolves to a fresh instance of one module ('simd' or 'baseline'). */
export const instance = (label) => load({ wasm: WASM[label] });

/** A deterministic non-negative rows×cols matrix (LCG) as a Float64Array. */
export function matrix(rows, cols, seed = 1) {
  let s = seed >>> 0;
  return Float64Array.from({ length: rows * cols }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  });
}

/** A rows×cols matrix of exact rank `rank` (product of two random non-negative factors). */
export function lowRank(rows, cols, rank, seed = 7) {
  const a = matrix(rows, rank, seed);
  const b = matrix(rank, cols, seed + 1);
  const x = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++)
    for (let k = 0; k < rank; k++) for (let j = 0; j < cols; j++) x[i * cols + j] += a[i * rank + k] * b[k * cols + j];
  return x;
}

/** max |a - b| / max |b|: difference relative to the matrix's scale. */
export function relDiff(a, b) {
  let d = 0;
  let s = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return s === 0 ? d : d / s;
}

export const toRows = (flat, rows, cols) => Array.from({ length: rows }, (_, i) => Array.from(flat.subarray(i * cols, (i + 1) * cols)));
