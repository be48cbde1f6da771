/**
 * The one answer decision, fitted by `npm run fit` on the development question sets and
 * stored as a versioned JSON file (`answer-decision.json` beside this file): a ranker (a
 * logistic regression over each candidate passage's named features: is it the one that
 * answers?) and a judge (one over the best passage's: do the articles answer with it?), with
 * one threshold, chosen when fitting so that no unrelated development question is answered.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { AppError } from "../errors.js";
import type { PassageFeatures } from "./retriever.js";

/** A logistic regression over named features (`a*b` names a product of two). */
export const linearModelSchema = z.object({
  features: z.array(z.string()).min(1),
  weights: z.array(z.number()),
  bias: z.number(),
});
export type LinearModel = z.infer<typeof linearModelSchema>;

export const decisionModelSchema = z.object({
  version: z.literal(2),
  /** The embedding model whose similarities the weights were fitted on. */
  embeddingModel: z.string(),
  /** Orders the candidate passages: is this the passage that answers? */
  ranker: linearModelSchema,
  /** Judges the best passage: do the articles answer the question with it? */
  judge: linearModelSchema.extend({
    /** Probability from which the best passage is taken to answer. */
    threshold: z.number().min(0).max(1),
    /**
     * How far the threshold sits above the best unanswerable development question: calibrated
     * by cross-validation (`calibrateGap`), so that refitting reproduces the threshold.
     */
    gap: z.number().min(0).max(1).optional(),
    /** Below the threshold by at most this much: "unsure" (a model may judge; offline refuses). */
    unsureBand: z.number().min(0).max(1),
    /**
     * A question closer by more than this to one the articles do not answer than to any bank
     * question (`unansweredMargin`) is not answered, whatever the probability: fitted just
     * above the margin of every answerable development question.
     */
    unansweredVeto: z.number().optional(),
  }),
  /** A message is a booking request when it is this close to an example request... */
  booking: z.object({
    threshold: z.number(),
    /** ...and this much closer to one than to anything that is not a request. */
    margin: z.number(),
    /**
     * A message the booking rule takes for a request is a question after all when it is
     * closer to something else than to any example request by more than minus this (below
     * every development request the rule takes): "can I book over the phone or online?".
     */
    veto: z.number().optional(),
  }),
  fittedOn: z.array(z.string()),
  /** How the fit did on its own data and in cross-validation (for the record, not a promise). */
  training: z.record(z.string(), z.number()).optional(),
});

export type DecisionModel = z.infer<typeof decisionModelSchema>;

export const DECISION_MODEL_PATH = new URL("./answer-decision.json", import.meta.url);

/** Reads and checks a decision model file; the shipped one by default. */
export function loadDecisionModel(file: URL | string = DECISION_MODEL_PATH): DecisionModel {
  let model: DecisionModel;
  try {
    model = decisionModelSchema.parse(JSON.parse(readFileSync(file, "utf8")));
  } catch (cause) {
    throw new AppError("config", `The answer decision model ${String(file)} is unusable`, {
      cause,
    });
  }
  for (const part of [model.ranker, model.judge]) {
    if (part.weights.length !== part.features.length) {
      throw new AppError("config", "The answer decision model has a weight per feature missing");
    }
  }
  return model;
}

export const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * A named input of the model: a feature, or a product of features written `a*b` (so the
 * linear model can weigh, say, a bank match more when the passage also has the words).
 */
export function featureValue(features: PassageFeatures, name: string): number {
  return name.split("*").reduce((product, part) => product * (features[part] ?? 0), 1);
}

/** Whether the judge's veto refuses a question whose best passage has these features. */
export function vetoed(
  judge: Pick<DecisionModel["judge"], "unansweredVeto">,
  features: PassageFeatures,
): boolean {
  return judge.unansweredVeto !== undefined && features.unansweredMargin > judge.unansweredVeto;
}

/** The model's probability for a passage with these features. */
export function probability(model: LinearModel, features: PassageFeatures): number {
  let z = model.bias;
  model.features.forEach(
    (name, i) => (z += (model.weights[i] as number) * featureValue(features, name)),
  );
  return sigmoid(z);
}

/** Training rows: features and whether the passage answers. */
export interface Example {
  x: number[];
  y: 0 | 1;
  /** How much the row counts (e.g. to balance classes); default 1. */
  weight?: number;
}

/**
 * Solves `a x = b` for a small dense symmetric `a` (n × n, row-major) by Gaussian elimination
 * with partial pivoting; a direction with no curvature (a feature constant over the rows)
 * gets 0.
 */
function solve(a: Float64Array, b: Float64Array): Float64Array {
  const n = b.length;
  const m = Float64Array.from(a);
  const rhs = Float64Array.from(b);
  const at = (r: number, c: number) => m[r * n + c] as number;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++)
      if (Math.abs(at(r, col)) > Math.abs(at(pivot, col))) pivot = r;
    for (let c = 0; c < n; c++) {
      const t = at(col, c);
      m[col * n + c] = at(pivot, c);
      m[pivot * n + c] = t;
    }
    [rhs[col], rhs[pivot]] = [rhs[pivot] as number, rhs[col] as number];
    const p = at(col, col);
    if (Math.abs(p) < 1e-12) continue;
    for (let r = 0; r < n; r++) {
      const f = r === col ? 0 : at(r, col) / p;
      if (f === 0) continue;
      for (let c = col; c < n; c++) m[r * n + c] = at(r, c) - f * at(col, c);
      rhs[r] = (rhs[r] as number) - f * (rhs[col] as number);
    }
  }
  return rhs.map((v, i) => (Math.abs(at(i, i)) < 1e-12 ? 0 : v / at(i, i)));
}

/**
 * Fits logistic regression with L2 regularisation (the bias is not regularised) by Newton's
 * method with step halving: it minimises the weighted mean log loss plus `l2 / 2 * |w|²`
 * to convergence in a few dozen steps however many rows there are, and the same data always
 * gives the same weights (no random start, no shuffling).
 */
export function fitLogistic(
  examples: Example[],
  options: { l2?: number; iterations?: number } = {},
): { weights: number[]; bias: number } {
  const l2 = options.l2 ?? 0.01;
  const iterations = options.iterations ?? 100;
  const d = examples[0]?.x.length ?? 0;
  const n = d + 1;
  const total = examples.reduce((s, e) => s + (e.weight ?? 1), 0) || 1;
  // Each row as its features then a 1 for the bias; the parameters likewise.
  const rows = examples.map((e) => ({
    x: Float64Array.from([...e.x, 1]),
    y: e.y,
    w: (e.weight ?? 1) / total,
  }));
  const margin = (theta: Float64Array, x: Float64Array) => {
    let z = 0;
    for (let i = 0; i < n; i++) z += (theta[i] as number) * (x[i] as number);
    return z;
  };
  const objective = (theta: Float64Array) => {
    let loss = 0;
    for (const r of rows) {
      const z = margin(theta, r.x);
      // log(1 + e^z) - y z, computed without overflow.
      loss += r.w * (Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - r.y * z);
    }
    for (let i = 0; i < d; i++) loss += (l2 / 2) * (theta[i] as number) ** 2;
    return loss;
  };
  let theta = new Float64Array(n);
  let current = objective(theta);
  for (let it = 0; it < iterations; it++) {
    const grad = new Float64Array(n);
    const hessian = new Float64Array(n * n);
    for (let i = 0; i < d; i++) {
      grad[i] = l2 * (theta[i] as number);
      hessian[i * n + i] = l2;
    }
    for (const r of rows) {
      const p = sigmoid(margin(theta, r.x));
      const err = (p - r.y) * r.w;
      const curvature = p * (1 - p) * r.w;
      for (let i = 0; i < n; i++) {
        const xi = r.x[i] as number;
        grad[i] = (grad[i] as number) + err * xi;
        for (let j = 0; j < n; j++) {
          hessian[i * n + j] = (hessian[i * n + j] as number) + curvature * xi * (r.x[j] as number);
        }
      }
    }
    const step = solve(hessian, grad);
    let scale = 1;
    let next = theta.map((t, i) => t - (step[i] as number));
    let value = objective(next);
    while (value > current && scale > 1e-6) {
      scale /= 2;
      next = theta.map((t, i) => t - scale * (step[i] as number));
      value = objective(next);
    }
    const moved = Math.max(0, ...next.map((t, i) => Math.abs(t - (theta[i] as number))));
    if (value > current) break;
    theta = next;
    current = value;
    if (moved < 1e-9) break;
  }
  return { weights: Array.from(theta.subarray(0, d)), bias: theta[d] as number };
}
