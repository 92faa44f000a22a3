// Which .wasm file holds which features. The SIMD module comes in two flavours:
// nmfkit-simd.wasm has what every dense float32 Frobenius fit needs (beta = 2, random/custom
// init, mu, penalties, its SIMD kernels) and is what load() instantiates; nmfkit-simd-full.wasm
// adds beta != 2, NNDSVD, AMU, HALS, sparse X, missing entries and the scalar kernels and is
// instantiated the first time a fit asks for one of them. The baseline module has everything.
// nmfkit-relaxed.wasm is the Frobenius-only module with relaxed SIMD (FMA), picked where the
// engine validates it; the -mt modules are the threaded Frobenius-only ones (relaxed, or
// SIMD128 alone), with a shared imported memory (./threads.js).
import { ENUMS } from './abi.js';
import { isSparse } from './args.js';

// (the threaded ones are named by ./threads.browser.js and ./threads.node.js)
export const MODULE_FILES = { relaxed: 'nmfkit-relaxed.wasm', simd: 'nmfkit-simd.wasm', simdFull: 'nmfkit-simd-full.wasm', baseline: 'nmfkit.wasm' };

/** Does a fit of X with these options need the full module? (Invalid values go there too: its checks report them.) */
export const needsFull = (o, X) =>
  isSparse(X) ||
  (!!o &&
    ((o.beta !== undefined && o.beta !== 2) ||
      (o.loss !== undefined && ENUMS.loss[o.loss] !== 2) || // any name of beta = 2 stays here
      ENUMS.init[o.init] >= ENUMS.init.nndsvd || // the NNDSVD variants
      ENUMS.solver[o.solver] > ENUMS.solver.mu || // amu, hals (cd)
      ENUMS.kernel[o.kernel] > 0 || // 'scalar': the default modules have their SIMD set only
      ENUMS.missing[o.missing] > 0));
