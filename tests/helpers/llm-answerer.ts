import { createAnswerSteps, type Answerer } from "../../src/answer/answerer.js";
import { createChatModel } from "../../src/answer/llm/chat-model.js";
import { createCircuitBreaker } from "../../src/answer/llm/circuit-breaker.js";
import { createLlmAnswerer, type LlmAnswererDeps } from "../../src/answer/llm/llm-answerer.js";
import type { Core } from "../../src/core.js";

/**
 * The generative answerer over a core's retrieval, talking to an OpenAI-compatible server
 * at `baseUrl` (the fake in tests/fakes) through the real @langchain/openai client.
 */
export function llmAnswererFor(
  core: Core,
  baseUrl: string,
  options: Partial<Pick<LlmAnswererDeps, "breaker" | "timeoutMs" | "retryBaseMs" | "log">> = {},
): Answerer {
  const timeoutMs = options.timeoutMs ?? 2000;
  return createLlmAnswerer({
    steps: createAnswerSteps({
      retriever: core.retriever,
      clinic: core.clinic,
      decision: core.decision,
    }),
    model: createChatModel({
      model: "fake-model",
      apiKey: undefined,
      baseUrl,
      timeoutMs,
      maxTokens: 400,
    }),
    embeddings: core.model.embeddings,
    wordRarity: (word) => core.model.wordRarity(word),
    clinicName: core.clinic.name,
    breaker: options.breaker ?? createCircuitBreaker({ failureThreshold: 100 }),
    timeoutMs,
    ...(options.retryBaseMs !== undefined ? { retryBaseMs: options.retryBaseMs } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
}
