// nmfkit/text (src/text.js): tokenization, TF-IDF against a hand-computed example, the CSR
// shape nmf.fit() takes, the options' bounds and errors, topWords, and a topic fit of planted
// topics on the module with sparse X.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { STOP_WORDS, paragraphs, tfidf, tokenize, topWords } from '../src/text.js';
import { MODULES, instance } from './helpers.mjs';

describe('tokenize', () => {
  test('lower case, runs of letters in any script, stop words and one-letter words dropped', () => {
    // 'the' a stop word; 'x' and the b's of 'b2b' one letter; '42' no letters
    assert.deepEqual(tokenize('The Café, naïve—résumé! x 42 b2b Ωmega'), ['café', 'naïve', 'résumé', 'ωmega']);
    assert.deepEqual(tokenize("It's THE dog's bone, and the dog"), ['dog', 'bone', 'dog']);
    assert.deepEqual(tokenize('a b cd', { stopWords: [], minLength: 1 }), ['a', 'b', 'cd']);
    assert.deepEqual(tokenize('the cat sat', { stopWords: new Set(['cat']) }), ['the', 'sat']);
    assert.deepEqual(tokenize('aa bbb cccc', { minLength: 3 }), ['bbb', 'cccc']);
    assert.deepEqual(tokenize(''), []);
    assert.ok(STOP_WORDS.has('the') && STOP_WORDS.has('which') && !STOP_WORDS.has('license'));
    assert.throws(() => tokenize(3), { name: 'TypeError', code: 'invalid_argument' });
    assert.throws(() => tokenize('x', { stopWords: 'the' }), /stopWords must be an iterable/);
    assert.throws(() => tokenize('x', { minLength: 0 }), /minLength must be an integer >= 1/);
  });

  test('paragraphs: split at blank lines (spaces, CRLF), trimmed, empty ones dropped', () => {
    assert.deepEqual(paragraphs('one\ntwo\n\n  three  \r\n \r\nfour\n\n\n\n'), ['one\ntwo', 'three', 'four']);
    assert.deepEqual(paragraphs('\n\n'), []);
  });
});

describe('tfidf', () => {
  test('TF-IDF of a tiny example, computed by hand', () => {
    // n = 2 documents; df: apple 1, banana 2, cherry 1;
    // idf = ln((1 + 2) / (1 + df)) + 1: apple, cherry ln 1.5 + 1 = 1.4054651, banana 1.
    // row 0: apple 2 × 1.4054651 = 2.8109302, banana 1; length sqrt(2.8109302² + 1) = 2.9835097
    //        → 0.9421556, 0.3351757
    // row 1: banana 1, cherry 1.4054651; length sqrt(1 + 1.4054651²) = 1.7249185 → 0.5797387, 0.8148025
    const { matrix, vocabulary, documentFrequency } = tfidf(['Apple banana apple.', 'banana, CHERRY'], { stopWords: [] });
    assert.deepEqual(vocabulary, ['apple', 'banana', 'cherry']);
    assert.deepEqual([...documentFrequency], [1, 2, 1]);
    assert.equal(matrix.rows, 2);
    assert.equal(matrix.cols, 3);
    assert.deepEqual([...matrix.indptr], [0, 2, 4]);
    assert.deepEqual([...matrix.indices], [0, 1, 1, 2]);
    const expected = [0.9421556, 0.3351757, 0.5797387, 0.8148025];
    for (let k = 0; k < 4; k++) assert.ok(Math.abs(matrix.values[k] - expected[k]) < 1e-6, `value ${k}: ${matrix.values[k]} vs ${expected[k]}`);
    assert.ok(matrix.indptr instanceof Uint32Array && matrix.indices instanceof Uint32Array && matrix.values instanceof Float32Array);
  });

  test('counts; sorted column indices; empty documents are empty rows', () => {
    const docs = ['zebra apple zebra zebra', '', 'mango apple', 'the of and'];
    const { matrix, vocabulary } = tfidf(docs, { weighting: 'counts' });
    assert.deepEqual(vocabulary, ['apple', 'mango', 'zebra']);
    assert.deepEqual([...matrix.indptr], [0, 2, 2, 4, 4]);
    assert.deepEqual([...matrix.indices], [0, 2, 0, 1]);
    assert.deepEqual([...matrix.values], [1, 3, 1, 1]);
  });

  test('minDf, maxDf (counts and shares) and maxFeatures choose the vocabulary', () => {
    const docs = ['red green blue', 'red green', 'red cyan', 'red'];
    assert.deepEqual(tfidf(docs, { minDf: 2 }).vocabulary, ['green', 'red']);
    assert.deepEqual(tfidf(docs, { minDf: 0.5 }).vocabulary, ['green', 'red']);
    assert.deepEqual(tfidf(docs, { maxDf: 3 }).vocabulary, ['blue', 'cyan', 'green']);
    assert.deepEqual(tfidf(docs, { maxDf: 0.5 }).vocabulary, ['blue', 'cyan', 'green']);
    // the most frequent over all documents: red 4, green 2, then blue and cyan 1 each (alphabetical)
    assert.deepEqual(tfidf(docs, { maxFeatures: 3 }).vocabulary, ['blue', 'green', 'red']);
    const { matrix } = tfidf(docs, { maxFeatures: 1 });
    assert.deepEqual([...matrix.indptr], [0, 1, 2, 3, 4]);
    assert.deepEqual([...matrix.values], [1, 1, 1, 1], 'one word a row: unit length');
  });

  test('bad arguments throw TypeError naming the option', () => {
    assert.throws(() => tfidf('text'), /documents must be an array/);
    assert.throws(() => tfidf([1]), /a document must be a string/);
    assert.throws(() => tfidf([], { weighting: 'bm25' }), /weighting must be 'tfidf' or 'counts'/);
    assert.throws(() => tfidf([], { maxFeatures: 0 }), /maxFeatures must be an integer >= 1/);
    assert.throws(() => tfidf([], { minDf: 1.5 }), /minDf must be a count/);
    assert.throws(() => tfidf([], { minDF: 1 }), /unknown option minDF/);
  });
});

describe('topWords', () => {
  test("each topic's heaviest words with their weights, zeros left out", () => {
    const vocabulary = ['a', 'b', 'c', 'd'];
    const H = Float32Array.from([0, 3, 1, 2, 5, 0, 0, 0.5]);
    assert.deepEqual(topWords(H, vocabulary, 2), [
      [{ word: 'b', weight: 3 }, { word: 'd', weight: 2 }],
      [{ word: 'a', weight: 5 }, { word: 'd', weight: 0.5 }],
    ]);
    assert.deepEqual(topWords([[0, 0, 1, 0]], vocabulary), [[{ word: 'c', weight: 1 }]]);
    assert.throws(() => topWords(new Float32Array(5), vocabulary), /rank × 4/);
    assert.throws(() => topWords([[1, 2]], vocabulary), /H row 0 has 2 entries/);
    assert.throws(() => topWords(H, vocabulary, 0), /k must be an integer >= 1/);
  });

  test('a sparse topic fit of planted topics finds them (the first module of the build)', async () => {
    const pets = ['cat dog puppy kitten', 'dog puppy leash', 'kitten cat whiskers', 'puppy dog cat kitten'];
    const money = ['stock market price shares', 'market shares dividend', 'price stock dividend', 'shares market stock'];
    const docs = [];
    for (let i = 0; i < 4; i++) docs.push(pets[i], money[i]);
    const { matrix, vocabulary } = tfidf(docs);
    const nmf = await instance(MODULES[0][0]);
    const r = await nmf.fit(matrix, { rank: 2, seed: 3, maxIter: 400, init: 'nndsvd' });
    const topics = topWords(r.H, vocabulary, 4).map((t) => t.map((w) => w.word));
    const isPets = (t) => t.every((w) => ['cat', 'dog', 'puppy', 'kitten', 'leash', 'whiskers'].includes(w));
    const isMoney = (t) => t.every((w) => ['stock', 'market', 'price', 'shares', 'dividend'].includes(w));
    assert.ok(topics.some(isPets) && topics.some(isMoney), JSON.stringify(topics));
  });
});
