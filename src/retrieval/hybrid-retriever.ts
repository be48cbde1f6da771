import type { Chunk } from "../content/types.js";
import type { EmbeddingModel } from "../embeddings/embedding-model.js";
import { embeddingText, type SearchIndex } from "../index/search-index.js";
import {
  createWordAligner,
  type PassageTerms,
  type QueryTerms,
  type WordMatch,
  type WordAligner,
} from "./word-alignment.js";
import type { WordVectors } from "../embeddings/word-vectors.js";
import type { Lexicon } from "../embeddings/wordnet.js";
import { contentWords } from "../embeddings/text.js";

/** A passage found for a question, with the scores that ranked it. */
export interface RetrievedPassage {
  row: number;
  chunk: Chunk;
  /** Final relevance, 0..1: what the threshold is applied to. */
  score: number;
  alignment: number;
  /** Cosine similarity from the vector index (0 when not a dense candidate). */
  dense: number;
  /** BM25 score scaled to the best lexical hit of this query (0..1). */
  lexical: number;
}

export interface RetrieveOptions {
  /** Earlier visitor text that a follow-up refers to; its words count for less. */
  context?: string;
  /** How many passages to return (default 5). */
  limit?: number;
  /** Which candidate sources and re-ranking to use; the bench compares them. */
  mode?: "hybrid" | "dense" | "lexical" | "hybrid-no-rerank";
  /** The question's terms (with the context), when the caller has built them already. */
  query?: QueryTerms;
}

export interface Retriever {
  retrieve(question: string, options?: RetrieveOptions): Promise<RetrievedPassage[]>;
  /** Whether the question (with its follow-up context) shares a topic word with the corpus. */
  onTopic(question: string, context?: string, query?: QueryTerms): boolean;
  /** The question's own words and how well the passages together match each (see WordAligner). */
  questionWords(query: QueryTerms, passages: RetrievedPassage[]): WordMatch[];
  /** The aligner the retriever ranks with, for sentence selection downstream. */
  readonly aligner: WordAligner;
  /** Passages with a relevance at or above this answer the question. */
  readonly threshold: number;
}

/** Candidates from each source before fusion. */
const CANDIDATES = 20;
/** Reciprocal-rank-fusion constant (the usual 60). */
const RRF_K = 60;
/**
 * Relevance below which the content is taken not to answer. Calibrated on the eval set
 * (`npm run eval` prints the scores of the unrelated questions against the answered ones).
 */
export const RELEVANCE_THRESHOLD = 0.4;

/** Weight of an introduction passage against a section's (see `retrieve`). */
const INTRO_PRIOR = 0.9;

function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

export interface RetrieverDeps {
  index: SearchIndex;
  model: EmbeddingModel;
  vectors: WordVectors;
  lexicon: Lexicon;
}

/**
 * Hybrid retrieval: dense candidates from hnswlib and BM25 candidates from MiniSearch,
 * fused by reciprocal rank, then re-ranked by word alignment (with a little of the fused
 * rank and the lexical score to break near-ties).
 */
export function createRetriever(deps: RetrieverDeps): Retriever {
  const { index, model } = deps;
  // Passage words are fixed per index: work them out once, not per question.
  const texts = index.chunks.map(embeddingText);
  const aligner = createWordAligner(deps.vectors, {
    vocabulary: texts.flatMap((t) => contentWords(t)),
    lexicon: deps.lexicon,
    glossary: index.glossary,
  });
  const passageTerms: PassageTerms[] = texts.map((t) => aligner.passage(t));
  const count = index.chunks.length;
  const everything = aligner.merge(passageTerms);
  // Read once: fetching a stored vector from the native index on every query costs more.
  const passageVectors = index.chunks.map((_, row) => index.dense.getPoint(row));

  async function retrieve(question: string, options: RetrieveOptions = {}) {
    const mode = options.mode ?? "hybrid";
    const limit = options.limit ?? 5;
    const queryText = options.context ? `${options.context}\n${question}` : question;
    const candidates = new Map<number, { rrf: number; dense: number; lexical: number }>();
    const entry = (row: number) => {
      let e = candidates.get(row);
      if (!e) {
        e = { rrf: 0, dense: 0, lexical: 0 };
        candidates.set(row, e);
      }
      return e;
    };

    let vector: number[] | undefined;
    if (mode !== "lexical" && count > 0) {
      vector = await model.embeddings.embedQuery(queryText);
      if (vector.some((v) => v !== 0)) {
        const { neighbors } = index.dense.searchKnn(vector, Math.min(CANDIDATES, count));
        neighbors.forEach((row, rank) => (entry(row).rrf += 1 / (RRF_K + rank + 1)));
      }
    }
    if (mode !== "dense") {
      const hits = index.lexical.search(queryText).slice(0, CANDIDATES);
      const top = hits[0]?.score ?? 1;
      hits.forEach((hit, rank) => {
        const e = entry(hit.id as number);
        e.rrf += 1 / (RRF_K + rank + 1);
        e.lexical = hit.score / top;
      });
    }
    // Exact cosine for every candidate, also those only BM25 found, so scores compare.
    if (vector) {
      for (const [row, e] of candidates) e.dense = cosine(vector, passageVectors[row] as number[]);
    }

    const query = options.query ?? aligner.query(question, options.context);
    const maxRrf = 2 / (RRF_K + 1);
    const ranked: RetrievedPassage[] = [];
    for (const [row, e] of candidates) {
      const alignment = aligner.score(query, passageTerms[row] as PassageTerms);
      const fused = e.rrf / maxRrf;
      let score: number;
      const chunk = index.chunks[row] as Chunk;
      // An introduction touches every topic briefly; a section that covers one answers better.
      const prior = chunk.section === chunk.title ? INTRO_PRIOR : 1;
      if (mode === "hybrid") score = prior * (0.8 * alignment + 0.1 * e.dense + 0.1 * e.lexical);
      else if (mode === "dense") score = e.dense;
      else if (mode === "lexical") score = e.lexical;
      else score = fused;
      ranked.push({
        row,
        chunk,
        score,
        alignment,
        dense: e.dense,
        lexical: e.lexical,
      });
    }
    ranked.sort((a, b) => b.score - a.score || a.row - b.row);
    return ranked.slice(0, limit);
  }

  return {
    retrieve,
    onTopic: (question, context, query) =>
      aligner.sharesTopic(query ?? aligner.query(question, context), everything),
    questionWords: (query, passages) =>
      aligner.questionWords(
        query,
        aligner.merge(passages.map((p) => passageTerms[p.row] as PassageTerms)),
      ),
    aligner,
    threshold: RELEVANCE_THRESHOLD,
  };
}
