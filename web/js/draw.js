// Canvas drawing: matrices as pixel images, and the loss curve.

// value in [0, 1] -> [r, g, b]
const PALETTES = {
  // dark strokes on white (digits, CSV data): 0 is paper, 1 is ink
  ink: (t) => [255 - 230 * t, 255 - 210 * t, 255 - 150 * t],
  // photographs: 0 black, 1 white
  gray: (t) => [255 * t, 255 * t, 255 * t],
};

/**
 * A canvas of w×h pixels showing values[offset + y*stride + x] / scale (clamped to [0, 1]).
 * scale <= 0 means "the largest value shown".
 */
export function matrixCanvas(values, { offset = 0, w, h, stride = w, scale = 0, palette = 'ink', label = '', strip = false }) {
  if (!(scale > 0)) {
    scale = 0;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) scale = Math.max(scale, values[offset + y * stride + x]);
    if (!(scale > 0)) scale = 1;
  }
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  canvas.className = strip ? 'px strip' : 'px';
  if (label) {
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', label);
  }
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(w, h);
  const color = PALETTES[palette] || PALETTES.ink;
  const d = img.data;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let t = values[offset + y * stride + x] / scale;
      t = t > 1 ? 1 : t > 0 ? t : 0;
      const [r, g, b] = color(t);
      const p = 4 * (y * w + x);
      d[p] = r;
      d[p + 1] = g;
      d[p + 2] = b;
      d[p + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
  return canvas;
}

/** A <figure> holding a canvas and a caption. */
export function figure(canvas, caption, role) {
  const f = document.createElement('figure');
  if (role) f.setAttribute('role', role);
  f.append(canvas);
  if (caption) {
    const c = document.createElement('figcaption');
    c.textContent = caption;
    f.append(c);
  }
  return f;
}

const niceStep = (span, count) => {
  const raw = span / Math.max(1, count);
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
};

/**
 * Draws the relative error against the iteration. points: [[iteration, value], ...];
 * xMax: the iteration budget (the x axis spans 0..xMax).
 */
export function drawCurve(canvas, points, xMax) {
  const dpr = window.devicePixelRatio || 1;
  const cssW = canvas.clientWidth || 300;
  const cssH = canvas.clientHeight || 200;
  if (canvas.width !== Math.round(cssW * dpr) || canvas.height !== Math.round(cssH * dpr)) {
    canvas.width = Math.round(cssW * dpr);
    canvas.height = Math.round(cssH * dpr);
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, cssW, cssH);
  const styles = getComputedStyle(document.documentElement);
  const ink = styles.getPropertyValue('--ink').trim() || '#222';
  const muted = styles.getPropertyValue('--muted').trim() || '#666';
  const line = styles.getPropertyValue('--line').trim() || '#ddd';
  const accent = styles.getPropertyValue('--accent').trim() || '#2456c9';
  ctx.font = '12px system-ui, sans-serif';

  const left = 48;
  const right = 12;
  const top = 10;
  const bottom = 30;
  const pw = Math.max(10, cssW - left - right);
  const ph = Math.max(10, cssH - top - bottom);

  xMax = Math.max(1, xMax, points.length ? points[points.length - 1][0] : 1);
  let lo = Infinity;
  let hi = -Infinity;
  for (const [, v] of points) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!points.length) {
    lo = 0;
    hi = 1;
  }
  if (hi - lo < 1e-9) {
    lo -= 0.01;
    hi += 0.01;
  }
  const pad = (hi - lo) * 0.08;
  lo = Math.max(0, lo - pad);
  hi += pad;
  const X = (it) => left + (it / xMax) * pw;
  const Y = (v) => top + (1 - (v - lo) / (hi - lo)) * ph;

  // grid and ticks
  ctx.strokeStyle = line;
  ctx.fillStyle = muted;
  ctx.lineWidth = 1;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  const ys = niceStep(hi - lo, 4);
  const digits = Math.max(0, -Math.floor(Math.log10(ys)));
  for (let v = Math.ceil(lo / ys) * ys; v <= hi + 1e-12; v += ys) {
    const y = Math.round(Y(v)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(left, y);
    ctx.lineTo(left + pw, y);
    ctx.stroke();
    ctx.fillText(v.toFixed(digits), left - 6, y);
  }
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  const xs = niceStep(xMax, Math.max(2, Math.floor(pw / 80)));
  for (let it = 0; it <= xMax + 1e-9; it += xs) {
    const x = Math.round(X(it)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(x, top + ph);
    ctx.lineTo(x, top + ph + 4);
    ctx.stroke();
    ctx.fillText(String(Math.round(it)), x, top + ph + 6);
  }
  ctx.strokeStyle = ink;
  ctx.beginPath();
  ctx.moveTo(left + 0.5, top);
  ctx.lineTo(left + 0.5, top + ph + 0.5);
  ctx.lineTo(left + pw, top + ph + 0.5);
  ctx.stroke();

  if (!points.length) {
    ctx.fillStyle = muted;
    ctx.textBaseline = 'middle';
    ctx.fillText('the curve appears here while the fit runs', left + pw / 2, top + ph / 2);
    return;
  }
  // the curve: at most ~2 points per pixel column
  ctx.strokeStyle = accent;
  ctx.lineWidth = 2;
  ctx.lineJoin = 'round';
  ctx.beginPath();
  const every = Math.max(1, Math.floor(points.length / (pw * 2)));
  for (let i = 0; i < points.length; i += every) {
    const [it, v] = points[i];
    if (i === 0) ctx.moveTo(X(it), Y(v));
    else ctx.lineTo(X(it), Y(v));
  }
  const [lastIt, lastV] = points[points.length - 1];
  ctx.lineTo(X(lastIt), Y(lastV));
  ctx.stroke();
  ctx.fillStyle = accent;
  ctx.beginPath();
  ctx.arc(X(lastIt), Y(lastV), 3, 0, 2 * Math.PI);
  ctx.fill();
  ctx.fillStyle = ink;
  ctx.textAlign = X(lastIt) > left + pw - 60 ? 'right' : 'left';
  ctx.textBaseline = 'bottom';
  ctx.fillText(lastV.toFixed(4), X(lastIt) + (ctx.textAlign === 'left' ? 6 : -6), Y(lastV) - 4);
}
