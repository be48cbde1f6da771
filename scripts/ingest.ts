/**
 * `npm run ingest`: chunks and embeds the corpus into DATA_DIR/index, swapping the new
 * index in atomically. Only texts that changed (passages, bank questions, sentences,
 * examples) are embedded again. With `--suggest-questions`, the chat model then drafts
 * questions for the sections the question bank has none for (scripts/suggest-questions.ts).
 */
import cliProgress from "cli-progress";
import { loadConfig, loadDotEnv } from "../src/config.js";
import { buildOptions } from "../src/core.js";
import { loadEmbeddingModel } from "../src/embeddings/embedding-model.js";
import { buildIndex, type BuildProgress } from "../src/index/build-index.js";
import { runScript } from "./run-script.js";
import { draftQuestions, wantsQuestionDrafts } from "./suggest-questions.js";

await runScript(async () => {
  loadDotEnv();
  const config = loadConfig(process.env);
  const suggest = wantsQuestionDrafts(process.argv.slice(2), config);
  const model = await loadEmbeddingModel(config);
  console.log(`Indexing ${config.corpusDir} with ${model.modelId}`);

  const bar = process.stdout.isTTY
    ? new cliProgress.SingleBar(
        { format: " {phase} [{bar}] {value}/{total}", hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : null;
  let phase = "";
  const onProgress = (p: BuildProgress) => {
    if (bar) {
      if (p.phase !== phase) {
        if (phase) bar.stop();
        bar.start(p.total, p.done, { phase: p.phase.padEnd(6) });
      } else bar.update(p.done);
    } else if (p.phase !== phase || p.done === p.total) {
      console.log(`${p.phase}: ${p.done}/${p.total}`);
    }
    phase = p.phase;
  };

  try {
    const summary = await buildIndex({ ...buildOptions(config, model), onProgress });
    bar?.stop();
    for (const s of summary.skipped) console.warn(`skipped ${s.file}: ${s.reason}`);
    console.log(
      `Indexed ${summary.documents} documents into ${summary.chunks} chunks in ` +
        `${summary.seconds.toFixed(2)} s (embedded ${summary.embedded}, reused ${summary.reused}, ` +
        `skipped ${summary.skipped.length} files).`,
    );
    console.log(`Index: ${summary.buildDir}`);
  } finally {
    bar?.stop();
  }
  if (suggest) await draftQuestions(config, (line) => console.log(line));
});
