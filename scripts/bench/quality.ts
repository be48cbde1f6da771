/**
 * Answer quality per retrieval variant, scored by the eval harness on every development set
 * over one loaded index. The decision-based rows differ only in the answer decision (which
 * features rank and judge the candidates) and, for one, in whether the question bank is used;
 * the last row is the LangChain default baseline over the same documents and embeddings.
 *
 * Every fitted row is fitted here with `fitDecision` on the sets it is then scored on: those
 * eval figures are in-sample. The fused rows are fitted exactly as `npm run fit` fits the
 * shipped decision (each set read with and without the question bank); a single-signal row
 * only on the reading with the bank, since a decision that weighs nothing but the bank has
 * nothing to learn from questions read without it. Leave-one-set-out cross-validation of the
 * same fit (`crossValidate`) gives the figure for questions the decision was not fitted on.
 */
import { createAnswerer, createAnswerSteps } from "../../src/answer/answerer.js";
import type { Core } from "../../src/core.js";
import { collectDecisionData, type QuestionRows } from "../../src/eval/decision-data.js";
import type { EvalCase } from "../../src/eval/eval-cases.js";
import {
  crossValidate,
  fitDecision,
  type FitOptions,
  type HeldOutScore,
  calibrateGap,
  JUDGE_FEATURES,
  RANKER_FEATURES,
  scoreDecision,
} from "../../src/eval/fit-decision.js";
import { runEval, type EvalReport } from "../../src/eval/run-eval.js";
import {
  ALIGNMENT_FEATURE,
  createAlignmentFeature,
  usesAlignment,
} from "../../src/retrieval/alignment-feature.js";
import { type DecisionModel, probability } from "../../src/retrieval/decision.js";
import { createHybridRetriever } from "../../src/retrieval/hybrid-retriever.js";
import { createLangChainBaseline } from "./langchain-baseline.js";

export type QualityRowId =
  | "dense"
  | "bank"
  | "bm25"
  | "no-alignment"
  | "no-offer"
  | "no-unanswered"
  | "shipped"
  | "without-bank"
  | "langchain";

/** A development set: its file (as named in the report) and its cases. */
export interface DevelopmentSet {
  file: string;
  cases: EvalCase[];
}

export interface QualityRow {
  id: QualityRowId;
  label: string;
  /**
   * Where the row's answer decision comes from: fitted here on the development sets, the
   * shipped `answer-decision.json`, or none (the LangChain baseline has nothing to fit).
   */
  decision: "fitted" | "shipped" | "none";
  /** Whether the eval figures are on questions the decision was fitted on. */
  inSample: boolean;
  features?: { ranker: string[]; judge: string[] };
  /** Passages in the index this row searches. */
  passages: number;
  /** The eval report on each development set, in the order of `QualityResult.sets`. */
  sets: EvalReport[];
  /**
   * The decision alone over the fit's question rows: on the rows it was fitted on (and how
   * often the ranker puts a right passage first, answered or not), and leave-one-set-out
   * (fitted on the other sets each time).
   */
  decisionScore?: {
    /** Which readings of the sets the fit used: with the bank, or with and without it. */
    readings: Readings;
    questions: number;
    inSample: HeldOutScore & { rankedRightFirst: number };
    crossValidated: HeldOutScore;
  };
}

type Readings = "with the bank" | "with and without the bank";

export interface QualityResult {
  sets: { file: string; cases: number }[];
  /** What the shipped decision says it was fitted on. */
  shippedFittedOn: string[];
  rows: QualityRow[];
}

interface Variant {
  id: QualityRowId;
  label: string;
  ranker: string[];
  judge: string[];
  readings: Readings;
  /** Whether the fit sets the veto on questions marked unanswered (default true). */
  veto?: boolean;
}

const withoutAlignment = (features: string[]) => features.filter((f) => f !== ALIGNMENT_FEATURE);

/** The fitted rows: one signal each, then the fused decision without word alignment. */
const single = (id: QualityRowId, label: string, feature: string): Variant => ({
  id,
  label,
  ranker: [feature],
  judge: [feature],
  readings: "with the bank",
});

const FITTED: Variant[] = [
  single("dense", "USE-lite dense only", "dense"),
  single("bank", "question bank only", "bank"),
  single("bm25", "BM25 only", "bm25"),
  {
    id: "no-alignment",
    label: "fused decision, no word alignment",
    ranker: withoutAlignment(RANKER_FEATURES),
    judge: withoutAlignment(JUDGE_FEATURES),
    readings: "with and without the bank",
  },
  {
    id: "no-offer",
    label: 'fused decision, no offer check ("do you do X?")',
    ranker: RANKER_FEATURES,
    judge: JUDGE_FEATURES.filter((f) => f !== "offerMissing"),
    readings: "with and without the bank",
  },
  {
    id: "no-unanswered",
    label: "fused decision, no questions marked unanswered",
    ranker: RANKER_FEATURES,
    judge: JUDGE_FEATURES.filter((f) => f !== "unansweredMargin"),
    readings: "with and without the bank",
    veto: false,
  },
];

/** Questions whose best-ranked candidate is under an expected section, answered or not. */
function rankedRightFirst(decision: DecisionModel, questions: QuestionRows[]): number {
  return questions.filter((q) => {
    let best: QuestionRows["candidates"][number] | undefined;
    let bestRank = -1;
    for (const c of q.candidates) {
      const rank = probability(decision.ranker, c.features);
      if (rank > bestRank) [best, bestRank] = [c, rank];
    }
    return best?.right === true;
  }).length;
}

/**
 * Scores every variant on every set. `core` must carry the word vectors and WordNet
 * (`loadCore(config, { alignment: true })`): the fit's rows need the alignment feature.
 */
export async function measureQuality(
  core: Pick<Core, "index" | "model" | "clinic" | "decision" | "words">,
  sets: DevelopmentSet[],
): Promise<QualityResult> {
  const { index, model, clinic, decision: shipped, words } = core;
  if (!words) throw new Error("measureQuality needs a core loaded with { alignment: true }");
  const alignment = createAlignmentFeature(index, words.vectors, words.lexicon);
  const retrieverFor = (decision: DecisionModel, withoutBank = false) =>
    createHybridRetriever({
      index,
      model,
      decision,
      ...(usesAlignment(decision) ? { extraFeatures: alignment } : {}),
      ...(withoutBank ? { withoutBank: true } : {}),
    });
  const evalRows = (decision: DecisionModel, withoutBank = false) => {
    const answerer = createAnswerer({
      retriever: retrieverFor(decision, withoutBank),
      clinic,
      decision,
    });
    return sequential(sets, (set) => runEval(answerer, index, set.cases));
  };

  // The fit's data, as `npm run fit` collects it: every candidate's features (alignment
  // included, whatever a variant then weighs), each set with and without the question bank.
  const collector = { index, model, decision: shipped, extraFeatures: alignment };
  const normal = createHybridRetriever(collector);
  const bankless = createHybridRetriever({ ...collector, withoutBank: true });
  const steps = createAnswerSteps({ retriever: normal, clinic, decision: shipped });
  const banklessSteps = createAnswerSteps({ retriever: bankless, clinic, decision: shipped });
  const perSet = await sequential(sets, async (set) => ({
    withBank: await collectDecisionData(steps, normal, set.cases),
    without: await collectDecisionData(banklessSteps, bankless, set.cases),
  }));
  const readingsOf = (readings: Readings) =>
    perSet.map((s) => ({
      questions:
        readings === "with the bank"
          ? s.withBank.questions
          : [...s.withBank.questions, ...s.without.questions],
      booking: s.withBank.booking,
    }));
  const fitOptions = (ranker: string[], judge: string[], veto = true): FitOptions => ({
    embeddingModel: model.modelId,
    fittedOn: sets.map((s) => s.file),
    rankerFeatures: ranker,
    judgeFeatures: judge,
    veto,
  });
  const fitted = (
    readings: Readings,
    ranker: string[],
    judge: string[],
    given?: DecisionModel,
    veto = true,
  ) => {
    const per = readingsOf(readings);
    const data = {
      questions: per.flatMap((s) => s.questions),
      booking: per.flatMap((s) => s.booking),
    };
    // The threshold's gap calibrated as `npm run fit` does, so the rows compare like with like;
    // the shipped decision is cross-validated with the gap it was fitted with.
    const plain = fitOptions(ranker, judge, veto);
    const thresholdGap = given ? given.judge.gap : calibrateGap(per, plain);
    const options = thresholdGap === undefined ? plain : { ...plain, thresholdGap };
    const decision = given ?? fitDecision(data, options);
    return {
      decision,
      score: {
        readings,
        questions: data.questions.length,
        inSample: {
          ...scoreDecision(decision, data.questions),
          rankedRightFirst: rankedRightFirst(decision, data.questions),
        },
        crossValidated: crossValidate(per, options),
      },
    };
  };

  const rows: QualityRow[] = [];
  for (const variant of FITTED) {
    const { decision, score } = fitted(
      variant.readings,
      variant.ranker,
      variant.judge,
      undefined,
      variant.veto ?? true,
    );
    rows.push({
      id: variant.id,
      label: variant.label,
      decision: "fitted",
      inSample: true,
      features: { ranker: variant.ranker, judge: variant.judge },
      passages: index.chunks.length,
      sets: await evalRows(decision),
      decisionScore: score,
    });
  }
  const shippedFeatures = { ranker: shipped.ranker.features, judge: shipped.judge.features };
  const fittedOnSets = sets.every((s) => shipped.fittedOn.includes(s.file));
  rows.push({
    id: "shipped",
    label: "shipped decision (with word alignment)",
    decision: "shipped",
    inSample: fittedOnSets,
    features: shippedFeatures,
    passages: index.chunks.length,
    sets: await evalRows(shipped),
    decisionScore: fitted(
      "with and without the bank",
      shippedFeatures.ranker,
      shippedFeatures.judge,
      shipped,
    ).score,
  });
  rows.push({
    id: "without-bank",
    label: "articles without bank questions",
    decision: "shipped",
    inSample: fittedOnSets,
    features: shippedFeatures,
    passages: index.chunks.length,
    sets: await evalRows(shipped, true),
  });

  const baseline = await createLangChainBaseline({
    documents: index.documents,
    embeddings: model.embeddings,
  });
  rows.push({
    id: "langchain",
    label: "LangChain default (1000/200, top-4 cosine)",
    decision: "none",
    inSample: false,
    passages: baseline.chunks.length,
    sets: await sequential(sets, (set) => runEval(baseline, index, set.cases)),
  });
  return {
    sets: sets.map((s) => ({ file: s.file, cases: s.cases.length })),
    shippedFittedOn: shipped.fittedOn,
    rows,
  };
}

/** One at a time: the sentence encoder runs one call at a time anyway, and order stays fixed. */
async function sequential<T, R>(items: readonly T[], run: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (const item of items) out.push(await run(item));
  return out;
}

/**
 * Every `step`-th case, spread over the whole file, so a quick run still sees every category.
 */
export function sampleCases(cases: readonly EvalCase[], count: number): EvalCase[] {
  if (count >= cases.length) return [...cases];
  const step = cases.length / count;
  return Array.from({ length: count }, (_, i) => cases[Math.floor(i * step)] as EvalCase);
}
