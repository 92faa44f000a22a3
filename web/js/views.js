// The demo's other views (the nav above the page): parts versus eigenfaces (PCA from
// nmfkit's truncated SVD beside NMF), topics from text (nmfkit/text's TF-IDF, a sparse fit),
// missing pixels restored (a fit with NaN entries missing), which rank (cross-validated
// errors against k, worker.selectRank one rank at a time). Each runs in the page's Worker
// through app.js's api: { fit(label, X, options) → { res, ms } | null (cancelled or failed:
// shown), svd(label, X, k, options) → result | null, selectRank(label, X, ranks, options,
// onScore) → { res, ms } | null, busy(), ready(), setStatus, fail, hideError }.
import { paragraphs, tfidf, topWords } from 'nmfkit/text';
import { getDataset } from './datasets.js';
import { figure, matrixCanvas } from './draw.js';

const $ = (id) => document.getElementById(id);
const el = (tag, props = {}, ...children) => {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
};
const num = (input, name, lo, hi) => {
  const v = Number(input.value);
  if (input.value.trim() === '' || !Number.isInteger(v) || v < lo || v > hi) throw new Error(`${name} must be a whole number from ${lo} to ${hi}; got "${input.value}"`);
  return v;
};
const fmt = (x) => String(Number(x.toPrecision(4)));

// A view's inputs: read(): the checked controls (throws naming one), then the chosen dataset;
// null when one is wrong (the error is shown).
async function inputs(api, datasetSelect, read) {
  api.hideError();
  try {
    const v = read();
    if (datasetSelect) {
      api.setStatus('loading data…');
      v.ds = await getDataset(datasetSelect.value);
    }
    return v;
  } catch (e) {
    api.fail(e.message);
    return null;
  }
}

// ---- numbers shown beside the pictures -------------------------------------------------

/** Hoyer's sparseness of v: (√n − ‖v‖₁/‖v‖₂)/(√n − 1), 0 for a flat vector, 1 for one non-zero. */
export function hoyer(v, offset = 0, n = v.length - offset) {
  let l1 = 0;
  let l2 = 0;
  for (let j = 0; j < n; j++) {
    const x = Math.abs(v[offset + j]);
    l1 += x;
    l2 += x * x;
  }
  if (n < 2 || l2 === 0) return 0;
  return (Math.sqrt(n) - l1 / Math.sqrt(l2)) / (Math.sqrt(n) - 1);
}

const meanHoyer = (B, r, m) => {
  let s = 0;
  for (let k = 0; k < r; k++) s += hoyer(B, k * m, m);
  return s / r;
};

// A signed basis image: orange for positive, blue for negative, white at zero (diverging map).
function signedCanvas(v, offset, w, h, label) {
  let scale = 0;
  for (let j = 0; j < w * h; j++) scale = Math.max(scale, Math.abs(v[offset + j]));
  const c = el('canvas', { width: w, height: h, className: 'px' });
  c.setAttribute('role', 'img');
  c.setAttribute('aria-label', label);
  const ctx = c.getContext('2d');
  const img = ctx.createImageData(w, h);
  for (let j = 0; j < w * h; j++) {
    const t = scale > 0 ? v[offset + j] / scale : 0;
    const a = Math.min(1, Math.abs(t));
    const [r, g, b] = t >= 0 ? [255 - 25 * a, 255 - 135 * a, 255 - 235 * a] : [255 - 215 * a, 255 - 145 * a, 255 - 55 * a];
    img.data.set([r, g, b, 255], 4 * j);
  }
  ctx.putImageData(img, 0, 0);
  return c;
}

// ---- parts versus eigenfaces ---------------------------------------------------------------
function pcaView(api) {
  const ui = { dataset: $('pca-dataset'), rank: $('pca-rank'), run: $('pca-run'), pcaBasis: $('pca-basis'), nmfBasis: $('nmf-basis') };
  const out = { pcaError: $('pca-error'), nmfError: $('nmf-error'), pcaSparse: $('pca-sparseness'), nmfSparse: $('nmf-sparseness') };
  const grid = (node, r) => {
    node.style.setProperty('--per-row', String(Math.min(8, Math.ceil(Math.sqrt(r * 2)))));
    node.style.setProperty('--per-row-narrow', String(Math.min(4, r)));
  };
  async function run() {
    const v = await inputs(api, ui.dataset, () => ({ r: num(ui.rank, 'Rank', 1, 64) }));
    if (!v) return;
    const { r, ds } = v;
    const { X, rows: n, cols: m, imgW: w, imgH: h } = ds;
    for (const o of Object.values(out)) o.textContent = '';
    ui.pcaBasis.replaceChildren();
    ui.nmfBasis.replaceChildren();
    // PCA: the SVD of the centred images (each pixel's mean removed)
    const mean = new Float64Array(m);
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) mean[j] += X[i * m + j] / n;
    const C = new Float32Array(n * m);
    let xx = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < m; j++) {
        C[i * m + j] = X[i * m + j] - mean[j];
        xx += X[i * m + j] ** 2;
      }
    const s = await api.svd(`PCA of the ${ds.name}, rank ${r}`, C, r, { rows: n, cols: m, seed: 1 });
    if (!s) return;
    // ‖X − (mean + U·S·Vt)‖² = ‖C‖² − Σ σ²
    let cc = 0;
    for (let i = 0; i < n * m; i++) cc += C[i] * C[i];
    let kept = 0;
    for (const sigma of s.S) kept += sigma * sigma;
    const pcaErr = Math.sqrt(Math.max(0, cc - kept) / xx);
    const fit = await api.fit(`NMF of the ${ds.name}, rank ${r}`, X, { rows: n, cols: m, rank: r, seed: 1, init: 'nndsvda', maxIter: 300 });
    if (!fit) return;
    const { res, ms } = fit;
    grid(ui.pcaBasis, r);
    grid(ui.nmfBasis, r);
    for (let k = 0; k < r; k++) {
      ui.pcaBasis.append(figure(signedCanvas(s.Vt, k * m, w, h, `PCA component ${k + 1}`), `${k + 1}`, 'listitem'));
      ui.nmfBasis.append(figure(matrixCanvas(res.H, { offset: k * m, w, h, palette: 'ink', label: `NMF part ${k + 1}` }), `${k + 1}`, 'listitem'));
    }
    out.pcaError.textContent = fmt(pcaErr);
    out.nmfError.textContent = fmt(res.relativeError);
    out.pcaSparse.textContent = fmt(meanHoyer(s.Vt, r, m));
    out.nmfSparse.textContent = fmt(meanHoyer(res.H, r, m));
    api.setStatus(`PCA and NMF at rank ${r}: NMF ${res.iterations} iterations in ${Math.round(ms)} ms: done`);
  }
  ui.run.addEventListener('click', run);
  return { buttons: [ui.run] };
}

// ---- topics from text ------------------------------------------------------------------------
function topicsView(api) {
  const ui = {
    input: $('topics-input'), files: $('topics-files'), rank: $('topics-rank'), weighting: $('topics-weighting'), run: $('topics-run'),
    list: $('topic-list'), docs: $('topic-docs'), mix: $('topic-mix'), note: $('corpus-note'), summary: $('topics-summary'),
  };
  let corpus = null; // { source, documents: [{ title, text }] } from corpus/licenses.json (web/build.sh)

  const addFiles = async (files) => {
    const texts = await Promise.all([...files].filter((f) => /\.txt$/i.test(f.name) || f.type === 'text/plain').map((f) => f.text()));
    if (!texts.length) return;
    ui.input.value = [ui.input.value.trim(), ...texts.map((t) => t.trim())].filter(Boolean).join('\n\n');
    api.setStatus(`${paragraphs(ui.input.value).length} documents: ready`);
  };
  ui.files.addEventListener('change', () => addFiles(ui.files.files).finally(() => (ui.files.value = '')));
  ui.input.addEventListener('dragover', (e) => {
    e.preventDefault();
    ui.input.classList.add('drop');
  });
  ui.input.addEventListener('dragleave', () => ui.input.classList.remove('drop'));
  ui.input.addEventListener('drop', (e) => {
    e.preventDefault();
    ui.input.classList.remove('drop');
    addFiles(e.dataTransfer.files);
  });

  fetch('corpus/licenses.json')
    .then((r) => (r.ok ? r.json() : null))
    .catch(() => null)
    .then((c) => {
      if (c && Array.isArray(c.documents) && c.documents.length) {
        corpus = c;
        if (!ui.input.value.trim()) ui.input.value = c.documents.map((d) => d.text).join('\n\n');
        ui.note.textContent = `Default text: ${c.documents.length} paragraphs of ${c.source}, gathered when the page was built.`;
      } else {
        ui.note.textContent = 'No default text: this build found no license texts (/usr/share/common-licenses on Debian). Paste some.';
      }
    });

  async function run() {
    const counts = ui.weighting.value === 'counts';
    const v = await inputs(api, null, () => {
      const r = num(ui.rank, 'Topics', 1, 50);
      const docs = paragraphs(ui.input.value);
      if (docs.length < 2) throw new Error('give at least two documents (paragraphs separated by a blank line)');
      // words in one document only name no topic; words in most documents tell none apart
      const tf = tfidf(docs, { weighting: counts ? 'counts' : 'tfidf', minDf: docs.length >= 20 ? 2 : 1, maxDf: docs.length >= 20 ? 0.5 : 1 });
      if (tf.vocabulary.length < r) throw new Error(`the documents have ${tf.vocabulary.length} distinct words (after the common ones are dropped): fewer than ${r} topics`);
      if (r > docs.length) throw new Error(`${r} topics for ${docs.length} documents: ask for at most ${docs.length}`);
      return { r, docs, tf };
    });
    if (!v) return;
    const { r, docs, tf } = v;
    ui.list.replaceChildren();
    ui.docs.replaceChildren();
    ui.mix.replaceChildren();
    const { matrix, vocabulary } = tf;
    ui.summary.textContent = `${docs.length} documents × ${vocabulary.length} words, ${matrix.values.length} non-zero entries (${((100 * matrix.values.length) / (docs.length * vocabulary.length)).toPrecision(2)} % of the matrix).`;
    const fit = await api.fit(`${r} topics in ${docs.length} documents`, matrix, { rank: r, seed: 1, init: 'nndsvd', maxIter: 300, ...(counts ? { loss: 'kl', init: 'nndsvda' } : {}) });
    if (!fit) return;
    const { res, ms } = fit;
    const top = topWords(res.H, vocabulary, 8);
    top.forEach((words, t) => {
      const max = words.length ? words[0].weight : 1;
      const bars = el('ul', { className: 'bars' }, ...words.map((w) => el('li', {}, el('span', { className: 'word', textContent: w.word }), el('span', { className: 'bar', style: `width: ${(100 * w.weight) / max}%`, title: w.weight.toPrecision(3) }))));
      const li = el('li', { className: 'topic' }, el('h4', { textContent: `Topic ${t + 1}` }), bars);
      li.dataset.testid = 'topic';
      li.setAttribute('aria-label', `Topic ${t + 1}: ${words.map((w) => w.word).join(', ')}`);
      ui.list.append(li);
    });
    // the documents, each a button showing its topic mix (its row of W, as shares)
    const showMix = (i, li) => {
      for (const o of ui.docs.querySelectorAll('li.on')) o.classList.remove('on');
      li.classList.add('on');
      let sum = 0;
      for (let t = 0; t < r; t++) sum += res.W[i * r + t];
      const share = (t) => (sum > 0 ? res.W[i * r + t] / sum : 0);
      const order = [...Array(r).keys()].sort((a, b) => share(b) - share(a));
      const title = corpus && docs.length === corpus.documents.length ? corpus.documents[i].title : `document ${i + 1}`;
      ui.mix.replaceChildren(
        el('p', { textContent: `${title}: ${sum > 0 ? '' : 'no words of the vocabulary.'}` }),
        el('ul', { className: 'bars' }, ...order.filter((t) => share(t) > 0.005).map((t) => el('li', {}, el('span', { className: 'word', textContent: `Topic ${t + 1} ${(100 * share(t)).toFixed(0)} %` }), el('span', { className: 'bar', style: `width: ${100 * share(t)}%` })))),
      );
      ui.mix.dataset.document = String(i);
    };
    const shown = Math.min(docs.length, 300);
    for (let i = 0; i < shown; i++) {
      const text = docs[i].length > 140 ? `${docs[i].slice(0, 140)}…` : docs[i];
      const b = el('button', { type: 'button', textContent: text });
      b.dataset.testid = 'document';
      const li = el('li', {}, b);
      b.addEventListener('click', () => showMix(i, li));
      ui.docs.append(li);
    }
    if (shown < docs.length) ui.docs.append(el('li', { className: 'help', textContent: `(${docs.length - shown} more not listed)` }));
    api.setStatus(`${r} topics, ${res.iterations} iterations in ${Math.round(ms)} ms: done`);
  }
  ui.run.addEventListener('click', run);
  return { buttons: [ui.run] };
}

// ---- missing pixels restored ----------------------------------------------------------------
// A seeded generator (mulberry32), so that the same share hides the same pixels.
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Hides a share of X's entries: { damaged (NaN where hidden), hidden (0/1 per entry), count }. */
export function hide(X, share, seed = 1) {
  const rnd = random(seed);
  const damaged = Float32Array.from(X);
  const hidden = new Uint8Array(X.length);
  let count = 0;
  for (let i = 0; i < X.length; i++)
    if (rnd() < share) {
      hidden[i] = 1;
      damaged[i] = NaN;
      count++;
    }
  return { damaged, hidden, count };
}

function restoreView(api) {
  const ui = { dataset: $('restore-dataset'), fraction: $('restore-fraction'), rank: $('restore-rank'), run: $('restore-run'), images: $('restore-images'), err: $('restore-error'), base: $('baseline-error') };
  async function run() {
    const v = await inputs(api, ui.dataset, () => ({ pct: num(ui.fraction, 'The share of hidden pixels', 10, 80), r: num(ui.rank, 'Rank', 1, 64) }));
    if (!v) return;
    const { pct, r, ds } = v;
    const { X, rows: n, cols: m, imgW: w, imgH: h, max } = ds;
    ui.err.textContent = '';
    ui.base.textContent = '';
    ui.images.replaceChildren();
    const { damaged, hidden, count } = hide(X, pct / 100);
    const fit = await api.fit(`${ds.name} with ${pct} % of the pixels missing, rank ${r}`, damaged, { rows: n, cols: m, rank: r, seed: 1, missing: 'nan', maxIter: 400, tol: 1e-5 });
    if (!fit) return;
    const { res, ms } = fit;
    // the baseline: each pixel's mean over the images that show it (the overall mean where none does)
    const colMean = new Float64Array(m);
    const seen = new Uint32Array(m);
    let all = 0;
    for (let i = 0; i < n * m; i++)
      if (!hidden[i]) {
        colMean[i % m] += X[i];
        seen[i % m]++;
        all += X[i];
      }
    all /= n * m - count;
    for (let j = 0; j < m; j++) colMean[j] = seen[j] ? colMean[j] / seen[j] : all;
    const restored = new Float32Array(n * m);
    let se = 0;
    let seBase = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < m; j++) {
        let v = 0;
        for (let k = 0; k < r; k++) v += res.W[i * r + k] * res.H[k * m + j];
        restored[i * m + j] = v;
        if (hidden[i * m + j]) {
          se += (v - X[i * m + j]) ** 2;
          seBase += (colMean[j] - X[i * m + j]) ** 2;
        }
      }
    const scale = max > 0 ? max : 1;
    ui.err.textContent = fmt(Math.sqrt(se / count) / scale);
    ui.base.textContent = fmt(Math.sqrt(seBase / count) / scale);
    const samples = ds.samples || [0, 1, 2, 3];
    for (const i of samples.slice(0, 8)) {
      const off = i * m;
      const marked = matrixCanvas(damaged, { offset: off, w, h, scale, palette: ds.palette, label: `image ${i + 1}, damaged` });
      const ctx = marked.getContext('2d');
      const img = ctx.getImageData(0, 0, w, h);
      for (let j = 0; j < m; j++) if (hidden[off + j]) img.data.set([220, 40, 60, 255], 4 * j); // hidden: red
      ctx.putImageData(img, 0, 0);
      ui.images.append(
        el('div', { className: 'trio' },
          figure(matrixCanvas(X, { offset: off, w, h, scale, palette: ds.palette, label: `image ${i + 1}, original` }), 'original'),
          figure(marked, 'hidden in red'),
          figure(matrixCanvas(restored, { offset: off, w, h, scale, palette: ds.palette, label: `image ${i + 1}, restored` }), 'restored')),
      );
    }
    api.setStatus(`${count} pixels hidden, restored in ${res.iterations} iterations (${Math.round(ms)} ms): done`);
  }
  ui.run.addEventListener('click', run);
  return { buttons: [ui.run] };
}

// ---- which rank? ---------------------------------------------------------------------------
const SVG = 'http://www.w3.org/2000/svg';
const svg = (tag, attrs = {}, text = '') => {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text) e.textContent = text;
  return e;
};

/** The plot: test and training error (left axis, from 0) and the cophenetic correlation (right axis, 0..1) against k. */
export function drawRankPlot(node, scores, kMin, kMax) {
  const [W, H, l, r, t, b] = [320, 180, 40, 30, 16, 24];
  const done = scores.filter((s) => Number.isFinite(s.test));
  const yMax = Math.max(1e-300, ...done.flatMap((s) => [s.test + (s.testSd || 0), s.train]));
  const x = (k) => l + (kMax > kMin ? ((k - kMin) / (kMax - kMin)) * (W - l - r) : (W - l - r) / 2);
  const y = (v, max) => H - b - (v / max) * (H - t - b);
  const parts = [svg('path', { class: 'axis', d: `M${l},${t}V${H - b}H${W - r}V${t}` })];
  for (let k = kMin; k <= kMax; k += Math.max(1, Math.ceil((kMax - kMin) / 10))) parts.push(svg('text', { x: x(k), y: H - b + 11, 'text-anchor': 'middle' }, String(k)));
  parts.push(svg('text', { x: (l + W - r) / 2, y: H - 2, 'text-anchor': 'middle' }, 'rank k'));
  parts.push(svg('text', { x: l - 3, y: t + 3, 'text-anchor': 'end' }, fmt(yMax)), svg('text', { x: l - 3, y: H - b, 'text-anchor': 'end' }, '0'));
  parts.push(svg('text', { x: W - r + 3, y: t + 3 }, '1'), svg('text', { x: W - r + 3, y: H - b }, '0'));
  const series = [
    ['train', 'train error', (s) => s.train, yMax],
    ['test', 'test error', (s) => s.test, yMax],
    ['cophenetic', 'cophenetic', (s) => s.cophenetic, 1],
  ];
  series.forEach(([cls, label, get, max], i) => {
    const pts = done.filter((s) => Number.isFinite(get(s))).map((s) => [x(s.rank), y(get(s), max)]);
    const g = svg('g', { class: cls });
    g.append(svg('polyline', { class: cls, 'data-series': cls, points: pts.map((p) => p.map((v) => v.toFixed(1)).join(',')).join(' ') }));
    for (const [px, py] of pts) g.append(svg('circle', { cx: px.toFixed(1), cy: py.toFixed(1), r: 2.5 }));
    g.append(svg('text', { class: 'key', x: l + 6 + i * 80, y: t - 5 }, label));
    parts.push(g);
  });
  node.replaceChildren(...parts);
  node.setAttribute('aria-label', `Test and training error against the rank, ${done.length} of ${kMax - kMin + 1} ranks done`);
}

function rankView(api) {
  const ui = { dataset: $('rank-dataset'), min: $('rank-min'), max: $('rank-max'), run: $('rank-run'), plot: $('rank-plot'), table: $('rank-table').tBodies[0], suggested: $('rank-suggested') };
  const reps = 2;
  async function run() {
    const source = { value: ui.dataset.value === 'current' ? $('dataset').value : ui.dataset.value }; // 'current': the parts view's
    const v = await inputs(api, source, () => {
      const kMin = num(ui.min, 'From rank', 1, 64);
      return { kMin, kMax: num(ui.max, 'To rank', kMin, 64) };
    });
    if (!v) return;
    const { kMin, kMax, ds } = v;
    if (kMax > Math.min(ds.rows, ds.cols)) {
      api.fail(`To rank must be at most ${Math.min(ds.rows, ds.cols)} for the ${ds.rows}×${ds.cols} ${ds.name}; got ${kMax}`);
      return;
    }
    const ranks = [];
    for (let k = kMin; k <= kMax; k++) ranks.push(k);
    const scores = [];
    ui.suggested.textContent = '';
    ui.table.replaceChildren();
    drawRankPlot(ui.plot, scores, kMin, kMax);
    // a score arrives as each rank completes: its point, its row
    const onScore = (s) => {
      scores.push(s);
      drawRankPlot(ui.plot, scores, kMin, kMax);
      const row = el('tr', {}, ...[s.rank, fmt(s.train), `${fmt(s.test)} ± ${fmt(s.testSd)}`, Number.isFinite(s.cophenetic) ? fmt(s.cophenetic) : '–'].map((c) => el('td', { textContent: String(c) })));
      row.dataset.rank = String(s.rank);
      ui.table.append(row);
    };
    const options = { rows: ds.rows, cols: ds.cols, reps, testFraction: 0.05, seed: 1, maxIter: 60, tol: 1e-4 };
    const job = await api.selectRank(`ranks ${kMin}..${kMax} of the ${ds.name}`, ds.X, ranks, options, onScore);
    if (!job) return;
    // the library's suggestion: the rank with the lowest mean test error
    const best = scores.reduce((a, s) => (s.test < a.test ? s : a));
    ui.suggested.textContent = String(best.rank);
    for (const tr of ui.table.rows) tr.classList.toggle('best', tr.dataset.rank === String(best.rank));
    api.setStatus(`${ranks.length} ranks × ${reps} fits, ${job.res.testEntries} entries hidden, in ${Math.round(job.ms)} ms: done`);
  }
  ui.run.addEventListener('click', run);
  return { buttons: [ui.run] };
}

/** Wires the views and the nav; returns { sync() } to enable the Run buttons when the Worker is ready and idle. */
export function initViews(api) {
  const views = [pcaView(api), topicsView(api), restoreView(api), rankView(api)];
  const nav = [...document.querySelectorAll('.views button')];
  const show = (name) => {
    for (const b of nav) b.setAttribute('aria-pressed', String(b.dataset.view === name));
    for (const e of document.querySelectorAll('.parts-only')) e.hidden = name !== 'parts';
    for (const e of document.querySelectorAll('section.view')) e.hidden = e.dataset.view !== name;
    document.body.dataset.view = name;
  };
  for (const b of nav) b.addEventListener('click', () => show(b.dataset.view));
  return {
    sync() {
      for (const v of views) for (const b of v.buttons) b.disabled = !api.ready() || api.busy();
    },
  };
}
