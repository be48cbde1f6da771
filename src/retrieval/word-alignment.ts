import { distance } from "fastest-levenshtein";
import { rarityWeight } from "../embeddings/local-embeddings.js";
import { contentWords, stem } from "../embeddings/text.js";
import type { WordVectors } from "../embeddings/word-vectors.js";

/** The words of a question, each with how much it matters. */
export interface QueryTerms {
  rows: Int32Array;
  stems: string[];
  weights: Float64Array;
  totalWeight: number;
}

/** The distinct words of a passage (or sentence), ready to be aligned against. */
export interface PassageTerms {
  rows: Int32Array;
  stems: ReadonlySet<string>;
}

/** Word-vector similarity below this is what unrelated words score; it counts as no match. */
export const SIMILARITY_FLOOR = 0.3;

export interface AlignerOptions {
  /** Similarity that counts as no match (default SIMILARITY_FLOOR). */
  floor?: number;
  /** Extra weight per question word stem, e.g. how rare it is in the corpus. */
  stemWeight?: (stem: string) => number;
  /** Frequency rank below which a word is too everyday to show a shared topic. */
  genericRank?: number;
  /** The corpus's own words: a rare or unknown question word one typo away is read as one. */
  vocabulary?: readonly string[];
}

/**
 * Word-alignment relevance: every question word is matched with its most similar passage
 * word (the same stem scores 1; otherwise the cosine of their word vectors, less what
 * unrelated words score anyway), weighted by how rare the question word is. A paraphrase
 * ("lines around my eyes" for "wrinkles ... around the eyes") scores high where averaged
 * vectors blur and BM25 sees no shared word.
 */
export interface WordAligner {
  query(text: string, contextText?: string, contextWeight?: number): QueryTerms;
  passage(text: string): PassageTerms;
  /** 0 (nothing matches) to 1 (every question word found). */
  score(query: QueryTerms, passage: PassageTerms, memo?: Map<number, number>): number;
  /**
   * True when a question word that is not everyday English (a frequency rank past
   * `GENERIC_RANK`, or not in the vocabulary) stands in the passage terms, or nearly so.
   * "Who won the league?" shares only everyday words ("last", "team") with a skin
   * clinic's articles; "Do you do laser hair removal?" shares "laser".
   */
  sharesTopic(query: QueryTerms, vocabulary: PassageTerms): boolean;
  /**
   * The rare question words (past `RARE_RANK`, or unknown) that nothing in the passages
   * matches: "numbing" in "do you use numbing cream?" when no passage speaks of it. A
   * question whose most telling word goes unanswered is not answered by these passages.
   */
  unmatchedRareWords(query: QueryTerms, passages: PassageTerms): string[];
}

/** Words rarer than this are what a question is specifically about. */
export const RARE_RANK = 3000;
/** Similarity at which a rare question word counts as addressed by a passage word. */
const RARE_MATCH_SIMILARITY = 0.5;
/** Vocabulary ranks past this are mostly misspellings and oddities in the word vectors. */
const ODD_WORD_RANK = 20_000;

/** Words more frequent than this are everyday English, too general to show a shared topic. */
export const GENERIC_RANK = 1500;
/** Word-vector similarity that counts as the same topic word ("scar" and "scarring"). */
const TOPIC_SIMILARITY = 0.75;

export function createWordAligner(vectors: WordVectors, options: AlignerOptions = {}): WordAligner {
  const dims = vectors.size;
  const floor = options.floor ?? SIMILARITY_FLOOR;
  const stemWeight = options.stemWeight ?? (() => 1);
  const genericRank = options.genericRank ?? GENERIC_RANK;
  const corpusWords = [...new Set(options.vocabulary ?? [])].filter((w) => w.length >= 4);
  const corpusSet = new Set(corpusWords);
  /** One or two edits away from a corpus word ("microneedlin"), for unknown or odd words. */
  function mend(word: string, row: number): string {
    if (word.length < 4 || corpusSet.has(word) || (row >= 0 && row < ODD_WORD_RANK)) return word;
    const allowed = word.length >= 8 ? 2 : 1;
    let best = word;
    let bestDistance = allowed + 1;
    for (const candidate of corpusWords) {
      if (Math.abs(candidate.length - word.length) > allowed) continue;
      const d = distance(word, candidate);
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    return best;
  }
  function terms(text: string, correct = false) {
    return contentWords(text).map((raw) => {
      const word = correct ? mend(raw, vectors.lookup(raw)) : raw;
      return { row: vectors.lookup(word), stem: stem(word) };
    });
  }
  return {
    query(text, contextText, contextWeight = 0.5) {
      const seen = new Map<string, { row: number; weight: number }>();
      const add = (words: { row: number; stem: string }[], factor: number) => {
        for (const { row, stem: s } of words) {
          const weight = rarityWeight(vectors, row) * factor * stemWeight(s);
          const prior = seen.get(s);
          if (!prior || prior.weight < weight) seen.set(s, { row, weight });
        }
      };
      if (contextText) add(terms(contextText, true), contextWeight);
      add(terms(text, true), 1);
      const stems = [...seen.keys()];
      const rows = new Int32Array(stems.length);
      const weights = new Float64Array(stems.length);
      let totalWeight = 0;
      stems.forEach((s, i) => {
        const entry = seen.get(s) as { row: number; weight: number };
        rows[i] = entry.row;
        weights[i] = entry.weight;
        totalWeight += entry.weight;
      });
      return { rows, stems, weights, totalWeight };
    },
    passage(text) {
      const words = terms(text);
      const rows = [...new Set(words.map((w) => w.row).filter((r) => r >= 0))];
      return { rows: Int32Array.from(rows), stems: new Set(words.map((w) => w.stem)) };
    },
    score(query, passage, memo) {
      if (query.totalWeight === 0) return 0;
      let sum = 0;
      for (let i = 0; i < query.stems.length; i++) {
        let best = 0;
        if (passage.stems.has(query.stems[i] as string)) {
          best = 1;
        } else {
          const q = query.rows[i] as number;
          if (q >= 0) {
            for (let j = 0; j < passage.rows.length; j++) {
              const p = passage.rows[j] as number;
              // Similarities repeat across the passages of one query: remember them.
              const key = q * dims + p;
              let sim = memo?.get(key);
              if (sim === undefined) {
                sim = vectors.similarity(q, p);
                memo?.set(key, sim);
              }
              if (sim > best) best = sim;
            }
            best = Math.max(0, (best - floor) / (1 - floor));
          }
        }
        sum += (query.weights[i] as number) * best;
      }
      return sum / query.totalWeight;
    },
    sharesTopic(query, vocabulary) {
      const specific = (row: number) => row < 0 || row >= genericRank;
      for (let i = 0; i < query.stems.length; i++) {
        const q = query.rows[i] as number;
        if (!specific(q)) continue;
        if (vocabulary.stems.has(query.stems[i] as string)) return true;
        if (q < 0) continue;
        for (let j = 0; j < vocabulary.rows.length; j++) {
          const p = vocabulary.rows[j] as number;
          if (specific(p) && vectors.similarity(q, p) >= TOPIC_SIMILARITY) return true;
        }
      }
      return false;
    },
    unmatchedRareWords(query, passages) {
      const missing: string[] = [];
      for (let i = 0; i < query.stems.length; i++) {
        const q = query.rows[i] as number;
        const s = query.stems[i] as string;
        if (q >= 0 && q < RARE_RANK) continue;
        if (passages.stems.has(s)) continue;
        let addressed = false;
        if (q >= 0) {
          for (let j = 0; j < passages.rows.length && !addressed; j++) {
            addressed = vectors.similarity(q, passages.rows[j] as number) >= RARE_MATCH_SIMILARITY;
          }
        }
        if (!addressed) missing.push(s);
      }
      return missing;
    },
  };
}
