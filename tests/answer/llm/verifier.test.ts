import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { passageUnits } from "../../../src/content/sentence-units.js";
import {
  createSentenceVerifier,
  SUPPORT_THRESHOLD,
  supportScore,
} from "../../../src/answer/llm/verifier.js";
import type { Core } from "../../../src/core.js";
import type { Candidate } from "../../../src/retrieval/retriever.js";
import { shippedCore } from "../../helpers/shipped-core.js";

let core: Core;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ core, cleanup } = await shippedCore());
});
afterAll(() => cleanup());

/** The passage holding `text`, as retrieval hands it over (with its sentences). */
const passageWith = (text: string): Candidate => {
  const row = core.index.chunks.findIndex((c) => c.text.includes(text));
  const chunk = core.index.chunks[row];
  if (!chunk) throw new Error(`no passage with ${text}`);
  const sentences = core.index.sentences.items
    .filter((s) => s.row === row)
    .map((s) => ({ lines: s.lines, order: s.order, similarity: 1, overlap: 1, matched: [] }));
  return { row, chunk, features: {} as Candidate["features"], rank: 1, probability: 1, sentences };
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
  it("accepts every sentence of the article against its own passage", async () => {
    const scores: number[] = [];
    for (const chunk of core.index.chunks) {
      const units = passageUnits(chunk.text).map((u) => u.lines.join(" "));
      for (const unit of units) {
        scores.push(await supportScore(core.model.embeddings, unit, units));
      }
    }
    expect(Math.min(...scores)).toBeGreaterThanOrEqual(SUPPORT_THRESHOLD);
  });

  it.each(PARAPHRASES)("accepts a faithful paraphrase: %s", async (sentence, phrase) => {
    const verdict = await createSentenceVerifier(core.model.embeddings, [
      passageWith(phrase),
    ]).check(`${sentence} [1]`);
    expect(verdict.ok).toBe(true);
  });

  it.each(OFF_TOPIC)("rejects a claim the passage does not make: %s", async (sentence) => {
    for (const phrase of ["boxcar", "minor side effects", "thicken the dermis"]) {
      const verdict = await createSentenceVerifier(core.model.embeddings, [
        passageWith(phrase),
      ]).check(`${sentence} [1]`);
      expect(verdict).toMatchObject({ ok: false, reason: "unsupported" });
    }
  });

  it("rejects a sentence without a citation, and one citing a passage that was not given", async () => {
    const verifier = createSentenceVerifier(core.model.embeddings, [passageWith("boxcar")]);
    expect(await verifier.check("Microneedling helps boxcar scars.")).toMatchObject({
      ok: false,
      reason: "no citation",
    });
    expect(await verifier.check("Microneedling helps boxcar scars. [2]")).toMatchObject({
      ok: false,
      reason: "unknown citation",
    });
    expect(await verifier.check("Microneedling helps boxcar scars. [0]")).toMatchObject({
      ok: false,
      reason: "unknown citation",
    });
  });
});
