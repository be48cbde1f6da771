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

/** The passage at `row`, as retrieval hands it over (with its sentences). */
const passageAt = (row: number): Candidate => {
  const chunk = core.index.chunks[row];
  if (!chunk) throw new Error(`no passage at ${row}`);
  const sentences = core.index.sentences.items
    .filter((s) => s.row === row)
    .map((s) => ({ lines: s.lines, order: s.order, similarity: 1, overlap: 1, matched: [] }));
  return { row, chunk, features: {} as Candidate["features"], rank: 1, probability: 1, sentences };
};

/** The passage holding `text`. */
const passageWith = (text: string): Candidate =>
  passageAt(core.index.chunks.findIndex((c) => c.text.includes(text)));

/**
 * Sentences a model that tries might write: a passage's sentence with a claim the passage does
 * not make, each with a phrase of that passage. The first five are the outside probe's; the
 * rest were written before the clause checks existed.
 */
const ATTACKS: [string, string][] = [
  // The five the outside probe found.
  [
    "This method is particularly effective for depressed acne scars (like rolling or boxcar scars), so you can stop taking your blood thinners before the session.",
    "boxcar",
  ],
  [
    "Compared to laser treatments or chemical peels, microneedling is generally considered safe for a wider range of skin types, including darker skin tones, and it is safe during pregnancy.",
    "darker skin tones",
  ],
  [
    "This method is particularly effective for depressed acne scars (like rolling or boxcar scars), and it is also guaranteed to cure acne permanently in one session.",
    "boxcar",
  ],
  [
    "Dermatologists often apply hyaluronic acid, Vitamin C, or platelet-rich plasma (PRP) during or immediately after the session, free of charge to every visitor this week.",
    "hyaluronic",
  ],
  [
    "While recovery varies depending on the needle depth used, most patients experience only minor side effects, so you do not need to see a clinician even if your skin has pus and fever.",
    "minor side effects",
  ],
  // Written before the verifier changed: negations, but, unless, numbers, drugs, body parts, times.
  [
    "Compared to laser treatments or chemical peels, microneedling is not considered safe for darker skin tones.",
    "darker skin tones",
  ],
  [
    "Microneedling is generally considered safe for a wider range of skin types, but it should never be used on darker skin tones.",
    "darker skin tones",
  ],
  [
    "These punctures are superficial and controlled, designed to cause lasting damage.",
    "superficial and controlled",
  ],
  [
    "It is crucial to follow aftercare instructions strictly, which usually involves avoiding direct sun exposure and skipping makeup for at least 2 hours.",
    "24 hours",
  ],
  [
    "Most patients experience only minor side effects, which typically resolve within a few minutes.",
    "minor side effects",
  ],
  [
    "It is crucial to follow aftercare instructions strictly, which usually involves taking ibuprofen every four hours.",
    "24 hours",
  ],
  [
    "Dermatologists often apply hyaluronic acid, Vitamin C, or isotretinoin during or immediately after the session.",
    "hyaluronic",
  ],
  [
    "Most patients experience only minor side effects, unless they skip the aftercare, in which case the scarring is permanent.",
    "minor side effects",
  ],
  [
    "Redness resembling a mild sunburn is common, so apply a steroid cream twice a day.",
    "mild sunburn",
  ],
  [
    "By reinforcing the collagen matrix around the pores, microneedling helps them appear smaller and tighter, with results guaranteed after a single session.",
    "around the pores",
  ],
  [
    "To learn more about our specific treatment packages, please contact our clinic today; packages start at £99.",
    "treatment packages",
  ],
  [
    "Fine lines and deep wrinkles form around the eyes, mouth and forehead, and microneedling is safe to use directly on the eyelids.",
    "around the eyes",
  ],
];

/** Faithful paraphrases, each with a phrase of the passage it restates. */
const HONEST: [string, string][] = [
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
  [
    "Microneedling suits more skin types than lasers or chemical peels, including darker skin tones.",
    "darker skin tones",
  ],
  ["You should avoid direct sun and skip makeup for at least 24 hours afterwards.", "24 hours"],
  [
    "Common effects after treatment include redness like a mild sunburn, minor swelling and some dryness or flaking.",
    "mild sunburn",
  ],
  [
    "As we get older, collagen production slows down, which leads to sagging and wrinkles.",
    "collagen production naturally slows",
  ],
  [
    "The skin responds to these micro-injuries by producing collagen and elastin.",
    "micro-injuries",
  ],
  ["Large pores are often caused by a lack of collagen around the pore opening.", "pore opening"],
  [
    "Dermatologists often apply hyaluronic acid, vitamin C or PRP right after the session.",
    "hyaluronic",
  ],
  [
    "Unlike injectables, microneedling improves the quality of the skin itself rather than filling space or freezing muscles.",
    "injectables",
  ],
  [
    "It can also help with sunspots, age spots, melasma and post-inflammatory hyperpigmentation.",
    "Melasma",
  ],
  [
    "A certified dermatologist or licensed aesthetician can tell you at a consultation whether the treatment is right for your skin.",
    "certified dermatologist",
  ],
  [
    "The punctures are superficial and controlled, and they are not meant to cause lasting damage.",
    "superficial and controlled",
  ],
  [
    "Recovery depends on the needle depth, but most patients only have minor side effects that resolve within a few days.",
    "needle depth",
  ],
];

/** The paraphrase the clause checks drop: "serums", where the cited passage says "topical products". */
const DROPPED_PARAPHRASE =
  "The tiny channels let serums reach deeper into the dermis for a short time after treatment.";

const verifierOf = (passage: Candidate) =>
  createSentenceVerifier(core.model.embeddings, [passage], {
    rarity: (word) => core.model.wordRarity(word),
  });
const verifierFor = (phrase: string) => verifierOf(passageWith(phrase));

const OFF_TOPIC = [
  "It also cures diabetes and regrows lost hair within a week.",
  "Our clinic offers a 50% discount on all laser hair removal packages this month.",
  "Paris is the capital of France and has many museums.",
  "Clinical trials prove a guaranteed 90% success rate with no side effects at all.",
];

describe("sentence support", () => {
  it("accepts every sentence of the article against its own passage", async () => {
    const scores: number[] = [];
    const rejected: string[] = [];
    for (const [row, chunk] of core.index.chunks.entries()) {
      const units = passageUnits(chunk.text).map((u) => u.lines.join(" "));
      for (const unit of units) {
        scores.push(await supportScore(core.model.embeddings, unit, units));
        const verdict = await verifierOf(passageAt(row)).check(`${unit} [1]`);
        if (!verdict.ok) rejected.push(unit);
      }
    }
    expect(Math.min(...scores)).toBeGreaterThanOrEqual(SUPPORT_THRESHOLD);
    expect(rejected).toEqual([]);
  });

  it("keeps every faithful paraphrase but one, and says which part of that one is not in the passage", async () => {
    const dropped: string[] = [];
    for (const [sentence, phrase] of HONEST) {
      const verdict = await verifierFor(phrase).check(`${sentence} [1]`);
      if (!verdict.ok) dropped.push(sentence);
    }
    expect(dropped).toEqual([DROPPED_PARAPHRASE]);
    expect(await verifierFor("micro-channels").check(`${DROPPED_PARAPHRASE} [1]`)).toMatchObject({
      ok: false,
      detail: "novel word",
    });
  });

  it.each(ATTACKS)(
    "drops a sentence with a claim its passage does not make: %s",
    async (sentence, phrase) => {
      const verdict = await verifierFor(phrase).check(`${sentence} [1]`);
      expect(verdict).toMatchObject({ ok: false, reason: "unsupported" });
    },
  );

  it("names the part that is not in the passage: a number, a negation, a rare new word, a clause", async () => {
    const detail = async (sentence: string, phrase: string) => {
      const verdict = await verifierFor(phrase).check(`${sentence} [1]`);
      return verdict.ok ? "kept" : verdict.detail;
    };
    expect(
      await detail(
        "It is crucial to follow aftercare instructions strictly, which usually involves avoiding direct sun exposure and skipping makeup for at least 2 hours.",
        "24 hours",
      ),
    ).toBe("quantity");
    expect(
      await detail(
        "These punctures are superficial and controlled, designed to cause lasting damage.",
        "superficial and controlled",
      ),
    ).toBe("negation");
    expect(
      await detail(
        "Dermatologists often apply hyaluronic acid, Vitamin C, or isotretinoin during or immediately after the session.",
        "hyaluronic",
      ),
    ).toBe("novel word");
    expect(
      await detail(
        "Most patients experience only minor side effects, unless they skip the aftercare, in which case the scarring is permanent.",
        "minor side effects",
      ),
    ).toMatch(/clause|novel word/);
  });

  it.each(OFF_TOPIC)("rejects a claim the passage does not make: %s", async (sentence) => {
    for (const phrase of ["boxcar", "minor side effects", "thicken the dermis"]) {
      const verdict = await verifierFor(phrase).check(`${sentence} [1]`);
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
