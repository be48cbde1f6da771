import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { ChatOpenAI } from "@langchain/openai";
import type { Config } from "../../config.js";

/**
 * The OpenAI-compatible chat model (OpenAI, or a local vLLM, llama.cpp or Ollama server),
 * streaming. Retries and time limits are the answerer's, which knows whether anything was
 * already shown to the visitor.
 */
export function createChatModel(settings: NonNullable<Config["llm"]>): BaseChatModel {
  return new ChatOpenAI({
    model: settings.model,
    // A local server often needs no key, but the client refuses to start without one.
    apiKey: settings.apiKey ?? "not-needed",
    configuration: settings.baseUrl ? { baseURL: settings.baseUrl } : {},
    streaming: true,
    streamUsage: true,
    maxTokens: settings.maxTokens,
    temperature: 0.2,
    maxRetries: 0,
  });
}
