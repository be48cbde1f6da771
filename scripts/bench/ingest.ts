/**
 * Ingest time and throughput: `buildIndex` over a temporary copy of the corpus (grown with
 * generated articles for sizes above 1×), first from scratch, then again after one document
 * changed, when only that document's passages are embedded again.
 */
import { appendFile, cp, mkdir, readdir, stat } from "node:fs/promises";
import path from "node:path";
import type { EmbeddingModel } from "../../src/embeddings/embedding-model.js";
import { buildIndex, type BuildProgress } from "../../src/index/build-index.js";
import type { PoolSentence } from "./synthetic.js";
import { writeSyntheticArticles } from "./synthetic.js";

export interface BuildTiming {
  seconds: number;
  chunks: number;
  embedded: number;
  reused: number;
  chunksPerSecond: number;
  /** Seconds per phase: load+chunk, embed, index (hnswlib + BM25), save. */
  phases: Record<BuildProgress["phase"], number>;
}

export interface IngestResult {
  factor: number;
  documents: number;
  corpusBytes: number;
  full: BuildTiming;
  incremental: BuildTiming;
}

const ARTICLE = /\.(md|markdown|html?|txt)$/i;

async function timedBuild(
  options: Parameters<typeof buildIndex>[0],
): Promise<{ timing: BuildTiming; documents: number }> {
  const marks: Partial<Record<BuildProgress["phase"], number>> = {};
  const started = performance.now();
  const summary = await buildIndex({
    ...options,
    onProgress: (p) => {
      marks[p.phase] ??= performance.now();
    },
  });
  const ended = performance.now();
  const at = (phase: BuildProgress["phase"], fallback: number) => marks[phase] ?? fallback;
  const save = at("save", ended);
  const index = at("index", save);
  const embed = at("embed", index);
  const seconds = (ended - started) / 1000;
  return {
    documents: summary.documents,
    timing: {
      seconds,
      chunks: summary.chunks,
      embedded: summary.embedded,
      reused: summary.reused,
      chunksPerSecond: summary.chunks / seconds,
      phases: {
        load: (embed - started) / 1000,
        embed: (index - embed) / 1000,
        index: (save - index) / 1000,
        save: (ended - save) / 1000,
      },
    },
  };
}

async function articleBytes(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir)) {
    if (ARTICLE.test(name)) total += (await stat(path.join(dir, name))).size;
  }
  return total;
}

/**
 * Measures a full and an incremental build of the corpus grown to `factor` times its size.
 * `workDir` must be an empty temporary folder; everything is written there.
 */
export async function measureIngest(options: {
  factor: number;
  corpusDir: string;
  workDir: string;
  model: EmbeddingModel;
  pool: PoolSentence[];
  headings: string[];
  seed: number;
}): Promise<IngestResult> {
  const corpusDir = path.join(options.workDir, "corpus");
  await mkdir(corpusDir, { recursive: true });
  await cp(options.corpusDir, corpusDir, { recursive: true });
  const realBytes = await articleBytes(corpusDir);
  if (options.factor > 1) {
    await writeSyntheticArticles(corpusDir, {
      pool: options.pool,
      headings: options.headings,
      chars: realBytes * (options.factor - 1),
      seed: options.seed,
    });
  }
  const build = {
    corpusDir,
    indexDir: path.join(options.workDir, "index"),
    cacheDir: path.join(options.workDir, "cache"),
    model: options.model,
  };
  const { timing: full, documents } = await timedBuild(build);

  // One real article gains a paragraph: its last section's passages change, nothing else.
  const changed = (await readdir(corpusDir)).filter((f) => ARTICLE.test(f)).sort()[0];
  if (!changed) throw new Error(`no article in ${corpusDir}`);
  await appendFile(
    path.join(corpusDir, changed),
    "\n\nThe clinic now also offers appointments on Thursday evenings.\n",
  );
  const { timing: incremental } = await timedBuild(build);
  return {
    factor: options.factor,
    documents,
    corpusBytes: await articleBytes(corpusDir),
    full,
    incremental,
  };
}
