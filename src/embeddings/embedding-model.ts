import type { Embeddings } from "@langchain/core/embeddings";
import { OpenAIEmbeddings } from "@langchain/openai";
import type { Config } from "../config.js";
import { LocalWordEmbeddings } from "./local-embeddings.js";
import type { WordVectors } from "./word-vectors.js";

/** An `Embeddings` implementation plus the id recorded in the index manifest. */
export interface EmbeddingModel {
  /** Identifies the vectors: an index is only ever queried with the model that built it. */
  readonly modelId: string;
  readonly embeddings: Embeddings;
}

/** The configured embedding model: the offline word-vector one, or an OpenAI-compatible one. */
export function createEmbeddingModel(
  config: Pick<Config, "embeddings">,
  vectors: WordVectors,
): EmbeddingModel {
  const settings = config.embeddings;
  if (settings.provider === "local") {
    const embeddings = new LocalWordEmbeddings(vectors);
    return { modelId: embeddings.modelId, embeddings };
  }
  const embeddings = new OpenAIEmbeddings({
    model: settings.model,
    // A local OpenAI-compatible server often needs no key, but the client insists on one.
    apiKey: settings.apiKey ?? "not-needed",
    configuration: settings.baseUrl ? { baseURL: settings.baseUrl } : {},
    maxRetries: 2,
  });
  const host = settings.baseUrl ? new URL(settings.baseUrl).host : "api.openai.com";
  return { modelId: `openai:${host}:${settings.model}`, embeddings };
}
