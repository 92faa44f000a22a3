// End-to-end tests of the browser demo (web/) in real headless Chromium. Each test opens
// a fresh page; they share one browser and one server. Run: node --test tests/web/
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  canvasStats, launch, nativeCli, nativeFit, openDemo, repo, screenshot, setValue, startServer, statusText, waitSettled,
} from './helpers.mjs';

let server;
let browser;
before(async () => {
  server = await startServer();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.stop();
});

const text = (page, id) => page.textContent(`[data-testid=${id}]`);
const value = (page, id) => page.inputValue(`[data-testid=${id}]`);
const errorShown = async (page) => (await page.isVisible('[data-testid=error]')) ? (await text(page, 'error')).trim() : '';
const upload = (page, name, mimeType, body) =>
  page.setInputFiles('[data-testid=file-input]', { name, mimeType, buffer: Buffer.isBuffer(body) ? body : Buffer.from(body) });

async function runAndWait(page, timeout) {
  await page.click('[data-testid=run]');
  return waitSettled(page, timeout);
}

test('the page loads the relaxed-SIMD module on threads in a Worker, with every control', async () => {
  const page = await openDemo(browser.ctx, server.url);
  try {
    // Chromium runs relaxed SIMD, and serve.mjs isolates the page: the threaded relaxed module
    assert.equal(await text(page, 'module'), 'relaxed');
    assert.ok(Number(await text(page, 'threads')) > 1, `threads ${await text(page, 'threads')}`);
    assert.equal(await page.evaluate(() => crossOriginIsolated), true);
    assert.equal(await value(page, 'dataset'), 'digits');
    assert.equal(await value(page, 'rank'), '16');
    for (const id of ['dataset', 'rank', 'iterations', 'seed', 'run', 'cancel', 'status', 'relative-error', 'iteration',
      'basis', 'file-input', 'error', 'module', 'loss', 'init', 'tol'])
      assert.equal(await page.locator(`[data-testid=${id}]`).count(), 1, `data-testid=${id}`);
    assert.equal(await page.isEnabled('[data-testid=run]'), true);
    assert.equal(await page.isEnabled('[data-testid=cancel]'), false);
    assert.equal(await page.isVisible('[data-testid=error]'), false);
    // every form control has a label
    const unlabelled = await page.$$eval('input, select', (els) => els.filter((e) => !e.labels || e.labels.length === 0).map((e) => e.id));
    assert.deepEqual(unlabelled, []);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.close();
  }
});

test('default fit (digits, rank 16): relative error at most the native CLI\'s, parts drawn', async (t) => {
  if (!existsSync(nativeCli)) {
    t.skip(`no native CLI at ${nativeCli} (build the release preset or set NMFKIT_NATIVE_CLI)`);
    return;
  }
  const page = await openDemo(browser.ctx, server.url);
  try {
    const opts = {
      rank: Number(await value(page, 'rank')),
      maxIter: Number(await value(page, 'iterations')),
      seed: Number(await value(page, 'seed')),
      tol: Number(await value(page, 'tol')),
    };
    assert.equal(opts.rank, 16);
    const status = await runAndWait(page);
    assert.match(status, /done$/);
    const web = Number(await text(page, 'relative-error'));
    assert.ok(Number.isFinite(web) && web > 0 && web < 1, `relative-error "${web}"`);

    const native = nativeFit(join(repo, 'data/digits/digits_1797x64_f32le.raw'), '1797x64', opts);
    console.log(`digits rank ${opts.rank}, ${opts.maxIter} iterations, seed ${opts.seed}, tol ${opts.tol}: ` +
      `web ${web} (${await text(page, 'iteration')} iterations), native ${native.relative_error} (${native.iterations} iterations)`);
    assert.ok(web <= native.relative_error + 1e-3, `web ${web} > native ${native.relative_error} + 1e-3`);
    assert.equal(Number(await text(page, 'iteration')), native.iterations);

    // 16 parts of 8×8, none blank; the reconstructions and the loss curve are drawn too
    const parts = await canvasStats(page, '[data-testid=basis]');
    assert.equal(parts.length, 16);
    for (const [k, p] of parts.entries()) {
      assert.deepEqual([p.w, p.h], [8, 8], `part ${k + 1} size`);
      assert.equal(p.opaque, p.pixels, `part ${k + 1} is fully painted`);
      assert.ok(p.colours >= 2 && p.nonWhite > 0, `part ${k + 1} is blank: ${JSON.stringify(p)}`);
    }
    const recon = await canvasStats(page, '[data-testid=reconstructions]');
    assert.equal(recon.length, 20, 'ten originals and ten reconstructions');
    assert.ok(recon.every((p) => p.nonWhite > 0));
    const [curve] = await canvasStats(page, '[data-testid=loss-curve]');
    assert.ok(curve.colours > 2, 'loss curve drawn');
    assert.equal(await errorShown(page), '');
    assert.deepEqual(page.errors, []);
    await screenshot(page, 'default-run-1280x800.png');
    await screenshot(page, 'default-run-1280-full.png', { fullPage: true });
  } finally {
    await page.close();
  }
});

test('faces: 25×25 parts', async () => {
  const page = await openDemo(browser.ctx, server.url);
  try {
    await page.selectOption('[data-testid=dataset]', 'faces');
    await setValue(page, 'rank', 12);
    await setValue(page, 'iterations', 300);
    assert.match(await runAndWait(page), /done$/);
    const parts = await canvasStats(page, '[data-testid=basis]');
    assert.equal(parts.length, 12);
    assert.ok(parts.every((p) => p.w === 25 && p.h === 25 && p.colours > 10), JSON.stringify(parts.slice(0, 2)));
    const rel = Number(await text(page, 'relative-error'));
    assert.ok(rel > 0 && rel < 0.5, `relative error ${rel}`);
    await screenshot(page, 'faces-1280x800.png');
  } finally {
    await page.close();
  }
});

test('cancel mid-fit: the page stays responsive, status ends in cancelled, the next run works', async () => {
  const page = await openDemo(browser.ctx, server.url);
  try {
    await setValue(page, 'iterations', 1000000);
    await page.click('summary');
    await setValue(page, 'tol', 0);
    await page.click('[data-testid=run]');
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=iteration]').textContent) >= 20, null, { timeout: 30_000 });
    assert.match(await statusText(page), /^running/);
    assert.equal(await page.isEnabled('[data-testid=cancel]'), true);
    assert.equal(await page.isEnabled('[data-testid=run]'), false);
    // the main thread is free while the worker computes: inputs react, progress keeps coming
    const first = Number(await text(page, 'iteration'));
    await setValue(page, 'seed', 7);
    assert.equal(await value(page, 'seed'), '7');
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid=iteration]').textContent) > n, first, { timeout: 30_000 });

    await page.click('[data-testid=cancel]');
    assert.match(await waitSettled(page), /cancelled$/);
    const stopped = Number(await text(page, 'iteration'));
    assert.ok(stopped > 0 && stopped < 1000000, `stopped at ${stopped}`);
    assert.equal(await errorShown(page), '');
    assert.equal(await page.isEnabled('[data-testid=run]'), true);
    assert.equal(await page.isEnabled('[data-testid=cancel]'), false);

    await setValue(page, 'iterations', 50);
    assert.match(await runAndWait(page), /done$/);
    assert.equal(Number(await text(page, 'iteration')), 50);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.close();
  }
});

test('malformed CSV files: a specific visible error each, and the page keeps working', async () => {
  const page = await openDemo(browser.ctx, server.url);
  try {
    const cases = [
      ['letters.csv', '1,2,3\n4,x,6\n', /line 2, column 2: "x" is not a number/],
      ['ragged.csv', '1,2,3\n4,5,6\n\n7,8\n', /line 4 has 2 values, but line 1 has 3/],
      ['negative.csv', '1,2\n3,-4\n', /line 2, column 2: -4 is negative/],
      ['header.csv', 'a,b\n1,2\n', /line 1, column 1: "a" is not a number.*header/],
      ['empty-cell.csv', '1,,3\n', /line 1, column 2 is empty/],
      ['blank.csv', '\n\n', /no numbers/],
    ];
    for (const [name, body, re] of cases) {
      await upload(page, name, 'text/csv', body);
      await page.waitForFunction((n) => document.querySelector('[data-testid=error]').textContent.startsWith(n), name);
      assert.match(await statusText(page), /^error:/);
      const err = await errorShown(page);
      assert.match(err, re, name);
      assert.ok(err.startsWith(name), `${err} names the file`);
      assert.equal(await value(page, 'dataset'), 'digits', 'the dataset stays as it was');
    }
    // still working: the default run completes and clears the error
    assert.match(await runAndWait(page), /done$/);
    assert.equal(await errorShown(page), '');
    assert.equal((await canvasStats(page, '[data-testid=basis]')).length, 16);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.close();
  }
});

test('a small valid CSV gives a result', async () => {
  const page = await openDemo(browser.ctx, server.url);
  try {
    // 6×5, exactly rank 2: the fit gets close to it
    const a = [[1, 0], [0, 1], [2, 1], [1, 3], [0.5, 0.5], [4, 0]];
    const b = [[1, 2, 0, 1, 3], [0, 1, 2, 2, 0.5]];
    const rows = a.map((w) => b[0].map((_, j) => w[0] * b[0][j] + w[1] * b[1][j]));
    await upload(page, 'small.csv', 'text/csv', rows.map((r) => r.join(',')).join('\r\n') + '\r\n');
    await page.waitForFunction(() => /ready$/.test(document.querySelector('[data-testid=status]').textContent));
    assert.equal(await value(page, 'dataset'), 'upload');
    await setValue(page, 'rank', 2);
    await setValue(page, 'iterations', 2000);
    await page.click('summary');
    await setValue(page, 'tol', 0);
    assert.match(await runAndWait(page), /done$/);
    const rel = Number(await text(page, 'relative-error'));
    assert.ok(rel >= 0 && rel < 0.05, `relative error ${rel}`);
    const parts = await canvasStats(page, '[data-testid=basis]');
    assert.equal(parts.length, 2);
    assert.ok(parts.every((p) => p.w === 5 && p.h === 1 && p.nonWhite > 0));
    assert.equal(await errorShown(page), '');
  } finally {
    await page.close();
  }
});

test('errors from the package name the place: Itakura-Saito on digits with zeros', async () => {
  const page = await openDemo(browser.ctx, server.url);
  try {
    await page.click('summary');
    await page.selectOption('[data-testid=loss]', 'itakura-saito');
    const status = await runAndWait(page);
    assert.match(status, /^error:/);
    const err = await errorShown(page);
    assert.match(err, /digit 1 \(row 1\), pixel 1/, err);
    assert.match(err, /Itakura-Saito/);
    await page.selectOption('[data-testid=loss]', 'kullback-leibler');
    await page.selectOption('[data-testid=init]', 'nndsvda');
    assert.match(await runAndWait(page), /done$/);
    assert.equal(await errorShown(page), '');
  } finally {
    await page.close();
  }
});

test('an image: grey-level reconstruction and the storage ratio; a broken image is reported', async () => {
  const page = await openDemo(browser.ctx, server.url);
  try {
    // a 160×120 PNG drawn by the browser itself: a gradient, a disc, a bar, a word
    const png = await page.evaluate(() => {
      const c = document.createElement('canvas');
      c.width = 160;
      c.height = 120;
      const g = c.getContext('2d');
      const grad = g.createLinearGradient(0, 0, 160, 120);
      grad.addColorStop(0, '#203040');
      grad.addColorStop(1, '#f0e0a0');
      g.fillStyle = grad;
      g.fillRect(0, 0, 160, 120);
      g.fillStyle = '#c03020';
      g.beginPath();
      g.arc(50, 45, 30, 0, 2 * Math.PI);
      g.fill();
      g.fillStyle = '#ffffff';
      g.fillRect(95, 20, 18, 80);
      g.fillStyle = '#101010';
      g.font = 'bold 28px sans-serif';
      g.fillText('NMF', 20, 110);
      return c.toDataURL('image/png').split(',')[1];
    });
    await upload(page, 'picture.png', 'image/png', Buffer.from(png, 'base64'));
    await page.waitForFunction(() => /ready$/.test(document.querySelector('[data-testid=status]').textContent));
    await setValue(page, 'rank', 8);
    assert.match(await runAndWait(page), /done$/);
    const [orig, approx] = await canvasStats(page, '[data-testid=reconstructions]');
    assert.deepEqual([orig.w, orig.h, approx.w, approx.h], [160, 120, 160, 120]);
    assert.ok(approx.colours > 10);
    // (n·r + r·m) / (n·m) with n = 120 rows, m = 160 columns, r = 8
    assert.equal((await text(page, 'storage-ratio')).trim(), `${((100 * (120 * 8 + 8 * 160)) / (120 * 160)).toFixed(1)} %`);
    assert.equal((await canvasStats(page, '[data-testid=basis]')).length, 8);
    await screenshot(page, 'image-upload-1280-full.png', { fullPage: true });

    await upload(page, 'broken.png', 'image/png', Buffer.from('this is not a PNG file'));
    await page.waitForFunction(() => /^error:/.test(document.querySelector('[data-testid=status]').textContent));
    assert.match(await errorShown(page), /^broken\.png: could not decode it as an image/);
    assert.equal(await value(page, 'dataset'), 'upload', 'the last good file stays selected');
    assert.match(await runAndWait(page), /done$/);
  } finally {
    await page.close();
  }
});

test('the baseline module gives the same fit as the SIMD one', async () => {
  const page = await openDemo(browser.ctx, server.url);
  try {
    await setValue(page, 'iterations', 100);
    assert.match(await runAndWait(page), /done$/);
    const simd = Number(await text(page, 'relative-error'));
    await page.click('summary');
    await page.selectOption('[data-testid=module-choice]', 'baseline');
    await page.waitForFunction(() => document.querySelector('[data-testid=module]').textContent === 'baseline');
    await page.waitForFunction(() => document.querySelector('[data-testid=status]').textContent === 'ready');
    assert.match(await runAndWait(page), /done$/);
    const base = Number(await text(page, 'relative-error'));
    assert.ok(Math.abs(simd - base) <= 1e-5 * simd, `simd ${simd}, baseline ${base}`);
  } finally {
    await page.close();
  }
});

for (const [width, height] of [[375, 812], [1280, 800]]) {
  test(`${width}×${height}: no horizontal scroll, before and after a run`, async () => {
    const page = await openDemo(browser.ctx, server.url, { width, height });
    try {
      const overflow = () => page.evaluate(() => ({ scroll: document.scrollingElement.scrollWidth, inner: window.innerWidth }));
      let o = await overflow();
      assert.ok(o.scroll <= o.inner, `before: scrollWidth ${o.scroll} > innerWidth ${o.inner}`);
      assert.match(await runAndWait(page), /done$/);
      o = await overflow();
      assert.ok(o.scroll <= o.inner, `after: scrollWidth ${o.scroll} > innerWidth ${o.inner}`);
      // the parts stay inside the viewport
      const right = await page.$eval('[data-testid=basis]', (e) => e.getBoundingClientRect().right);
      assert.ok(right <= width, `basis ends at ${right}`);
      if (width === 375) {
        await screenshot(page, 'phone-375.png');
        await screenshot(page, 'phone-375-full.png', { fullPage: true });
      }
    } finally {
      await page.close();
    }
  });
}

test('threads in the page: W and H of the demo\'s worker (relaxed, 2 threads) and the main thread equal one thread\'s', async () => {
  const page = await openDemo(browser.ctx, server.url);
  try {
    const r = await page.evaluate(async () => {
      const { load, createWorker } = await import('nmfkit');
      const [n, m] = [600, 300];
      let s = 1;
      const X = Float32Array.from({ length: n * m }, () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
      const o = { rows: n, rank: 12, seed: 3, maxIter: 40, tol: 0 };
      const one = await createWorker({ wasm: 'node_modules/nmfkit/dist/nmfkit-relaxed-mt.wasm', threads: 1 });
      const two = await createWorker(); // the defaults of an isolated page
      const main = await load({ threads: 2 }); // the page's thread spins while its pool works
      const [a, b] = [await one.fit(X, o), await two.fit(X, o)];
      const c = main.fitSync(X, o);
      const same = (p, q) => p.W.every((v, i) => Object.is(v, q.W[i])) && p.H.every((v, i) => Object.is(v, q.H[i]));
      const info = { one: [one.module, one.threads], two: [two.module, two.threads], main: [main.module, main.threads] };
      one.terminate();
      two.dispose();
      main.dispose();
      return { ...info, worker: same(a, b), page: same(a, c), err: a.relativeError };
    });
    assert.deepEqual(r.one, ['relaxed', 1]);
    assert.equal(r.two[0], 'relaxed');
    assert.ok(r.two[1] > 1);
    assert.deepEqual(r.main, ['relaxed', 2]);
    assert.equal(r.worker, true);
    assert.equal(r.page, true);
    assert.ok(r.err > 0 && r.err < 1);
  } finally {
    await page.close();
  }
});

test('a page that is not cross-origin isolated: one thread by default, NmfError threads_unavailable when asked', async () => {
  const page = await openDemo(browser.ctx, `${server.url}?isolated=0`);
  try {
    assert.equal(await text(page, 'module'), 'relaxed');
    assert.equal(await text(page, 'threads'), '1');
    const r = await page.evaluate(async () => {
      const { load } = await import('nmfkit');
      const code = await load({ threads: 2 }).then(() => 'loaded', (e) => `${e.name} ${e.code}`);
      return { isolated: crossOriginIsolated, code, threads: (await load()).threads };
    });
    assert.deepEqual(r, { isolated: false, code: 'NmfError threads_unavailable', threads: 1 });
  } finally {
    await page.close();
  }
});

test('the package in the page: load() and createWorker() resolve a relative wasm URL against the page', async () => {
  const page = await openDemo(browser.ctx, server.url);
  try {
    const r = await page.evaluate(async () => {
      const { load, createWorker, simdSupported } = await import('nmfkit');
      const X = new Float32Array([1, 2, 3, 2, 4, 6.5, 0, 1, 1, 3, 5, 8]);
      const o = { rows: 4, rank: 2, seed: 7, maxIter: 50, tol: 0 };
      const here = await load({ wasm: 'node_modules/nmfkit/dist/nmfkit.wasm' });
      const w = await createWorker({ wasm: 'node_modules/nmfkit/dist/nmfkit.wasm' });
      const a = here.fitSync(X, o);
      const b = await w.fit(X, o);
      w.terminate();
      return { simd: simdSupported(), here: here.simd, worker: w.simd, same: a.relativeError === b.relativeError };
    });
    assert.deepEqual(r, { simd: true, here: false, worker: false, same: true });
  } finally {
    await page.close();
  }
});

// ---- the views (web/js/views.js): topics from text, missing pixels restored, parts versus eigenfaces ----
const number = async (page, id) => {
  const t = (await text(page, id)).trim();
  assert.match(t, /^[0-9.e+-]+$/, `${id} shows a number: "${t}"`);
  return Number(t);
};
async function open(view) {
  const page = await openDemo(browser.ctx, server.url);
  await page.click(`[data-testid=view-${view}]`);
  return page;
}
const topics = (page) => page.$$eval('[data-testid=topic-list] [data-testid=topic]', (ts) => ts.map((t) => t.textContent));

test('the views: each nav button opens its view with its controls; the parts view comes back', async () => {
  const page = await openDemo(browser.ctx, server.url);
  try {
    for (const [view, run, ids] of [
      ['pca', 'pca-run', ['pca-rank', 'pca-basis', 'nmf-basis', 'pca-error', 'nmf-error', 'pca-sparseness', 'nmf-sparseness']],
      ['topics', 'topics-run', ['topics-input', 'topics-rank', 'topic-list']],
      ['restore', 'restore-run', ['restore-fraction', 'restore-images', 'restore-error', 'baseline-error']],
      ['rank', 'rank-run', ['rank-dataset', 'rank-min', 'rank-max', 'rank-plot', 'rank-table', 'rank-suggested']],
    ]) {
      await page.click(`[data-testid=view-${view}]`);
      assert.equal(await page.isVisible(`section.view[data-view=${view}]`), true, `the ${view} view is shown`);
      for (const id of [run, ...ids]) {
        const sel = `section.view[data-view=${view}] [data-testid=${id}]`;
        assert.equal(await page.locator(sel).count(), 1, `${view}: ${id} in its view`);
      }
      for (const other of ['pca', 'topics', 'restore', 'rank'].filter((v) => v !== view))
        assert.equal(await page.isVisible(`section.view[data-view=${other}]`), false, `${view} hides the ${other} view`);
      for (const id of ['run', 'basis', 'dataset']) assert.equal(await page.isVisible(`[data-testid=${id}]`), false, `${view} hides ${id}`);
      assert.equal(await page.isVisible('[data-testid=cancel]'), true, `${view}: Cancel`);
      assert.equal(await page.isEnabled(`[data-testid=${run}]`), true, `${view}: ${run} enabled`);
    }
    await page.click('[data-testid=view-parts]');
    assert.equal(await page.isVisible('[data-testid=run]'), true);
    assert.equal(await page.isVisible('[data-testid=topics-input]'), false);
    const unlabelled = await page.$$eval('input, select, textarea', (els) => els.filter((e) => !e.labels || e.labels.length === 0).map((e) => e.id));
    assert.deepEqual(unlabelled, []);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.close();
  }
});

test('topics from text the test types: the planted topics come out together', async () => {
  const page = await open('topics');
  try {
    const planted = [
      ['violin', 'cello', 'orchestra', 'symphony'],
      ['glacier', 'iceberg', 'arctic', 'tundra'],
      ['compiler', 'parser', 'bytecode', 'linker'],
    ];
    const filler = ['morning', 'people', 'little', 'story', 'around', 'place'];
    const docs = [];
    for (let d = 0; d < 24; d++) {
      const t = planted[d % 3];
      const words = [];
      for (let k = 0; k < 12; k++) words.push(t[(d + k) % 4]);
      words.push(filler[d % filler.length]);
      docs.push(`${words.join(' ')}.`);
    }
    await page.fill('[data-testid=topics-input]', docs.join('\n\n'));
    await setValue(page, 'topics-rank', 3);
    await page.click('[data-testid=topics-run]');
    assert.match(await waitSettled(page), /done$/);
    const ts = await topics(page);
    assert.equal(ts.length, 3);
    for (const words of planted)
      assert.ok(ts.some((t) => words.filter((w) => t.includes(w)).length >= 3), `a topic holds ${words.join(', ')}: ${JSON.stringify(ts)}`);
    // a clicked document's topic mix: mostly one topic
    await page.click('[data-testid=document] >> nth=0');
    const mix = await text(page, 'topic-mix');
    assert.match(mix, /Topic \d+ (9\d|100) %/, mix);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.close();
  }
});

test('topics on the default corpus (the license texts, when the build found them)', async (t) => {
  if (!existsSync(join(repo, 'web', 'corpus', 'licenses.json'))) {
    t.skip('the build had no default corpus (no /usr/share/common-licenses): web/corpus.mjs wrote none');
    return;
  }
  const page = await open('topics');
  try {
    await page.waitForFunction(() => document.querySelector('[data-testid=corpus-note]').textContent.startsWith('Default text'));
    assert.match(await text(page, 'corpus-note'), /paragraphs of the license texts/);
    await setValue(page, 'topics-rank', 8);
    await page.click('[data-testid=topics-run]');
    assert.match(await waitSettled(page, 120_000), /done$/);
    const ts = await topics(page);
    assert.equal(ts.length, 8);
    // license vocabulary: some topic is about copying/distribution, none is empty
    assert.ok(ts.every((x) => /\w{3}/.test(x.replace(/^Topic \d+/, ''))), JSON.stringify(ts));
    assert.ok(ts.some((x) => /licen[sc]e|copyright|distribut|software|work/.test(x)), JSON.stringify(ts));
    await screenshot(page, 'view-topics.png', { fullPage: true });
    assert.deepEqual(page.errors, []);
  } finally {
    await page.close();
  }
});

test('missing pixels at 50 % on faces: the restored pixels beat the pixel means', async () => {
  const page = await open('restore');
  try {
    await setValue(page, 'restore-fraction', 50);
    await page.click('[data-testid=restore-run]');
    assert.match(await waitSettled(page, 120_000), /done$/);
    const nmf = await number(page, 'restore-error');
    const base = await number(page, 'baseline-error');
    assert.ok(nmf > 0 && nmf < base, `hidden-pixel error: NMF ${nmf}, pixel means ${base}`);
    const stats = await canvasStats(page, '[data-testid=restore-images]');
    assert.ok(stats.length >= 6 && stats.every((s) => s.w === 25 && s.h === 25 && s.colours > 10), JSON.stringify(stats.slice(0, 3)));
    await screenshot(page, 'view-restore.png', { fullPage: true });
    assert.deepEqual(page.errors, []);
  } finally {
    await page.close();
  }
});

test('the views at 375 px: no horizontal scroll, before and after a run', async () => {
  const page = await openDemo(browser.ctx, server.url, { width: 375, height: 800 });
  const noScroll = async (what) => {
    const { sw, cw } = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, cw: document.documentElement.clientWidth }));
    assert.ok(sw <= cw, `${what}: scrollWidth ${sw} > ${cw}`);
  };
  try {
    for (const [view, run] of [['pca', 'pca-run'], ['topics', 'topics-run'], ['restore', 'restore-run'], ['rank', 'rank-run']]) {
      await page.click(`[data-testid=view-${view}]`);
      await noScroll(view);
      if (view === 'topics') await page.fill('[data-testid=topics-input]', 'alpha beta gamma\n\ndelta epsilon zeta\n\nalpha gamma beta\n\nzeta delta epsilon');
      if (view === 'topics') await setValue(page, 'topics-rank', 2);
      await page.click(`[data-testid=${run}]`);
      assert.match(await waitSettled(page, 120_000), /done$/);
      await noScroll(`${view} after a run`);
    }
  } finally {
    await page.close();
  }
});

test('a view\'s fit: progress, Cancel stops it, the next run works', async () => {
  const page = await open('restore');
  try {
    await setValue(page, 'restore-rank', 64);
    await page.click('[data-testid=restore-run]');
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=iteration]').textContent) > 0, null, { timeout: 60_000 });
    assert.equal(await page.isEnabled('[data-testid=restore-run]'), false, 'Run is disabled during a fit');
    await page.click('[data-testid=cancel]');
    assert.match(await waitSettled(page), /cancelled$/);
    assert.equal((await text(page, 'restore-error')).trim(), '', 'no result after a cancel');
    await setValue(page, 'restore-rank', 6);
    await page.click('[data-testid=restore-run]');
    assert.match(await waitSettled(page, 120_000), /done$/);
    assert.ok((await number(page, 'restore-error')) > 0);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.close();
  }
});

test('parts versus eigenfaces on faces: both grids inked, NMF sparser, PCA error at most NMF error', async () => {
  const page = await open('pca');
  try {
    await setValue(page, 'pca-rank', 16);
    await page.click('[data-testid=pca-run]');
    assert.match(await waitSettled(page, 120_000), /done$/);
    const pcaErr = await number(page, 'pca-error');
    const nmfErr = await number(page, 'nmf-error');
    const pcaSparse = await number(page, 'pca-sparseness');
    const nmfSparse = await number(page, 'nmf-sparseness');
    // the SVD is the best rank-16 fit in the Frobenius norm (NMF is a constrained one)
    assert.ok(pcaErr > 0 && pcaErr <= nmfErr, `relative errors: PCA ${pcaErr}, NMF ${nmfErr}`);
    assert.ok(nmfSparse > pcaSparse, `Hoyer sparseness: NMF ${nmfSparse}, PCA ${pcaSparse}`);
    for (const grid of ['pca-basis', 'nmf-basis']) {
      const stats = await canvasStats(page, `[data-testid=${grid}]`);
      assert.equal(stats.length, 16, grid);
      assert.ok(stats.every((s) => s.w === 25 && s.h === 25 && s.nonWhite > 20 && s.colours > 5), `${grid} inked: ${JSON.stringify(stats[0])}`);
    }
    await screenshot(page, 'view-pca.png', { fullPage: true });
    assert.deepEqual(page.errors, []);
  } finally {
    await page.close();
  }
});

// ---- which rank? (cross-validated errors against k) ----
const rankRows = (page) => page.$$eval('[data-testid=rank-table] tbody tr', (rs) => rs.map((r) => [...r.cells].map((c) => c.textContent)));
const plotPoints = (page) => page.$$eval('[data-testid=rank-plot] polyline', (ls) =>
  Object.fromEntries(ls.map((l) => [l.dataset.series, l.getAttribute('points').trim().split(/\s+/).filter(Boolean).length])));

test('which rank on the digits, 2..5: a row and a point per k, live, the suggestion within the range', async () => {
  const page = await open('rank');
  try {
    assert.equal(await value(page, 'rank-dataset'), 'digits');
    await setValue(page, 'rank-min', 2);
    await setValue(page, 'rank-max', 5);
    await page.click('[data-testid=rank-run]');
    assert.match(await waitSettled(page, 120_000), /done$/);
    const rows = await rankRows(page);
    assert.deepEqual(rows.map((r) => Number(r[0])), [2, 3, 4, 5]);
    for (const [k, train, test, coph] of rows) {
      const [mean, sd] = test.split('±').map(Number);
      assert.ok(Number(train) > 0 && mean > 0 && sd >= 0, `rank ${k}: train ${train}, test ${test}`);
      assert.ok(Number(coph) > 0 && Number(coph) <= 1, `rank ${k}: cophenetic ${coph}`);
    }
    // training error falls with the rank
    assert.ok(Number(rows[3][1]) < Number(rows[0][1]), `train ${rows[0][1]} at 2, ${rows[3][1]} at 5`);
    const suggested = await number(page, 'rank-suggested');
    assert.ok(Number.isInteger(suggested) && suggested >= 2 && suggested <= 5, `suggested ${suggested}`);
    // the suggestion has the lowest mean test error of the table
    const tests = rows.map((r) => Number(r[2].split('±')[0]));
    assert.equal(tests[suggested - 2], Math.min(...tests));
    const pts = await plotPoints(page);
    assert.ok(pts.test >= 2 && pts.train >= 2, `plot points ${JSON.stringify(pts)}`);
    assert.equal(pts.test, 4);
    await screenshot(page, 'view-rank.png', { fullPage: true });
    assert.deepEqual(page.errors, []);
  } finally {
    await page.close();
  }
});

test('which rank: Cancel mid-run gives cancelled with the ranks done so far, the next run works', async () => {
  const page = await open('rank');
  try {
    await page.selectOption('[data-testid=rank-dataset]', 'faces');
    await setValue(page, 'rank-min', 2);
    await setValue(page, 'rank-max', 40);
    await page.click('[data-testid=rank-run]');
    // live: the first rank's row (and its points) while the other ranks still run
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=rank-table] tbody tr').length >= 1, null, { timeout: 60_000 });
    assert.match(await statusText(page), /^running/);
    assert.equal(await page.isEnabled('[data-testid=rank-run]'), false, 'Run is disabled during the search');
    await page.click('[data-testid=cancel]');
    assert.match(await waitSettled(page), /cancelled$/);
    const done = (await rankRows(page)).length;
    assert.ok(done >= 1 && done < 39, `${done} ranks done before the cancel`);
    assert.equal((await text(page, 'rank-suggested')).trim(), '', 'no suggestion after a cancel');
    await page.selectOption('[data-testid=rank-dataset]', 'current'); // the parts view's data: the digits
    await setValue(page, 'rank-max', 3);
    await page.click('[data-testid=rank-run]');
    assert.match(await waitSettled(page, 120_000), /done$/);
    assert.equal((await rankRows(page)).length, 2);
    assert.ok([2, 3].includes(await number(page, 'rank-suggested')));
    assert.deepEqual(page.errors, []);
  } finally {
    await page.close();
  }
});
