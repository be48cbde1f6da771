import type { HierarchicalNSW } from "hnswlib-node";
import type MiniSearch from "minisearch";
import { z } from "zod";
import type { Chunk, SourceDocument } from "../content/types.js";
import type { LexicalDocument } from "./lexical.js";
import type { Glossary } from "../content/glossary.js";

export const INDEX_FORMAT_VERSION = 1;

export const manifestSchema = z.object({
  formatVersion: z.literal(INDEX_FORMAT_VERSION),
  buildId: z.string(),
  embeddingModel: z.string(),
  dimensions: z.number().int().positive(),
  documents: z.number().int().nonnegative(),
  chunks: z.number().int().nonnegative(),
  /** sha256 over every document's id and content hash, and the glossary: equal hashes, equal corpus. */
  corpusHash: z.string(),
  /** Entries of the clinic's glossary built into the index (0 for indexes built before it). */
  glossaryTerms: z.number().int().nonnegative().default(0),
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

/**
 * A loaded index: the passages, the documents they came from (for article pages), the
 * hnswlib vector index and the BM25 index. Row `i` of both indexes is `chunks[i]`.
 */
export interface SearchIndex {
  manifest: IndexManifest;
  documents: SourceDocument[];
  chunks: Chunk[];
  dense: HierarchicalNSW;
  lexical: MiniSearch<LexicalDocument>;
  /** The clinic's lay-term glossary, as it was when the index was built. */
  glossary: Glossary;
}

/** The text embedded for a passage: its place in the document helps it match questions. */
export function embeddingText(chunk: Chunk): string {
  return [chunk.title, ...chunk.headingPath.slice(1), chunk.text].join("\n");
}
