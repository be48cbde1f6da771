import { Embeddings, type EmbeddingsParams } from "@langchain/core/embeddings";
import { contentWords, stem } from "./text.js";
import type { WordVectors } from "./word-vectors.js";

/** Bump when the algorithm changes: the id is stored in the index manifest. */
const ALGORITHM_VERSION = 1;

/**
 * How telling a word is, from its frequency rank in the word-vector vocabulary (most frequent
 * first): "the" weighs almost nothing, "collagen" a lot, an unknown word the most.
 */
export function rarityWeight(vectors: WordVectors, row: number): number {
  const rank = row < 0 ? vectors.size : row;
  return Math.log1p((rank + 1) / 100);
}

/** A deterministic pseudo-random unit vector for a word the vocabulary lacks (FNV-1a seeded). */
function unknownWordVector(word: string, dimensions: number): Float32Array {
  let h = 0x811c9dc5;
  for (let i = 0; i < word.length; i++) {
    h ^= word.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  const out = new Float32Array(dimensions);
  let norm = 0;
  for (let i = 0; i < dimensions; i++) {
    // xorshift32: cheap, and the same on every machine.
    h ^= h << 13;
    h >>>= 0;
    h ^= h >>> 17;
    h ^= h << 5;
    h >>>= 0;
    const v = h / 0xffffffff - 0.5;
    out[i] = v;
    norm += v * v;
  }
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < dimensions; i++) out[i] = (out[i] as number) / norm;
  return out;
}

/**
 * Offline embeddings behind LangChain's `Embeddings` interface: the rarity-weighted mean of
 * the unit word vectors of a text's content words. Words missing from the vocabulary (such
 * as "microneedling") get a stable random vector of their stem, so they still match
 * themselves exactly. No network, no key, deterministic.
 */
export class LocalWordEmbeddings extends Embeddings {
  readonly modelId: string;
  readonly dimensions: number;
  private readonly vectors: WordVectors;

  constructor(vectors: WordVectors, params: EmbeddingsParams = {}) {
    super(params);
    this.vectors = vectors;
    this.dimensions = vectors.dimensions;
    this.modelId = `local:${vectors.id}:v${ALGORITHM_VERSION}`;
  }

  /** Synchronous core, used by both LangChain methods and by hot paths that cannot await. */
  embedSync(text: string): number[] {
    const d = this.dimensions;
    const sum = new Float64Array(d);
    for (const word of contentWords(text)) {
      const row = this.vectors.lookup(word);
      const weight = rarityWeight(this.vectors, row);
      const v = row >= 0 ? this.vectors.vector(row) : unknownWordVector(stem(word), d);
      for (let i = 0; i < d; i++) sum[i] = (sum[i] as number) + weight * (v[i] as number);
    }
    let norm = 0;
    for (let i = 0; i < d; i++) norm += (sum[i] as number) ** 2;
    norm = Math.sqrt(norm);
    const out = new Array<number>(d);
    // An empty text gets the zero vector; cosine search then ranks it last.
    for (let i = 0; i < d; i++) out[i] = norm > 0 ? (sum[i] as number) / norm : 0;
    return out;
  }

  override async embedDocuments(documents: string[]): Promise<number[][]> {
    return documents.map((text) => this.embedSync(text));
  }

  override async embedQuery(document: string): Promise<number[]> {
    return this.embedSync(document);
  }
}
