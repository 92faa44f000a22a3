// The npm package as users get it: `npm pack` of wasm/, the tarball installed offline into
// fresh projects, each built with no bundler configuration (Vite build and dev server,
// webpack 5, esbuild with wasm/README.md's command line, Rollup with its rollup.config.mjs,
// Parcel 2 with wasm/README.md's command line),
// served, and run in headless Chromium (Debian's, driven by playwright-core): fits on the
// main thread and in workers, the SIMD module asserted (app/main.js says what the page
// does); a plain static folder with an import map, as a CDN user has it; the page weight of
// a Frobenius fit (JS + wasm, gzip -9) in each bundler's output, printed and bounded;
// TypeScript (`bundler`, `nodenext`, a CommonJS `node16` project); publint on the tarball.
// (The CommonJS import() and the root README's example run in wasm/test/pack.test.mjs,
// under Node 18 too.)
//   NMFKIT_TARBALL   a packed nmfkit-<version>.tgz to test (default: npm pack wasm/ here)
//   NMFKIT_CHROMIUM  browser binary (default /usr/bin/chromium)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { constants, gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const bin = (name) => join(here, 'node_modules', '.bin', name);
// The page weight of a Frobenius fit, JS + wasm gzip -9, in every bundler's output: at most
// 20 000 B (issue 16).
const PAGE_LIMIT = 20_000;

const work = mkdtempSync(join(tmpdir(), 'nmfkit-bundlers-'));
const env = { ...process.env, npm_config_cache: join(work, 'npm-cache'), npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
let tarball;
let browser;
const weights = {};

before(async () => {
  tarball = process.env.NMFKIT_TARBALL && resolve(process.env.NMFKIT_TARBALL);
  if (!tarball) {
    const [info] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], join(repo, 'wasm')));
    tarball = join(work, info.filename);
  }
  const profile = join(work, 'chromium-profile');
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.NMFKIT_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  browser = ctx;
});
after(async () => {
  if (browser) await browser.close();
  const lines = Object.entries(weights).map(([k, v]) => `  ${k.padEnd(22)} ${String(v.total).padStart(6)} B  ${v.total <= PAGE_LIMIT ? 'within' : 'OVER'} the limit  (${v.files.join(', ')})`);
  if (lines.length) console.log(`page weight of a Frobenius fit, JS + wasm, gzip -9 (limit ${PAGE_LIMIT} B):\n${lines.join('\n')}`);
  rmSync(work, { recursive: true, force: true });
});

/** A fresh project: package.json as `npm init` makes it (plus extra), the tarball installed, the files of `from`. */
function project(name, from, extra = { type: 'module' }) {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true, ...extra }, null, 2));
  run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], dir);
  if (from) cpSync(join(here, from), dir, { recursive: true });
  return dir;
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };
/**
 * Serves a folder on 127.0.0.1 (a free port), as any static host does; resolves to
 * { url, close, served }: served lists the files sent.
 */
async function serve(root, isolated = false) {
  const served = [];
  // cross-origin isolated (SharedArrayBuffer, so threads): what a host sends for it
  const headers = isolated ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } : {};
  const server = createServer((req, res) => {
    const path = join(root, decodeURIComponent(new URL(req.url, 'http://x').pathname));
    const file = existsSync(path) && statSync(path).isDirectory() ? join(path, 'index.html') : path;
    if (!file.startsWith(root) || !existsSync(file)) {
      res.writeHead(404).end('not found');
      return;
    }
    served.push(file);
    res.writeHead(200, { 'content-type': TYPES[extname(file)] || 'application/octet-stream', ...headers }).end(readFileSync(file));
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${server.address().port}/`, served, close: () => new Promise((ok) => { server.close(ok); server.closeAllConnections(); }) };
}

const gz = (b) => {
  try {
    return execFileSync('gzip', ['-9c'], { input: b, maxBuffer: 1 << 26 }).length;
  } catch {
    return gzipSync(b, { level: constants.Z_BEST_COMPRESSION }).length;
  }
};

/** Opens url, waits for window.result; resolves to { result, errors }. */
async function open(url) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  try {
    await page.goto(url);
    await page.waitForFunction(() => window.result, null, { timeout: 60_000 });
    return { result: await page.evaluate(() => window.result), errors };
  } finally {
    await page.close();
  }
}

/**
 * The JS and wasm files a page fetched, gzip -9 each: { total, files, modules }; modules
 * names the package's .wasm files among them (bundlers rename them).
 */
function weigh(served) {
  const files = [];
  const modules = [];
  let total = 0;
  let text = false; // nmfkit/text's code (its stop-word list) among them
  for (const f of new Set(served)) {
    if (!/\.(m?js|wasm)$/.test(f)) continue;
    const bytes = readFileSync(f);
    if (bytes.includes('yourselves')) text = true;
    const size = gz(bytes);
    total += size;
    files.push(`${f.split('/').pop()} ${size}`);
    if (f.endsWith('.wasm')) modules.push(Object.keys(packageModules()).find((m) => packageModules()[m].equals(bytes)) || f);
  }
  return { total, files, modules, text };
}
let modules;
/** The package's .wasm files by name (from the tarball). */
function packageModules() {
  if (!modules) {
    modules = {};
    for (const m of ['nmfkit-simd.wasm', 'nmfkit-simd-full.wasm', 'nmfkit.wasm', 'nmfkit-relaxed.wasm', 'nmfkit-relaxed-mt.wasm', 'nmfkit-simd-mt.wasm'])
      modules[m] = execFileSync('tar', ['xzf', tarball, '-O', `package/dist/${m}`], { maxBuffer: 1 << 26 });
  }
  return modules;
}

/** What app/main.js reports in Chromium (which has relaxed SIMD): every path ran on a SIMD module. */
function checkApp({ result, errors }) {
  assert.equal(result.error, undefined, result.error);
  // the one error on the console: broken-worker.js's, uncaught in the worker as it should be
  assert.deepEqual(errors.filter((e) => !e.includes('this worker fails to start')), []);
  assert.equal(result.simdSupported, true);
  assert.equal(result.simd, true, 'the SIMD module on the main thread');
  assert.equal(result.kernel, 'wasm-relaxed-simd', 'Chromium runs relaxed SIMD: nmfkit-relaxed.wasm');
  // cross-origin isolated: the threaded module, a thread per core (at most 4); else one
  assert.equal(result.threads, result.isolated ? Math.min(4, result.cores) : 1, `threads (isolated: ${result.isolated})`);
  assert.ok(result.frob > 0 && result.frob < 0.5, `relative error ${result.frob}`);
  assert.ok(result.kl > 0 && result.kl < 0.5, `KL relative error ${result.kl}`);
  assert.equal(result.sparse, 5, 'the sparse fit saw the 5 stored entries');
  assert.deepEqual(result.topics, ['cat dog', 'market stock'], "nmfkit/text's term matrix: the planted topics");
  assert.deepEqual(result.worker, { simd: true, same: true, kl: true }, 'createWorker(): SIMD, the same fits');
  assert.deepEqual(result.own, { simd: true, same: true, sparse: 5 }, "a worker of the page's own importing 'nmfkit/worker'");
  assert.equal(result.notNmfkit.code, 'worker_failed');
  assert.ok(result.notNmfkit.ms >= 900 && result.notNmfkit.ms < 10_000, `worker_failed after ${result.notNmfkit.ms} ms (startTimeout 1000)`);
  // a worker whose script throws: its error event, long before startTimeout (20 s)
  assert.equal(result.broken.code, 'worker_failed');
  assert.ok(result.broken.ms < 10_000, `worker_failed after ${result.broken.ms} ms: the error event was missed`);
  // the baseline module (emitted for engines without SIMD) fits the same within float32 rounding
  assert.equal(result.baseline.kernel, 'scalar');
  assert.ok(Math.abs(result.baseline.frob - result.frob) < 1e-4 * result.frob, `baseline ${result.baseline.frob}, SIMD ${result.frob}`);
}

/** The Frobenius-only page: one module (nmfkit-relaxed.wasm in Chromium), no sparse.js, within the page weight. */
function checkFrob(name, { result, errors, weight }) {
  assert.equal(result.error, undefined, result.error);
  assert.deepEqual(errors, []);
  assert.equal(result.simd, true);
  assert.ok(result.frob > 0 && result.frob < 0.5);
  weights[name] = weight;
  assert.deepEqual(weight.modules, ['nmfkit-relaxed.wasm'], `the one module fetched: ${weight.files}`);
  assert.ok(!weight.files.some((f) => /sparse/.test(f)), weight.files.join(', '));
  assert.equal(weight.text, false, 'nmfkit/text is not in a page that does not import it');
  assert.ok(weight.total <= PAGE_LIMIT, `page weight ${weight.total} B > ${PAGE_LIMIT} B: ${weight.files}`);
}

/** Files of a build output; none may hold Node-only code. */
function checkOutput(dir) {
  const files = [];
  const walk = (d) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else files.push(relative(dir, p));
    }
  };
  walk(dir);
  for (const f of files.filter((f) => /\.m?js$/.test(f))) {
    const js = readFileSync(join(dir, f), 'utf8');
    assert.ok(!/node:(fs|worker_threads|path|url)/.test(js), `${f} has Node code (the node entry in a browser build)`);
  }
  return files;
}

// The app is served cross-origin isolated (threads), the Frobenius page as a plain host does.
async function servedCheck(dist, check) {
  const s = await serve(dist, check === checkApp);
  try {
    return check({ ...(await open(s.url)), weight: weigh(s.served) });
  } finally {
    await s.close();
  }
}

// wasm/README.md's command lines: the one in the ```sh block under `heading`
const readme = readFileSync(join(repo, 'wasm', 'README.md'), 'utf8');
function readmeCommand(heading, tool) {
  const at = readme.indexOf(`\n### ${heading}`);
  assert.ok(at >= 0, `wasm/README.md has a "### ${heading}" section`);
  const section = readme.slice(at + 1, readme.indexOf('\n#', at + 5));
  const line = /```sh\n([^\n]*)\n/.exec(section)?.[1];
  assert.ok(line && line.startsWith(`npx ${tool} `), `the ${heading} section's command: ${line}`);
  return line.slice(`npx ${tool} `.length).split(/\s+/);
}

test('publint: the tarball is clean (suggestions included)', () => {
  const out = run(bin('publint'), ['run', tarball, '--strict', '--level', 'suggestion'], work);
  assert.doesNotMatch(out, /Suggestions|Warnings|Errors/, out);
});

test('the tarball: LICENSE, CHANGELOG.md, the version of the library, no repository fields', () => {
  const files = run('tar', ['tzf', tarball], work).split('\n');
  for (const f of ['package/LICENSE', 'package/CHANGELOG.md', 'package/README.md', 'package/dist/browser.js']) assert.ok(files.includes(f), f);
  const pkg = JSON.parse(run('tar', ['xzf', tarball, '-O', 'package/package.json'], work));
  const version = /project\(nmfkit[^)]*VERSION\s+([0-9.]+)/.exec(readFileSync(join(repo, 'CMakeLists.txt'), 'utf8'))?.[1];
  assert.equal(pkg.version, version, 'package.json has project(VERSION)');
  // the project has no public home: no invented URLs
  for (const k of ['repository', 'homepage', 'bugs']) assert.equal(pkg[k], undefined, k);
  assert.match(readFileSync(join(repo, 'CHANGELOG.md'), 'utf8'), new RegExp(`## ${version.replaceAll('.', '\\.')}`));
});

test('Vite: build, no config', async () => {
  const { build } = await import('vite');
  for (const [name, from, check] of [['vite', 'app', checkApp], ['vite-frob', 'frob', (r) => checkFrob('vite', r)]]) {
    const dir = project(name, from);
    await build({ root: dir, configFile: false, logLevel: 'warn' });
    checkOutput(join(dir, 'dist'));
    await servedCheck(join(dir, 'dist'), check);
  }
});

test('Vite: dev server, no config', async () => {
  const { createServer: vite } = await import('vite');
  const dir = project('vite-dev', 'app');
  const server = await vite({ root: dir, configFile: false, logLevel: 'warn', server: { host: '127.0.0.1', port: 0 } });
  await server.listen();
  try {
    checkApp(await open(server.resolvedUrls.local[0]));
  } finally {
    await server.close();
  }
});

test("webpack 5: wasm/README.md's command line, no config", async () => {
  const args = readmeCommand('webpack', 'webpack');
  for (const [name, from, check] of [['webpack', 'app', checkApp], ['webpack-frob', 'frob', (r) => checkFrob('webpack', r)]]) {
    const dir = project(name, from);
    const log = run(bin('webpack'), [...args, '--no-color'], dir);
    assert.doesNotMatch(log, /WARNING|ERROR/, log);
    const out = join(dir, args[args.indexOf('--output-path') + 1]);
    cpSync(join(dir, 'index.html'), join(out, 'index.html'));
    const files = checkOutput(out);
    // the modules: relaxed, SIMD, full SIMD, the threaded two, and the baseline for engines
    // without SIMD; never node.js / worker.node.js
    assert.equal(files.filter((f) => f.endsWith('.wasm')).length, 6, files.join(' '));
    await servedCheck(out, check);
  }
});

test('esbuild: the command line of wasm/README.md', async () => {
  const args = readmeCommand('esbuild', 'esbuild');
  for (const [name, from, check] of [['esbuild', 'app', checkApp], ['esbuild-frob', 'frob', (r) => checkFrob('esbuild', r)]]) {
    const dir = project(name, from);
    // the page's own worker is one more entry point of the page's
    const own = from === 'app' ? ['my-worker.js', 'not-nmfkit.js', 'broken-worker.js'] : [];
    run(bin('esbuild'), [...args, ...own, '--log-level=warning'], dir);
    const out = join(dir, args.find((a) => a.startsWith('--outdir=')).slice('--outdir='.length));
    cpSync(join(dir, 'index.html'), join(out, 'index.html'));
    checkOutput(out);
    await servedCheck(out, check);
  }
});

test("Rollup: wasm/README.md's rollup.config.mjs", async () => {
  const at = readme.indexOf('\n### Rollup');
  const config = /```js\n(\/\/ rollup\.config\.mjs\n[\s\S]*?)```/.exec(readme.slice(at))?.[1];
  assert.ok(at >= 0 && config, 'wasm/README.md has the Rollup section and its rollup.config.mjs');
  for (const [name, from, check] of [['rollup', 'app', checkApp], ['rollup-frob', 'frob', (r) => checkFrob('rollup', r)]]) {
    const dir = project(name, from);
    // the plugins, as the project would have them installed
    for (const p of ['@rollup/plugin-node-resolve', '@web/rollup-plugin-import-meta-assets']) {
      mkdirSync(dirname(join(dir, 'node_modules', p)), { recursive: true });
      symlinkSync(join(here, 'node_modules', p), join(dir, 'node_modules', p));
    }
    // the page's own workers: more inputs, as the README says
    const own = from === 'app' ? "'my-worker': 'my-worker.js', 'not-nmfkit': 'not-nmfkit.js', 'broken-worker': 'broken-worker.js', " : '';
    const edited = config.replace("input: { main: 'main.js', ", `input: { main: 'main.js', ${own}`);
    assert.ok(!own || edited !== config);
    writeFileSync(join(dir, 'rollup.config.mjs'), edited);
    run(bin('rollup'), ['-c', '--silent', '--failAfterWarnings'], dir);
    cpSync(join(dir, 'index.html'), join(dir, 'dist', 'index.html'));
    checkOutput(join(dir, 'dist'));
    await servedCheck(join(dir, 'dist'), check);
  }
});

test("Parcel 2: wasm/README.md's command line, no config", async () => {
  const args = readmeCommand('Parcel', 'parcel');
  for (const [name, from, check] of [['parcel', 'app', checkApp], ['parcel-frob', 'frob', (r) => checkFrob('parcel', r)]]) {
    const dir = project(name, from);
    assert.ok(!readdirSync(dir).some((f) => f.startsWith('.parcelrc')), 'no Parcel config in the project');
    // no cache folder in the project, nothing installed on the fly, no source maps to weigh
    const log = run(bin('parcel'), [...args, '--dist-dir', 'dist', '--no-cache', '--no-autoinstall', '--no-source-maps'], dir);
    assert.doesNotMatch(log, /warn|error/i, log);
    const files = checkOutput(join(dir, 'dist'));
    // the modules: relaxed, SIMD, full SIMD, the threaded two, and the baseline for engines without SIMD
    assert.equal(new Set(files.filter((f) => f.endsWith('.wasm'))).size, 6, files.join(' '));
    await servedCheck(join(dir, 'dist'), check);
  }
});

test('a plain static folder: the package files as a CDN serves them, an import map', async () => {
  const dir = project('plain', null);
  const site = join(dir, 'site');
  cpSync(join(here, 'app'), site, { recursive: true });
  cpSync(join(dir, 'node_modules', 'nmfkit'), join(site, 'nmfkit'), { recursive: true });
  const map = '<script type="importmap">{ "imports": { "nmfkit": "./nmfkit/dist/browser.js", "nmfkit/text": "./nmfkit/dist/text.js" } }</script>\n';
  writeFileSync(join(site, 'index.html'), readFileSync(join(site, 'index.html'), 'utf8').replace('<script type="module"', `${map}<script type="module"`));
  // a worker sees no import map: its imports are URLs
  writeFileSync(join(site, 'my-worker.js'), "import './nmfkit/dist/worker.browser.js';\n");
  await servedCheck(site, checkApp);
});

test('TypeScript: moduleResolution bundler, nodenext, and a CommonJS node16 project', () => {
  const cases = [
    ['ts-bundler', { type: 'module' }, { module: 'esnext', moduleResolution: 'bundler' }, 'esm.ts'],
    ['ts-nodenext', { type: 'module' }, { module: 'nodenext', moduleResolution: 'nodenext' }, 'esm.ts'],
    ['ts-cjs', {}, { module: 'node16', moduleResolution: 'node16' }, 'cjs.ts'],
  ];
  for (const [name, extra, options, file] of cases) {
    const dir = project(name, null, extra);
    cpSync(join(here, 'types', file), join(dir, 'index.ts'));
    const files = ['index.ts'];
    if (file === 'esm.ts') files.push(cpSync(join(here, 'types', 'my-worker.ts'), join(dir, 'my-worker.ts')) || 'my-worker.ts');
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { ...options, target: 'es2022', lib: ['es2022', 'dom'], types: [], strict: true, noEmit: true, skipLibCheck: false, noUncheckedSideEffectImports: true },
      files,
    }));
    try {
      run(bin('tsc'), ['-p', dir], dir);
    } catch (e) {
      assert.fail(`${name}: tsc --noEmit failed:\n${e.stdout}${e.stderr}`);
    }
  }
});
