// Compiled with tsc --noEmit in an ES module project (moduleResolution bundler / nodenext).
import { NmfError, createWorker, load, simdSupported, type FitOptions, type WasmSource } from 'nmfkit';
import { STOP_WORDS, paragraphs, tfidf, tokenize, topWords, type Tfidf, type TopWord } from 'nmfkit/text';

// module bytes: any view of an ArrayBuffer (a Uint8Array as typed by default: of ArrayBufferLike)
const bytes: Uint8Array = new Uint8Array(8);
const source: WasmSource = bytes;
const options: FitOptions = { rows: 2, cols: 2, rank: 1, seed: 1 };

const nmf = await load({ wasm: source, simd: simdSupported() });
const r = await nmf.fit(new Float32Array(4), options);
const W: Float32Array = r.W;
const worker = await createWorker({ startTimeout: 5000 });
const rw = await worker.fit([[1, 2], [3, 4]], { rank: 1 });
const H: Float64Array = rw.H;
await worker.terminate();
try {
  nmf.fitSync([[1, -1]], { rank: 1 });
} catch (e) {
  if (e instanceof NmfError) console.log(e.code, e.row, W.length, H.length);
}
// nmfkit/text: its matrix is a sparse X
const tf: Tfidf = tfidf(['a b', 'b c'], { weighting: 'counts', minDf: 1 });
const rt = await nmf.fit(tf.matrix, { rank: 1 });
const top: TopWord[][] = topWords(rt.H, tf.vocabulary, 3);
console.log(top[0]?.[0]?.word.length, tokenize('x').length, paragraphs('').length, STOP_WORDS.has('the'));
export {};
