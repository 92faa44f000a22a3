// Shared set-up of the end-to-end tests: the demo server, headless Chromium (Debian's
// package, driven by playwright-core; no browser is downloaded), the native CLI.
//   NMFKIT_DEMO_URL        URL of a running demo server (default: start web/serve.mjs on a free port)
//   NMFKIT_CHROMIUM        browser binary (default /usr/bin/chromium)
//   NMFKIT_NATIVE_CLI      native nmfkit CLI (default build/release/nmfkit)
//   NMFKIT_SCREENSHOT_DIR  where screenshots go (default build/web-screenshots)
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const repo = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const screenshotDir = resolve(repo, process.env.NMFKIT_SCREENSHOT_DIR || 'build/web-screenshots');
export const nativeCli = resolve(repo, process.env.NMFKIT_NATIVE_CLI || 'build/release/nmfkit');

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Starts web/serve.mjs on a free port unless NMFKIT_DEMO_URL is set; resolves to { url, stop }. */
export async function startServer() {
  if (process.env.NMFKIT_DEMO_URL) return { url: process.env.NMFKIT_DEMO_URL, stop: () => {} };
  const child = spawn(process.execPath, [join(repo, 'web', 'serve.mjs'), '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((ok, fail) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /http:\/\/\S+/.exec(out);
      if (m) ok(m[0]);
    });
    child.on('exit', (code) => fail(new Error(`serve.mjs exited with ${code}`)));
  });
  return { url, stop: () => child.kill() };
}

/** A persistent Chromium context with a fresh temporary profile; close() removes the profile. */
export async function launch() {
  const profile = mkdtempSync(join(tmpdir(), 'nmfkit-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.NMFKIT_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 800 },
  });
  return {
    ctx,
    async close() {
      await ctx.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Opens the demo in a new page and waits until the worker has loaded its module. */
export async function openDemo(ctx, url, viewport = { width: 1280, height: 800 }) {
  const page = await ctx.newPage();
  await page.setViewportSize(viewport);
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') page.errors.push(m.text());
  });
  await page.goto(url);
  await page.waitForFunction(() => document.querySelector('[data-testid=status]').textContent === 'ready', null, { timeout: 30_000 });
  return page;
}

export const statusText = (page) => page.textContent('[data-testid=status]');

/** Waits for the status to end in done / cancelled or to start with "error:"; returns it. */
export async function waitSettled(page, timeout = 60_000) {
  await page.waitForFunction(
    () => /(done|cancelled)$|^error:/.test(document.querySelector('[data-testid=status]').textContent),
    null,
    { timeout },
  );
  return statusText(page);
}

/** Sets a data-testid input's value (fill fires input/change). */
export const setValue = (page, id, value) => page.fill(`[data-testid=${id}]`, String(value));

/** Pixel statistics of every canvas matching or under a selector: size, distinct colours, non-white pixels. */
export function canvasStats(page, selector) {
  return page.$$eval(`canvas${selector}, ${selector} canvas`, (cs) =>
    cs.map((c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const colours = new Set();
      let nonWhite = 0;
      let opaque = 0;
      for (let i = 0; i < d.length; i += 4) {
        colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
        if (d[i + 3] > 0) opaque++;
        if (d[i + 3] > 0 && (d[i] < 250 || d[i + 1] < 250 || d[i + 2] < 250)) nonWhite++;
      }
      return { w: c.width, h: c.height, colours: colours.size, nonWhite, opaque, pixels: c.width * c.height };
    }),
  );
}

/** Runs the native CLI on a raw float32 file; returns its --json line parsed. */
export function nativeFit(file, shape, { rank, maxIter, seed, tol }) {
  const tmp = mkdtempSync(join(tmpdir(), 'nmfkit-native-'));
  try {
    const out = execFileSync(nativeCli, ['fit', file, '--shape', shape, '--rank', String(rank), '--max-iter', String(maxIter),
      '--seed', String(seed), '--tol', String(tol), '--solver', 'mu', '--json', '--progress', 'never',
      '--out-w', join(tmp, 'W.csv'), '--out-h', join(tmp, 'H.csv')], { encoding: 'utf8' });
    return JSON.parse(out.trim().split('\n').pop());
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Saves a screenshot into screenshotDir, prints and returns its path. */
export async function screenshot(page, name, options = {}) {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, name);
  await page.screenshot({ path, ...options });
  console.log(`screenshot: ${path}`);
  return path;
}

export const readJson = (p) => JSON.parse(readFileSync(p, 'utf8'));
