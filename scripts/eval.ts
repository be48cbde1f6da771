/**
 * `npm run eval [-- --file cases.jsonl] [--verbose] [--json]`: answer quality on a question
 * set (tests/eval/cases.jsonl by default; format in tests/eval/README.md).
 */
import { parseArgs } from "node:util";
import { loadConfig, loadDotEnv } from "../src/config.js";
import { loadCore } from "../src/core.js";
import { loadEvalCases } from "../src/eval/eval-cases.js";
import { runEval } from "../src/eval/run-eval.js";
import { runScript } from "./run-script.js";

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

await runScript(async () => {
  const { values } = parseArgs({
    options: {
      file: { type: "string", default: "tests/eval/cases.jsonl" },
      verbose: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
    },
  });
  loadDotEnv();
  const loadStarted = performance.now();
  const core = await loadCore(loadConfig(process.env), { buildIfNeeded: true });
  const loadMs = performance.now() - loadStarted;
  const cases = await loadEvalCases(values.file);
  const report = await runEval(core.answerer, core.index, cases);
  if (values.json) {
    console.log(JSON.stringify({ ...report, results: undefined }, null, 2));
    return;
  }
  if (values.verbose) {
    for (const r of report.results) {
      const failed =
        r.sectionAt1 === false || r.handoffOk === false || r.groundedOk === false || r.wrongAnswer;
      if (!failed) continue;
      console.log(`✗ ${r.id} [${r.category}] ${JSON.stringify(r.question)}`);
      console.log(
        `    cited: ${r.citedPaths.map((p) => p.slice(1).join(" › ") || p[0]).join(" | ") || "-"}`,
      );
      console.log(`    handoff: ${r.reply.handoff?.kind ?? "none"}, grounded: ${r.reply.grounded}`);
      console.log(`    answer: ${r.reply.answer.replace(/\n/g, " ").slice(0, 160)}`);
    }
    console.log("");
  }
  const byCategory = new Map<string, { n: number; ok: number }>();
  for (const r of report.results) {
    const ok =
      r.sectionAt1 !== false && r.handoffOk !== false && r.groundedOk !== false && !r.wrongAnswer;
    const entry = byCategory.get(r.category) ?? { n: 0, ok: 0 };
    entry.n += 1;
    entry.ok += ok ? 1 : 0;
    byCategory.set(r.category, entry);
  }
  console.log(`Eval: ${values.file} (${report.cases} cases) — ${core.model.modelId}`);
  console.log(
    `  section@1                  ${pct(report.sectionAt1)} (${report.sectionCases} cases)`,
  );
  console.log(`  section@3                  ${pct(report.sectionAt3)}`);
  console.log(`  MRR                        ${report.mrr.toFixed(3)}`);
  console.log(`  answer keyword hit rate    ${pct(report.keywordHitRate)}`);
  console.log(`  wrong answers on unrelated ${report.wrongOnUnrelated} of ${report.unrelated}`);
  console.log(
    `  intent accuracy            ${pct(report.intentAccuracy)} (${report.intentCases} cases)`,
  );
  console.log(`  grounded flag accuracy     ${pct(report.groundedAccuracy)}`);
  console.log(`  median time per question   ${report.medianMs.toFixed(3)} ms`);
  console.log(
    `  load with a built index    ${core.rebuilt ? "n/a (built it first)" : `${(loadMs / 1000).toFixed(2)} s`}`,
  );
  console.log(`  resident memory            ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);
  console.log("  by category (all checks pass):");
  for (const [category, e] of byCategory) console.log(`    ${category.padEnd(10)} ${e.ok}/${e.n}`);
});
