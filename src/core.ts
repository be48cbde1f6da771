import { type ClinicProfile, loadClinicProfile } from "./content/clinic.js";
import type { Config } from "./config.js";
import { type EmbeddingModel, loadEmbeddingModel } from "./embeddings/embedding-model.js";
import { AppError } from "./errors.js";
import { buildIndex, type BuildOptions, type BuildSummary } from "./index/build-index.js";
import { loadIndex } from "./index/index-store.js";
import type { SearchIndex } from "./index/search-index.js";
import { createAnswerer, createAnswerSteps, type Answerer } from "./answer/answerer.js";
import { citationFor } from "./answer/extractive.js";
import { urgentCarePassage } from "./content/clinic-page.js";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { type CircuitBreaker, createCircuitBreaker } from "./answer/llm/circuit-breaker.js";
import { createChatModel } from "./answer/llm/chat-model.js";
import { createLlmAnswerer, type LlmLog } from "./answer/llm/llm-answerer.js";
import { type DecisionModel, loadDecisionModel } from "./retrieval/decision.js";
import { createHybridRetriever } from "./retrieval/hybrid-retriever.js";
import { createAlignmentFeature, usesAlignment } from "./retrieval/alignment-feature.js";
import { loadWordVectors, type WordVectors } from "./embeddings/word-vectors.js";
import { type Lexicon, loadLexicon } from "./embeddings/wordnet.js";
import type { Retriever } from "./retrieval/retriever.js";

/** Everything that answers questions, loaded once per process. */
export interface Core {
  config: Config;
  clinic: ClinicProfile;
  model: EmbeddingModel;
  /** The fitted answer decision (src/retrieval/answer-decision.json). */
  decision: DecisionModel;
  /** Word vectors and WordNet, loaded only when the decision weighs word alignment. */
  words: { vectors: WordVectors; lexicon: Lexicon } | undefined;
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
    clinicProfilePath: config.clinicProfilePath,
    indexDir: config.indexDir,
    cacheDir: config.embeddingCacheDir,
    model,
  };
}

/**
 * Loads the clinic profile, the embedding model, the answer decision and the index, and wires
 * the retriever and the answerer. With `buildIfNeeded`, a missing index, or one built with
 * another embedding model, is (re)built from the corpus first, and `rebuilt` says why.
 */
export async function loadCore(
  config: Config,
  options: {
    buildIfNeeded?: boolean;
    onBuildProgress?: BuildOptions["onProgress"];
    /** Where the generative mode reports model failures, and loading its warnings. */
    log?: LlmLog;
    /** Another answer decision than the shipped one (the fit script and the bench). */
    decision?: DecisionModel;
    /** Compute word alignment even if the decision does not weigh it (to fit one that does). */
    alignment?: boolean;
  } = {},
): Promise<Core> {
  const [clinic, model] = await Promise.all([
    loadClinicProfile(config.clinicProfilePath),
    loadEmbeddingModel(config),
  ]);
  const decision = options.decision ?? loadDecisionModel();
  if (decision.embeddingModel !== model.modelId) {
    // Its similarities mean something else with another model: answers get worse, not wrong
    // in kind, so this is a warning rather than a refusal to start.
    options.log?.warn(
      { fittedOn: decision.embeddingModel, configured: model.modelId },
      "the answer decision was fitted with another embedding model; run `npm run fit`",
    );
  }
  const words =
    options.alignment || usesAlignment(decision)
      ? {
          vectors: await loadWordVectors(config.vectorsCacheDir),
          lexicon: await loadLexicon(config.vectorsCacheDir),
        }
      : undefined;
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
  const core = assemble({ config, clinic, model, decision, words, index, llm });
  return rebuilt ? { ...core, rebuilt } : core;
}

type CoreParts = Pick<Core, "config" | "clinic" | "model" | "decision" | "words" | "index" | "llm">;

/** Wires the retriever and the answerer over an index. */
function assemble(parts: CoreParts): Core {
  const { config, clinic, index, model, decision, words, llm } = parts;
  const retriever = createHybridRetriever({
    index,
    model,
    decision,
    ...(words
      ? { extraFeatures: createAlignmentFeature(index, words.vectors, words.lexicon) }
      : {}),
  });
  const urgent = urgentCarePassage(index.chunks);
  const answererDeps = {
    retriever,
    clinic,
    decision,
    ...(config.bookingUrl ? { bookingUrl: config.bookingUrl } : {}),
    ...(urgent
      ? { urgentSource: { text: urgent.text, citation: citationFor(urgent.chunk, 1) } }
      : {}),
  };
  const answerer =
    config.llm && llm
      ? createLlmAnswerer({
          steps: createAnswerSteps(answererDeps),
          model: llm.model,
          embeddings: model.embeddings,
          wordRarity: (word) => model.wordRarity(word),
          clinicName: clinic.name,
          timeoutMs: config.llm.timeoutMs,
          breaker: llm.breaker,
          ...(llm.log ? { log: llm.log } : {}),
        })
      : createAnswerer(answererDeps);
  return { ...parts, retriever, answerer };
}

/**
 * The same core over a newly built index: embedding model, decision, chat model and circuit
 * breaker are kept, retrieval and answering are wired anew, with the clinic profile the index
 * was built from when it is given (its contact page and the contact details in replies then
 * agree). The caller swaps the returned core in with one assignment, so every question is
 * answered wholly from one index.
 */
export function withIndex(core: Core, index: SearchIndex, clinic?: ClinicProfile): Core {
  return assemble({ ...core, index, ...(clinic ? { clinic } : {}) });
}
