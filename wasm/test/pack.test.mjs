// What a new user gets: `npm pack` (its prepack step builds/stages the .wasm modules from
// this CTest build folder and the minified wrapper), then the tarball installed offline
// into an empty project, and a script there that imports `nmfkit` (the minified dist/
// entry) and fits a matrix: Frobenius on the default module, KL + NNDSVD and a sparse X
// with missing entries on the full one loaded on demand (with dist/sparse.js), also
// through nmfkit/worker.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';

const pkgDir = resolve(fileURLToPath(new URL('..', import.meta.url)));
const tmp = mkdtempSync(join(tmpdir(), 'nmfkit-pack-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const env = { ...process.env, npm_config_cache: join(tmp, 'npm-cache'), npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
const npm = (args, cwd) => execFileSync('npm', args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });

let tarball;
test('npm pack, install the tarball into an empty project, fit', () => {
  const [info] = JSON.parse(npm(['pack', '--json', '--pack-destination', tmp], pkgDir));
  tarball = join(tmp, info.filename);
  const { version } = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  assert.equal(info.filename, `nmfkit-${version}.tgz`);
  const files = info.files.map((f) => f.path).sort();
  for (const f of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'dist/nmfkit-simd.wasm', 'dist/nmfkit-simd-full.wasm', 'dist/nmfkit.wasm',
    'dist/node.js', 'dist/browser.js', 'dist/browser.webpack.js', 'dist/worker.node.js', 'dist/worker.browser.js', 'dist/sparse.js', 'dist/text.js',
    'worker/package.json', 'text/package.json', 'src/node.js', 'src/browser.js',
    'src/core.js', 'src/client.js', 'src/sparse.js', 'src/rank.js', 'src/worker-impl.js', 'src/worker.node.js', 'src/worker.browser.js', 'src/nmfkit.d.ts', 'src/worker.d.ts'])
    assert.ok(files.includes(f), `${f} missing from the tarball`);
  assert.ok(!files.some((f) => f.startsWith('test/') || f.startsWith('scripts/') || f.startsWith('node_modules/') || f.endsWith('.cpp')), files.join(' '));
  assert.equal(JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).dependencies, undefined, 'no runtime dependencies');

  const app = join(tmp, 'app');
  execFileSync('mkdir', [app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  npm(['install', '--offline', '--no-audit', '--no-fund', join(tmp, info.filename)], app);
  writeFileSync(join(app, 'main.js'), `
import { load, createWorker, simdSupported, NmfError } from 'nmfkit';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const nmf = await load();
const base = await load({ simd: false });
const X = [[1, 2, 3], [2, 4, 6.5], [0, 1, 1], [3, 5, 8]];
const r = await nmf.fit(X, { rank: 2, seed: 7, maxIter: 300, tol: 0 });
const b = base.fitSync(X, { rank: 2, seed: 7, maxIter: 300, tol: 0 });
const w = await createWorker({ simd: false });
const rw = await w.fit(new Float32Array(X.flat()), { rows: 4, rank: 2, seed: 7 });
await w.terminate();
let code;
try { nmf.fitSync([[1, -1]], { rank: 1 }); } catch (e) { code = e instanceof NmfError && e.code; }
// beta != 2 and NNDSVD: the full SIMD module, loaded from the package on first use
const kl = await nmf.fit(X, { rank: 2, seed: 7, loss: 'kullback-leibler', init: 'nndsvda' });
const klBase = base.fitSync(X, { rank: 2, seed: 7, loss: 'kullback-leibler', init: 'nndsvda' });
const full = await load({ features: 'full' });
const klFull = full.fitSync(X, { rank: 2, seed: 7, loss: 'kullback-leibler', init: 'nndsvda' });
const wk = await createWorker();
const klWorker = await wk.fit(X, { rank: 2, seed: 7, loss: 'kullback-leibler', init: 'nndsvda' });
// a sparse X, ratings: the unstored entries missing
const S = { rows: 3, cols: 4, indptr: [0, 2, 3, 5], indices: [0, 2, 1, 1, 3], values: Float32Array.from([5, 3, 4, 1, 2]) };
const so = { rank: 2, seed: 7, missing: 'unstored', maxIter: 100 };
const sp = await nmf.fit(S, so);
const spBase = base.fitSync(S, so);
const spWorker = await wk.fit(S, so);
await wk.terminate();
// nmfkit/text: the minified dist/text.js, its matrix fitted as a sparse X
const { tfidf, topWords } = await import('nmfkit/text');
const tf = tfidf(['apple banana apple', 'banana cherry', 'cherry cherry date'], { weighting: 'counts' });
const tr = await nmf.fit(tf.matrix, { rank: 2, seed: 1, loss: 'kl' });
const text = [import.meta.resolve('nmfkit/text').endsWith('dist/text.js'), tf.vocabulary.join(' '), topWords(tr.H, tf.vocabulary, 1).length];
const wasmFiles = ['nmfkit/nmfkit-simd.wasm', 'nmfkit/nmfkit-simd-full.wasm', 'nmfkit/nmfkit.wasm'].map((s) => existsSync(fileURLToPath(import.meta.resolve(s))));
const diff = (a, b) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));
console.log(JSON.stringify({ simd: nmf.simd, expected: simdSupported(), base: base.simd, rel: r.relativeError,
  same: diff(r.W, b.W), W: r.W.length, H: r.H.length, worker: rw.W.constructor.name,
  code, wasmFiles, text, worker_entry: import.meta.resolve('nmfkit/worker').endsWith('dist/worker.node.js'),
  entry: import.meta.resolve('nmfkit').endsWith('dist/node.js'),
  kl: Math.max(diff(kl.W, klBase.W), diff(kl.W, klFull.W), diff(kl.W, klWorker.W)),
  sparse: [sp.observed, sp.W.constructor.name, Math.max(diff(sp.W, spBase.W), diff(sp.W, spWorker.W)) < 1e-5] }));
`);
  const out = JSON.parse(execFileSync(process.execPath, ['main.js'], { cwd: app, encoding: 'utf8' }));
  assert.deepEqual(
    { ...out, rel: out.rel < 0.05, same: out.same < 1e-5, kl: out.kl < 1e-9 },
    { simd: out.expected, expected: out.expected, base: false, rel: true, same: true, W: 8, H: 6, worker: 'Float32Array',
      code: 'x_negative', wasmFiles: [true, true, true], text: [true, 'apple banana cherry date', 2], worker_entry: true, entry: true, kl: true,
      sparse: [5, 'Float32Array', true] },
  );
});

test("a default `npm init -y` project: the root README's example runs as written; CommonJS imports the package with import()", () => {
  assert.ok(tarball, 'packed by the test above');
  const app = join(tmp, 'init');
  execFileSync('mkdir', [app]);
  npm(['init', '-y'], app); // no "type": .js files are CommonJS
  npm(['install', '--offline', '--no-audit', '--no-fund', tarball], app);
  const example = /```js\n(\/\/ fit\.mjs[\s\S]*?)```/.exec(readFileSync(join(pkgDir, '..', 'README.md'), 'utf8'))?.[1];
  assert.ok(example, "the root README's JavaScript example starts with // fit.mjs");
  writeFileSync(join(app, 'fit.mjs'), example);
  const out = execFileSync(process.execPath, ['fit.mjs'], { cwd: app, encoding: 'utf8' }).trim().split('\n');
  assert.match(out.pop(), /^\d+ iterations, relative error 0\.\d{3}$/);
  assert.ok(out.length > 0, 'onProgress printed');

  const line = /^(const \{[^}]*\} = await import\('nmfkit'\);)$/m.exec(readFileSync(join(pkgDir, 'README.md'), 'utf8'))?.[1];
  assert.ok(line, "wasm/README.md has the CommonJS import() line");
  writeFileSync(join(app, 'index.js'), `(async () => {
  ${line}
  const nmf = await load();
  const w = await createWorker();
  const r = await w.fit([[1, 2], [3, 4]], { rank: 1, seed: 1 });
  await w.terminate();
  let code;
  try { nmf.fitSync(new Float32Array([1, -1]), { rows: 1, rank: 1 }); } catch (e) { code = e instanceof NmfError && e.code; }
  console.log(JSON.stringify({ W: r.W.length, code }));
})();
`);
  assert.deepEqual(JSON.parse(execFileSync(process.execPath, ['index.js'], { cwd: app, encoding: 'utf8' })), { W: 2, code: 'x_negative' });
  // require('nmfkit') works only where Node loads ES modules with require (Node >= 20.19, 22.12), as wasm/README.md says
  const req = spawnSync(process.execPath, ['-e', "require('nmfkit').load().then((n) => console.log(typeof n.fit))"], { cwd: app, encoding: 'utf8' });
  if (process.features.require_module) assert.equal(req.stdout.trim(), 'function', req.stderr);
  else assert.match(req.stderr, /ERR_REQUIRE_ESM/);
});
