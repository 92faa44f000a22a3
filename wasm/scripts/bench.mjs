// ms/iteration of a 2000×1000 float32 rank-20 Frobenius fit (nmf.fitSync, tol 0) for every
// module this engine runs, one thread and the threaded modules at 1 and 2 threads, next to
// the native CLI's (`nmfkit fit --threads 1|2`) on the same matrix in the same run. The runs
// are interleaved (round after round, each configuration once a round, in a fresh order
// each round), each after an untimed full-size warm-up (Liftoff → TurboFan); min and median
// of the rounds. ms/iteration = (time of a 60-iteration fit − time of a 10-iteration fit) / 50,
// so that the start (random W0, H0, value scan) is not counted, for wasm and native alike.
//
//   taskset -c 0,1 node --experimental-wasm-relaxed-simd scripts/bench.mjs [--rounds N] [--cli PATH]
//       [--sparse]    also the sparse 20000×5000 CSR X at 0.5 % (the full modules)
// Modules come from the build folder's (NMFKIT_WASM_* as the tests take them) or dist/.
// Relaxed SIMD needs the flag in Node 20; without it the relaxed modules are left out.
// Chromium: tests/web/bench.mjs runs the same configurations in a page.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load, relaxedSupported } from '../src/node.js';
import { boundLine, peakGflops, peakModule } from './fma-peak.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const rounds = Number(opt('--rounds', 5));
const repo = fileURLToPath(new URL('../..', import.meta.url));
const cli = opt('--cli', process.env.NMFKIT_NATIVE_CLI || join(repo, 'build', 'release', 'nmfkit'));
const dist = (f) => fileURLToPath(new URL(`../dist/${f}`, import.meta.url));
const file = (env, f) => process.env[env] || dist(f);

const n = 2000, m = 1000, rank = 20;
let s = 12345;
const rnd = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
const X = new Float32Array(n * m).map(rnd);

// [label, load options]
const configs = [
  ['simd 1 thread', { wasm: file('NMFKIT_WASM_SIMD', 'nmfkit-simd.wasm') }],
  ['simd-mt 1 thread', { wasm: file('NMFKIT_WASM_SIMD_MT', 'nmfkit-simd-mt.wasm'), threads: 1 }],
  ['simd-mt 2 threads', { wasm: file('NMFKIT_WASM_SIMD_MT', 'nmfkit-simd-mt.wasm'), threads: 2 }],
  ['baseline 1 thread', { wasm: file('NMFKIT_WASM_BASELINE', 'nmfkit.wasm') }],
];
if (relaxedSupported())
  configs.unshift(
    ['relaxed 1 thread', { wasm: file('NMFKIT_WASM_RELAXED', 'nmfkit-relaxed.wasm') }],
    ['relaxed-mt 1 thread', { wasm: file('NMFKIT_WASM_RELAXED_MT', 'nmfkit-relaxed-mt.wasm'), threads: 1 }],
    ['relaxed-mt 2 threads', { wasm: file('NMFKIT_WASM_RELAXED_MT', 'nmfkit-relaxed-mt.wasm'), threads: 2 }],
  );
else console.log('(no relaxed SIMD in this engine: Node 20 needs --experimental-wasm-relaxed-simd)');

const fitOptions = (maxIter) => ({ rows: n, cols: m, rank, maxIter, tol: 0, seed: 1 });
const runs = [];
for (const [label, o] of configs) {
  const nmf = await load(o);
  nmf.fitSync(X, fitOptions(60)); // warm-up
  const timed = (k) => {
    const t = performance.now();
    nmf.fitSync(X, fitOptions(k));
    return performance.now() - t;
  };
  runs.push({ label: `${label} (${nmf.module}, ${nmf.kernel})`, time: timed, ms: [], nmf });
}
const tmp = mkdtempSync(join(tmpdir(), 'nmfkit-bench-'));
if (existsSync(cli)) {
  const input = join(tmp, 'x.f32');
  writeFileSync(input, Buffer.from(X.buffer));
  for (const threads of [1, 2]) {
    const timed = (k) => {
      const out = execFileSync(cli, ['fit', input, '--shape', `${n}x${m}`, '--rank', String(rank), '--max-iter', String(k), '--tol', '0', '--solver', 'mu',
        '--seed', '1', '--threads', String(threads), '--out-w', join(tmp, 'w.npy'), '--out-h', join(tmp, 'h.npy'), '--json'], { encoding: 'utf8' });
      return JSON.parse(out).seconds * 1000;
    };
    timed(10);
    runs.push({ label: `native CLI ${threads} thread${threads > 1 ? 's' : ''}`, time: timed, ms: [] });
  }
} else console.log(`(no native CLI at ${cli}: build the release preset, or pass --cli PATH)`);

for (let r = 0; r < rounds; r++) {
  const order = runs.map((x, i) => [Math.sin(r * 7.3 + i * 1.7), x]).sort((a, b) => a[0] - b[0]).map(([, x]) => x);
  for (const x of order) x.ms.push((x.time(60) - x.time(10)) / 50);
}
rmSync(tmp, { recursive: true, force: true });

const median = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];
console.log(`${n}x${m} r=${rank} float32, ms/iteration over ${rounds} interleaved rounds (min, median); ${cpus()[0].model}; Node ${process.versions.node}`);
for (const x of runs) console.log(`  ${x.label.padEnd(52)} ${Math.min(...x.ms).toFixed(2).padStart(7)} ${median(x.ms).toFixed(2).padStart(7)}`);
const by = (p) => runs.find((x) => x.label.startsWith(p));
const ratio = (a, b) => (by(a) && by(b) ? `${(median(by(b).ms) / median(by(a).ms)).toFixed(2)}x (min ${(Math.min(...by(b).ms) / Math.min(...by(a).ms)).toFixed(2)}x)` : 'n/a');
console.log(`relaxed over simd, 1 thread:          ${ratio('relaxed 1', 'simd 1')}`);
console.log(`relaxed-mt 2 threads over 1 thread:   ${ratio('relaxed-mt 2', 'relaxed-mt 1')}`);
console.log(`simd-mt 2 threads over 1 thread:      ${ratio('simd-mt 2', 'simd-mt 1')}`);
console.log(`native 1 thread over relaxed 1 thread: ${ratio('native CLI 1', 'relaxed 1')}`);
// The bound on the last ratio: this engine's SIMD128 FMA peak and an iteration's flops at it.
if (relaxedSupported()) {
  const native = by('native CLI 1');
  console.log(boundLine(await peakGflops(peakModule(12), 12), n, m, rank, native && Math.min(...native.ms)));
}
for (const x of runs) if (x.nmf) x.nmf.dispose();

if (args.includes('--sparse')) {
  // 20000×5000 with 25 entries a row (0.5 %) at distinct random columns, values uniform in [0, 1)
  const S = { rows: 20000, cols: 5000, indptr: new Uint32Array(20001), indices: new Uint32Array(20000 * 25), values: new Float32Array(20000 * 25) };
  for (let i = 0; i < S.rows; i++) {
    const cols = new Set();
    while (cols.size < 25) cols.add(Math.floor(rnd() * S.cols));
    S.indices.set(Float64Array.from(cols).sort(), i * 25);
    for (let k = 0; k < 25; k++) S.values[i * 25 + k] = rnd();
    S.indptr[i + 1] = (i + 1) * 25;
  }
  for (const [label, o] of [['simd-full', { wasm: file('NMFKIT_WASM_SIMD_FULL', 'nmfkit-simd-full.wasm') }], ['baseline', configs.at(-1)[1]]]) {
    const nmf = await load(o);
    for (const loss of ['frobenius', 'kl']) {
      const f = (k) => nmf.fitSync(S, { rank, maxIter: k, tol: 0, seed: 1, loss });
      f(10);
      let best = Infinity;
      for (let r = 0; r < 3; r++) {
        const t = performance.now();
        f(50);
        best = Math.min(best, (performance.now() - t) / 50);
      }
      console.log(`${label}: ${best.toFixed(2)} ms/iteration, sparse ${S.rows}x${S.cols} nnz=${S.indices.length} r=${rank} float32 ${loss}`);
    }
  }
}
