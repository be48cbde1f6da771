/**
 * A test double for embedding models: deterministic, instant, no model files. Each content
 * word (stemmed) adds a pseudo-random unit vector of its own, so texts that share words are
 * similar and others are nearly orthogonal: enough to test indexing, retrieval wiring and
 * answer composition on small fixture corpora without loading the sentence encoder.
 */
import { Embeddings } from "@langchain/core/embeddings";
import { contentWords, stem, tokenize } from "./text.js";

export class FakeWordEmbeddings extends Embeddings {
  readonly modelId: string;
  constructor(
    readonly dimensions = 64,
    /** Texts embedded so far, for tests that check what was (not) sent to the model. */
    readonly calls: string[][] = [],
  ) {
    super({});
    this.modelId = `fake:words-${dimensions}`;
  }

  embedSync(text: string): number[] {
    const sum = new Array<number>(this.dimensions).fill(0);
    // Only stop words ("where r u") still mean something: embed them rather than nothing.
    const content = contentWords(text);
    for (const word of content.length > 0 ? content : tokenize(text)) {
      const v = wordVector(stem(word), this.dimensions);
      for (let i = 0; i < this.dimensions; i++) sum[i] = (sum[i] as number) + (v[i] as number);
    }
    const norm = Math.hypot(...sum);
    return sum.map((x) => (norm > 0 ? x / norm : 0));
  }

  override async embedDocuments(texts: string[]): Promise<number[][]> {
    this.calls.push(texts);
    return texts.map((t) => this.embedSync(t));
  }

  override async embedQuery(text: string): Promise<number[]> {
    return this.embedSync(text);
  }

  /** Rarity as the sentence encoder reports it, from word length: longer words tell more. */
  wordRarity(word: string): number {
    return 2 + 3 * word.length;
  }
}

/** A stable pseudo-random unit vector per word (FNV-1a seed, xorshift32). */
function wordVector(word: string, dimensions: number): number[] {
  let h = 0x811c9dc5;
  for (let i = 0; i < word.length; i++) {
    h ^= word.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  const out: number[] = [];
  for (let i = 0; i < dimensions; i++) {
    h ^= h << 13;
    h >>>= 0;
    h ^= h >>> 17;
    h ^= h << 5;
    h >>>= 0;
    out.push(h / 0xffffffff - 0.5);
  }
  const norm = Math.hypot(...out);
  return out.map((x) => x / norm);
}
