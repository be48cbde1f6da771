import { contentWords, stem } from "../../embeddings/text.js";
import type { RetrievedPassage } from "../../retrieval/hybrid-retriever.js";
import type { PassageTerms, WordAligner } from "../../retrieval/word-alignment.js";
import { citedNumbers, withoutMarkers } from "./sentence-stream.js";

/**
 * A generated sentence's support in the passages it cites, 0..1: half word alignment (each
 * sentence word matched with its most similar passage word through the word vectors,
 * weighted by rarity) and half lexical overlap (the share of its content-word stems the
 * passages contain). Calibrated on the article (tests/answer/llm/verifier.test.ts): its own
 * sentences score 1.0, faithful paraphrases 0.68 to 1.0, claims the passage does not make at
 * most 0.25; the threshold sits between, nearer the claims, since a dropped sentence costs
 * less than an unsupported one shown.
 */
export const SUPPORT_THRESHOLD = 0.45;

export type Verdict =
  | { ok: true; cited: number[]; text: string; support: number }
  | {
      ok: false;
      reason: "no citation" | "unknown citation" | "unsupported" | "empty";
      support: number;
    };

export interface SentenceVerifier {
  check(sentence: string): Verdict;
}

/** Verifies generated sentences against the numbered passages the model was given (1-based). */
export function createSentenceVerifier(
  aligner: WordAligner,
  passages: RetrievedPassage[],
  threshold: number = SUPPORT_THRESHOLD,
): SentenceVerifier {
  const terms: PassageTerms[] = passages.map((p) => aligner.passage(p.chunk.text));
  return {
    check(sentence) {
      const text = withoutMarkers(sentence);
      if (contentWords(text).length === 0) return { ok: false, reason: "empty", support: 0 };
      const cited = citedNumbers(sentence);
      if (cited.length === 0) return { ok: false, reason: "no citation", support: 0 };
      if (cited.some((n) => n < 1 || n > passages.length)) {
        return { ok: false, reason: "unknown citation", support: 0 };
      }
      const evidence = aligner.merge(cited.map((n) => terms[n - 1] as PassageTerms));
      const support = supportScore(aligner, text, evidence);
      if (support < threshold) return { ok: false, reason: "unsupported", support };
      return { ok: true, cited, text, support };
    },
  };
}

export function supportScore(
  aligner: WordAligner,
  sentence: string,
  evidence: PassageTerms,
): number {
  const alignment = aligner.score(aligner.query(sentence), evidence);
  const stems = [...new Set(contentWords(sentence).map(stem))];
  const overlap =
    stems.length === 0 ? 0 : stems.filter((s) => evidence.stems.has(s)).length / stems.length;
  return 0.5 * alignment + 0.5 * overlap;
}
