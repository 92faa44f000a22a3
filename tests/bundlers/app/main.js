// The page each bundler builds (tests/bundlers/bundlers.test.mjs): what a user writes, with
// the package's default URLs, no bundler configuration. It fits on the main thread (the
// default SIMD module, then KL on the full one fetched on demand, and a sparse X, which
// brings sparse.js), in createWorker()'s own worker, in a worker of the page's own that
// imports 'nmfkit/worker', and checks that a worker not running nmfkit fails in time and
// one whose script throws fails at once; the baseline module runs too (load({ simd: false })).
// Served cross-origin isolated (COOP/COEP), the main thread's and the workers' fits run on
// the threaded module.
// window.result holds what the test asserts.
import { NmfError, createWorker, load, simdSupported } from 'nmfkit';
import { tfidf, topWords } from 'nmfkit/text';

const X = new Float32Array(Array.from({ length: 24 * 10 }, (_, i) => 1 + ((i * 7919) % 13)));
const fitOptions = { rows: 24, cols: 10, rank: 3, seed: 1, maxIter: 100 };
const S = { rows: 3, cols: 4, indptr: [0, 2, 3, 5], indices: [0, 2, 1, 1, 3], values: Float32Array.from([5, 3, 4, 1, 2]) };
const sparseOptions = { rank: 2, seed: 7, missing: 'unstored', maxIter: 50 };

async function main() {
  const out = { simdSupported: simdSupported() };
  const nmf = await load();
  const frob = await nmf.fit(X, fitOptions);
  const kl = await nmf.fit(X, { ...fitOptions, loss: 'kl' });
  const sparse = await nmf.fit(S, sparseOptions);
  Object.assign(out, { simd: nmf.simd, kernel: nmf.kernel, frob: frob.relativeError, kl: kl.relativeError, sparse: sparse.observed });
  // served cross-origin isolated, load() runs a threaded module on every core (at most 4)
  Object.assign(out, { isolated: globalThis.crossOriginIsolated, threads: nmf.threads, cores: navigator.hardwareConcurrency });
  // nmfkit/text: a term matrix of planted topics, fitted as a sparse X
  const docs = ['cat dog kitten', 'stock market price', 'dog puppy cat', 'market shares stock'];
  const tf = tfidf(docs);
  const tr = await nmf.fit(tf.matrix, { rank: 2, seed: 1, init: 'nndsvd', maxIter: 200 });
  out.topics = topWords(tr.H, tf.vocabulary, 2).map((t) => t.map((w) => w.word).sort().join(' ')).sort();
  // the baseline module, which the build emits for engines without SIMD
  const base = await load({ simd: false });
  out.baseline = { kernel: base.kernel, frob: (await base.fit(X, fitOptions)).relativeError };

  const worker = await createWorker();
  const wf = await worker.fit(X, fitOptions);
  const wkl = await worker.fit(X, { ...fitOptions, loss: 'kl' });
  out.worker = { simd: worker.simd, same: wf.relativeError === frob.relativeError, kl: wkl.relativeError === kl.relativeError };
  await worker.terminate();

  const own = await createWorker({ worker: new Worker(new URL('./my-worker.js', import.meta.url), { type: 'module' }) });
  const of = await own.fit(X, fitOptions);
  const osp = await own.fit(S, sparseOptions);
  out.own = { simd: own.simd, same: of.relativeError === frob.relativeError, sparse: osp.observed };
  await own.terminate();

  const t0 = performance.now();
  const failed = await createWorker({ worker: new Worker(new URL('./not-nmfkit.js', import.meta.url), { type: 'module' }), startTimeout: 1000 }).then(
    () => 'resolved',
    (e) => (e instanceof NmfError ? e.code : `${e.name}: ${e.message}`),
  );
  out.notNmfkit = { code: failed, ms: Math.round(performance.now() - t0) };

  const t1 = performance.now();
  const broken = await createWorker({ worker: new Worker(new URL('./broken-worker.js', import.meta.url), { type: 'module' }), startTimeout: 20_000 }).then(
    () => 'resolved',
    (e) => (e instanceof NmfError ? e.code : `${e.name}: ${e.message}`),
  );
  out.broken = { code: broken, ms: Math.round(performance.now() - t1) };
  return out;
}

main().then(
  (r) => (window.result = r),
  (e) => (window.result = { error: `${e.name}: ${e.message}` }),
);
