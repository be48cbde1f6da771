/**
 * Answer time, part by part, in a fresh process: the sentence encoder's query cache starts
 * empty, so every timed question is embedded for the first time (answer-speed.ts). Loads the
 * core from an index the bench has built. Prints one JSON line.
 *
 *   node --import tsx scripts/bench/speed-worker.ts '{"dataDir":"…","files":["tests/eval/cases.jsonl"]}'
 */
import { z } from "zod";
import { loadConfig } from "../../src/config.js";
import { loadCore } from "../../src/core.js";
import { loadEvalCases } from "../../src/eval/eval-cases.js";
import { type AnswerSpeed, measureAnswerSpeed } from "./answer-speed.js";
import { sampleCases } from "./quality.js";

const argsSchema = z.object({
  dataDir: z.string(),
  files: z.array(z.string()).min(1),
  /** Cases per file at most (a quick run). */
  casesPerSet: z.number().int().min(1).optional(),
});

export interface SpeedResult extends AnswerSpeed {
  /** `loadCore` in this process, with the index built. */
  loadMs: number;
  memory: { rssAfterLoad: number; rssAfterAnswers: number; heapUsedAfterAnswers: number };
}

/** A question of no development set, answered first and not timed. */
const WARM_UP = "Which skin treatments does the clinic offer for tired looking skin?";

const args = argsSchema.parse(JSON.parse(process.argv[2] ?? "{}"));
const config = loadConfig({
  ...process.env,
  DATA_DIR: args.dataDir,
  EMBEDDINGS: "local",
  ANSWER_MODE: "extractive",
  NODE_ENV: "development",
});
const started = performance.now();
const core = await loadCore(config);
const loadMs = performance.now() - started;
const rssAfterLoad = process.memoryUsage().rss;
const cases = [];
for (const file of args.files) {
  const all = await loadEvalCases(file);
  cases.push(...(args.casesPerSet ? sampleCases(all, args.casesPerSet) : all));
}
const speed = await measureAnswerSpeed(core, cases, WARM_UP);
const memory = process.memoryUsage();
const result: SpeedResult = {
  ...speed,
  loadMs,
  memory: { rssAfterLoad, rssAfterAnswers: memory.rss, heapUsedAfterAnswers: memory.heapUsed },
};
process.stdout.write(`${JSON.stringify(result)}\n`);
