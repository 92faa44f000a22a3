// Shared by the *.test.mjs files. CTest passes the modules of its build folder:
//   NMFKIT_WASM_SIMD, NMFKIT_WASM_SIMD_FULL, NMFKIT_WASM_BASELINE  paths of
//   nmfkit-simd.wasm (Frobenius-only) / nmfkit-simd-full.wasm / nmfkit.wasm
// (a NMFKIT_SIMD=OFF build has only the baseline). Without them the modules in dist/
// are used, as an installed package would.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { load } from '../src/node.js';

const dist = (f) => fileURLToPath(new URL(`../dist/${f}`, import.meta.url));
const pick = (env, file) => process.env[env] || (existsSync(dist(file)) ? dist(file) : undefined);

export const WASM = {
  simd: pick('NMFKIT_WASM_SIMD', 'nmfkit-simd.wasm'),
  simdFull: pick('NMFKIT_WASM_SIMD_FULL', 'nmfkit-simd-full.wasm'),
  baseline: pick('NMFKIT_WASM_BASELINE', 'nmfkit.wasm'),
};
if (!WASM.simd && !WASM.baseline) throw new Error('no nmfkit .wasm: build it (see wasm/README.md) or set NMFKIT_WASM_*');
if (WASM.simd && !WASM.simdFull) throw new Error('nmfkit-simd.wasm without nmfkit-simd-full.wasm: set NMFKIT_WASM_SIMD_FULL');

/**
 * [label, path] of every module available to this run: 'simd' (the Frobenius-only module,
 * its instances switching to the full one as load() does by default), 'simdFull' (the full
 * SIMD module alone), 'baseline'.
 */
export const MODULES = Object.entries(WASM).filter(([, p]) => p);

/** load() options of one module ('simd' also names the full module as wasmFull). */
export const loadOptions = (label) => (label === 'simd' ? { wasm: WASM.simd, wasmFull: WASM.simdFull } : { wasm: WASM[label] });

/** Resolves to a fresh instance of one module. */
export const instance = (label) => load(loadOptions(label));

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
