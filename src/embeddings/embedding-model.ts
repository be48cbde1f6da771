import type { Embeddings } from "@langchain/core/embeddings";
import { OpenAIEmbeddings } from "@langchain/openai";
import type { Config } from "../config.js";
import { SentenceEncoderEmbeddings } from "./sentence-encoder.js";

/** An `Embeddings` implementation plus the id recorded in the index manifest. */
export interface EmbeddingModel {
  /** Identifies the vectors: an index is only ever queried with the model that built it. */
  readonly modelId: string;
  readonly embeddings: Embeddings;
  /**
   * How telling a word is (higher: rarer), where the model knows; retrieval weighs the
   * question's words with it. Models without it get a length-based estimate.
   */
  wordRarity(word: string): number;
}

/** Rarity from word length, for models that cannot tell: "microneedling" tells more than "face". */
export const lengthRarity = (word: string) => 2 + 2.5 * word.length;

/**
 * The configured embedding model: the offline sentence encoder, or an OpenAI-compatible one.
 * Loading the sentence encoder takes about a quarter of a second.
 */
export async function loadEmbeddingModel(
  config: Pick<Config, "embeddings">,
): Promise<EmbeddingModel> {
  const settings = config.embeddings;
  if (settings.provider === "local") {
    const embeddings = await SentenceEncoderEmbeddings.load();
    return {
      modelId: embeddings.modelId,
      embeddings,
      wordRarity: (word) => embeddings.wordRarity(word),
    };
  }
  const embeddings = new OpenAIEmbeddings({
    model: settings.model,
    // A local OpenAI-compatible server often needs no key, but the client insists on one.
    apiKey: settings.apiKey ?? "not-needed",
    configuration: settings.baseUrl ? { baseURL: settings.baseUrl } : {},
    maxRetries: 2,
  });
  const host = settings.baseUrl ? new URL(settings.baseUrl).host : "api.openai.com";
  return { modelId: `openai:${host}:${settings.model}`, embeddings, wordRarity: lengthRarity };
}
