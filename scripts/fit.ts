/**
 * `npm run fit`: fits the answer decision (src/retrieval/answer-decision.json) on the
 * development question sets. Deterministic: the same sets and index give the same weights.
 * Never pass the blind set here (tests/eval/README.md). It also scores the fit on the
 * validation sets, which it never fits on.
 */
import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { loadConfig, loadDotEnv } from "../src/config.js";
import { loadCore } from "../src/core.js";
import { DEVELOPMENT_SETS, loadEvalCases, VALIDATION_SETS } from "../src/eval/eval-cases.js";
import { collectFitData } from "../src/eval/decision-data.js";
import {
  calibrateGap,
  crossValidate,
  fitDecision,
  scoreDecision,
} from "../src/eval/fit-decision.js";
import { DECISION_MODEL_PATH } from "../src/retrieval/decision.js";
import { runScript } from "./run-script.js";

await runScript(async () => {
  const { values } = parseArgs({
    options: {
      file: { type: "string", multiple: true },
      ranker: { type: "string" },
      judge: { type: "string" },
      out: { type: "string" },
      gap: { type: "string" },
    },
  });
  const files = values.file ?? DEVELOPMENT_SETS;
  if (files.some((f) => /(^|\/)blind[^/]*\.jsonl$/.test(f))) {
    throw new Error("The blind set is never fitted on: pass development sets only");
  }
  if (files.some((f) => VALIDATION_SETS.some((v) => f.endsWith(v)))) {
    throw new Error("The validation sets are never fitted on: pass development sets only");
  }
  loadDotEnv();
  const core = await loadCore(loadConfig(process.env), { buildIfNeeded: true, alignment: true });
  const sets = await collectFitData(core, await Promise.all(files.map((f) => loadEvalCases(f))));
  const data = {
    questions: sets.flatMap((s) => s.questions),
    booking: sets.flatMap((s) => s.booking),
  };
  const options = {
    embeddingModel: core.model.modelId,
    fittedOn: files,
    ...(values.ranker ? { rankerFeatures: values.ranker.split(",") } : {}),
    ...(values.judge ? { judgeFeatures: values.judge.split(",") } : {}),
  };
  // The threshold's margin above the unanswerable development questions, by cross-validation.
  // `--gap` sets it instead, to measure another.
  const gap = values.gap
    ? Number(values.gap)
    : sets.length > 1
      ? calibrateGap(sets, options)
      : undefined;
  const calibrated = gap === undefined ? options : { ...options, thresholdGap: gap };
  const model = fitDecision(data, calibrated);
  if (sets.length > 1) {
    const cv = crossValidate(sets, calibrated);
    model.training = {
      ...model.training,
      heldOutAnswerable: cv.answerable,
      heldOutAnsweredRight: cv.answeredRight,
      heldOutUnanswerable: cv.unanswerable,
      heldOutAnsweredWrongly: cv.answeredWrongly,
    };
  }
  const [validation] = await collectFitData(core, [
    (await Promise.all(VALIDATION_SETS.map((f) => loadEvalCases(f)))).flat(),
  ]);
  if (validation) {
    const v = scoreDecision(model, validation.questions);
    model.training = {
      ...model.training,
      validationAnswerable: v.answerable,
      validationAnsweredRight: v.answeredRight,
      validationUnanswerable: v.unanswerable,
      validationAnsweredWrongly: v.answeredWrongly,
    };
  }
  const out = values.out ?? DECISION_MODEL_PATH;
  await writeFile(out, `${JSON.stringify(model, null, 2)}\n`);
  console.log(`Fitted on ${files.join(", ")}: ${data.questions.length} questions for the articles`);
  for (const [k, v] of Object.entries(model.training ?? {})) console.log(`  ${k.padEnd(28)} ${v}`);
  console.log(`Wrote ${String(out)}`);
});
