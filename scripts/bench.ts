/**
 * `npm run bench [-- --quick] [--out dir]`: answer quality of the retrieval variants on the
 * development sets (in-sample, and cross-validated), answer time part by part and memory,
 * the vector index at 1×/100×/1000× the corpus, ingest throughput, the service under load,
 * cold starts and the widget's size, in one run (several minutes on 2 cores; `--quick` is a
 * smoke run of the harness). Writes `benchmarks.md` and two SVG charts to `--out` (default
 * docs/) and prints the report. Exits non-zero only if the bench itself breaks, never for a
 * slow figure. Never runs the blind set.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import * as prettier from "prettier";
import { followUpContext } from "../src/answer/follow-up.js";
import { loadConfig } from "../src/config.js";
import { loadCore } from "../src/core.js";
import { DEVELOPMENT_SETS, type EvalCase, loadEvalCases } from "../src/eval/eval-cases.js";
import { HNSW_EF_CONSTRUCTION, HNSW_M } from "../src/index/build-index.js";
import { runJsonScript } from "./bench/child.js";
import type { ScaleResult } from "./bench/index-scale.js";
import { measureIngest } from "./bench/ingest.js";
import type { LoadResult } from "./bench/load-generator.js";
import { type DevelopmentSet, measureQuality, sampleCases } from "./bench/quality.js";
import {
  type BenchResults,
  CHART_FILES,
  latencyChart,
  type MachineInfo,
  recallChart,
  renderReport,
} from "./bench/report.js";
import { runLoad, serviceMemory, startService, stopService } from "./bench/service.js";
import type { SpeedResult } from "./bench/speed-worker.js";
import { sentencePool } from "./bench/synthetic.js";
import { measureWidget } from "./bench/widget.js";
import { runScript } from "./run-script.js";

const ROOT = path.resolve(import.meta.dirname, "..");
const CASES = path.join(ROOT, "tests/eval/cases.jsonl");
const SEED = 20261124;

/** What a run measures; the quick plan only proves that every part still works. */
const PLANS = {
  full: {
    loadSeconds: 5,
    /** Cases per development set (all of them). */
    casesPerSet: undefined,
    freshSeconds: 60,
    socketVisitors: [1, 32, 256],
    scaleFactors: [1, 100, 1000],
    queries: 300,
    efSweep: [10, 20, 50, 100, 200, 400],
    ingestFactors: [1, 100],
  },
  quick: {
    loadSeconds: 0.5,
    casesPerSet: 12,
    freshSeconds: 2,
    socketVisitors: [1, 32],
    scaleFactors: [1, 10],
    queries: 60,
    efSweep: [10, 50, 100],
    ingestFactors: [1, 10],
  },
};

const log = (message: string) => process.stderr.write(`bench: ${message}\n`);

function machine(startedAt: Date, load: { start: number; max: number }): MachineInfo {
  return {
    cpu: os.cpus()[0]?.model.trim() ?? "unknown CPU",
    cores: os.cpus().length,
    memoryBytes: os.totalmem(),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    date: startedAt.toISOString().replace(/\.\d+Z$/, "Z"),
    loadAverage: { ...load, end: os.loadavg()[0] ?? 0 },
  };
}

/** The last turn of every case of these categories. */
function lastTurns(cases: readonly EvalCase[], categories: string[]): string[] {
  return cases.filter((c) => categories.includes(c.category)).map((c) => c.turns.at(-1) ?? "");
}

await runScript(async () => {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      out: { type: "string", default: path.join(ROOT, "docs") },
    },
  });
  const plan: (typeof PLANS)[keyof typeof PLANS] = values.quick ? PLANS.quick : PLANS.full;
  const outDir = path.resolve(values.out);
  const started = performance.now();
  const startedAt = new Date();
  const load = { start: os.loadavg()[0] ?? 0, max: os.loadavg()[0] ?? 0 };
  // Other work on the machine is the first suspect for an odd figure: keep its peak.
  const sampler = setInterval(() => (load.max = Math.max(load.max, os.loadavg()[0] ?? 0)), 1000);
  sampler.unref();
  const work = await mkdtemp(path.join(os.tmpdir(), "skin-faq-bench-"));
  try {
    // Always the offline setup the goals are about, whatever .env says.
    const config = loadConfig({
      ...process.env,
      DATA_DIR: path.join(work, "data"),
      EMBEDDINGS: "local",
      ANSWER_MODE: "extractive",
      NODE_ENV: "development",
    });

    log("answer quality on the development sets (fitting each variant, and cross-validating it)");
    // The word vectors and WordNet too: the fit's rows carry the alignment feature.
    const core = await loadCore(config, { buildIfNeeded: true, alignment: true });
    const sets: DevelopmentSet[] = [];
    for (const file of DEVELOPMENT_SETS) {
      const all = await loadEvalCases(path.join(ROOT, file));
      sets.push({ file, cases: plan.casesPerSet ? sampleCases(all, plan.casesPerSet) : all });
    }
    const quality = await measureQuality(core, sets);

    log("answer time, part by part, in a fresh process");
    const speed = await runJsonScript<SpeedResult>(
      "scripts/bench/speed-worker.ts",
      {
        dataDir: config.dataDir,
        files: DEVELOPMENT_SETS.map((f) => path.join(ROOT, f)),
        ...(plan.casesPerSet ? { casesPerSet: plan.casesPerSet } : {}),
      },
      { timeoutMs: 600_000 },
    );

    const pool = sentencePool(core.index.chunks);
    const headings = [...new Set(core.index.chunks.flatMap((c) => c.headingPath.slice(1)))];
    const ingest = [];
    for (const factor of plan.ingestFactors) {
      log(`ingest at ${factor}×`);
      const workDir = await mkdtemp(path.join(work, `ingest-${factor}-`));
      ingest.push(
        await measureIngest({
          factor,
          corpusDir: config.corpusDir,
          workDir,
          model: core.model,
          pool,
          headings,
          seed: SEED,
        }),
      );
      await rm(workDir, { recursive: true, force: true });
    }

    const scale: ScaleResult[] = [];
    const largest = plan.scaleFactors.at(-1);
    for (const factor of plan.scaleFactors) {
      log(`vector index at ${factor}×`);
      scale.push(
        await runJsonScript<ScaleResult>(
          "scripts/bench/scale-worker.ts",
          {
            factor,
            queries: plan.queries,
            ef: config.hnswEf,
            efSweep: factor === largest ? plan.efSweep : [],
            seed: SEED,
            corpusDir: config.corpusDir,
            casesFile: CASES,
          },
          { timeoutMs: 300_000, nodeFlags: ["--expose-gc"] },
        ),
      );
    }

    log("cold starts and the service under load");
    const serviceDir = path.join(work, "service");
    const cold = await startService(serviceDir);
    await stopService(cold);
    const service = await startService(serviceDir);
    let loads: BenchResults["load"];
    const memory: BenchResults["memory"] = {};
    try {
      const ready = await serviceMemory(service);
      if (ready) memory.ready = ready;
      const common = {
        url: service.url,
        seconds: plan.loadSeconds,
        questions: lastTurns(sets[0]?.cases ?? [], ["in-scope"]),
      };
      // Not reported: the service's first requests run cold code, which is not the ceiling.
      await runLoad({ ...common, seconds: 1, kind: "healthz", concurrency: 32 });
      const ceiling = await runLoad({ ...common, kind: "healthz", concurrency: 32 });
      // First, while the service has embedded nothing: each question once, none from the cache.
      const fresh = [
        ...new Set(sets.flatMap((s) => lastTurns(s.cases, ["in-scope", "unrelated"]))),
      ];
      const freshRow = await runLoad({
        url: service.url,
        kind: "socket-chat",
        concurrency: 32,
        seconds: plan.freshSeconds,
        questions: fresh,
        maxRequests: fresh.length,
        warmUp: "Which skin treatments does the clinic offer for tired looking skin?",
      });
      const httpChat = await runLoad({ ...common, kind: "http-chat", concurrency: 32 });
      const sockets: LoadResult[] = [];
      for (const concurrency of plan.socketVisitors) {
        sockets.push(await runLoad({ ...common, kind: "socket-chat", concurrency }));
      }
      const ceilingAfter = await runLoad({ ...common, kind: "healthz", concurrency: 32 });
      loads = {
        ceiling,
        fresh: freshRow,
        freshQuestions: fresh.length,
        followUps: {
          questions: common.questions.length,
          followUps: common.questions.filter(
            (q) =>
              followUpContext(q, [{ role: "visitor", text: "an earlier question" }]) !== undefined,
          ).length,
        },
        httpChat,
        sockets,
        ceilingAfter,
      };
      const afterLoad = await serviceMemory(service);
      if (afterLoad) memory.afterLoad = afterLoad;
    } finally {
      await stopService(service);
    }

    const results: BenchResults = {
      quick: values.quick,
      seconds: (performance.now() - started) / 1000,
      machine: machine(startedAt, load),
      settings: {
        embeddingModel: core.model.modelId,
        ef: config.hnswEf,
        m: HNSW_M,
        efConstruction: HNSW_EF_CONSTRUCTION,
        seed: SEED,
        loadSeconds: plan.loadSeconds,
      },
      quality,
      speed,
      scale,
      ingest,
      load: loads,
      memory,
      coldStart: { withoutIndexMs: cold.readyMs, withIndexMs: service.readyMs },
      widget: await measureWidget(ROOT),
    };

    const reportFile = path.join(outDir, "benchmarks.md");
    const report = await prettier.format(renderReport(results), {
      ...(await prettier.resolveConfig(path.join(ROOT, "docs", "benchmarks.md"))),
      parser: "markdown",
    });
    await mkdir(outDir, { recursive: true });
    await writeFile(reportFile, report);
    await writeFile(path.join(outDir, CHART_FILES.latency), latencyChart(results));
    await writeFile(path.join(outDir, CHART_FILES.recall), recallChart(results));
    process.stdout.write(report);
    log(`wrote ${reportFile} and its two charts`);
  } finally {
    clearInterval(sampler);
    await rm(work, { recursive: true, force: true });
  }
});
