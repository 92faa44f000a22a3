#!/usr/bin/env bash
# Builds the demo's one dependency the way a user gets it: `npm pack` in wasm/ (its
# prepack step builds the .wasm modules with CMake + Emscripten when they are missing or
# stale, and minifies the wrapper with esbuild, wasm/'s devDependency, which it installs
# with `npm ci` the first time) into web/nmfkit.tgz, then `npm install` of that tarball
# into web/node_modules, offline (the tarball has no dependencies). Idempotent.
set -euo pipefail
web="$(cd "$(dirname "$0")" && pwd)"
cd "$web/../wasm"
tgz=$(npm pack --silent --pack-destination "$web" | tail -n 1)
mv -f "$web/$tgz" "$web/nmfkit.tgz"
cd "$web"
rm -rf node_modules            # npm may keep an old copy of a same-version tarball
npm install --offline --no-audit --no-fund --loglevel=error
echo "web: installed nmfkit $(node -p "require('./node_modules/nmfkit/package.json').version") from web/nmfkit.tgz"
node "$web/corpus.mjs"         # the topics view's default corpus (none when the license texts are missing)
