// The demo's datasets: the built-in digits and faces (float32 files under data/), a CSV
// file or an image the user chooses. A dataset is { kind, name, X, rows, cols, max,
// palette, where(row, col) → a place to name in messages, ... }.
import { DataError, parseCsv } from './csv.js';

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
const cache = new Map(); // key -> promise of the built-in dataset
let uploaded = null; // the dataset of the last file read, the 'upload' choice

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

/** The dataset of a choice of the Data menu: a built-in key, or 'upload' (the last file read). */
export async function getDataset(key) {
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

/** Reads a chosen file (CSV or image) and makes it the 'upload' dataset. */
export async function useUpload(file) {
  const ds = await readUpload(file);
  uploaded = ds;
  return ds;
}

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
