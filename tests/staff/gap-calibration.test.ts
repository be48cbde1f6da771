import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  SENTENCE_ENCODER_ID,
  SentenceEncoderEmbeddings,
} from "../../src/embeddings/sentence-encoder.js";
import {
  CALIBRATION_SET,
  type CalibrationReport,
  calibrate,
  calibrationSetSchema,
  loadCalibrationSet,
} from "../../src/staff/gap-calibration.js";
import { GAP_CALIBRATED_MODEL, GAP_MEANING_SIMILARITY } from "../../src/staff/gaps.js";
import { REPO_ROOT } from "../helpers/core-fixtures.js";

describe("the content-gap calibration (npm run calibrate:gaps)", () => {
  let report: CalibrationReport;
  beforeAll(async () => {
    const set = await loadCalibrationSet(path.join(REPO_ROOT, CALIBRATION_SET));
    report = await calibrate(await SentenceEncoderEmbeddings.load(), set, { heldOut: false });
  });

  it("picks GAP_MEANING_SIMILARITY, so that the threshold in the code is the calibrated one", () => {
    expect(report.chosen.threshold).toBe(GAP_MEANING_SIMILARITY);
    // A new encoder build gets a new id, and needs calibrating again.
    expect(SENTENCE_ENCODER_ID).toBe(GAP_CALIBRATED_MODEL);
  });

  it("keeps paraphrases together far more often than word stems do, for few wrong joins", () => {
    expect(report.pairs).toEqual({ paraphrases: 107, sameTopic: 1193, otherTopic: 1566 });
    expect(report.chosen.paraphrasesJoined).toBeGreaterThan(0.5);
    expect(report.chosen.paraphrasesJoined).toBeGreaterThan(4 * report.wording.paraphrasesJoined);
    expect(report.chosen.sameTopicJoined).toBeLessThan(0.05);
    expect(report.chosen.otherTopicJoined).toBeLessThan(0.02);
    expect(report.chosen.f1).toBeGreaterThan(2 * report.wording.f1);
    expect(report.auc).toBeGreaterThan(0.9);
  });

  it("refuses a set that lists a question twice", () => {
    const twice = calibrationSetSchema.safeParse({
      groups: [
        { topic: "visit", meaning: "parking", questions: ["parking?", "where do I park"] },
        { topic: "visit", meaning: "parking again", questions: ["parking?", "car park?"] },
      ],
    });
    expect(twice.success).toBe(false);
  });
});
