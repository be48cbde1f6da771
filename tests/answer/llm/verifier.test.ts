import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { passageUnits } from "../../../src/answer/extractive.js";
import {
  createSentenceVerifier,
  SUPPORT_THRESHOLD,
  supportScore,
} from "../../../src/answer/llm/verifier.js";
import type { Core } from "../../../src/core.js";
import type { RetrievedPassage } from "../../../src/retrieval/hybrid-retriever.js";
import { shippedCore } from "../../helpers/shipped-core.js";

let core: Core;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ core, cleanup } = await shippedCore());
});
afterAll(() => cleanup());

const passageWith = (text: string): RetrievedPassage => {
  const chunk = core.index.chunks.find((c) => c.text.includes(text));
  if (!chunk) throw new Error(`no passage with ${text}`);
  return { row: 0, chunk, score: 1, alignment: 1, dense: 1, lexical: 1 };
};

/** Paraphrases a model might write, each with a phrase of the passage it restates. */
const PARAPHRASES: [string, string][] = [
  ["Microneedling works well on depressed acne scars such as rolling or boxcar scars.", "boxcar"],
  [
    "Most people only have minor side effects, which usually settle within a few days.",
    "minor side effects",
  ],
  [
    "New collagen thickens the dermis, which can soften wrinkles and tighten loose skin.",
    "thicken the dermis",
  ],
  [
    "The tiny channels let serums reach deeper into the dermis for a short time after treatment.",
    "micro-channels",
  ],
  ["Stronger collagen around the pores helps them look smaller and tighter.", "around the pores"],
];

const OFF_TOPIC = [
  "It also cures diabetes and regrows lost hair within a week.",
  "Our clinic offers a 50% discount on all laser hair removal packages this month.",
  "Paris is the capital of France and has many museums.",
  "Clinical trials prove a guaranteed 90% success rate with no side effects at all.",
];

describe("sentence support", () => {
  it("accepts every sentence of the article against its own passage", () => {
    const scores: number[] = [];
    for (const chunk of core.index.chunks) {
      const terms = core.retriever.aligner.passage(chunk.text);
      for (const unit of passageUnits(chunk.text)) {
        scores.push(supportScore(core.retriever.aligner, unit.lines.join(" "), terms));
      }
    }
    expect(Math.min(...scores)).toBeGreaterThanOrEqual(SUPPORT_THRESHOLD);
  });

  it.each(PARAPHRASES)("accepts a faithful paraphrase: %s", (sentence, phrase) => {
    const verdict = createSentenceVerifier(core.retriever.aligner, [passageWith(phrase)]).check(
      `${sentence} [1]`,
    );
    expect(verdict.ok).toBe(true);
  });

  it.each(OFF_TOPIC)("rejects a claim the passage does not make: %s", (sentence) => {
    for (const phrase of ["boxcar", "minor side effects", "thicken the dermis"]) {
      const verdict = createSentenceVerifier(core.retriever.aligner, [passageWith(phrase)]).check(
        `${sentence} [1]`,
      );
      expect(verdict).toMatchObject({ ok: false, reason: "unsupported" });
    }
  });

  it("rejects a sentence without a citation, and one citing a passage that was not given", () => {
    const verifier = createSentenceVerifier(core.retriever.aligner, [passageWith("boxcar")]);
    expect(verifier.check("Microneedling helps boxcar scars.")).toMatchObject({
      ok: false,
      reason: "no citation",
    });
    expect(verifier.check("Microneedling helps boxcar scars. [2]")).toMatchObject({
      ok: false,
      reason: "unknown citation",
    });
    expect(verifier.check("Microneedling helps boxcar scars. [0]")).toMatchObject({
      ok: false,
      reason: "unknown citation",
    });
  });
});
