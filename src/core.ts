import path from "node:path";
import { type ClinicProfile, loadClinicProfile } from "./content/clinic.js";
import type { Config } from "./config.js";
import { createEmbeddingModel, type EmbeddingModel } from "./embeddings/embedding-model.js";
import { loadWordVectors, type WordVectors } from "./embeddings/word-vectors.js";
import { loadLexicon, type Lexicon } from "./embeddings/wordnet.js";
import { AppError } from "./errors.js";
import { buildIndex, type BuildOptions, type BuildSummary } from "./index/build-index.js";
import { loadIndex } from "./index/index-store.js";
import type { SearchIndex } from "./index/search-index.js";
import { createAnswerer, createAnswerSteps, type Answerer } from "./answer/answerer.js";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { type CircuitBreaker, createCircuitBreaker } from "./answer/llm/circuit-breaker.js";
import { createChatModel } from "./answer/llm/chat-model.js";
import { createLlmAnswerer, type LlmLog } from "./answer/llm/llm-answerer.js";
import { createRetriever, type Retriever } from "./retrieval/hybrid-retriever.js";

/** Everything that answers questions, loaded once per process. */
export interface Core {
  config: Config;
  clinic: ClinicProfile;
  vectors: WordVectors;
  lexicon: Lexicon;
  model: EmbeddingModel;
  index: SearchIndex;
  retriever: Retriever;
  answerer: Answerer;
  /** Generative mode: the chat model and its circuit breaker, kept across index swaps. */
  llm: { model: BaseChatModel; breaker: CircuitBreaker; log?: LlmLog } | undefined;
  /** Set when this load had to build the index first, and why. */
  rebuilt?: { reason: string; summary: BuildSummary };
}

/** The arguments `buildIndex` needs, from config. */
export function buildOptions(config: Config, model: EmbeddingModel): BuildOptions {
  return {
    corpusDir: config.corpusDir,
    indexDir: config.indexDir,
    cacheDir: path.join(config.dataDir, "cache", "embeddings"),
    model,
  };
}

/**
 * Loads the clinic profile, the word vectors, the embedding model and the index, and wires
 * the retriever and the answerer. With `buildIfNeeded`, a missing index, or one built with
 * another embedding model, is (re)built from the corpus first, and `rebuilt` says why.
 */
export async function loadCore(
  config: Config,
  options: {
    buildIfNeeded?: boolean;
    onBuildProgress?: BuildOptions["onProgress"];
    /** Where the generative mode reports model failures. */
    log?: LlmLog;
  } = {},
): Promise<Core> {
  const [clinic, vectors, lexicon] = await Promise.all([
    loadClinicProfile(config.clinicProfilePath),
    loadWordVectors(config.vectorsCacheDir),
    loadLexicon(config.vectorsCacheDir),
  ]);
  const model = createEmbeddingModel(config, vectors);
  let index: SearchIndex;
  let rebuilt: Core["rebuilt"];
  try {
    index = await loadIndex(config.indexDir, { expectModel: model.modelId, ef: config.hnswEf });
  } catch (error) {
    const rebuildable =
      error instanceof AppError &&
      (error.code === "index_missing" || error.code === "index_mismatch");
    if (!options.buildIfNeeded || !rebuildable) throw error;
    const summary = await buildIndex({
      ...buildOptions(config, model),
      ...(options.onBuildProgress ? { onProgress: options.onBuildProgress } : {}),
    });
    rebuilt = { reason: error.message, summary };
    index = await loadIndex(config.indexDir, { expectModel: model.modelId, ef: config.hnswEf });
  }
  const llm = config.llm
    ? {
        model: createChatModel(config.llm),
        breaker: createCircuitBreaker({
          onOpen: (failures) =>
            options.log?.warn(
              { failures },
              "the model keeps failing: answering extractively for 30 s",
            ),
          onClose: () => options.log?.info({}, "the model answers again"),
        }),
        ...(options.log ? { log: options.log } : {}),
      }
    : undefined;
  const core = assemble({ config, clinic, vectors, lexicon, model, index, llm });
  return rebuilt ? { ...core, rebuilt } : core;
}

type CoreParts = Pick<
  Core,
  "config" | "clinic" | "vectors" | "lexicon" | "model" | "index" | "llm"
>;

/** Wires the retriever and the answerer over an index. */
function assemble(parts: CoreParts): Core {
  const { config, clinic, index, model, vectors, lexicon, llm } = parts;
  const retriever = createRetriever({ index, model, vectors, lexicon });
  const answererDeps = {
    retriever,
    clinic,
    ...(config.bookingUrl ? { bookingUrl: config.bookingUrl } : {}),
  };
  const answerer =
    config.llm && llm
      ? createLlmAnswerer({
          steps: createAnswerSteps(answererDeps),
          model: llm.model,
          aligner: retriever.aligner,
          clinicName: clinic.name,
          timeoutMs: config.llm.timeoutMs,
          breaker: llm.breaker,
          ...(llm.log ? { log: llm.log } : {}),
        })
      : createAnswerer(answererDeps);
  return { ...parts, retriever, answerer };
}

/**
 * The same core over a newly built index: vectors, embedding model, chat model and circuit
 * breaker are kept, retrieval and answering are wired anew. The caller swaps the returned
 * core in with one assignment, so every question is answered wholly from one index.
 */
export function withIndex(core: Core, index: SearchIndex): Core {
  return assemble({ ...core, index });
}
