// nmfkit/text: documents → a sparse (CSR) term matrix for a topic fit, and the top words of
// each topic. Imports nothing (the main entries do not import it either), so a page that
// does not import 'nmfkit/text' carries none of it.
//   tokenize(text, options)     lower-case runs of letters, stop words and short words dropped
//   tfidf(documents, options)   { matrix: CSR { rows, cols, indptr, indices, values }, vocabulary }
//   topWords(H, vocabulary, k)  each row of H (a topic) as its k heaviest words
//   paragraphs(text)            a text split at blank lines (one document a paragraph)

// English function words (articles, pronouns, auxiliaries, prepositions, conjunctions,
// frequent adverbs): they are in every topic and tell none apart.
const WORDS =
  'a about above after again against all also am an and any are as at be because been before being below ' +
  'between both but by can could did do does doing down during each either else etc even ever every few for ' +
  'from further had has have having he her here hers herself him himself his how however if in into is it its ' +
  'itself just may me might more most much must my myself neither no nor not now of off on once only or other ' +
  'otherwise our ours ourselves out over own per same shall she should so some such than that the their theirs ' +
  'them themselves then there these they this those through thus to too under until up upon us very via was we ' +
  'were what when where whether which while who whom whose why will with within without would yet you your ' +
  'yours yourself yourselves';

/** The default stop words (a frozen Set of lower-case words). */
export const STOP_WORDS = Object.freeze(new Set(WORDS.split(' ')));

const LETTERS = /\p{L}+/gu;

const bad = (message) => Object.assign(new TypeError(`nmfkit/text: ${message}`), { code: 'invalid_argument' });

function words(o) {
  const stop = o.stopWords === undefined ? STOP_WORDS : o.stopWords;
  if (stop === null || typeof stop[Symbol.iterator] !== 'function' || typeof stop === 'string')
    throw bad('stopWords must be an iterable of words (a Set or an array)');
  const set = stop instanceof Set ? stop : new Set(stop);
  const min = o.minLength === undefined ? 2 : o.minLength;
  if (!Number.isInteger(min) || min < 1) throw bad(`minLength must be an integer >= 1; got ${String(min)}`);
  return (text) => {
    if (typeof text !== 'string') throw bad(`a document must be a string; got ${typeof text}`);
    return (text.toLowerCase().match(LETTERS) || []).filter((w) => w.length >= min && !set.has(w));
  };
}

/**
 * The words of a text: lower case, runs of letters (any script), without stop words and
 * words shorter than options.minLength (default 2). options.stopWords: an iterable of
 * lower-case words (default STOP_WORDS; [] keeps every word).
 */
export function tokenize(text, options = {}) {
  return words(options)(text);
}

/** A text split at blank lines: its paragraphs, trimmed, the empty ones dropped. */
export function paragraphs(text) {
  if (typeof text !== 'string') throw bad(`paragraphs takes a string; got ${typeof text}`);
  return text
    .split(/\r?\n[ \t]*\r?\n/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

// a document-frequency bound: a count (integer >= 0) or a share of the documents (0 < x < 1, or 1)
function bound(name, v, n, dflt) {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !(v >= 0) || (v > 1 && !Number.isInteger(v)))
    throw bad(`${name} must be a count (an integer) or a share of the documents in [0, 1]; got ${String(v)}`);
  return v < 1 || (v === 1 && name === 'maxDf') ? v * n : v;
}

/**
 * The term matrix of documents (an array of strings, one row each): columns are the
 * vocabulary's words (alphabetical), entries the words' counts in the document, or (the
 * default, weighting 'tfidf') count × idf with idf = ln((1 + n) / (1 + df)) + 1 (n
 * documents, df of them holding the word), each row scaled to unit Euclidean length.
 * options: weighting 'tfidf' | 'counts' (counts suit the KL loss), stopWords, minLength (as
 * tokenize), minDf / maxDf (a word is kept when the number of documents holding it is in
 * [minDf, maxDf]: counts, or shares of the documents when below 1; default 1 and 1.0),
 * maxFeatures (keep that many words, the most frequent over all documents; default all).
 * Returns { matrix: { rows, cols, indptr (Uint32Array), indices (Uint32Array), values
 * (Float32Array) }, vocabulary (string[]), documentFrequency (Uint32Array) }: matrix is a
 * sparse X for nmf.fit(), with sorted column indices.
 */
export function tfidf(documents, options = {}) {
  if (!Array.isArray(documents)) throw bad('documents must be an array of strings');
  if (options === null || typeof options !== 'object') throw bad('options must be an object');
  const known = ['weighting', 'stopWords', 'minLength', 'minDf', 'maxDf', 'maxFeatures'];
  for (const k of Object.keys(options)) if (!known.includes(k)) throw bad(`unknown option ${k}`);
  const { weighting = 'tfidf', maxFeatures = Infinity } = options;
  if (weighting !== 'tfidf' && weighting !== 'counts') throw bad(`weighting must be 'tfidf' or 'counts'; got ${String(weighting)}`);
  if (maxFeatures !== Infinity && (!Number.isInteger(maxFeatures) || maxFeatures < 1))
    throw bad(`maxFeatures must be an integer >= 1; got ${String(maxFeatures)}`);
  const n = documents.length;
  const minDf = bound('minDf', options.minDf, n, 1);
  const maxDf = bound('maxDf', options.maxDf, n, n);
  const split = words(options);

  // counts per document, document frequency and total count per word
  const counts = documents.map((d) => {
    const c = new Map();
    for (const w of split(d)) c.set(w, (c.get(w) || 0) + 1);
    return c;
  });
  const df = new Map();
  const total = new Map();
  for (const c of counts)
    for (const [w, k] of c) {
      df.set(w, (df.get(w) || 0) + 1);
      total.set(w, (total.get(w) || 0) + k);
    }
  let kept = [...df.keys()].filter((w) => df.get(w) >= minDf && df.get(w) <= maxDf);
  if (kept.length > maxFeatures) kept = kept.sort((a, b) => total.get(b) - total.get(a) || (a < b ? -1 : 1)).slice(0, maxFeatures);
  const vocabulary = kept.sort();
  const column = new Map(vocabulary.map((w, j) => [w, j]));
  const idf = vocabulary.map((w) => (weighting === 'tfidf' ? Math.log((1 + n) / (1 + df.get(w))) + 1 : 1));

  const indptr = new Uint32Array(n + 1);
  let nnz = 0;
  for (let i = 0; i < n; i++) {
    for (const w of counts[i].keys()) if (column.has(w)) nnz++;
    indptr[i + 1] = nnz;
  }
  const indices = new Uint32Array(nnz);
  const values = new Float32Array(nnz);
  for (let i = 0; i < n; i++) {
    const row = [];
    for (const [w, k] of counts[i]) if (column.has(w)) row.push(column.get(w));
    row.sort((a, b) => a - b);
    let norm = 0;
    const v = row.map((j) => {
      const x = counts[i].get(vocabulary[j]) * idf[j];
      norm += x * x;
      return x;
    });
    const scale = weighting === 'tfidf' && norm > 0 ? 1 / Math.sqrt(norm) : 1;
    for (let k = 0; k < row.length; k++) {
      indices[indptr[i] + k] = row[k];
      values[indptr[i] + k] = v[k] * scale;
    }
  }
  return {
    matrix: { rows: n, cols: vocabulary.length, indptr, indices, values },
    vocabulary,
    documentFrequency: Uint32Array.from(vocabulary, (w) => df.get(w)),
  };
}

/**
 * The k (default 10) heaviest words of each topic: H is a fit's H (rank × vocabulary.length,
 * row-major: a Float32Array / Float64Array, or an array of rows). Returns one array per
 * topic of { word, weight }, heaviest first, only words of positive weight.
 */
export function topWords(H, vocabulary, k = 10) {
  if (!Array.isArray(vocabulary)) throw bad('vocabulary must be an array of words');
  if (!Number.isInteger(k) || k < 1) throw bad(`k must be an integer >= 1; got ${String(k)}`);
  const m = vocabulary.length;
  const rows = Array.isArray(H) ? H : [];
  if (!Array.isArray(H)) {
    if (!ArrayBuffer.isView(H) || m === 0 || H.length % m !== 0)
      throw bad(`H must be an array of rows or a typed array of rank × ${m} (the vocabulary's size) numbers`);
    for (let t = 0; t < H.length / m; t++) rows.push(H.subarray(t * m, (t + 1) * m));
  }
  return rows.map((row, t) => {
    if (row.length !== m) throw bad(`H row ${t} has ${row.length} entries, the vocabulary ${m} words`);
    const order = [];
    for (let j = 0; j < m; j++) if (row[j] > 0) order.push(j);
    order.sort((a, b) => row[b] - row[a] || a - b);
    return order.slice(0, k).map((j) => ({ word: vocabulary[j], weight: row[j] }));
  });
}
