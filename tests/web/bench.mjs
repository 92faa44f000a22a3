// The benchmark of wasm/scripts/bench.mjs in headless Chromium (never run by the tests): a
// 2000×1000 float32 rank-20 Frobenius fit on the demo's cross-origin-isolated page
// (web/serve.mjs; the package as web/build.sh installs it), each configuration in a Worker
// of its own (createWorker: module, threads), next to the native CLI (--threads 1, 2) in the
// same run. Interleaved rounds, a fresh order each round; each configuration warmed up with
// a full-size fit first; ms/iteration = (60-iteration fit − 10-iteration fit) / 50; min and
// median over the rounds.
//   taskset -c 0,1 node tests/web/bench.mjs [--rounds N]     (after bash web/build.sh)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, nativeCli, openDemo, startServer } from './helpers.mjs';

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
  if (existsSync(nativeCli)) {
    const input = join(tmp, 'x.f32');
    let s = 12345;
    writeFileSync(input, Buffer.from(Float32Array.from({ length: n * m }, () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32).buffer));
    for (const threads of [1, 2]) {
      const time = async (k) => {
        const out = execFileSync(nativeCli, ['fit', input, '--shape', `${n}x${m}`, '--rank', String(rank), '--max-iter', String(k), '--tol', '0', '--seed', '1',
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
} finally {
  await browser.close();
  server.stop();
  rmSync(tmp, { recursive: true, force: true });
}
