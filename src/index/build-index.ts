import { createHash } from "node:crypto";
import path from "node:path";
import hnswlib from "hnswlib-node";
import { chunkDocument, DEFAULT_CHUNK_CHARS } from "../content/chunk.js";
import { addClinicPage } from "../content/clinic-page.js";
import { loadCorpus } from "../content/load-corpus.js";
import { GLOSSARY_FILE, type Glossary, loadGlossary } from "../content/glossary.js";
import {
  loadQuestionBank,
  QUESTION_BANK_FILE,
  type QuestionBank,
} from "../content/question-bank.js";
import {
  BOOKING_EXAMPLES_FILE,
  type BookingExamples,
  loadBookingExamples,
} from "../content/booking-examples.js";
import { passageUnits, unitText } from "../content/sentence-units.js";
import type { Chunk, SkippedFile, SourceDocument } from "../content/types.js";
import type { EmbeddingModel } from "../embeddings/embedding-model.js";
import { AppError } from "../errors.js";
import { openEmbeddingCache } from "./embedding-cache.js";
import { saveIndex, newBuildId } from "./index-store.js";
import { buildLexicalIndex } from "./lexical.js";
import {
  type BankQuestion,
  type UnansweredQuestion,
  embeddingText,
  INDEX_FORMAT_VERSION,
  type IndexManifest,
} from "./search-index.js";

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
  /** The clinic profile, built into the "Contact and opening hours" page (none when unset). */
  clinicProfilePath?: string;
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
  /** Texts (passages, bank questions, sentences, examples) sent to the embedding model. */
  embedded: number;
  /** Texts whose vectors came from the cache. */
  reused: number;
  skipped: SkippedFile[];
  seconds: number;
  buildDir: string;
}

/** The content besides the articles that goes into an index. */
export interface SideContent {
  glossary: Glossary;
  bank: QuestionBank;
  bookingExamples: BookingExamples;
}

export function corpusHash(documents: SourceDocument[], side?: Partial<SideContent>): string {
  const hash = createHash("sha256");
  for (const doc of documents) hash.update(`${doc.docId}\0${doc.contentHash}\n`);
  if (side?.glossary && side.glossary.terms.length > 0) {
    hash.update(`glossary\0${JSON.stringify(side.glossary)}`);
  }
  if (side?.bank)
    hash.update(
      `bank\0${JSON.stringify([side.bank.sections.map((s) => [s.docId, s.heading, s.questions]), side.bank.unanswered])}`,
    );
  if (side?.bookingExamples) {
    const { requests, notRequests } = side.bookingExamples;
    hash.update(`booking\0${JSON.stringify([requests, notRequests])}`);
  }
  return hash.digest("hex");
}

/**
 * The bank's questions with the passages of their section. A section the corpus does not
 * have (renamed, or its article removed) is reported, and its questions are left out.
 */
export function bankQuestions(
  bank: QuestionBank,
  chunks: Chunk[],
): { questions: BankQuestion[]; unknown: string[] } {
  const rowsOf = new Map<string, number[]>();
  chunks.forEach((chunk, row) => {
    const key = `${chunk.docId}\0${chunk.section}`;
    rowsOf.set(key, [...(rowsOf.get(key) ?? []), row]);
  });
  const questions: BankQuestion[] = [];
  const unknown: string[] = [];
  for (const section of bank.sections) {
    const rows = rowsOf.get(`${section.docId}\0${section.heading}`);
    if (!rows) {
      if (section.questions.length > 0) unknown.push(`${section.docId} › ${section.heading}`);
      continue;
    }
    const seen = new Set<string>();
    for (const text of section.questions) {
      if (seen.has(text.toLowerCase())) continue;
      seen.add(text.toLowerCase());
      questions.push({ text, docId: section.docId, heading: section.heading, rows });
    }
  }
  return { questions, unknown };
}

/** The bank's questions that the articles do not answer, each once. */
export function unansweredQuestions(bank: QuestionBank): UnansweredQuestion[] {
  const seen = new Set<string>();
  return bank.unanswered.flatMap((text) => {
    const key = text.toLowerCase();
    if (seen.has(key)) return [];
    seen.add(key);
    return [{ text }];
  });
}

/** Reads the side content of a corpus folder; a broken file is named in `skipped` and left out. */
async function loadSideContent(corpusDir: string, skipped: SkippedFile[]): Promise<SideContent> {
  const [glossary, bank, bookingExamples] = await Promise.all([
    loadGlossary(corpusDir),
    loadQuestionBank(corpusDir),
    loadBookingExamples(corpusDir),
  ]);
  if (glossary.problem) skipped.push({ file: GLOSSARY_FILE, reason: glossary.problem });
  if (bank.problem) skipped.push({ file: QUESTION_BANK_FILE, reason: bank.problem });
  if (bookingExamples.problem) {
    skipped.push({ file: BOOKING_EXAMPLES_FILE, reason: bookingExamples.problem });
  }
  return {
    glossary: glossary.glossary,
    bank: bank.value,
    bookingExamples: bookingExamples.value,
  };
}

function vectorIndex(vectors: number[][], dimensions: number): hnswlib.HierarchicalNSW {
  const dense = new hnswlib.HierarchicalNSW("cosine", dimensions);
  dense.initIndex(Math.max(vectors.length, 1), HNSW_M, HNSW_EF_CONSTRUCTION, 100);
  vectors.forEach((v, i) => dense.addPoint(v, i));
  return dense;
}

/**
 * Builds the index from the corpus and swaps it in atomically: loads and chunks every usable
 * file (naming the skipped ones), reads the glossary, the question bank and the booking
 * examples, embeds only texts the cache has not seen (passages, bank questions, every
 * quotable sentence, examples), builds the hnswlib and BM25 indexes, and saves them as a new
 * build. Fails, leaving the previous index in service, if no usable document is left or
 * anything goes wrong on the way.
 */
export async function buildIndex(options: BuildOptions): Promise<BuildSummary> {
  const started = performance.now();
  const chunkChars = options.chunkChars ?? DEFAULT_CHUNK_CHARS;
  const progress = options.onProgress ?? (() => {});

  const { documents, skipped } = await loadCorpus(options.corpusDir);
  if (documents.length === 0) {
    const reasons = skipped.map((s) => `${s.file}: ${s.reason}`).join("; ");
    throw new AppError(
      "index_missing",
      `No usable document in ${options.corpusDir}${reasons ? ` (${reasons})` : ""}`,
      { details: { skipped } },
    );
  }
  if (options.clinicProfilePath) {
    await addClinicPage(options.clinicProfilePath, { documents, skipped });
  }
  const side = await loadSideContent(options.corpusDir, skipped);
  progress({ phase: "load", done: documents.length, total: documents.length });
  const chunks: Chunk[] = (
    await Promise.all(documents.map((doc) => chunkDocument(doc, { maxChars: chunkChars })))
  ).flat();
  const bank = bankQuestions(side.bank, chunks);
  if (bank.unknown.length > 0) {
    skipped.push({
      file: QUESTION_BANK_FILE,
      reason: `no such section, its questions are left out: ${bank.unknown.join("; ")}`,
    });
  }
  const unanswered = unansweredQuestions(side.bank);
  const sentences = chunks.flatMap((chunk, row) =>
    passageUnits(chunk.text).map((unit) => ({ row, ...unit })),
  );
  const examples = [
    ...side.bookingExamples.requests.map((text) => ({ text, booking: true })),
    ...side.bookingExamples.notRequests.map((text) => ({ text, booking: false })),
  ];

  const groups = {
    passages: chunks.map(embeddingText),
    bank: bank.questions.map((q) => q.text),
    unanswered: unanswered.map((q) => q.text),
    sentences: sentences.map(unitText),
    examples: examples.map((e) => e.text),
  };
  const embedded = await embedAll(options, Object.values(groups).flat(), progress);
  const vectorsOf = (texts: string[]) => texts.map((t) => embedded.vectors.get(t) as number[]);

  const dimensions = embedded.dimensions;
  progress({ phase: "index", done: 0, total: chunks.length });
  const dense = vectorIndex(vectorsOf(groups.passages), dimensions);
  const rowsQuestions = new Map<number, string[]>();
  for (const q of bank.questions) {
    for (const row of q.rows) rowsQuestions.set(row, [...(rowsQuestions.get(row) ?? []), q.text]);
  }
  const lexicalJson = JSON.stringify(
    buildLexicalIndex(chunks, (row) => rowsQuestions.get(row) ?? []),
  );
  progress({ phase: "index", done: chunks.length, total: chunks.length });

  const builtAt = new Date();
  const manifest: IndexManifest = {
    formatVersion: INDEX_FORMAT_VERSION,
    buildId: newBuildId(builtAt),
    embeddingModel: options.model.modelId,
    dimensions,
    documents: documents.length,
    chunks: chunks.length,
    corpusHash: corpusHash(documents, side),
    glossaryTerms: side.glossary.terms.length,
    bankQuestions: bank.questions.length,
    unansweredQuestions: unanswered.length,
    sentences: sentences.length,
    bookingExamples: examples.length,
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
    glossary: side.glossary,
    bank: { items: bank.questions, dense: vectorIndex(vectorsOf(groups.bank), dimensions) },
    unanswered: { items: unanswered, dense: vectorIndex(vectorsOf(groups.unanswered), dimensions) },
    sentences: { items: sentences, dense: vectorIndex(vectorsOf(groups.sentences), dimensions) },
    intents: { items: examples, dense: vectorIndex(vectorsOf(groups.examples), dimensions) },
  });
  await embedded.cache.save();
  progress({ phase: "save", done: 1, total: 1 });
  return {
    manifest,
    documents: documents.length,
    chunks: chunks.length,
    embedded: embedded.sent,
    reused: embedded.total - embedded.sent,
    skipped,
    seconds: (performance.now() - started) / 1000,
    buildDir: path.resolve(buildDir),
  };
}

/**
 * Embeds every distinct text once, taking what the cache has; returns the vectors by text.
 * Progress counts texts sent to the model.
 */
async function embedAll(
  options: BuildOptions,
  all: string[],
  progress: (p: BuildProgress) => void,
) {
  const cache = await openEmbeddingCache(options.cacheDir, options.model.modelId);
  const texts = [...new Set(all)];
  const vectors = new Map<string, number[]>();
  const missing: string[] = [];
  for (const text of texts) {
    const hit = cache.get(text);
    if (hit) vectors.set(text, hit);
    else missing.push(text);
  }
  progress({ phase: "embed", done: 0, total: missing.length });
  for (let from = 0; from < missing.length; from += EMBED_BATCH) {
    const batch = missing.slice(from, from + EMBED_BATCH);
    let result: number[][];
    try {
      result = await options.model.embeddings.embedDocuments(batch);
    } catch (cause) {
      throw new AppError("unavailable", `Embedding failed (${options.model.modelId})`, { cause });
    }
    if (result.length !== batch.length) {
      throw new AppError("internal", "The embedding model returned the wrong number of vectors");
    }
    batch.forEach((text, j) => {
      vectors.set(text, result[j] as number[]);
      cache.set(text, result[j] as number[]);
    });
    progress({
      phase: "embed",
      done: Math.min(from + EMBED_BATCH, missing.length),
      total: missing.length,
    });
  }
  const dimensions = vectors.values().next().value?.length ?? 0;
  if (dimensions === 0 || [...vectors.values()].some((v) => v.length !== dimensions)) {
    throw new AppError("internal", "The embedding model returned vectors of differing sizes");
  }
  return { vectors, cache, dimensions, sent: missing.length, total: texts.length };
}
