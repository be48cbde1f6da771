import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import hnswlib from "hnswlib-node";
import { z } from "zod";
import type { Chunk, SourceDocument } from "../content/types.js";
import { type Glossary, glossarySchema } from "../content/glossary.js";
import { AppError } from "../errors.js";
import { loadLexicalIndex } from "./lexical.js";
import {
  type BankQuestion,
  bankQuestionSchema,
  type IndexedSentence,
  type IndexManifest,
  type IntentExample,
  intentExampleSchema,
  manifestSchema,
  type SearchIndex,
  sentenceSchema,
  type UnansweredQuestion,
  unansweredQuestionSchema,
  type VectorSet,
} from "./search-index.js";

/*
 * Layout under DATA_DIR/index/:
 *   CURRENT                  the id of the build in service (replaced by an atomic rename)
 *   builds/<id>/             one complete build: manifest.json, chunks.json, documents.json,
 *                            dense.hnsw, lexical.json, glossary.json, and for the question
 *                            bank, the questions it marks unanswered, the sentences and the
 *                            booking examples <name>.json (the items) with <name>.hnsw
 *                            (their vectors)
 *   builds/.tmp-<pid>-<id>/  a build being written; never read, removed once its writer is gone
 * A build becomes visible only when CURRENT names it, so a crash at any point leaves the
 * previous build serving.
 */

const FILES = {
  manifest: "manifest.json",
  chunks: "chunks.json",
  documents: "documents.json",
  dense: "dense.hnsw",
  lexical: "lexical.json",
  glossary: "glossary.json",
  bank: "bank",
  unanswered: "unanswered",
  sentences: "sentences",
  intents: "intents",
} as const;

/** Builds kept besides the current one, so a bad content change can be rolled back by hand. */
const KEEP_PREVIOUS = 1;

export function newBuildId(now: Date = new Date()): string {
  return `${now.toISOString().replace(/[-:.]/g, "").replace("T", "-").slice(0, 15)}-${randomBytes(3).toString("hex")}`;
}

async function writeDurable(file: string, data: string | Uint8Array): Promise<void> {
  const handle = await open(file, "w");
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** What a finished build hands to `saveIndex`. */
export interface IndexBuild {
  manifest: IndexManifest;
  documents: SourceDocument[];
  chunks: Chunk[];
  dense: hnswlib.HierarchicalNSW;
  lexicalJson: string;
  glossary: Glossary;
  bank: VectorSet<BankQuestion>;
  unanswered: VectorSet<UnansweredQuestion>;
  sentences: VectorSet<IndexedSentence>;
  intents: VectorSet<IntentExample>;
}

async function writeVectorSet<T>(dir: string, name: string, set: VectorSet<T>) {
  await writeDurable(path.join(dir, `${name}.json`), JSON.stringify(set.items));
  await set.dense.writeIndex(path.join(dir, `${name}.hnsw`));
}

async function readVectorSet<S extends z.ZodType>(
  dir: string,
  name: string,
  schema: S,
  dimensions: number,
  ef: number,
): Promise<VectorSet<z.infer<S>>> {
  const items = z
    .array(schema)
    .parse(JSON.parse(await readFile(path.join(dir, `${name}.json`), "utf8")));
  const dense = new hnswlib.HierarchicalNSW("cosine", dimensions);
  if (items.length > 0) {
    await dense.readIndex(path.join(dir, `${name}.hnsw`));
    dense.setEf(ef);
  }
  if (dense.getCurrentCount() !== items.length) {
    throw new Error(`${name}: the vectors do not match the items`);
  }
  return { items, dense };
}

/**
 * Writes a build into its own folder, then points CURRENT at it with an atomic rename.
 * Returns the build folder. Old builds beyond the previous one are pruned afterwards.
 */
export async function saveIndex(indexDir: string, build: IndexBuild): Promise<string> {
  const buildsDir = path.join(indexDir, "builds");
  await mkdir(buildsDir, { recursive: true });
  const id = build.manifest.buildId;
  const tmp = path.join(buildsDir, `.tmp-${process.pid}-${id}`);
  const final = path.join(buildsDir, id);
  await mkdir(tmp, { recursive: true });
  try {
    await build.dense.writeIndex(path.join(tmp, FILES.dense));
    await writeDurable(path.join(tmp, FILES.lexical), build.lexicalJson);
    await writeDurable(path.join(tmp, FILES.chunks), JSON.stringify(build.chunks));
    await writeDurable(path.join(tmp, FILES.documents), JSON.stringify(build.documents));
    await writeDurable(path.join(tmp, FILES.glossary), JSON.stringify(build.glossary));
    await writeVectorSet(tmp, FILES.bank, build.bank);
    await writeVectorSet(tmp, FILES.unanswered, build.unanswered);
    await writeVectorSet(tmp, FILES.sentences, build.sentences);
    await writeVectorSet(tmp, FILES.intents, build.intents);
    // The manifest goes last: a folder with a manifest is a complete build.
    await writeDurable(path.join(tmp, FILES.manifest), JSON.stringify(build.manifest, null, 2));
    await rename(tmp, final);
    const pointer = path.join(indexDir, `CURRENT.tmp-${process.pid}`);
    await writeDurable(pointer, `${id}\n`);
    await rename(pointer, path.join(indexDir, "CURRENT"));
  } catch (cause) {
    await rm(tmp, { recursive: true, force: true });
    throw new AppError("internal", `Could not save the index in ${indexDir}`, { cause });
  }
  await pruneBuilds(indexDir, id);
  return final;
}

/** Removes builds older than the previous one, and temporary folders whose writer died. */
export async function pruneBuilds(indexDir: string, currentId: string): Promise<void> {
  const buildsDir = path.join(indexDir, "builds");
  const entries = await readdir(buildsDir).catch(() => [] as string[]);
  const complete: { name: string; mtime: number }[] = [];
  for (const name of entries) {
    const full = path.join(buildsDir, name);
    const tmp = /^\.tmp-(\d+)-/.exec(name);
    if (tmp) {
      if (!isAlive(Number(tmp[1]))) await rm(full, { recursive: true, force: true });
      continue;
    }
    if (name === currentId) continue;
    complete.push({ name, mtime: (await stat(full)).mtimeMs });
  }
  complete.sort((a, b) => b.mtime - a.mtime);
  for (const old of complete.slice(KEEP_PREVIOUS)) {
    await rm(path.join(buildsDir, old.name), { recursive: true, force: true });
  }
}

async function currentBuildDir(indexDir: string): Promise<string> {
  const pointer = path.join(indexDir, "CURRENT");
  if (!existsSync(pointer)) {
    throw new AppError("index_missing", `No index in ${indexDir}; run \`npm run ingest\``);
  }
  const id = (await readFile(pointer, "utf8")).trim();
  if (!/^[\w-]+$/.test(id)) {
    throw new AppError("index_missing", `${pointer} does not name a build`);
  }
  return path.join(indexDir, "builds", id);
}

/** Reads the manifest of the build in service, without loading the indexes. */
export async function readManifest(indexDir: string): Promise<IndexManifest> {
  const dir = await currentBuildDir(indexDir);
  try {
    return manifestSchema.parse(JSON.parse(await readFile(path.join(dir, FILES.manifest), "utf8")));
  } catch (cause) {
    throw new AppError("index_missing", `The index in ${dir} is unreadable; re-run ingest`, {
      cause,
    });
  }
}

/**
 * Loads the build in service. With `expectModel`, refuses (AppError "index_mismatch") an
 * index whose vectors came from another embedding model, rather than query it wrongly.
 */
export async function loadIndex(
  indexDir: string,
  options: { expectModel?: string; ef?: number } = {},
): Promise<SearchIndex> {
  const manifest = await readManifest(indexDir);
  if (options.expectModel !== undefined && manifest.embeddingModel !== options.expectModel) {
    throw new AppError(
      "index_mismatch",
      `The index was built with embedding model "${manifest.embeddingModel}" but ` +
        `"${options.expectModel}" is configured; rebuild it with \`npm run ingest\``,
      { details: { built: manifest.embeddingModel, configured: options.expectModel } },
    );
  }
  const dir = path.join(indexDir, "builds", manifest.buildId);
  try {
    const chunks = z
      .array(z.custom<Chunk>((v) => typeof v === "object" && v !== null))
      .parse(JSON.parse(await readFile(path.join(dir, FILES.chunks), "utf8")));
    const documents = JSON.parse(
      await readFile(path.join(dir, FILES.documents), "utf8"),
    ) as SourceDocument[];
    const lexical = loadLexicalIndex(await readFile(path.join(dir, FILES.lexical), "utf8"));
    const glossary = glossarySchema.parse(
      JSON.parse(await readFile(path.join(dir, FILES.glossary), "utf8")),
    );
    const ef = options.ef ?? 100;
    const dense = new hnswlib.HierarchicalNSW("cosine", manifest.dimensions);
    if (chunks.length > 0) {
      await dense.readIndex(path.join(dir, FILES.dense));
      dense.setEf(ef);
    }
    if (chunks.length !== manifest.chunks || dense.getCurrentCount() !== chunks.length) {
      throw new Error("chunk counts do not match the manifest");
    }
    const [bank, unanswered, sentences, intents] = await Promise.all([
      readVectorSet(dir, FILES.bank, bankQuestionSchema, manifest.dimensions, ef),
      readVectorSet(dir, FILES.unanswered, unansweredQuestionSchema, manifest.dimensions, ef),
      readVectorSet(dir, FILES.sentences, sentenceSchema, manifest.dimensions, ef),
      readVectorSet(dir, FILES.intents, intentExampleSchema, manifest.dimensions, ef),
    ]);
    return {
      manifest,
      documents,
      chunks,
      dense,
      lexical,
      glossary,
      bank,
      unanswered,
      sentences,
      intents,
    };
  } catch (cause) {
    throw new AppError("index_missing", `The index in ${dir} is damaged; re-run ingest`, {
      cause,
    });
  }
}
