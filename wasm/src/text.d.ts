// `nmfkit/text`: documents → a sparse term matrix for a topic fit, and each topic's top words.
// Imports nothing from 'nmfkit': a page that does not import this subpath carries none of it.

/** The default stop words (lower case). */
export declare const STOP_WORDS: ReadonlySet<string>;

export interface TokenizeOptions {
  /** Lower-case words to drop (default STOP_WORDS; [] keeps every word). */
  stopWords?: Iterable<string>;
  /** Shortest word kept (default 2 letters). */
  minLength?: number;
}

export interface TfidfOptions extends TokenizeOptions {
  /** 'tfidf' (default): count × idf, rows of unit length; 'counts': raw counts (for the KL loss). */
  weighting?: 'tfidf' | 'counts';
  /** Keep a word held by at least this many documents (a share of them when below 1); default 1. */
  minDf?: number;
  /** Keep a word held by at most this many documents (a share of them when at most 1); default 1 (all). */
  maxDf?: number;
  /** Keep only this many words, the most frequent over all documents (default all). */
  maxFeatures?: number;
}

/** A CSR matrix, as nmf.fit() takes a sparse X. */
export interface TermMatrix {
  rows: number;
  cols: number;
  indptr: Uint32Array;
  indices: Uint32Array;
  values: Float32Array;
}

export interface Tfidf {
  /** documents × vocabulary; column indices sorted within each row. */
  matrix: TermMatrix;
  /** The word of each column, alphabetical. */
  vocabulary: string[];
  /** How many documents hold each word. */
  documentFrequency: Uint32Array;
}

export interface TopWord {
  word: string;
  weight: number;
}

/** Lower-case runs of letters (any script), without stop words and short words. Throws TypeError (code 'invalid_argument'). */
export declare function tokenize(text: string, options?: TokenizeOptions): string[];

/** A text split at blank lines: its non-empty paragraphs, trimmed. */
export declare function paragraphs(text: string): string[];

/** The term matrix of documents (one row each): TF-IDF (ln((1 + n) / (1 + df)) + 1, unit rows) or counts. */
export declare function tfidf(documents: readonly string[], options?: TfidfOptions): Tfidf;

/** The k (default 10) heaviest words of each row of H (rank × vocabulary.length), heaviest first. */
export declare function topWords(H: Float32Array | Float64Array | ArrayLike<number>[], vocabulary: readonly string[], k?: number): TopWord[][];
