// The result panels of the demo (the parts, the originals beside their reconstructions)
// and the text shown for an error. panels: { basis, basisTitle, basisHelp, recon,
// reconHelp }, the elements they fill.
import { NmfError } from 'nmfkit';
import { figure, matrixCanvas } from './draw.js';

/** Empties the panels, with a line of help under the parts. */
export function clearResults(panels, help) {
  panels.basis.replaceChildren();
  panels.basis.className = 'grid basis';
  panels.recon.replaceChildren();
  panels.basisHelp.textContent = help;
  panels.reconHelp.textContent = '';
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

/** Draws a fit's parts and reconstructions of dataset ds into the panels. */
export function renderResult(panels, ds, res) {
  const { W, H, rows: n, cols: m, rank: r } = res;
  const order = partOrder(W, H, n, m, r);
  panels.basis.replaceChildren();
  const item = (canvas, caption) => figure(canvas, caption, 'listitem');

  panels.basisTitle.textContent = ds.kind === 'image' ? 'Parts: the r rank-1 pictures W[:,k]·H[k,:]' : 'Parts: the r rows of H';
  if (ds.kind === 'image') {
    // a part of a picture is the rank-1 picture W[:,k]·H[k,:]
    panels.basis.className = 'grid basis wide';
    for (const [idx, k] of order.entries()) {
      const part = new Float32Array(n * m);
      for (let i = 0; i < n; i++) {
        const w = W[i * r + k];
        for (let j = 0; j < m; j++) part[i * m + j] = w * H[k * m + j];
      }
      panels.basis.append(item(matrixCanvas(part, { w: m, h: n, palette: 'gray', label: `part ${idx + 1}` }), `${idx + 1}`));
    }
    panels.basisHelp.textContent = `Each part is W[:,k]·H[k,:], one rank-1 picture; the reconstruction is their sum. Largest first.`;
  } else if (ds.kind === 'images' || ds.square) {
    panels.basis.className = 'grid basis';
    const perRow = r <= 16 ? 8 : r <= 48 ? 12 : 16;
    panels.basis.style.setProperty('--per-row', String(Math.min(perRow, r)));
    panels.basis.style.setProperty('--per-row-narrow', String(Math.min(perRow / 2, r)));
    for (const [idx, k] of order.entries())
      panels.basis.append(item(matrixCanvas(H, { offset: k * m, w: ds.imgW, h: ds.imgH, palette: ds.palette, label: `part ${idx + 1}` }), `${idx + 1}`));
    panels.basisHelp.textContent = `${r} parts of ${ds.imgW}×${ds.imgH} pixels, the most used first. Every ${ds.kind === 'images' ? ds.noun : 'row'} is approximated by a non-negative mix of them.`;
  } else {
    panels.basis.className = 'grid basis strips';
    for (const [idx, k] of order.entries())
      panels.basis.append(item(matrixCanvas(H, { offset: k * m, w: m, h: 1, palette: ds.palette, strip: true, label: `part ${idx + 1}` }), `part ${idx + 1}`));
    panels.basisHelp.textContent = `${r} parts, each a row of ${m} values (dark = large), the most used first.`;
  }

  panels.recon.replaceChildren();
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
    panels.recon.append(box, p);
    panels.reconHelp.textContent = `${ds.name}: ${n} rows × ${m} columns of grey levels.`;
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
    panels.recon.append(pairs);
    panels.reconHelp.textContent = `Top: the original. Below: W·H, its mix of the ${r} parts.`;
  } else {
    const list = document.createElement('div');
    list.className = 'strips';
    for (const i of ds.samples) {
      list.append(
        figure(matrixCanvas(ds.X, { offset: i * m, w: m, h: 1, scale: ds.max, palette: ds.palette, strip: true, label: `line ${ds.lines[i]}` }), `line ${ds.lines[i]}`),
        figure(matrixCanvas(reconstructRow(W, H, i, r, m), { w: m, h: 1, scale: ds.max, palette: ds.palette, strip: true, label: `reconstruction of line ${ds.lines[i]}` }), 'W·H'),
      );
    }
    panels.recon.append(list);
    panels.reconHelp.textContent = `${ds.name}: ${n} rows × ${m} columns. Each original row, then its reconstruction.`;
  }
}

/** The text shown for an error of a fit (or of reading data) on dataset ds. */
export function describeError(e, ds) {
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
