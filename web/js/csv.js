// A strict CSV reader for matrices: one matrix row per line, numbers only.
// Errors name the line and column (1-based), so a bad file can be fixed.

export class DataError extends Error {
  constructor(message) {
    super(message);
    this.name = 'DataError';
  }
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
export const MAX_ENTRIES = 4_000_000; // 16 MB of float32: plenty for a demo

const show = (s) => (s.length > 24 ? JSON.stringify(s.slice(0, 24) + '…') : JSON.stringify(s));

/**
 * Parses text into { X: Float32Array (row-major), rows, cols, lines } where lines[i] is the
 * 1-based line number of matrix row i. Blank lines are skipped. The separator is taken from
 * the first row: a comma, else a semicolon, else a tab, else runs of spaces.
 */
export function parseCsv(text) {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const all = text.split(/\r\n|\n|\r/);
  let split = null;
  let cols = -1;
  let firstLine = 0;
  const values = [];
  const lines = [];
  for (let li = 0; li < all.length; li++) {
    const line = all[li];
    if (line.trim() === '') continue;
    const ln = li + 1;
    if (!split) {
      if (line.includes(',')) split = (s) => s.split(',');
      else if (line.includes(';')) split = (s) => s.split(';');
      else if (line.includes('\t')) split = (s) => s.split('\t');
      else split = (s) => s.trim().split(/\s+/);
    }
    const cells = split(line);
    if (cols < 0) {
      cols = cells.length;
      firstLine = ln;
    } else if (cells.length !== cols) {
      throw new DataError(`line ${ln} has ${cells.length} value${cells.length === 1 ? '' : 's'}, but line ${firstLine} has ${cols}: every row needs the same number of columns`);
    }
    for (let c = 0; c < cells.length; c++) {
      const cell = cells[c].trim();
      const where = `line ${ln}, column ${c + 1}`;
      if (cell === '') throw new DataError(`${where} is empty`);
      if (!NUMBER.test(cell)) {
        const hint = lines.length === 0 ? ' (a header line is not supported: remove it)' : '';
        throw new DataError(`${where}: ${show(cell)} is not a number${hint}`);
      }
      const v = Number(cell);
      if (!Number.isFinite(v)) throw new DataError(`${where}: ${show(cell)} is too large`);
      if (v < 0) throw new DataError(`${where}: ${cell} is negative; NMF needs numbers ≥ 0`);
      values.push(v);
    }
    lines.push(ln);
    if (values.length > MAX_ENTRIES) throw new DataError(`the file has more than ${MAX_ENTRIES.toLocaleString('en')} numbers, too many for this demo`);
  }
  if (lines.length === 0) throw new DataError('the file holds no numbers');
  return { X: Float32Array.from(values), rows: lines.length, cols, lines };
}
