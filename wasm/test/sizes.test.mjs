// Prints (does not assert) what each .wasm module and the minified wrapper weigh, raw and
// gzip -9: what a page downloads for `import { load } from 'nmfkit'` is the minified
// browser entry (core.js and client.js bundled in, as scripts/prepack.mjs builds it) plus
// nmfkit-simd.wasm; nmfkit-simd-full.wasm follows only for beta != 2, NNDSVD, AMU, sparse
// X or missing entries, and with it sparse.js (the CSR marshalling, a file of its own).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { constants, gzipSync } from 'node:zlib';
import { MODULES } from './helpers.mjs';

// the gzip command's -9 where there is one (the figures the README quotes), else zlib's
const gz = (b) => {
  try {
    return execFileSync('gzip', ['-9c'], { input: b, maxBuffer: 1 << 26 }).length;
  } catch {
    return gzipSync(b, { level: constants.Z_BEST_COMPRESSION }).length;
  }
};
const line = (name, b) => `${name}: ${b.length} bytes, ${gz(b)} gzip -9`;

test('sizes (printed, not checked)', async (t) => {
  const sizes = {};
  for (const [label, path] of MODULES) {
    const b = readFileSync(path);
    sizes[label] = gz(b);
    t.diagnostic(line(`${label} module`, b));
  }
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    t.diagnostic('minified wrapper: esbuild is not installed (npm ci in wasm/)');
    return;
  }
  const sparseApart = {
    name: 'sparse-apart',
    setup(b) {
      b.onResolve({ filter: /^\.\/sparse\.js$/ }, (a) => (a.kind === 'entry-point' ? undefined : { path: a.path, external: true }));
    },
  };
  const bundle = async (file) => {
    const r = await esbuild.build({
      entryPoints: [fileURLToPath(new URL(`../src/${file}`, import.meta.url))], plugins: [sparseApart],
      bundle: true, format: 'esm', platform: 'browser', target: ['es2022'], minify: true, legalComments: 'none', write: false,
    });
    return Buffer.from(r.outputFiles[0].contents);
  };
  const js = await bundle('browser.js');
  t.diagnostic(line('minified wrapper (browser entry)', js));
  t.diagnostic(line('minified sparse.js (with a full module only)', await bundle('sparse.js')));
  if (sizes.simd) t.diagnostic(`page total for import { load } from 'nmfkit' (wrapper + SIMD module): ${gz(js) + sizes.simd} gzip -9`);
});
