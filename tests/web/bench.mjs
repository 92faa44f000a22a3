// The benchmark of wasm/scripts/bench.mjs in headless Chromium (never run by the tests): a
// 2000×1000 float32 rank-20 Frobenius fit on the demo's cross-origin-isolated page
// (web/serve.mjs; the package as web/build.sh installs it), each configuration in a Worker
// of its own (createWorker: module, threads), next to the native CLI (--threads 1, 2) in the
// same run. Interleaved rounds, a fresh order each round; each configuration warmed up with
// a full-size fit first; ms/iteration = (60-iteration fit − 10-iteration fit) / 50; min and
// median over the rounds. With tests/web/bench/ installed (`cd tests/web/bench && npm ci`:
// TensorFlow.js, the benchmark's peer only), also hand-written MU on TensorFlow.js's wasm
// backend (its threaded SIMD build) at 1 and 2 threads, each in a cross-origin-isolated page
// of its own (a backend's thread count is set once per page).
//   taskset -c 0,1 node tests/web/bench.mjs [--rounds N]     (after bash web/build.sh)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { boundLine, peakGflops, peakModule } from '../../wasm/scripts/fma-peak.mjs';
import { launch, nativeCli, openDemo, repo, startServer } from './helpers.mjs';

const args = process.argv.slice(2);
const rounds = Number(args.includes('--rounds') ? args[args.indexOf('--rounds') + 1] : 5);
const n = 2000, m = 1000, rank = 20;
const dist = 'node_modules/nmfkit/dist/';
const configs = [
  ['relaxed 1 thread', { module: 'relaxed', threads: 1 }],
  ['simd 1 thread', { module: 'simd', threads: 1 }],
  ['relaxed-mt 1 thread', { wasm: `${dist}nmfkit-relaxed-mt.wasm`, threads: 1 }],
  ['relaxed-mt 2 threads', { wasm: `${dist}nmfkit-relaxed-mt.wasm`, threads: 2 }],
  ['simd-mt 1 thread', { wasm: `${dist}nmfkit-simd-mt.wasm`, threads: 1 }],
  ['simd-mt 2 threads', { wasm: `${dist}nmfkit-simd-mt.wasm`, threads: 2 }],
];

const server = await startServer();
// TensorFlow.js from tests/web/bench/node_modules, on pages of a small isolated server of its own
const tfDir = join(repo, 'tests', 'web', 'bench', 'node_modules', '@tensorflow');
const TF_PAGE = `<!doctype html><meta charset="utf-8"><script src="/tfjs-core/dist/tf-core.min.js"></script>
<script src="/tfjs-backend-wasm/dist/tf-backend-wasm.min.js"></script>`;
const tfServer = existsSync(tfDir)
  ? await new Promise((resolve) => {
      const s = createServer((req, res) => {
        const path = new URL(req.url, 'http://x').pathname;
        const isolated = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
        if (path === '/') return res.writeHead(200, { 'Content-Type': 'text/html', ...isolated }).end(TF_PAGE);
        const file = join(tfDir, path);
        if (!file.startsWith(tfDir) || !existsSync(file)) return res.writeHead(404).end();
        const type = file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript';
        res.writeHead(200, { 'Content-Type': type, ...isolated }).end(readFileSync(file));
      });
      s.listen(0, '127.0.0.1', () => resolve(s));
    })
  : null;
const browser = await launch();
const tmp = mkdtempSync(join(tmpdir(), 'nmfkit-bench-'));
try {
  const page = await openDemo(browser.ctx, server.url);
  const version = await page.evaluate(() => navigator.userAgent.match(/Chrom[a-z]*\/[\d.]+/)?.[0]);
  // the workers and X stay in the page between calls
  const labels = await page.evaluate(
    async ({ configs, n, m, rank }) => {
      const { createWorker } = await import('nmfkit');
      let s = 12345;
      const X = Float32Array.from({ length: n * m }, () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
      const fit = (w, maxIter) => w.fit(X, { rows: n, cols: m, rank, maxIter, tol: 0, seed: 1 });
      window.bench = {};
      const labels = [];
      for (const [label, o] of configs) {
        const w = await createWorker(o);
        await fit(w, 60); // warm-up
        window.bench[label] = async (k) => {
          const t = performance.now();
          await fit(w, k);
          return performance.now() - t;
        };
        labels.push(`${label} (${w.module}, ${w.kernel}, ${w.threads} thread${w.threads > 1 ? 's' : ''})`);
      }
      return labels;
    },
    { configs, n, m, rank },
  );
  const runs = configs.map(([label], i) => ({ label: labels[i], time: (k) => page.evaluate(([l, k]) => window.bench[l](k), [label, k]), ms: [] }));
  if (tfServer)
    for (const threads of [1, 2]) {
      const tfPage = await browser.ctx.newPage();
      await tfPage.goto(`http://127.0.0.1:${tfServer.address().port}/`);
      const backend = await tfPage.evaluate(
        async ({ n, m, rank, threads }) => {
          const tf = window.tf;
          tf.wasm.setWasmPaths('/tfjs-backend-wasm/dist/');
          tf.wasm.setThreadsCount(threads);
          await tf.setBackend('wasm');
          let s = 12345;
          const X = tf.tensor2d(Float32Array.from({ length: n * m }, () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32), [n, m]);
          const Xt = tf.transpose(X);
          // Lee & Seung's MU for the Frobenius loss, as nmfkit runs it (eps in the denominators),
          // written for the backend's fast path: every product of X untransposed (matMul with
          // transposeA/B set runs 7-10x slower in tfjs-backend-wasm 4.22), so H is kept as Hᵀ and
          // Xᵀ is formed once; only the r×r Gram matrices use a transposed product.
          const mu = (k) => {
            let W = tf.randomUniform([n, rank], 0, 1, 'float32', 1);
            let Ht = tf.randomUniform([m, rank], 0, 1, 'float32', 2);
            for (let i = 0; i < k; i++) {
              const [W1, Ht1] = tf.tidy(() => {
                // (tfjs-core alone has no chained ops: the functions)
                const W2 = tf.div(tf.mul(W, tf.matMul(X, Ht)), tf.add(tf.matMul(W, tf.matMul(Ht, Ht, true, false)), 1e-10));
                const Ht2 = tf.div(tf.mul(Ht, tf.matMul(Xt, W2)), tf.add(tf.matMul(Ht, tf.matMul(W2, W2, true, false)), 1e-10));
                return [W2, Ht2];
              });
              W.dispose();
              Ht.dispose();
              [W, Ht] = [W1, Ht1];
            }
            const r = W.dataSync()[0] + Ht.dataSync()[0];
            W.dispose();
            Ht.dispose();
            return r;
          };
          mu(60); // warm-up
          window.tfBench = (k) => {
            const t = performance.now();
            mu(k);
            return performance.now() - t;
          };
          // what XNNPACK's pool really got (its own report), next to what was asked for
          return `${tf.getBackend()}, asked ${threads} runs ${tf.wasm.getThreadsCount()}, isolated ${crossOriginIsolated}`;
        },
        { n, m, rank, threads },
      );
      runs.push({ label: `TF.js wasm MU (${backend})`.slice(0, 58), time: (k) => tfPage.evaluate((k) => window.tfBench(k), k), ms: [] });
    }
  else console.log('(no TensorFlow.js: cd tests/web/bench && npm ci, for the peer of the threaded runs)');
  if (existsSync(nativeCli)) {
    const input = join(tmp, 'x.f32');
    let s = 12345;
    writeFileSync(input, Buffer.from(Float32Array.from({ length: n * m }, () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32).buffer));
    for (const threads of [1, 2]) {
      const time = async (k) => {
        const out = execFileSync(nativeCli, ['fit', input, '--shape', `${n}x${m}`, '--rank', String(rank), '--max-iter', String(k), '--tol', '0', '--seed', '1', '--solver', 'mu',
          '--threads', String(threads), '--out-w', join(tmp, 'w.npy'), '--out-h', join(tmp, 'h.npy'), '--json'], { encoding: 'utf8' });
        return JSON.parse(out).seconds * 1000;
      };
      await time(10);
      runs.push({ label: `native CLI ${threads} thread${threads > 1 ? 's' : ''}`, time, ms: [] });
    }
  } else console.log(`(no native CLI at ${nativeCli})`);
  for (let r = 0; r < rounds; r++) {
    const order = runs.map((x, i) => [Math.sin(r * 7.3 + i * 1.7), x]).sort((a, b) => a[0] - b[0]).map(([, x]) => x);
    for (const x of order) x.ms.push(((await x.time(60)) - (await x.time(10))) / 50);
  }
  const median = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];
  console.log(`${n}x${m} r=${rank} float32 in ${version}, ms/iteration over ${rounds} interleaved rounds (min, median); ${cpus()[0].model}`);
  for (const x of runs) console.log(`  ${x.label.padEnd(58)} ${Math.min(...x.ms).toFixed(2).padStart(7)} ${median(x.ms).toFixed(2).padStart(7)}`);
  const by = (p) => runs.find((x) => x.label.startsWith(p));
  const ratio = (a, b) => `${(median(by(b).ms) / median(by(a).ms)).toFixed(2)}x (min ${(Math.min(...by(b).ms) / Math.min(...by(a).ms)).toFixed(2)}x)`;
  console.log(`relaxed over simd, 1 thread:           ${ratio('relaxed 1', 'simd 1')}`);
  console.log(`relaxed-mt 2 threads over 1 thread:    ${ratio('relaxed-mt 2', 'relaxed-mt 1')}`);
  console.log(`simd-mt 2 threads over 1 thread:       ${ratio('simd-mt 2', 'simd-mt 1')}`);
  if (by('native CLI 1')) console.log(`relaxed 1 thread / native 1 thread:    ${(median(by('relaxed 1').ms) / median(by('native CLI 1').ms)).toFixed(2)}x (min ${(Math.min(...by('relaxed 1').ms) / Math.min(...by('native CLI 1').ms)).toFixed(2)}x)`);
  const tfRun = (t) => runs.find((x) => x.label.startsWith('TF.js') && x.label.includes(`asked ${t} `));
  for (const t of [1, 2])
    if (tfRun(t)) {
      const ours = by(t === 1 ? 'relaxed 1' : 'relaxed-mt 2');
      console.log(`relaxed ${t} thread(s) over TF.js wasm ${t}: ${(median(tfRun(t).ms) / median(ours.ms)).toFixed(2)}x (min ${(Math.min(...tfRun(t).ms) / Math.min(...ours.ms)).toFixed(2)}x)`);
    }
  // The bound on relaxed / native: this page's SIMD128 FMA peak and an iteration's flops at it
  const gf = await page.evaluate(`(${peakGflops})(new Uint8Array(${JSON.stringify([...peakModule(12)])}), 12)`);
  const native = by('native CLI 1');
  console.log(`(in the page) ${boundLine(gf, n, m, rank, native && Math.min(...native.ms))}`);
} finally {
  await browser.close();
  server.stop();
  tfServer?.close();
  rmSync(tmp, { recursive: true, force: true });
}
