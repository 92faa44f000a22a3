// Shared by the *.test.mjs files. CTest passes the modules of its build folder:
//   NMFKIT_WASM_SIMD, NMFKIT_WASM_SIMD_FULL, NMFKIT_WASM_BASELINE  paths of
//   nmfkit-simd.wasm (Frobenius-only) / nmfkit-simd-full.wasm / nmfkit.wasm
//   NMFKIT_WASM_RELAXED, NMFKIT_WASM_RELAXED_MT, NMFKIT_WASM_SIMD_MT  nmfkit-relaxed.wasm,
//   nmfkit-relaxed-mt.wasm, nmfkit-simd-mt.wasm (clang-19 builds)
// (a NMFKIT_SIMD=OFF build has only the baseline). Without them the modules in dist/
// are used, as an installed package would. The relaxed ones run only where the engine has
// relaxed SIMD (Node 20: --experimental-wasm-relaxed-simd, which CTest passes).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { load, relaxedSupported } from '../src/node.js';

const dist = (f) => fileURLToPath(new URL(`../dist/${f}`, import.meta.url));
const pick = (env, file) => process.env[env] || (existsSync(dist(file)) ? dist(file) : undefined);

export const WASM = {
  simd: pick('NMFKIT_WASM_SIMD', 'nmfkit-simd.wasm'),
  simdFull: pick('NMFKIT_WASM_SIMD_FULL', 'nmfkit-simd-full.wasm'),
  baseline: pick('NMFKIT_WASM_BASELINE', 'nmfkit.wasm'),
  relaxed: pick('NMFKIT_WASM_RELAXED', 'nmfkit-relaxed.wasm'),
  relaxedMt: pick('NMFKIT_WASM_RELAXED_MT', 'nmfkit-relaxed-mt.wasm'),
  simdMt: pick('NMFKIT_WASM_SIMD_MT', 'nmfkit-simd-mt.wasm'),
};
/** Labels of the threaded modules (run with THREADS threads by instance()). */
export const THREADED = ['relaxedMt', 'simdMt'];
export const THREADS = 2;
/** Can this engine run a module? (relaxed SIMD: only with the flag in Node 20) */
const runs = (label) => !/^relaxed/.test(label) || relaxedSupported();
if (!WASM.simd && !WASM.baseline) throw new Error('no nmfkit .wasm: build it (see wasm/README.md) or set NMFKIT_WASM_*');
if (WASM.simd && !WASM.simdFull) throw new Error('nmfkit-simd.wasm without nmfkit-simd-full.wasm: set NMFKIT_WASM_SIMD_FULL');

/**
 * [label, path] of every module available to this run: 'simd' (the Frobenius-only module,
 * its instances switching to the full one as load() does by default), 'simdFull' (the full
 * SIMD module alone), 'baseline'.
 */
export const MODULES = Object.entries(WASM).filter(([l, p]) => p && runs(l));

/**
 * load() options of one module: the Frobenius-only ones ('simd', 'relaxed', the threaded)
 * also name the full module as wasmFull; the threaded run on THREADS threads.
 */
export const loadOptions = (label) => ({
  wasm: WASM[label],
  ...(['simd', 'relaxed', ...THREADED].includes(label) && { wasmFull: WASM.simdFull }),
  ...(THREADED.includes(label) && { threads: THREADS }),
});

/** Imports for instantiating any module by hand (a threaded one takes a shared memory). */
export const RAW_IMPORTS = () => ({
  env: { emscripten_notify_memory_growth() {}, memory: new WebAssembly.Memory({ initial: 32, maximum: 32768, shared: true }) },
});

/** The kernel set each module names. */
export const KERNEL = { simd: 'wasm-simd128', simdFull: 'wasm-simd128', simdMt: 'wasm-simd128', relaxed: 'wasm-relaxed-simd', relaxedMt: 'wasm-relaxed-simd', baseline: 'scalar' };
/** Frobenius-only modules (dense β = 2 fits; the rest runs in wasmFull). */
export const LITE = ['simd', 'relaxed', ...THREADED];

/**
 * Resolves to a fresh instance of one module. nmfkit-relaxed.wasm sends float64 fits to its
 * full module: that one is loaded here already, so that fitSync runs them as on the others.
 */
export async function instance(label) {
  const nmf = await load(loadOptions(label));
  if (label === 'relaxed') await nmf.fit([[1]], { rank: 1 });
  return nmf;
}

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
