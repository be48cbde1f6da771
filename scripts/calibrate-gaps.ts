/**
 * `npm run calibrate:gaps [-- --file set.json] [--json]`: how well the content-gap grouping
 * keeps paraphrases together and different questions apart at each similarity threshold,
 * with the local sentence encoder, and the threshold that does it best
 * (src/staff/gap-calibration.ts). GAP_MEANING_SIMILARITY in src/staff/gaps.ts is that one.
 */
import { parseArgs } from "node:util";
import { SentenceEncoderEmbeddings } from "../src/embeddings/sentence-encoder.js";
import {
  CALIBRATION_SET,
  calibrate,
  loadCalibrationSet,
  type Outcome,
} from "../src/staff/gap-calibration.js";
import { GAP_MEANING_SIMILARITY } from "../src/staff/gaps.js";
import { runScript } from "./run-script.js";

const pct = (x: number) => `${(x * 100).toFixed(1)}%`.padStart(6);

await runScript(async () => {
  const { values } = parseArgs({
    options: {
      file: { type: "string", default: CALIBRATION_SET },
      json: { type: "boolean", default: false },
    },
  });
  const embeddings = await SentenceEncoderEmbeddings.load();
  const report = await calibrate(embeddings, await loadCalibrationSet(values.file));
  if (values.json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  const row = (o: Outcome) =>
    `${o.threshold.toFixed(2)}  ${pct(o.paraphrasesJoined)}  ${pct(o.sameTopicJoined)}  ${pct(o.otherTopicJoined)}  ${pct(o.precision)}  ${o.f1.toFixed(3)}`;
  const header = "      paraphrases joined, same-topic joined, other-topic joined, precision, F1";
  console.log(`Calibration: ${values.file} — ${embeddings.modelId}`);
  console.log(
    `  ${report.questions} questions in ${report.groups} groups; pairs: ${report.pairs.paraphrases} paraphrases, ${report.pairs.sameTopic} different questions on one topic, ${report.pairs.otherTopic} on different topics`,
  );
  console.log(header);
  console.log(`  chosen (grouped)    ${row(report.chosen)}`);
  console.log(`  each pair alone     ${row(report.pairsAtChosen)}`);
  console.log(`  by wording          ${row(report.wording)}`);
  console.log(`  pair AUC ${report.auc.toFixed(3)}`);
  for (const [half, h] of report.heldOut.entries()) {
    console.log(
      `  held out (chosen on half ${half + 1}): ${h.threshold.toFixed(2)}, F1 on the other half ${h.f1.toFixed(3)} (${h.f1AtChosen.toFixed(3)} at ${report.chosen.threshold.toFixed(2)})`,
    );
  }
  console.log(`  curve (grouped):\n${header}`);
  for (const o of report.curve.filter((_, i) => i % 2 === 0)) console.log(`    ${row(o)}`);
  console.log("  paraphrases scored lowest:");
  for (const p of report.hardest.paraphrases)
    console.log(`    ${p.similarity.toFixed(2)}  ${p.a} | ${p.b}`);
  console.log("  different questions scored highest:");
  for (const p of report.hardest.different)
    console.log(`    ${p.similarity.toFixed(2)}  ${p.a} | ${p.b}`);
  if (report.chosen.threshold !== GAP_MEANING_SIMILARITY) {
    console.log(
      `\nGAP_MEANING_SIMILARITY is ${GAP_MEANING_SIMILARITY}: set it to ${report.chosen.threshold} in src/staff/gaps.ts.`,
    );
  }
});
