// `npm pack` / `npm publish` run this first:
//  1. checks that package.json's version is the library's: src/abi.js's (which must be
//     what scripts/gen-abi.mjs makes of abi.def and project(VERSION)) and the build's
//     generated nmfkit/version.h;
//  2. builds the three .wasm modules with CMake (incremental: nothing happens when they
//     are up to date) and copies them into dist/;
//  3. minifies the wrapper with esbuild (the package's one devDependency, installed here
//     with `npm ci` when missing) into dist/: node.js, browser.js (each with core.js and
//     client.js bundled in), worker.node.js (which imports node.js), worker.browser.js
//     (self-contained: browser.js's load() bundled in), browser.webpack.js (browser.js for
//     webpack: sparse.js and the thread code loaded as assets, see below), and sparse.js
//     (the CSR marshalling, imported by the other entries only with a module that has
//     sparse X),
//     and text.js (`nmfkit/text`, the tokenizer and TF-IDF builder: no entry imports it).
//     The `exports` map points at these; src/ keeps the readable sources (shipped too,
//     with the types). Each .wasm is named by a literal new URL('./<file>', import.meta.url)
//     (src/ has '../dist/<file>'), which bundlers see and emit;
//  4. copies the repository's LICENSE and CHANGELOG.md into the package (git-ignored there).
//   NMFKIT_WASM_BUILD_DIR  build folder to use (default: <repo>/build/wasm-simd, the one
//                          .ci/test-wasm and the wasm-simd preset use)
// Needs cmake and Debian's emscripten package (see README.md). When the build is not
// possible (no cmake/emscripten) and dist/ already holds the modules, they are used
// as they are, with a warning.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repo = resolve(pkg, '..');
const build = resolve(process.env.NMFKIT_WASM_BUILD_DIR || join(repo, 'build', 'wasm-simd'));
const dist = join(pkg, 'dist');
// the Emscripten modules (in <build>/wasm) and the clang-19 ones (in <build>/direct/wasm)
const files = ['nmfkit-simd.wasm', 'nmfkit-simd-full.wasm', 'nmfkit.wasm', 'nmfkit-relaxed.wasm', 'nmfkit-relaxed-mt.wasm', 'nmfkit-simd-mt.wasm'];
const DIRECT = new Set(['nmfkit-relaxed.wasm', 'nmfkit-relaxed-mt.wasm', 'nmfkit-simd-mt.wasm']);

// ---- the version: package.json's must be the library's ------------------------------
const { generate, ABI_JS } = await import('./gen-abi.mjs');
if (readFileSync(ABI_JS, 'utf8') !== generate()) {
  console.error('prepack: src/abi.js is out of date with core/include/nmfkit/abi.def or CMakeLists.txt: run node scripts/gen-abi.mjs');
  process.exit(1);
}
const { version } = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));
const { VERSION } = await import('../src/abi.js');
if (version !== VERSION) {
  console.error(`prepack: package.json has version ${version}, the library (project(VERSION) in CMakeLists.txt) ${VERSION}`);
  process.exit(1);
}
const checkHeader = () => {
  const header = join(build, 'core', 'include', 'nmfkit', 'version.h');
  if (!existsSync(header)) return;
  const v = /#define NMFKIT_VERSION_STRING "([^"]*)"/.exec(readFileSync(header, 'utf8'))?.[1];
  if (v !== version) {
    console.error(`prepack: package.json has version ${version}, ${header} ${v}`);
    process.exit(1);
  }
};

const run = (args) => {
  console.error(`prepack: cmake ${args.join(' ')}`);
  const r = spawnSync('cmake', args, { stdio: ['ignore', 2, 2] });
  if (r.error) return r.error.message;
  return r.status === 0 ? null : `cmake exited with ${r.status}`;
};

let failure = null;
if (!existsSync(join(build, 'CMakeCache.txt')))
  failure = run(['-S', repo, '-B', build, `-DCMAKE_TOOLCHAIN_FILE=${join(repo, 'toolchains', 'emscripten.cmake')}`,
    '-DCMAKE_BUILD_TYPE=Release', '-DNMFKIT_SIMD=ON', '-DNMFKIT_BUILD_CLI=OFF', '-DNMFKIT_BUILD_BENCH=OFF']);
if (!failure) failure = run(['--build', build, '--target', 'nmfkit_wasm_modules', '-j', '2']);
checkHeader();

if (failure) {
  if (!files.every((f) => existsSync(join(dist, f)))) {
    console.error(`prepack: could not build the .wasm modules (${failure}). Install cmake and emscripten (see README.md).`);
    process.exit(1);
  }
  console.error(`prepack: WARNING: could not build the modules (${failure}); packing the existing dist/ files`);
} else {
  mkdirSync(dist, { recursive: true });
  for (const f of files) {
    const src = DIRECT.has(f) ? join(build, 'direct', 'wasm', f) : join(build, 'wasm', f);
    if (!existsSync(src)) {
      console.error(`prepack: ${src} is missing: is ${build} configured with NMFKIT_SIMD=ON for Emscripten (and clang-19, lld-19 installed)?`);
      process.exit(1);
    }
    copyFileSync(src, join(dist, f));
  }
  console.error(`prepack: dist/ holds ${files.join(', ')} from ${build}`);
}

// ---- the minified wrapper ---------------------------------------------------------
let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  console.error('prepack: npm ci (installs esbuild, the devDependency that minifies the wrapper)');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: pkg, stdio: ['ignore', 2, 2] });
  if (r.status !== 0) {
    console.error('prepack: npm ci failed; run it in wasm/ (it needs the npm registry once)');
    process.exit(1);
  }
  esbuild = await import('esbuild');
}
// The Node worker entry imports node.js, and the main entries sparse.js (a dynamic
// import): kept as imports of the minified files next to them (one copy of the wrapper for
// the main thread and the worker; sparse.js fetched only when needed). The browser worker
// bundles its load() in: a worker entry that imports the page's entry, which holds the
// `new Worker(…)` starting it, is a cycle Parcel breaks (a page with two workers, the
// default one and its own importing 'nmfkit/worker': "Cannot find module" in the worker).
const external = (names) => ({
  name: 'external-entries',
  setup(b) {
    const filter = new RegExp(`^\\./(${names})\\.js$`);
    b.onResolve({ filter }, (a) => (a.kind === 'entry-point' ? undefined : { path: a.path, external: true }));
  },
});
// src/{node,browser}.js name the modules as new URL('../dist/<file>', import.meta.url); in
// dist/ they are next door. The URLs stay literals for the bundlers that emit what they name.
const moduleUrls = {
  name: 'module-urls',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/](node|browser|threads\.node|threads\.browser)\.js$/ }, (a) => {
      const src = readFileSync(a.path, 'utf8');
      const out = src.replaceAll("new URL('../dist/", "new URL('./");
      if (out === src) throw new Error(`prepack: ${a.path} names no module as new URL('../dist/…')`);
      return { contents: out, loader: 'js' };
    });
  },
};
// webpack's entry (the `webpack` condition of exports["."]): browser.js with the lazily
// loaded code (sparse.js, threads.browser.js) named as assets, new URL('./<file>',
// import.meta.url), and imported by the browser itself (webpackIgnore): webpack's import() is
// a chunk, and its loading runtime (JSONP scripts, about 700 B gzip) would sit in every page,
// which uses that code only with a full module or threads. webpack copies the assets as they
// are, so the entry also names the threaded modules and starts the pool workers
// (threads.browser.js: use()). Other bundlers keep import() (Vite would inline the 2 KB
// thread code into the page as a data: URL; Parcel bundles a new URL'd script without its
// exports).
const SPARSE_IMPORT = "import('./sparse.js')";
const POOL_IMPORT = "pool: () => import('./threads.browser.js'),";
const asset = (f) => `import(new URL('./${f}', import.meta.url).href)`;
const lazyAsAssets = {
  name: 'lazy-as-assets',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/](instance|browser)\.js$/ }, (a) => {
      const src = readFileSync(a.path, 'utf8');
      const [from, to] = a.path.endsWith('instance.js')
        ? [SPARSE_IMPORT, asset('sparse.js')]
        : [POOL_IMPORT, `pool: () => ${asset('threads.browser.js')}.then((m) => (m.use({ relaxed: new URL('./nmfkit-relaxed-mt.wasm', import.meta.url), simd: new URL('./nmfkit-simd-mt.wasm', import.meta.url), worker: () => new Worker(new URL('./pool-worker.browser.js', import.meta.url), { type: 'module' }) }), m)),`];
      if (!src.includes(from)) throw new Error(`prepack: ${a.path} has no ${from}`);
      const out = src.replace(from, to).replaceAll("new URL('../dist/", "new URL('./");
      return { contents: out, loader: 'js' };
    });
  },
};
// The thread code (threads.*.js: pools, the threaded modules) is imported lazily too.
const chunks = 'sparse|threads\\.browser|threads\\.node';
const builds = [['node', 'node'], ['browser', 'browser'], ['browser.webpack', 'browser', undefined, 'browser', [lazyAsAssets]],
  ['worker.node', 'node'], ['worker.browser', 'browser', chunks], ['sparse', 'neutral'], ['text', 'neutral'],
  ['threads.node', 'node'], ['threads.browser', 'browser'], ['pool-worker.node', 'node'], ['pool-worker.browser', 'browser']];
for (const [entry, platform, apart = `node|browser|${chunks}`, src = entry, more = []] of builds) {
  await esbuild.build({
    entryPoints: [join(pkg, 'src', `${src}.js`)],
    outfile: join(dist, `${entry}.js`),
    bundle: true,
    format: 'esm',
    platform,
    target: ['es2022', 'node18'],
    minify: true,
    legalComments: 'none',
    plugins: [external(apart), ...more, moduleUrls],
    logLevel: 'warning',
  });
}
{
  // esbuild drops comments in import(): the magic comments go in after minifying
  const file = join(dist, 'browser.webpack.js');
  const js = readFileSync(file, 'utf8');
  const calls = js.split('import(new URL(').length - 1;
  if (calls !== 2 || /import\("/.test(js)) {
    console.error(`prepack: dist/browser.webpack.js has ${calls} import(new URL(…)) calls (2 expected: sparse.js, threads.browser.js) or a bundled import()`);
    process.exit(1);
  }
  writeFileSync(file, js.replaceAll('import(new URL(', 'import(/* webpackIgnore: true */ new URL('));
}
for (const entry of ['node', 'browser', 'browser.webpack', 'worker.browser', 'threads.node', 'threads.browser']) {
  const js = readFileSync(join(dist, `${entry}.js`), 'utf8');
  for (const f of files.filter((f) => entry === 'browser.webpack' || entry.startsWith('threads') === f.includes('-mt')))
    if (!js.includes(`new URL("./${f}",import.meta.url)`)) {
      console.error(`prepack: dist/${entry}.js does not name ${f} as a literal new URL("./${f}",import.meta.url)`);
      process.exit(1);
    }
}
console.error('prepack: dist/ holds the minified wrapper (node.js, browser.js, browser.webpack.js, worker.node.js, worker.browser.js, sparse.js, text.js, threads.node.js, threads.browser.js, pool-worker.node.js, pool-worker.browser.js)');

// ---- the project's LICENSE and CHANGELOG.md, packed next to package.json ----------------
for (const f of ['LICENSE', 'CHANGELOG.md']) copyFileSync(join(repo, f), join(pkg, f));
console.error('prepack: LICENSE and CHANGELOG.md copied from the repository root');
