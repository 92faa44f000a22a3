// The nmfkit demo page: loads a dataset (built-in, CSV or image: datasets.js), runs the fit
// in a Web Worker through the npm package's createWorker(), and draws the parts (rows of H),
// the reconstructions (W·H: render.js) and the loss curve (draw.js) while it runs. This
// file holds the state, the controls and their events.
import { createWorker } from 'nmfkit';
import { DataError } from './csv.js';
import { getDataset, useUpload } from './datasets.js';
import { drawCurve } from './draw.js';
import { clearResults as clearPanels, describeError, renderResult } from './render.js';
import { initViews } from './views.js';

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
  threads: $('threads'),
  basis: $('basis'),
  basisHelp: $('basis-help'),
  basisTitle: $('basis-title'),
  curve: $('curve'),
  recon: $('recon'),
  reconHelp: $('recon-help'),
};
const panels = { basis: ui.basis, basisTitle: ui.basisTitle, basisHelp: ui.basisHelp, recon: ui.recon, reconHelp: ui.reconHelp };
const clearResults = (help) => clearPanels(panels, help);

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
  if (views) views.sync();
}
let views = null; // views.js, once wired

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
    ui.module.textContent = w.module;
    ui.threads.textContent = String(w.threads);
    ui.kernel.textContent = `${w.module === 'relaxed' ? 'relaxed SIMD (FMA)' : w.simd ? 'SIMD128' : 'no SIMD'} · ${w.kernel} kernels · nmfkit ${w.version}${crossOriginIsolated ? '' : ' · not cross-origin isolated: one thread'}`;
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

// A fit starts: running, the progress reset, the status; returns { ac, onProgress } (the
// progress of this fit, drawn at the next animation frame).
function beginFit(maxIter, label) {
  const ac = new AbortController();
  running = { ac };
  syncButtons();
  curve = { points: [], xMax: maxIter };
  ui.maxIter.textContent = String(maxIter);
  ui.progress.max = maxIter;
  ui.progress.value = 0;
  ui.iteration.textContent = '0';
  ui.msIter.textContent = '–';
  ui.relErr.textContent = '';
  redrawCurve();
  setStatus(`running: ${label}…`);
  const t0 = performance.now();
  const onProgress = (p) => {
    if (running !== null && running.ac === ac) {
      curve.points.push([p.iteration, p.relativeError]);
      pending = { ...p, elapsed: performance.now() - t0 };
      if (!frame) frame = requestAnimationFrame(showProgress);
    }
  };
  return { ac, t0, onProgress };
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
  clearResults(`Learning ${opts.rank} parts of the ${ds.name}…`);
  const { ac, t0, onProgress } = beginFit(opts.maxIter, `${ds.name}, ${ds.rows}×${ds.cols}, rank ${opts.rank}`);
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
    renderResult(panels, ds, res);
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

// ---- fits of the other views (views.js): the same Worker, progress, Cancel and status ----
// Resolves to { res, ms }, or null when cancelled or failed (then shown).
async function viewJob(label, maxIter, call) {
  if (running || !worker) return null;
  hideError();
  const { ac, t0, onProgress } = beginFit(maxIter, label);
  try {
    const res = await call(onProgress, ac.signal);
    const ms = performance.now() - t0;
    if (frame) cancelAnimationFrame(frame);
    frame = 0;
    pending = null;
    if (res.iterations !== undefined) {
      curve.points.push([res.iterations, res.relativeError]);
      curve.xMax = Math.max(1, res.iterations);
      redrawCurve();
      ui.iteration.textContent = String(res.iterations);
      ui.relErr.textContent = String(Number(res.relativeError.toPrecision(7)));
    }
    ui.progress.value = ui.progress.max;
    return { res, ms };
  } catch (e) {
    if (ac.signal.aborted || (e && e.name === 'AbortError')) setStatus(`stopped at iteration ${ui.iteration.textContent}: cancelled`);
    else fail(describeError(e));
    return null;
  } finally {
    running = null;
    pending = null;
    syncButtons();
  }
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
    const ds = await useUpload(file);
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

views = initViews({
  fit: (label, X, options) => viewJob(label, options.maxIter, (onProgress, signal) => worker.fit(X, { ...options, onProgress, signal })),
  // the SVD is one call into the module: Cancel stops waiting for it (the worker is restarted)
  svd: async (label, X, k, options) => {
    const job = await viewJob(label, 1, (_, signal) =>
      new Promise((resolve, reject) => {
        signal.addEventListener('abort', () => {
          reject(new DOMException('cancelled', 'AbortError'));
          startWorker();
        }, { once: true });
        worker.svd(X, k, options).then(resolve, reject);
      }));
    return job && job.res;
  },
  // one selectRank call a rank (the same seed, so the same hidden entries and replicate seeds as
  // one call over every rank), so each rank's score shows as it completes; the progress bar
  // counts fits (shown as "iterations")
  selectRank: (label, X, ranks, options, onScore) => {
    const fits = ranks.length * (options.reps ?? 3);
    return viewJob(label, fits, async (_, signal) => {
      let done = 0;
      let res = null;
      for (const k of ranks) {
        const onProgress = (p) => {
          ui.iteration.textContent = String(done + p.fitsDone);
          ui.progress.value = done + p.fitsDone;
        };
        res = await worker.selectRank(X, { ...options, ranks: [k], onProgress, signal });
        done += res.ranks[0].reps;
        onScore(res.ranks[0]);
      }
      return res;
    });
  },
  busy: () => !!running,
  ready: () => !!worker,
  setStatus,
  fail,
  hideError,
});
new ResizeObserver(() => redrawCurve()).observe(ui.curve);
window.__nmfkitDemo = { getDataset }; // for tests and the console
redrawCurve();
getDataset('digits').catch(() => {});
startWorker();
