// The nmfkit demo page: loads a dataset (built-in, CSV or image), runs the fit in a Web
// Worker through the npm package's createWorker(), and draws the parts (rows of H), the
// reconstructions (W·H) and the loss curve while it runs.
import { createWorker, NmfError } from 'nmfkit';
import { DataError, parseCsv } from './csv.js';
import { drawCurve, figure, matrixCanvas } from './draw.js';

const $ = (id) => document.getElementById(id);
const ui = {
  form: $('form'),
  dataset: $('dataset'),
  file: $('file'),
  rank: $('rank'),
  iterations: $('iterations'),
  seed: $('seed'),
  loss: $('loss'),
  init: $('init'),
  tol: $('tol'),
  moduleChoice: $('module-choice'),
  run: $('run'),
  cancel: $('cancel'),
  progress: $('progress'),
  iteration: $('iteration'),
  maxIter: $('max-iter'),
  msIter: $('ms-iter'),
  relErr: $('relative-error'),
  status: $('status'),
  error: $('error'),
  module: $('module'),
  kernel: $('kernel'),
  basis: $('basis'),
  basisHelp: $('basis-help'),
  basisTitle: $('basis-title'),
  curve: $('curve'),
  recon: $('recon'),
  reconHelp: $('recon-help'),
};

// ---- datasets ------------------------------------------------------------------------
// kind 'images': every row is an imgW×imgH picture; 'image': the matrix is one picture;
// 'table': any matrix (shown as pictures when its rows have a square length, else as strips).
const BUILTIN = {
  digits: {
    name: 'handwritten digits',
    url: 'data/digits/digits_1797x64_f32le.raw',
    rows: 1797,
    cols: 64,
    imgW: 8,
    imgH: 8,
    palette: 'ink',
    samples: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    noun: 'digit',
  },
  faces: {
    name: 'faces',
    url: 'data/faces/lfw_subset_200x625_f32le.raw',
    rows: 200,
    cols: 625,
    imgW: 25,
    imgH: 25,
    palette: 'gray',
    samples: [0, 1, 2, 3, 4, 5, 6, 7],
    noun: 'image',
  },
};
const cache = new Map();
let uploaded = null;

const maxOf = (a) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) if (a[i] > m) m = a[i];
  return m;
};

async function loadBuiltin(key) {
  const d = BUILTIN[key];
  let res;
  // web/serve.mjs serves data/ next to the page; a plain static server started in the
  // repository root has it one level up
  for (const url of [d.url, `../${d.url}`]) {
    try {
      res = await fetch(url);
    } catch (e) {
      throw new DataError(`could not download ${d.url}: ${e.message}`);
    }
    if (res.ok) break;
  }
  if (!res.ok) throw new DataError(`could not download ${d.url}: HTTP ${res.status}`);
  const buf = await res.arrayBuffer();
  const n = d.rows * d.cols;
  if (buf.byteLength !== 4 * n) throw new DataError(`${d.url} has ${buf.byteLength} bytes, expected ${4 * n}`);
  const dv = new DataView(buf);
  const X = new Float32Array(n);
  for (let i = 0; i < n; i++) X[i] = dv.getFloat32(4 * i, true); // little-endian on every host
  return {
    ...d,
    kind: 'images',
    X,
    max: maxOf(X),
    where: (r, c) => `${d.noun} ${r + 1} (row ${r + 1}), pixel ${c + 1}`,
  };
}

async function getDataset(key) {
  if (key === 'upload') {
    if (!uploaded) throw new DataError('choose a file first');
    return uploaded;
  }
  if (!BUILTIN[key]) throw new DataError(`unknown dataset ${key}`);
  if (!cache.has(key)) {
    const p = loadBuiltin(key);
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return cache.get(key);
}

const MAX_SIDE = 256; // images are scaled down to at most this many pixels per side
const MAX_BYTES = 32 * 1024 * 1024;
const isImage = (f) => /^image\//.test(f.type) || /\.(png|jpe?g|gif|webp|bmp|avif|ico)$/i.test(f.name);

async function readUpload(file) {
  if (file.size === 0) throw new DataError('the file is empty');
  if (file.size > MAX_BYTES) throw new DataError(`the file is ${(file.size / 1048576).toFixed(1)} MB; this demo takes up to 32 MB`);
  if (isImage(file)) return readImage(file);
  const text = await file.text();
  if (text.includes('\0')) throw new DataError('this is not a text file: choose a CSV file or an image');
  const { X, rows, cols, lines } = parseCsv(text);
  const side = Math.round(Math.sqrt(cols));
  const square = side * side === cols && side >= 3;
  return {
    kind: 'table',
    name: file.name,
    X,
    rows,
    cols,
    max: maxOf(X),
    imgW: square ? side : cols,
    imgH: square ? side : 1,
    square,
    palette: 'ink',
    samples: Array.from({ length: Math.min(rows, 8) }, (_, i) => i),
    lines,
    where: (r, c) => `line ${lines[r]}, column ${c + 1} of ${file.name}`,
  };
}

async function readImage(file) {
  let bmp;
  try {
    bmp = await createImageBitmap(file);
  } catch {
    throw new DataError(`could not decode it as an image (PNG, JPEG, GIF, WebP and BMP work)`);
  }
  const s = Math.min(1, MAX_SIDE / Math.max(bmp.width, bmp.height));
  const w = Math.max(1, Math.round(bmp.width * s));
  const h = Math.max(1, Math.round(bmp.height * s));
  const c = document.createElement('canvas');
  c.width = w;
  c.height = h;
  const ctx = c.getContext('2d', { willReadFrequently: true });
  ctx.fillStyle = '#fff'; // transparent pixels count as white
  ctx.fillRect(0, 0, w, h);
  ctx.drawImage(bmp, 0, 0, w, h);
  bmp.close();
  const d = ctx.getImageData(0, 0, w, h).data;
  const X = new Float32Array(w * h);
  for (let i = 0; i < X.length; i++) X[i] = (0.299 * d[4 * i] + 0.587 * d[4 * i + 1] + 0.114 * d[4 * i + 2]) / 255;
  return {
    kind: 'image',
    name: file.name,
    X,
    rows: h,
    cols: w,
    max: 1,
    palette: 'gray',
    scaled: s < 1,
    where: (r, c) => `pixel (${c + 1}, ${r + 1})`,
  };
}

// ---- state and small helpers -------------------------------------------------------
let worker = null;
let running = null; // { ac: AbortController } while a fit runs
let curve = { points: [], xMax: 400 };
let pending = null; // latest progress, drawn at the next animation frame
let frame = 0;

const setStatus = (text) => {
  ui.status.textContent = text;
};
const showError = (text) => {
  ui.error.textContent = text;
  ui.error.hidden = false;
};
const hideError = () => {
  ui.error.textContent = '';
  ui.error.hidden = true;
};
const fail = (text) => {
  showError(text);
  setStatus(`error: ${text}`);
};
const fmtMs = (ms) => (ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(2) : ms.toPrecision(2));

function syncButtons() {
  ui.run.disabled = !worker || !!running;
  ui.cancel.disabled = !running;
  ui.moduleChoice.disabled = !!running;
}

function redrawCurve() {
  drawCurve(ui.curve, curve.points, curve.xMax);
}

async function startWorker() {
  if (worker) {
    worker.terminate();
    worker = null;
  }
  syncButtons();
  ui.module.textContent = '…';
  ui.kernel.textContent = '';
  setStatus('loading the module…');
  try {
    const w = await createWorker(ui.moduleChoice.value === 'baseline' ? { simd: false } : {});
    worker = w;
    ui.module.textContent = w.simd ? 'simd' : 'baseline';
    ui.kernel.textContent = `${w.simd ? 'SIMD128' : 'no SIMD'} · ${w.kernel} kernels · nmfkit ${w.version}`;
    setStatus('ready');
  } catch (e) {
    ui.module.textContent = 'none';
    fail(`could not start nmfkit in a Web Worker: ${e.message}`);
  }
  syncButtons();
}

// Reads and checks the numeric controls; throws DataError naming the control.
function readOptions() {
  const int = (input, name, lo, hi) => {
    const v = Number(input.value);
    if (input.value.trim() === '' || !Number.isInteger(v) || v < lo || v > hi)
      throw new DataError(`${name} must be a whole number from ${lo} to ${hi.toLocaleString('en')}; got "${input.value}"`);
    return v;
  };
  const tol = Number(ui.tol.value);
  if (ui.tol.value.trim() === '' || !Number.isFinite(tol) || tol < 0)
    throw new DataError(`the stopping threshold must be a number ≥ 0; got "${ui.tol.value}"`);
  return {
    rank: int(ui.rank, 'Rank', 1, 256),
    maxIter: int(ui.iterations, 'Iterations', 1, 1_000_000),
    seed: int(ui.seed, 'Seed', 0, Number.MAX_SAFE_INTEGER),
    tol,
    loss: ui.loss.value,
    init: ui.init.value,
  };
}

function describeError(e, ds) {
  if (e instanceof NmfError || (e && e.name === 'NmfError')) {
    let msg = String(e.message).replace(/^nmfkit: /, '');
    if (e.matrix === 'X' && Number.isInteger(e.row) && ds && ds.where)
      msg = `${msg.replace(/\s*\(X\[\d+\]\[\d+\]\)$/, '')} at ${ds.where(e.row, e.col)}`;
    if (e.code === 'x_not_positive') msg += ' (Itakura-Saito needs every value > 0: pick another loss)';
    if (e.code === 'rank_too_large') msg += ` (this matrix is ${ds.rows}×${ds.cols})`;
    return msg;
  }
  return (e && e.message) || String(e);
}

// ---- drawing results -----------------------------------------------------------------
function clearResults(help) {
  ui.basis.replaceChildren();
  ui.basis.className = 'grid basis';
  ui.recon.replaceChildren();
  ui.basisHelp.textContent = help;
  ui.reconHelp.textContent = '';
}

// Order of the parts: largest contribution ‖W[:,k]‖·‖H[k,:]‖ first.
function partOrder(W, H, n, m, r) {
  const score = new Float64Array(r);
  for (let k = 0; k < r; k++) {
    let w = 0;
    let h = 0;
    for (let i = 0; i < n; i++) w += W[i * r + k] ** 2;
    for (let j = 0; j < m; j++) h += H[k * m + j] ** 2;
    score[k] = Math.sqrt(w * h);
  }
  return Array.from({ length: r }, (_, k) => k).sort((a, b) => score[b] - score[a]);
}

function reconstructRow(W, H, i, r, m) {
  const out = new Float32Array(m);
  for (let k = 0; k < r; k++) {
    const w = W[i * r + k];
    if (w === 0) continue;
    for (let j = 0; j < m; j++) out[j] += w * H[k * m + j];
  }
  return out;
}

function renderResult(ds, res) {
  const { W, H, rows: n, cols: m, rank: r } = res;
  const order = partOrder(W, H, n, m, r);
  ui.basis.replaceChildren();
  const item = (canvas, caption) => figure(canvas, caption, 'listitem');

  ui.basisTitle.textContent = ds.kind === 'image' ? 'Parts: the r rank-1 pictures W[:,k]·H[k,:]' : 'Parts: the r rows of H';
  if (ds.kind === 'image') {
    // a part of a picture is the rank-1 picture W[:,k]·H[k,:]
    ui.basis.className = 'grid basis wide';
    for (const [idx, k] of order.entries()) {
      const part = new Float32Array(n * m);
      for (let i = 0; i < n; i++) {
        const w = W[i * r + k];
        for (let j = 0; j < m; j++) part[i * m + j] = w * H[k * m + j];
      }
      ui.basis.append(item(matrixCanvas(part, { w: m, h: n, palette: 'gray', label: `part ${idx + 1}` }), `${idx + 1}`));
    }
    ui.basisHelp.textContent = `Each part is W[:,k]·H[k,:], one rank-1 picture; the reconstruction is their sum. Largest first.`;
  } else if (ds.kind === 'images' || ds.square) {
    ui.basis.className = 'grid basis';
    const perRow = r <= 16 ? 8 : r <= 48 ? 12 : 16;
    ui.basis.style.setProperty('--per-row', String(Math.min(perRow, r)));
    ui.basis.style.setProperty('--per-row-narrow', String(Math.min(perRow / 2, r)));
    for (const [idx, k] of order.entries())
      ui.basis.append(item(matrixCanvas(H, { offset: k * m, w: ds.imgW, h: ds.imgH, palette: ds.palette, label: `part ${idx + 1}` }), `${idx + 1}`));
    ui.basisHelp.textContent = `${r} parts of ${ds.imgW}×${ds.imgH} pixels, the most used first. Every ${ds.kind === 'images' ? ds.noun : 'row'} is approximated by a non-negative mix of them.`;
  } else {
    ui.basis.className = 'grid basis strips';
    for (const [idx, k] of order.entries())
      ui.basis.append(item(matrixCanvas(H, { offset: k * m, w: m, h: 1, palette: ds.palette, strip: true, label: `part ${idx + 1}` }), `part ${idx + 1}`));
    ui.basisHelp.textContent = `${r} parts, each a row of ${m} values (dark = large), the most used first.`;
  }

  ui.recon.replaceChildren();
  if (ds.kind === 'image') {
    const approx = new Float32Array(n * m);
    for (let i = 0; i < n; i++) approx.set(reconstructRow(W, H, i, r, m), i * m);
    const box = document.createElement('div');
    box.className = 'big';
    box.append(
      figure(matrixCanvas(ds.X, { w: m, h: n, scale: 1, palette: 'gray', label: 'original image' }), `original, ${m}×${n}${ds.scaled ? ' (scaled down)' : ''}`),
      figure(matrixCanvas(approx, { w: m, h: n, scale: 1, palette: 'gray', label: `rank-${r} reconstruction` }), `rank ${r}: W·H`),
    );
    const ratio = (n * r + r * m) / (n * m);
    const p = document.createElement('p');
    p.innerHTML = `Storage: W and H hold n·r + r·m = ${(n * r + r * m).toLocaleString('en')} numbers instead of n·m = ${(n * m).toLocaleString('en')}, a ratio of <span class="ratio" data-testid="storage-ratio"></span>.`;
    p.querySelector('.ratio').textContent = `${(100 * ratio).toFixed(1)} %`;
    ui.recon.append(box, p);
    ui.reconHelp.textContent = `${ds.name}: ${n} rows × ${m} columns of grey levels.`;
  } else if (ds.kind === 'images' || ds.square) {
    const pairs = document.createElement('div');
    pairs.className = 'pairs';
    for (const i of ds.samples) {
      const pair = document.createElement('figure');
      pair.className = 'pair';
      pair.append(
        matrixCanvas(ds.X, { offset: i * m, w: ds.imgW, h: ds.imgH, scale: ds.max, palette: ds.palette, label: `original ${i + 1}` }),
        matrixCanvas(reconstructRow(W, H, i, r, m), { w: ds.imgW, h: ds.imgH, scale: ds.max, palette: ds.palette, label: `reconstruction ${i + 1}` }),
      );
      const cap = document.createElement('figcaption');
      cap.textContent = `#${i + 1}`;
      pair.append(cap);
      pairs.append(pair);
    }
    ui.recon.append(pairs);
    ui.reconHelp.textContent = `Top: the original. Below: W·H, its mix of the ${r} parts.`;
  } else {
    const list = document.createElement('div');
    list.className = 'strips';
    for (const i of ds.samples) {
      list.append(
        figure(matrixCanvas(ds.X, { offset: i * m, w: m, h: 1, scale: ds.max, palette: ds.palette, strip: true, label: `line ${ds.lines[i]}` }), `line ${ds.lines[i]}`),
        figure(matrixCanvas(reconstructRow(W, H, i, r, m), { w: m, h: 1, scale: ds.max, palette: ds.palette, strip: true, label: `reconstruction of line ${ds.lines[i]}` }), 'W·H'),
      );
    }
    ui.recon.append(list);
    ui.reconHelp.textContent = `${ds.name}: ${n} rows × ${m} columns. Each original row, then its reconstruction.`;
  }
}

// ---- the fit -------------------------------------------------------------------------
function showProgress() {
  frame = 0;
  if (!pending || !running) return;
  const { iteration, relativeError, elapsed } = pending;
  ui.iteration.textContent = String(iteration);
  ui.progress.value = iteration;
  if (iteration > 0) ui.msIter.textContent = fmtMs(elapsed / iteration);
  ui.relErr.textContent = relativeError.toPrecision(6);
  redrawCurve();
}

async function run() {
  if (running || !worker) return;
  hideError();
  let opts;
  let ds;
  try {
    opts = readOptions();
    setStatus('loading data…');
    ds = await getDataset(ui.dataset.value);
  } catch (e) {
    fail(describeError(e, ds));
    return;
  }
  const ac = new AbortController();
  running = { ac };
  syncButtons();
  clearResults(`Learning ${opts.rank} parts of the ${ds.name}…`);
  curve = { points: [], xMax: opts.maxIter };
  ui.maxIter.textContent = String(opts.maxIter);
  ui.progress.max = opts.maxIter;
  ui.progress.value = 0;
  ui.iteration.textContent = '0';
  ui.msIter.textContent = '–';
  ui.relErr.textContent = '';
  redrawCurve();
  setStatus(`running: ${ds.name}, ${ds.rows}×${ds.cols}, rank ${opts.rank}…`);
  const t0 = performance.now();
  const onProgress = (p) => {
    if (running !== null && running.ac === ac) {
      curve.points.push([p.iteration, p.relativeError]);
      pending = { ...p, elapsed: performance.now() - t0 };
      if (!frame) frame = requestAnimationFrame(showProgress);
    }
  };
  try {
    const res = await worker.fit(ds.X, {
      rows: ds.rows,
      cols: ds.cols,
      rank: opts.rank,
      maxIter: opts.maxIter,
      tol: opts.tol,
      seed: opts.seed,
      loss: opts.loss,
      init: opts.init,
      onProgress,
      signal: ac.signal,
    });
    const ms = performance.now() - t0;
    running = null;
    if (frame) cancelAnimationFrame(frame);
    frame = 0;
    pending = null;
    const last = curve.points[curve.points.length - 1];
    if (!last || last[0] !== res.iterations) curve.points.push([res.iterations, res.relativeError]);
    curve.xMax = Math.max(1, res.iterations);
    redrawCurve();
    if (curve.points.length)
      ui.curve.setAttribute('aria-label', `Loss curve: the relative error went from ${curve.points[0][1].toFixed(4)} at iteration ${curve.points[0][0]} to ${res.relativeError.toFixed(4)} at iteration ${res.iterations}`);
    ui.iteration.textContent = String(res.iterations);
    ui.progress.value = ui.progress.max;
    if (res.iterations > 0) ui.msIter.textContent = fmtMs(ms / res.iterations);
    ui.relErr.textContent = String(Number(res.relativeError.toPrecision(7)));
    renderResult(ds, res);
    const why = res.converged ? `converged after ${res.iterations} iterations` : `${res.iterations} iterations`;
        setStatus(`${why} in ${fmtMs(ms)} ms: done`);
  } catch (e) {
    running = null;
    pending = null;
    if (ac.signal.aborted || (e && e.name === 'AbortError')) {
      clearResults('Cancelled. Press Run to start again.');
      setStatus(`stopped at iteration ${ui.iteration.textContent}: cancelled`);
    } else {
      clearResults('Press Run to learn the parts.');
      ui.relErr.textContent = '';
      fail(describeError(e, ds));
    }
  } finally {
    running = null;
    syncButtons();
  }
}

function cancel() {
  if (running) running.ac.abort();
}

// ---- wiring --------------------------------------------------------------------------
ui.form.addEventListener('submit', (e) => {
  e.preventDefault();
  run();
});
ui.cancel.addEventListener('click', cancel);
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && running) cancel();
});
ui.moduleChoice.addEventListener('change', () => {
  if (!running) startWorker();
});

let lastDataset = ui.dataset.value;
ui.dataset.addEventListener('change', () => {
  if (ui.dataset.value === lastDataset) return;
  lastDataset = ui.dataset.value;
  hideError();
  if (!running) {
    clearResults('Press Run to learn the parts.');
    setStatus(worker ? 'ready' : ui.status.textContent);
  }
  if (ui.dataset.value !== 'upload') getDataset(ui.dataset.value).catch(() => {}); // prefetch
});

ui.file.addEventListener('change', async () => {
  const file = ui.file.files && ui.file.files[0];
  if (!file) return;
  hideError();
  setStatus(`reading ${file.name}…`);
  try {
    const ds = await readUpload(file);
    uploaded = ds;
    const opt = ui.dataset.querySelector('option[value="upload"]');
    opt.disabled = false;
    opt.textContent = `Your file: ${file.name} (${ds.rows}×${ds.cols} matrix)`;
    ui.dataset.value = 'upload';
    lastDataset = 'upload';
    if (!running) clearResults(`${file.name}: ${ds.rows} rows × ${ds.cols} columns${ds.kind === 'image' ? ' of grey levels' : ''}. Press Run.`);
    setStatus(`loaded ${file.name}: ready`);
  } catch (e) {
    fail(`${file.name}: ${describeError(e)}`);
  } finally {
    ui.file.value = ''; // the same file can be chosen again
  }
});

new ResizeObserver(() => redrawCurve()).observe(ui.curve);
window.__nmfkitDemo = { getDataset }; // for tests and the console
redrawCurve();
getDataset('digits').catch(() => {});
startWorker();
