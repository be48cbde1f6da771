import { describe, expect, it } from "vitest";
import { offeredThing, offerMissing } from "../../src/retrieval/offer-question.js";

describe("offeredThing", () => {
  it.each([
    ["do you do laser hair removal as well?", ["laser", "hair", "remov"]],
    ["do you guys offer botox?", ["botox"]],
    ["Is laser hair removal available here?", ["laser", "hair", "remov"]],
    ["can i get microneedling done here", ["microneedl"]],
    ["do you numb the skin first?", ["skin", "first"]],
    ["do you have parking", ["park"]],
  ])("reads what %j asks the clinic to offer", (question, stems) => {
    expect(offeredThing(question)).toEqual(stems);
  });

  it.each([
    "does it hurt?",
    "what do you do at a consultation",
    "what needle length in mm do you use for the face",
    "can you tell me about aftercare",
    "how long does the redness last?",
  ])("is null for a question that does not ask whether something is offered: %j", (question) => {
    expect(offeredThing(question)).toBeNull();
  });
});

describe("offerMissing", () => {
  const about = new Set(["microneedl", "scar", "acn"]);

  it("is the share of the thing asked for that the section is not about", () => {
    expect(offerMissing(["laser", "hair", "remov"], about)).toBe(1);
    expect(offerMissing(["microneedl", "stretch", "mark"], about)).toBeCloseTo(2 / 3, 6);
    expect(offerMissing(["microneedl"], about)).toBe(0);
  });

  it("is 0 for a question that is not an offer question", () => {
    expect(offerMissing(null, about)).toBe(0);
  });
});
