/**
 * The booking rule overruled by similarity: a message the rule takes for a request is a
 * question after all when it reads more like something else than like any example request
 * (the fitted `booking.veto`). Runs on a fake retriever, so the similarities are the test's.
 */
import { describe, expect, it } from "vitest";
import { createAnswerSteps } from "../../src/answer/answerer.js";
import { detectIntent } from "../../src/answer/intents.js";
import { loadClinicProfile } from "../../src/content/clinic.js";
import { loadDecisionModel } from "../../src/retrieval/decision.js";
import { createFakeRetriever, NO_EVIDENCE } from "../../src/retrieval/fake-retriever.js";
import { REPO_ROOT } from "../helpers/core-fixtures.js";

const MESSAGE = "can I book over the phone or is it online only";
const clinic = await loadClinicProfile(`${REPO_ROOT}/corpus/clinic.json`);
const shipped = loadDecisionModel();

function steps(similarity: { booking: number; other: number }, veto: number | undefined) {
  const booking = { threshold: shipped.booking.threshold, margin: shipped.booking.margin };
  return createAnswerSteps({
    retriever: createFakeRetriever(
      () => NO_EVIDENCE,
      () => similarity,
    ),
    clinic,
    decision: { ...shipped, booking: veto === undefined ? booking : { ...booking, veto } },
  });
}

describe("the booking veto", () => {
  it("is a message the booking rule takes", () => {
    expect(detectIntent(MESSAGE).kind).toBe("booking");
  });

  it("turns the rule's request into a question when it is far closer to something else", async () => {
    const classified = await steps({ booking: 0.55, other: 0.82 }, -0.08).classify(MESSAGE);
    expect(classified).toEqual({ kind: "question", question: MESSAGE });
  });

  it("leaves a request that is about as close to an example request as to anything else", async () => {
    const classified = await steps({ booking: 0.7, other: 0.74 }, -0.08).classify(MESSAGE);
    expect(classified).toMatchObject({ kind: "reply", reply: { handoff: { kind: "booking" } } });
  });

  it("leaves every request the rule takes without a fitted veto", async () => {
    const classified = await steps({ booking: 0.1, other: 0.9 }, undefined).classify(MESSAGE);
    expect(classified).toMatchObject({ kind: "reply", reply: { handoff: { kind: "booking" } } });
  });
});
