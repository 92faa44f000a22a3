// The smallest page: one Frobenius fit on the main thread. What each bundler's output
// downloads for it (JS + wasm, gzip -9) is the package's page weight the test prints.
import { load } from 'nmfkit';

const X = new Float32Array(Array.from({ length: 24 * 10 }, (_, i) => 1 + ((i * 7919) % 13)));
load()
  .then((nmf) => nmf.fit(X, { rows: 24, cols: 10, rank: 3, seed: 1, maxIter: 100 }).then((r) => ({ simd: nmf.simd, frob: r.relativeError })))
  .then(
    (r) => (window.result = r),
    (e) => (window.result = { error: `${e.name}: ${e.message}` }),
  );
