/**
 * The fit of the answer decision on small hand-made rows: the veto on questions closer to one
 * the articles do not answer, and the threshold over what the veto lets through.
 */
import { describe, expect, it } from "vitest";
import type { QuestionRows } from "../../src/eval/decision-data.js";
import {
  BOOKING_VETO_GAP,
  calibrateGap,
  crossValidate,
  fitBooking,
  fitDecision,
  GAP_SAFETY,
  scoreDecision,
  THRESHOLD_GAP,
} from "../../src/eval/fit-decision.js";
import type { PassageFeatures } from "../../src/retrieval/retriever.js";
import { passageFeatures } from "../helpers/features.js";

const features = passageFeatures;

/** A question with one right passage (answerable) or none, and one wrong passage. */
function question(id: string, answerable: boolean, best: Partial<PassageFeatures>): QuestionRows {
  return {
    caseId: id,
    answerable,
    candidates: [
      { features: features(best), right: answerable },
      { features: features({ ...best, dense: 0.05, bank: 0.05 }), right: false },
    ],
  };
}

const OPTIONS = {
  embeddingModel: "fake",
  fittedOn: [],
  rankerFeatures: ["dense", "bank"],
  judgeFeatures: ["dense", "bank"],
};

describe("calibrateGap", () => {
  const answerable = (set: string) =>
    [0.6, 0.7, 0.8, 0.9].map((v, i) => question(`${set}-a${i}`, true, { dense: v, bank: v }));
  const set = (name: string, unanswerable: number) => ({
    questions: [
      ...answerable(name),
      question(`${name}-u`, false, { dense: unanswerable, bank: unanswerable }),
    ],
    booking: [],
  });

  it("widens the threshold's gap until no held-out unanswerable question is answered, with a safety factor", () => {
    // Fitted without set "b", the threshold sits just above 0.3; "b"'s trap at 0.33 is above it.
    const sets = [set("a", 0.3), set("b", 0.33), set("c", 0.3)];
    const gap = calibrateGap(sets, OPTIONS);
    const least = gap / GAP_SAFETY;
    expect(least).toBeGreaterThan(THRESHOLD_GAP);
    expect(crossValidate(sets, { ...OPTIONS, thresholdGap: least }).answeredWrongly).toBe(0);
    const less = least - THRESHOLD_GAP;
    expect(crossValidate(sets, { ...OPTIONS, thresholdGap: less }).answeredWrongly).toBe(1);
    // The fit keeps the gap, so a refit with it gives the same threshold.
    const model = fitDecision(
      { questions: sets.flatMap((s) => s.questions), booking: [] },
      { ...OPTIONS, thresholdGap: gap },
    );
    expect(model.judge.gap).toBeCloseTo(gap, 6);
  });

  it("keeps the least gap, times the safety factor, when no held-out set overshoots", () => {
    const sets = [set("a", 0.3), set("b", 0.3), set("c", 0.3)];
    expect(calibrateGap(sets, OPTIONS)).toBeCloseTo(THRESHOLD_GAP * GAP_SAFETY, 6);
  });
});

describe("fitDecision's veto", () => {
  // Answerable questions: margins at most 0.05. Two traps as close to the articles as the
  // answerable ones, but far closer to a question marked unanswered; one plain unrelated one.
  const questions = [
    ...[0.6, 0.7, 0.8, 0.9].map((s, i) =>
      question(`a${i}`, true, { dense: s, bank: s, unansweredMargin: -0.2 + i * 0.08 }),
    ),
    question("trap-1", false, { dense: 0.85, bank: 0.85, unansweredMargin: 0.2 }),
    question("trap-2", false, { dense: 0.8, bank: 0.8, unansweredMargin: 0.12 }),
    question("off", false, { dense: 0.3, bank: 0.3, unansweredMargin: -0.1 }),
  ];
  const model = fitDecision({ questions, booking: [] }, OPTIONS);

  it("sits just above the margin of every answerable question", () => {
    expect(model.judge.unansweredVeto).toBeCloseTo(0.04 + 0.02, 6);
  });

  it("keeps the vetoed traps from setting the threshold, so the answerable ones are answered", () => {
    const score = scoreDecision(model, questions);
    expect(score).toEqual({ answerable: 4, answeredRight: 4, unanswerable: 3, answeredWrongly: 0 });
    // Without the veto, the same judge answers both traps.
    const noVeto = { ...model, judge: { ...model.judge, unansweredVeto: undefined } };
    expect(scoreDecision(noVeto, questions).answeredWrongly).toBe(2);
  });

  it("vetoes nothing when no question was marked unanswered (every margin 0)", () => {
    const plain = questions.map((q) => ({
      ...q,
      candidates: q.candidates.map((c) => ({
        ...c,
        features: { ...c.features, unansweredMargin: 0 },
      })),
    }));
    const fitted = fitDecision({ questions: plain, booking: [] }, OPTIONS);
    expect(fitted.judge.unansweredVeto).toBeCloseTo(0.02, 6);
    // The threshold now has to keep the traps out by itself: some answerable ones go too.
    expect(scoreDecision(fitted, plain).answeredWrongly).toBe(0);
    expect(scoreDecision(fitted, plain).answeredRight).toBeLessThan(4);
  });
});

const row = (
  id: string,
  booking: boolean,
  rule: boolean,
  similarity: [number, number],
  settled = false,
) => ({
  caseId: id,
  message: id,
  booking,
  rule,
  settled,
  similarity: { booking: similarity[0], other: similarity[1] },
});

describe("fitBooking's thresholds", () => {
  const requests = [row("a", true, false, [0.85, 0.7]), row("b", true, false, [0.72, 0.7])];

  it("takes the most requests with no other message taken", () => {
    const fitted = fitBooking([...requests, row("question", false, false, [0.8, 0.7])]);
    expect(fitted.recognised).toBe(1);
    const taken = (r: { booking: number; other: number }) =>
      r.booking >= fitted.threshold && r.booking - r.other >= fitted.margin;
    expect(taken({ booking: 0.8, other: 0.7 })).toBe(false);
  });

  it("is not held up by a message another intent rule settles first", () => {
    const fitted = fitBooking([...requests, row("pregnant", false, false, [0.8, 0.7], true)]);
    expect(fitted.recognised).toBe(2);
    expect(fitted.threshold).toBeLessThanOrEqual(0.72);
  });
});

describe("fitBooking's veto", () => {
  it("sits BOOKING_VETO_GAP below the closest call of every request the rule takes", () => {
    const fitted = fitBooking([
      row("request", true, true, [0.8, 0.7]),
      row("close call", true, true, [0.7, 0.73]),
      // Requests the rule misses do not move it: the veto only ever overrules the rule.
      row("missed by the rule", true, false, [0.5, 0.9]),
      row("question about booking", false, true, [0.55, 0.82]),
    ]);
    expect(fitted.veto).toBeCloseTo(-0.03 - BOOKING_VETO_GAP, 5);
  });

  it("has no veto without a request the rule takes", () => {
    expect(fitBooking([row("question", false, true, [0.6, 0.8])]).veto).toBeUndefined();
  });
});
