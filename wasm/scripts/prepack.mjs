// `npm pack` / `npm publish` run this first: it builds both .wasm modules with CMake
// (incremental: nothing happens when they are up to date) and copies them into dist/.
//   NMFKIT_WASM_BUILD_DIR  build folder to use (default: <repo>/build/wasm-simd, the one
//                          .ci/test-wasm and the wasm-simd preset use)
// Needs cmake and Debian's emscripten package (see README.md). When the build is not
// possible (no cmake/emscripten) and dist/ already holds both modules, they are used
// as they are, with a warning.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repo = resolve(pkg, '..');
const build = resolve(process.env.NMFKIT_WASM_BUILD_DIR || join(repo, 'build', 'wasm-simd'));
const dist = join(pkg, 'dist');
const files = ['nmfkit-simd.wasm', 'nmfkit.wasm'];

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

if (failure) {
  if (files.every((f) => existsSync(join(dist, f)))) {
    console.error(`prepack: WARNING: could not build the modules (${failure}); packing the existing dist/ files`);
    process.exit(0);
  }
  console.error(`prepack: could not build the .wasm modules (${failure}). Install cmake and emscripten (see README.md).`);
  process.exit(1);
}
mkdirSync(dist, { recursive: true });
for (const f of files) {
  const src = join(build, 'wasm', f);
  if (!existsSync(src)) {
    console.error(`prepack: ${src} is missing: is ${build} configured with NMFKIT_SIMD=ON for Emscripten?`);
    process.exit(1);
  }
  copyFileSync(src, join(dist, f));
}
console.error(`prepack: dist/ holds ${files.join(', ')} from ${build}`);
