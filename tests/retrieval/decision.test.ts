import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SENTENCE_ENCODER_ID } from "../../src/embeddings/sentence-encoder.js";
import { AppError } from "../../src/errors.js";
import {
  DECISION_MODEL_PATH,
  type Example,
  featureValue,
  fitLogistic,
  loadDecisionModel,
  probability,
  sigmoid,
} from "../../src/retrieval/decision.js";
import { tempDir } from "../helpers/core-fixtures.js";
import { passageFeatures } from "../helpers/features.js";

const features = passageFeatures;

/** Two features; the label is 1 exactly when their sum exceeds 1 (a separable set). */
function separableSet(): Example[] {
  const out: Example[] = [];
  for (let i = 0; i <= 10; i++) {
    for (let j = 0; j <= 10; j++) {
      const x = [i / 10, j / 10];
      const sum = (x[0] as number) + (x[1] as number);
      if (Math.abs(sum - 1) < 0.15) continue; // a margin, so the set is cleanly separable
      out.push({ x, y: sum > 1 ? 1 : 0 });
    }
  }
  return out;
}

const predict = (fit: { weights: number[]; bias: number }, x: number[]) =>
  sigmoid(fit.bias + fit.weights.reduce((s, w, i) => s + w * (x[i] as number), 0));

describe("fitLogistic", () => {
  it("gives the same weights for the same data every time", () => {
    const data = separableSet();
    expect(fitLogistic(data)).toEqual(fitLogistic(data));
  });

  it("separates a linearly separable set", () => {
    const data = separableSet();
    const fit = fitLogistic(data, { l2: 0.0001 });
    for (const e of data) expect(predict(fit, e.x) > 0.5 ? 1 : 0).toBe(e.y);
    // Both features push the same way, by about the same amount.
    const [a, b] = fit.weights as [number, number];
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(0);
    expect(a / b).toBeCloseTo(1, 1);
  });

  it("lets a row's weight count as that many rows", () => {
    const fit = fitLogistic(
      [
        { x: [1], y: 1, weight: 3 },
        { x: [1], y: 0, weight: 1 },
      ],
      { l2: 0 },
    );
    expect(predict(fit, [1])).toBeCloseTo(0.75, 2);
  });

  it("reaches the minimum: the regularised loss has no slope left at the fitted weights", () => {
    // Overlapping classes, so the minimum is finite and unique.
    const data: Example[] = Array.from({ length: 60 }, (_, i) => ({
      x: [Math.sin(i), Math.cos(3 * i)],
      y: (Math.sin(i) + 0.5 * Math.cos(7 * i) > 0 ? 1 : 0) as 0 | 1,
    }));
    const l2 = 0.01;
    const fit = fitLogistic(data, { l2 });
    const [w0, w1] = fit.weights as [number, number];
    let [g0, g1, gBias] = [l2 * w0, l2 * w1, 0];
    for (const e of data) {
      const err = (predict(fit, e.x) - e.y) / data.length;
      g0 += err * (e.x[0] as number);
      g1 += err * (e.x[1] as number);
      gBias += err;
    }
    for (const g of [g0, g1, gBias]) expect(Math.abs(g)).toBeLessThan(1e-8);
  });

  it("shrinks weights with stronger L2 regularisation", () => {
    const data = separableSet();
    const loose = fitLogistic(data, { l2: 0.0001 });
    const tight = fitLogistic(data, { l2: 0.1 });
    expect(Math.abs(tight.weights[0] as number)).toBeLessThan(Math.abs(loose.weights[0] as number));
  });
});

describe("featureValue and probability", () => {
  it("reads a named feature, a product written a*b, and 0 for a feature the candidate lacks", () => {
    const f = features({ dense: 0.5, bank: 0.8, alignment: 0.25 });
    expect(featureValue(f, "dense")).toBe(0.5);
    expect(featureValue(f, "alignment")).toBe(0.25);
    expect(featureValue(f, "bank*dense")).toBeCloseTo(0.4, 10);
    expect(featureValue(f, "bank*dense*alignment")).toBeCloseTo(0.1, 10);
    expect(featureValue(f, "nonexistent")).toBe(0);
    expect(featureValue(f, "bank*nonexistent")).toBe(0);
  });

  it("is the sigmoid of the bias plus the weighted features", () => {
    const model = {
      features: ["dense", "bank*coverage", "typeMissing"],
      weights: [2, 3, -4],
      bias: -1,
    };
    const f = features({ dense: 0.5, bank: 0.5, coverage: 0.5, typeMissing: 1 });
    expect(probability(model, f)).toBeCloseTo(sigmoid(-1 + 2 * 0.5 + 3 * 0.25 - 4), 12);
    expect(probability(model, features())).toBeCloseTo(sigmoid(-1), 12);
    expect(sigmoid(0)).toBe(0.5);
  });
});

describe("loadDecisionModel", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(() => cleanup());

  const shipped = async () =>
    JSON.parse(await readFile(DECISION_MODEL_PATH, "utf8")) as Record<string, unknown>;
  const configError = (file: string) => {
    try {
      loadDecisionModel(file);
    } catch (error) {
      return error;
    }
    return undefined;
  };

  it("loads the shipped decision, fitted on the sentence encoder, with one weight per feature", () => {
    const model = loadDecisionModel();
    expect(model.version).toBe(2);
    expect(model.embeddingModel).toBe(SENTENCE_ENCODER_ID);
    for (const part of [model.ranker, model.judge]) {
      expect(part.weights).toHaveLength(part.features.length);
    }
    expect(model.judge.threshold).toBeGreaterThan(model.judge.unsureBand);
    expect(model.judge.threshold).toBeLessThan(1);
  });

  it("refuses a file that is not JSON with AppError 'config'", async () => {
    const file = path.join(dir, "broken.json");
    await writeFile(file, "{ not json");
    const error = configError(file);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: "config", message: expect.stringContaining(file) });
  });

  it("refuses a file of another version or shape with AppError 'config'", async () => {
    const file = path.join(dir, "old.json");
    await writeFile(file, JSON.stringify({ ...(await shipped()), version: 1 }));
    expect(configError(file)).toMatchObject({ code: "config" });
    await writeFile(file, JSON.stringify({ ...(await shipped()), judge: undefined }));
    expect(configError(file)).toMatchObject({ code: "config" });
  });

  it("refuses a model whose weights do not match its features with AppError 'config'", async () => {
    const model = await shipped();
    const ranker = model.ranker as { weights: number[] };
    const file = path.join(dir, "short.json");
    await writeFile(
      file,
      JSON.stringify({ ...model, ranker: { ...ranker, weights: ranker.weights.slice(1) } }),
    );
    const error = configError(file);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: "config", message: expect.stringMatching(/weight/) });
  });

  it("refuses a missing file with AppError 'config'", () => {
    expect(configError(path.join(dir, "nowhere.json"))).toMatchObject({ code: "config" });
  });
});
