/**
 * Training data for the answer decision, from question sets in the eval format: every case
 * goes through the same intents and retrieval as a visitor's message, and each candidate
 * passage of a question for the articles becomes a row (does it answer?). Booking-intent
 * similarities are collected too, to calibrate the booking threshold.
 */
import { type AnswerSteps, createAnswerSteps } from "../answer/answerer.js";
import type { Core } from "../core.js";
import { createAlignmentFeature } from "../retrieval/alignment-feature.js";
import { createHybridRetriever } from "../retrieval/hybrid-retriever.js";
import type { HistoryTurn } from "../answer/types.js";
import type { Candidate } from "../retrieval/retriever.js";
import type { Retriever } from "../retrieval/retriever.js";
import { detectIntent } from "../answer/intents.js";
import type { EvalCase } from "./eval-cases.js";

export interface QuestionRows {
  caseId: string;
  /** True when the articles answer the case's question (some section is expected). */
  answerable: boolean;
  /** Candidates with whether each is under an expected section. */
  candidates: { features: Candidate["features"]; right: boolean }[];
}

export interface BookingRow {
  caseId: string;
  message: string;
  booking: boolean;
  /** Whether the booking rule (`detectIntent`) takes the message for a request. */
  rule: boolean;
  /**
   * Whether another intent rule settles the message first (a clinician handoff, steering,
   * a greeting): such a message never meets the similarity check.
   */
  settled?: boolean;
  similarity: { booking: number; other: number };
}

/** The visitor turns of a case before the last, as history (bot turns left empty). */
function historyOf(c: EvalCase): HistoryTurn[] {
  return c.turns.slice(0, -1).flatMap((text) => [
    { role: "visitor" as const, text },
    { role: "bot" as const, text: "" },
  ]);
}

export async function collectDecisionData(
  steps: AnswerSteps,
  retriever: Retriever,
  cases: EvalCase[],
): Promise<{ questions: QuestionRows[]; booking: BookingRow[] }> {
  const questions: QuestionRows[] = [];
  const booking: BookingRow[] = [];
  for (const c of cases) {
    const message = c.turns[c.turns.length - 1] as string;
    const history = historyOf(c);
    const intent = detectIntent(message).kind;
    booking.push({
      caseId: c.id,
      message,
      booking: c.expect.handoff === "booking",
      rule: intent === "booking",
      settled: intent !== "booking" && intent !== "question",
      similarity: await retriever.bookingSimilarity(message),
    });
    const classified = await steps.classify(message, history);
    if (classified.kind !== "question") continue;
    const { context } = classified;
    // The whole question, as the decision judges each part of one.
    const evidence = await retriever.retrieve(
      context ? { question: classified.question, context } : { question: classified.question },
    );
    const answerable = c.expect.grounded !== false && c.expect.sections.length > 0;
    questions.push({
      caseId: c.id,
      answerable,
      candidates: evidence.candidates.map((candidate) => ({
        features: candidate.features,
        right: answerable && c.expect.sections.some((s) => candidate.chunk.headingPath.includes(s)),
      })),
    });
  }
  return { questions, booking };
}

/**
 * The fit's data, per development set: each case as it is, and as if no section had bank
 * questions, so that the decision also judges articles added without any.
 */
export async function collectFitData(
  core: Pick<Core, "retriever" | "index" | "model" | "words" | "clinic" | "decision">,
  sets: EvalCase[][],
): Promise<{ questions: QuestionRows[]; booking: BookingRow[] }[]> {
  const bankless = createHybridRetriever({
    index: core.index,
    model: core.model,
    decision: core.decision,
    withoutBank: true,
    ...(core.words
      ? {
          extraFeatures: createAlignmentFeature(core.index, core.words.vectors, core.words.lexicon),
        }
      : {}),
  });
  const steps = (retriever: Retriever) =>
    createAnswerSteps({ retriever, clinic: core.clinic, decision: core.decision });
  const out: { questions: QuestionRows[]; booking: BookingRow[] }[] = [];
  for (const cases of sets) {
    const normal = await collectDecisionData(steps(core.retriever), core.retriever, cases);
    const without = await collectDecisionData(steps(bankless), bankless, cases);
    out.push({ questions: [...normal.questions, ...without.questions], booking: normal.booking });
  }
  return out;
}
