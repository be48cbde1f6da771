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
    /** Below the threshold by at most this much: "unsure" (a model may judge; offline refuses). */
    unsureBand: z.number().min(0).max(1),
  }),
  /** A message is a booking request when it is this close to an example request... */
  booking: z.object({
    threshold: z.number(),
    /** ...and this much closer to one than to anything that is not a request. */
    margin: z.number(),
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
 * Fits logistic regression by full-batch gradient descent with L2 regularisation: the same
 * data always gives the same weights (no random start, no shuffling).
 */
export function fitLogistic(
  examples: Example[],
  options: { l2?: number; iterations?: number; rate?: number } = {},
): { weights: number[]; bias: number } {
  const l2 = options.l2 ?? 0.01;
  const iterations = options.iterations ?? 4000;
  const rate = options.rate ?? 0.5;
  const d = examples[0]?.x.length ?? 0;
  const weights = new Array<number>(d).fill(0);
  let bias = 0;
  const total = examples.reduce((s, e) => s + (e.weight ?? 1), 0) || 1;
  for (let it = 0; it < iterations; it++) {
    const grad = new Array<number>(d).fill(0);
    let gradBias = 0;
    for (const e of examples) {
      let z = bias;
      for (let i = 0; i < d; i++) z += (weights[i] as number) * (e.x[i] as number);
      const err = (sigmoid(z) - e.y) * (e.weight ?? 1);
      for (let i = 0; i < d; i++) grad[i] = (grad[i] as number) + err * (e.x[i] as number);
      gradBias += err;
    }
    for (let i = 0; i < d; i++) {
      weights[i] =
        (weights[i] as number) - rate * ((grad[i] as number) / total + l2 * (weights[i] as number));
    }
    bias -= rate * (gradBias / total);
  }
  return { weights, bias };
}
