import type { HierarchicalNSW } from "hnswlib-node";
import type MiniSearch from "minisearch";
import { z } from "zod";
import type { Chunk, SourceDocument } from "../content/types.js";
import type { LexicalDocument } from "./lexical.js";
import type { Glossary } from "../content/glossary.js";
import type { Unit } from "../content/sentence-units.js";

/**
 * 2: the question bank, sentence vectors and booking examples joined the passages.
 * 3: the questions the articles do not answer.
 */
export const INDEX_FORMAT_VERSION = 3;

export const manifestSchema = z.object({
  formatVersion: z.literal(INDEX_FORMAT_VERSION),
  buildId: z.string(),
  embeddingModel: z.string(),
  dimensions: z.number().int().positive(),
  documents: z.number().int().nonnegative(),
  chunks: z.number().int().nonnegative(),
  /**
   * sha256 over every document's id and content hash, the glossary, the question bank and
   * the booking examples: equal hashes, equal content.
   */
  corpusHash: z.string(),
  /** Entries of the clinic's glossary built into the index. */
  glossaryTerms: z.number().int().nonnegative(),
  /** Question-bank questions built into the index (those whose section exists). */
  bankQuestions: z.number().int().nonnegative(),
  /** Questions the articles do not answer (from the question bank). */
  unansweredQuestions: z.number().int().nonnegative(),
  /** Quotable sentences (or lists with their lead-in) of all passages. */
  sentences: z.number().int().nonnegative(),
  bookingExamples: z.number().int().nonnegative(),
  builtAt: z.string(),
  chunkChars: z.number().int().positive(),
  hnsw: z.object({
    space: z.literal("cosine"),
    m: z.number().int(),
    efConstruction: z.number().int(),
  }),
});

/** What a saved index says about itself (`manifest.json`). */
export type IndexManifest = z.infer<typeof manifestSchema>;

/** A question of the bank, and the passages (rows) of the section it belongs to. */
export const bankQuestionSchema = z.object({
  text: z.string(),
  docId: z.string(),
  heading: z.string(),
  rows: z.array(z.number().int().nonnegative()).min(1),
});
export type BankQuestion = z.infer<typeof bankQuestionSchema>;

/** A question the articles do not answer. */
export const unansweredQuestionSchema = z.object({ text: z.string() });
export type UnansweredQuestion = z.infer<typeof unansweredQuestionSchema>;

/** A quotable unit of passage `row`. */
export const sentenceSchema = z.object({
  row: z.number().int().nonnegative(),
  lines: z.array(z.string()).min(1),
  order: z.number().int().nonnegative(),
});
export type IndexedSentence = z.infer<typeof sentenceSchema> & Unit;

/** An example message, and whether it asks for a booking. */
export const intentExampleSchema = z.object({ text: z.string(), booking: z.boolean() });
export type IntentExample = z.infer<typeof intentExampleSchema>;

/** Items with one vector each: item `i` is label `i` of the hnswlib index. */
export interface VectorSet<T> {
  items: T[];
  dense: HierarchicalNSW;
}

/**
 * A loaded index: the passages, the documents they came from (for article pages), the
 * hnswlib vector index and the BM25 index over the passages (row `i` of both is `chunks[i]`),
 * and the vectors of the question bank, of every quotable sentence and of the booking
 * examples.
 */
export interface SearchIndex {
  manifest: IndexManifest;
  documents: SourceDocument[];
  chunks: Chunk[];
  dense: HierarchicalNSW;
  lexical: MiniSearch<LexicalDocument>;
  /** The clinic's lay-term glossary, as it was when the index was built. */
  glossary: Glossary;
  bank: VectorSet<BankQuestion>;
  unanswered: VectorSet<UnansweredQuestion>;
  sentences: VectorSet<IndexedSentence>;
  intents: VectorSet<IntentExample>;
}

/** The text embedded for a passage: its place in the document helps it match questions. */
export function embeddingText(chunk: Chunk): string {
  return [chunk.title, ...chunk.headingPath.slice(1), chunk.text].join("\n");
}
