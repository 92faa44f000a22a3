#!/usr/bin/env node
// Static server for the nmfkit demo (Node standard library only), on 127.0.0.1.
//   node web/serve.mjs [PORT]          PORT: argument, else $PORT, else 8080; 0 picks a free port
// A port given explicitly that is in use is an error; the default 8080 in use falls back to
// a free port (with a notice).
// Serves web/ at / and the repository's data/ folder at /data/ (the built-in datasets),
// cross-origin isolated (COOP same-origin, COEP require-corp): the demo's fits use threads.
// Prints "nmfkit demo: http://127.0.0.1:PORT/" once listening; runs until Ctrl-C.
import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const web = dirname(fileURLToPath(import.meta.url));
const mounts = [
  ['/data/', resolve(web, '..', 'data')],
  ['/', web],
];
const HOST = '127.0.0.1';
const ISOLATED = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.csv': 'text/csv; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
};

const arg = process.argv[2];
const explicit = arg !== undefined || (process.env.PORT !== undefined && process.env.PORT !== '');
const portText = explicit ? (arg ?? process.env.PORT) : '8080';
if (!/^\d+$/.test(portText) || Number(portText) > 65535) {
  console.error(`serve.mjs: the port must be an integer in 0..65535; got "${portText}"`);
  process.exit(2);
}

// Maps a URL path to a file inside one of the mounts, or null (never outside them).
function locate(pathname) {
  let path;
  try {
    path = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (path.includes('\0')) return null;
  for (const [prefix, root] of mounts) {
    if (!path.startsWith(prefix)) continue;
    const file = resolve(root, '.' + path.slice(prefix.length - 1));
    if (file !== root && !file.startsWith(root + sep)) return null;
    return file;
  }
  return null;
}

const send = (res, code, text) => {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text + '\n');
};

const server = createServer(async (req, res) => {
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed');
  const url = new URL(req.url, `http://${HOST}`);
  let file = locate(url.pathname);
  if (!file) return send(res, 404, 'not found');
  try {
    let info = await stat(file);
    if (info.isDirectory()) {
      if (!url.pathname.endsWith('/')) {
        res.writeHead(301, { Location: url.pathname + '/' + url.search });
        return res.end();
      }
      file = join(file, 'index.html');
      info = await stat(file);
    }
    if (!info.isFile()) return send(res, 404, 'not found');
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file).toLowerCase()] || 'application/octet-stream',
      'Content-Length': info.size,
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
      // cross-origin isolation: SharedArrayBuffer, so the package runs its fits on threads
      // (?isolated=0 on a page turns it off, for the tests of a page without it)
      ...(url.searchParams.get('isolated') === '0' ? {} : ISOLATED),
    });
    if (req.method === 'HEAD') return res.end();
    createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
  } catch {
    send(res, 404, 'not found');
  }
});

server.on('error', (e) => {
  if (e.code === 'EADDRINUSE' && !explicit && server.fallback === undefined) {
    server.fallback = true;
    console.error(`serve.mjs: port ${portText} is in use; using a free port instead (set PORT to choose one)`);
    server.listen(0, HOST);
    return;
  }
  if (e.code === 'EADDRINUSE')
    console.error(`serve.mjs: port ${portText} on ${HOST} is already in use. Stop what uses it, or pick another port: PORT=8081 (or 0 for any free port).`);
  else if (e.code === 'EACCES')
    console.error(`serve.mjs: no permission to listen on port ${portText}; pick a port above 1023 (PORT=8081).`);
  else console.error(`serve.mjs: cannot listen on ${HOST}:${portText}: ${e.message}`);
  process.exit(1);
});

server.on('listening', () => {
  const { port } = server.address();
  console.log(`nmfkit demo: http://${HOST}:${port}/`);
});
server.listen(Number(portText), HOST);

for (const sig of ['SIGINT', 'SIGTERM'])
  process.on(sig, () => {
    server.close();
    server.closeAllConnections?.();
    process.exit(0);
  });
