import { createHash } from "node:crypto";
import path from "node:path";
import hnswlib from "hnswlib-node";
import { chunkDocument, DEFAULT_CHUNK_CHARS } from "../content/chunk.js";
import { loadCorpus } from "../content/load-corpus.js";
import { GLOSSARY_FILE, type Glossary, loadGlossary } from "../content/glossary.js";
import type { Chunk, SkippedFile, SourceDocument } from "../content/types.js";
import type { EmbeddingModel } from "../embeddings/embedding-model.js";
import { AppError } from "../errors.js";
import { openEmbeddingCache } from "./embedding-cache.js";
import { saveIndex, newBuildId } from "./index-store.js";
import { buildLexicalIndex } from "./lexical.js";
import { embeddingText, INDEX_FORMAT_VERSION, type IndexManifest } from "./search-index.js";

/** hnswlib graph settings: generous for a corpus of this size, and recall stays near 1. */
export const HNSW_M = 16;
export const HNSW_EF_CONSTRUCTION = 200;
const EMBED_BATCH = 64;

export interface BuildProgress {
  phase: "load" | "embed" | "index" | "save";
  done: number;
  total: number;
}

export interface BuildOptions {
  corpusDir: string;
  /** DATA_DIR/index */
  indexDir: string;
  /** Where embeddings are cached between builds (DATA_DIR/cache/embeddings). */
  cacheDir: string;
  model: EmbeddingModel;
  chunkChars?: number;
  onProgress?: (progress: BuildProgress) => void;
}

export interface BuildSummary {
  manifest: IndexManifest;
  documents: number;
  chunks: number;
  /** Passages sent to the embedding model. */
  embedded: number;
  /** Passages whose vectors came from the cache. */
  reused: number;
  skipped: SkippedFile[];
  seconds: number;
  buildDir: string;
}

export function corpusHash(documents: SourceDocument[], glossary?: Glossary): string {
  const hash = createHash("sha256");
  for (const doc of documents) hash.update(`${doc.docId}\0${doc.contentHash}\n`);
  if (glossary && glossary.terms.length > 0) hash.update(`glossary\0${JSON.stringify(glossary)}`);
  return hash.digest("hex");
}

/**
 * Builds the index from the corpus and swaps it in atomically: loads and chunks every usable
 * file (naming the skipped ones), embeds only passages the cache has not seen, builds the
 * hnswlib and BM25 indexes, and saves them as a new build. Fails, leaving the previous
 * index in service, if no usable document is left or anything goes wrong on the way.
 */
export async function buildIndex(options: BuildOptions): Promise<BuildSummary> {
  const started = performance.now();
  const chunkChars = options.chunkChars ?? DEFAULT_CHUNK_CHARS;
  const progress = options.onProgress ?? (() => {});

  const { documents, skipped } = await loadCorpus(options.corpusDir);
  const { glossary, problem } = await loadGlossary(options.corpusDir);
  if (problem) skipped.push({ file: GLOSSARY_FILE, reason: problem });
  progress({ phase: "load", done: documents.length, total: documents.length });
  if (documents.length === 0) {
    const reasons = skipped.map((s) => `${s.file}: ${s.reason}`).join("; ");
    throw new AppError(
      "index_missing",
      `No usable document in ${options.corpusDir}${reasons ? ` (${reasons})` : ""}`,
      { details: { skipped } },
    );
  }
  const chunks: Chunk[] = (
    await Promise.all(documents.map((doc) => chunkDocument(doc, { maxChars: chunkChars })))
  ).flat();

  const cache = await openEmbeddingCache(options.cacheDir, options.model.modelId);
  const texts = chunks.map(embeddingText);
  const vectors: (number[] | undefined)[] = texts.map((t) => cache.get(t));
  const missing = texts.flatMap((_, i) => (vectors[i] ? [] : [i]));
  progress({ phase: "embed", done: 0, total: missing.length });
  for (let from = 0; from < missing.length; from += EMBED_BATCH) {
    const rows = missing.slice(from, from + EMBED_BATCH);
    let batch: number[][];
    try {
      batch = await options.model.embeddings.embedDocuments(rows.map((i) => texts[i] as string));
    } catch (cause) {
      throw new AppError("unavailable", `Embedding failed (${options.model.modelId})`, { cause });
    }
    if (batch.length !== rows.length) {
      throw new AppError("internal", "The embedding model returned the wrong number of vectors");
    }
    rows.forEach((row, j) => {
      vectors[row] = batch[j];
      cache.set(texts[row] as string, batch[j] as number[]);
    });
    progress({
      phase: "embed",
      done: Math.min(from + EMBED_BATCH, missing.length),
      total: missing.length,
    });
  }

  const dimensions = vectors[0]?.length ?? 0;
  if (dimensions === 0 || vectors.some((v) => v?.length !== dimensions)) {
    throw new AppError("internal", "The embedding model returned vectors of differing sizes");
  }
  progress({ phase: "index", done: 0, total: chunks.length });
  const dense = new hnswlib.HierarchicalNSW("cosine", dimensions);
  dense.initIndex(chunks.length, HNSW_M, HNSW_EF_CONSTRUCTION, 100);
  vectors.forEach((v, i) => dense.addPoint(v as number[], i));
  const lexicalJson = JSON.stringify(buildLexicalIndex(chunks));
  progress({ phase: "index", done: chunks.length, total: chunks.length });

  const builtAt = new Date();
  const manifest: IndexManifest = {
    formatVersion: INDEX_FORMAT_VERSION,
    buildId: newBuildId(builtAt),
    embeddingModel: options.model.modelId,
    dimensions,
    documents: documents.length,
    chunks: chunks.length,
    corpusHash: corpusHash(documents, glossary),
    glossaryTerms: glossary.terms.length,
    builtAt: builtAt.toISOString(),
    chunkChars,
    hnsw: { space: "cosine", m: HNSW_M, efConstruction: HNSW_EF_CONSTRUCTION },
  };
  progress({ phase: "save", done: 0, total: 1 });
  const buildDir = await saveIndex(options.indexDir, {
    manifest,
    documents,
    chunks,
    dense,
    lexicalJson,
    glossary,
  });
  await cache.save();
  progress({ phase: "save", done: 1, total: 1 });
  return {
    manifest,
    documents: documents.length,
    chunks: chunks.length,
    embedded: missing.length,
    reused: chunks.length - missing.length,
    skipped,
    seconds: (performance.now() - started) / 1000,
    buildDir: path.resolve(buildDir),
  };
}
