import type { Embeddings } from "@langchain/core/embeddings";
import { contentWords, stem } from "../../embeddings/text.js";
import type { Candidate } from "../../retrieval/retriever.js";
import { citedNumbers, withoutMarkers } from "./sentence-stream.js";
import { cosine } from "../../embeddings/cosine.js";

/**
 * A generated sentence's support in the passages it cites, 0..1: half lexical overlap (the
 * share of its content-word stems the passages contain) and half meaning (its best cosine
 * similarity with one of their sentences, rescaled so that 0.4 counts as none and 0.85 as
 * full). Calibrated on the article (tests/answer/llm/verifier.test.ts): its own sentences
 * score 1.0, faithful paraphrases well above the threshold, claims the passage does not make
 * well below it; the threshold sits nearer the claims, since a dropped sentence costs less
 * than an unsupported one shown.
 */
export const SUPPORT_THRESHOLD = 0.45;
const NO_MEANING = 0.4;
const FULL_MEANING = 0.85;

export type Verdict =
  | { ok: true; cited: number[]; text: string; support: number }
  | {
      ok: false;
      reason: "no citation" | "unknown citation" | "unsupported" | "empty";
      support: number;
    };

export interface SentenceVerifier {
  check(sentence: string): Promise<Verdict>;
}

/** The support of `sentence` in passages made of `sentences` (their quotable units). */
export async function supportScore(
  embeddings: Embeddings,
  sentence: string,
  sentences: string[],
): Promise<number> {
  const stems = [...new Set(contentWords(sentence).map(stem))];
  const have = new Set(sentences.flatMap((s) => contentWords(s).map(stem)));
  const overlap = stems.length === 0 ? 0 : stems.filter((s) => have.has(s)).length / stems.length;
  const vector = await embeddings.embedQuery(sentence);
  let best = 0;
  // embedQuery remembers what it embedded, so a passage's sentences cost once per process.
  for (const s of sentences) best = Math.max(best, cosine(vector, await embeddings.embedQuery(s)));
  const meaning = Math.min(1, Math.max(0, (best - NO_MEANING) / (FULL_MEANING - NO_MEANING)));
  return 0.5 * overlap + 0.5 * meaning;
}

/** Verifies generated sentences against the numbered passages the model was given (1-based). */
export function createSentenceVerifier(
  embeddings: Embeddings,
  passages: Candidate[],
  threshold: number = SUPPORT_THRESHOLD,
): SentenceVerifier {
  return {
    async check(sentence) {
      const text = withoutMarkers(sentence);
      if (contentWords(text).length === 0) return { ok: false, reason: "empty", support: 0 };
      const cited = citedNumbers(sentence);
      if (cited.length === 0) return { ok: false, reason: "no citation", support: 0 };
      if (cited.some((n) => n < 1 || n > passages.length)) {
        return { ok: false, reason: "unknown citation", support: 0 };
      }
      const units = cited.flatMap((n) =>
        (passages[n - 1] as Candidate).sentences.map((s) => s.lines.join(" ")),
      );
      const support = await supportScore(embeddings, text, units);
      if (support < threshold) return { ok: false, reason: "unsupported", support };
      return { ok: true, cited, text, support };
    },
  };
}
