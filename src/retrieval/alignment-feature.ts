/**
 * The word-alignment feature: every question word matched with its most similar passage word
 * through word vectors, WordNet and the glossary, weighted by rarity (word-alignment.ts). The
 * sentence encoder relates whole texts; this relates words ("holes" and "punctures"), and the
 * bench's ablation shows it still adds to the decision (docs/benchmarks.md). Loaded only when
 * the fitted decision weighs it.
 */
import { contentWords } from "../embeddings/text.js";
import type { WordVectors } from "../embeddings/word-vectors.js";
import type { Lexicon } from "../embeddings/wordnet.js";
import { embeddingText, type SearchIndex } from "../index/search-index.js";
import type { DecisionModel } from "./decision.js";
import type { RetrievalQuery } from "./retriever.js";
import { createWordAligner } from "./word-alignment.js";

export const ALIGNMENT_FEATURE = "alignment";

/** Whether a decision weighs word alignment (so the word vectors must be loaded). */
export function usesAlignment(decision: DecisionModel): boolean {
  return [...decision.ranker.features, ...decision.judge.features].some((f) =>
    f.split("*").includes(ALIGNMENT_FEATURE),
  );
}

/** The `alignment` feature of every passage of an index, for `createHybridRetriever`. */
export function createAlignmentFeature(
  index: SearchIndex,
  vectors: WordVectors,
  lexicon: Lexicon,
): (query: RetrievalQuery, row: number) => Record<string, number> {
  const texts = index.chunks.map(embeddingText);
  const aligner = createWordAligner(vectors, {
    vocabulary: texts.flatMap((t) => contentWords(t)),
    lexicon,
    glossary: index.glossary,
  });
  // Passage words are fixed per index: worked out once, not per question.
  const passages = texts.map((t) => aligner.passage(t));
  let last: { key: string; terms: ReturnType<typeof aligner.query> } | undefined;
  return (query, row) => {
    const key = `${query.context ?? ""}\n${query.question}`;
    // The question's terms are the same for all of its candidates: built once.
    if (last?.key !== key) last = { key, terms: aligner.query(query.question, query.context) };
    const passage = passages[row];
    return { [ALIGNMENT_FEATURE]: passage ? aligner.score(last.terms, passage) : 0 };
  };
}
