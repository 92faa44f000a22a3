// `npm pack` / `npm publish` run this first:
//  1. checks that package.json's version is the library's: src/abi.js's (which must be
//     what scripts/gen-abi.mjs makes of abi.def and project(VERSION)) and the build's
//     generated nmfkit/version.h;
//  2. builds the three .wasm modules with CMake (incremental: nothing happens when they
//     are up to date) and copies them into dist/;
//  3. minifies the wrapper with esbuild (the package's one devDependency, installed here
//     with `npm ci` when missing) into dist/: node.js, browser.js (each with core.js and
//     client.js bundled in), worker.node.js, worker.browser.js, and sparse.js (the CSR
//     marshalling, imported by the other entries only with a module that has sparse X).
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
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
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
// The worker entries import the main entry of their platform, and the main entries
// sparse.js (a dynamic import): kept as imports of the minified files next to them (one
// copy of the wrapper for page and worker; sparse.js fetched only when needed).
const mainEntry = {
  name: 'main-entry-external',
  setup(b) {
    b.onResolve({ filter: /^\.\/(node|browser|sparse|threads\.browser|threads\.node)\.js$/ }, (a) => (a.kind === 'entry-point' ? undefined : { path: a.path, external: true }));
  },
};
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
for (const [entry, platform] of [['node', 'node'], ['browser', 'browser'], ['worker.node', 'node'], ['worker.browser', 'browser'], ['sparse', 'neutral'], ['threads.node', 'node'], ['threads.browser', 'browser'], ['pool-worker.node', 'node'], ['pool-worker.browser', 'browser']]) {
  await esbuild.build({
    entryPoints: [join(pkg, 'src', `${entry}.js`)],
    outfile: join(dist, `${entry}.js`),
    bundle: true,
    format: 'esm',
    platform,
    target: ['es2022', 'node18'],
    minify: true,
    legalComments: 'none',
    plugins: [mainEntry, moduleUrls],
    logLevel: 'warning',
  });
}
for (const entry of ['node', 'browser', 'threads.node', 'threads.browser']) {
  const js = readFileSync(join(dist, `${entry}.js`), 'utf8');
  for (const f of files.filter((f) => entry.startsWith('threads') === f.includes('-mt')))
    if (!js.includes(`new URL("./${f}",import.meta.url)`)) {
      console.error(`prepack: dist/${entry}.js does not name ${f} as a literal new URL("./${f}",import.meta.url)`);
      process.exit(1);
    }
}
console.error('prepack: dist/ holds the minified wrapper (node.js, browser.js, worker.node.js, worker.browser.js, sparse.js, threads.node.js, threads.browser.js, pool-worker.node.js, pool-worker.browser.js)');

// ---- the project's LICENSE and CHANGELOG.md, packed next to package.json ----------------
for (const f of ['LICENSE', 'CHANGELOG.md']) copyFileSync(join(repo, f), join(pkg, f));
console.error('prepack: LICENSE and CHANGELOG.md copied from the repository root');
