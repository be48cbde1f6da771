import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, type BaseMessage, HumanMessage } from "@langchain/core/messages";
import { StringOutputParser } from "@langchain/core/output_parsers";
import type { Embeddings } from "@langchain/core/embeddings";
import type { Evidence } from "../../retrieval/retriever.js";
import { type Answerer, type AnswerSteps, judgementOf, toDeltas } from "../answerer.js";
import { citationFor } from "../extractive.js";
import type { AnswerDelta, AnswerInput, ChatReply, Citation, HistoryTurn } from "../types.js";
import type { CircuitBreaker } from "./circuit-breaker.js";
import { answerPrompt, formatPassages, rewritePrompt } from "./prompts.js";
import { SentenceStream } from "./sentence-stream.js";
import { createSentenceVerifier } from "./verifier.js";

/** Where the generative mode reports what operators need to know (a pino logger fits). */
export interface LlmLog {
  warn(details: object, message: string): void;
  info(details: object, message: string): void;
}

export interface LlmAnswererDeps {
  steps: AnswerSteps;
  model: BaseChatModel;
  /** Embeds generated sentences to check their support in the passages they cite. */
  embeddings: Embeddings;
  /** How rare a word is: a rare word the cited passage lacks makes a sentence unsupported. */
  wordRarity?: (word: string) => number;
  clinicName: string;
  breaker: CircuitBreaker;
  /** One attempt, from request to last token. */
  timeoutMs: number;
  /** Retries of a failed attempt that sent nothing yet (default 2). */
  maxRetries?: number;
  /** First retry delay; doubled each time (default 250 ms). */
  retryBaseMs?: number;
  log?: LlmLog;
}

/** The last turns passed to the model, oldest first. */
const HISTORY_TURNS = 6;

function historyMessages(history: HistoryTurn[]): BaseMessage[] {
  return history
    .slice(-HISTORY_TURNS)
    .map((t) => (t.role === "visitor" ? new HumanMessage(t.text) : new AIMessage(t.text)));
}

/** Errors worth another attempt: rate limits, server errors, dropped or refused connections. */
function retryable(error: unknown): boolean {
  const status = (error as { status?: unknown }).status;
  if (typeof status === "number") return status === 429 || status >= 500;
  const name = (error as { name?: unknown }).name;
  // A timeout (our own abort) is not retried: it already used the visitor's patience.
  return name !== "AbortError" && name !== "TimeoutError";
}

function describe(error: unknown): string {
  const status = (error as { status?: unknown }).status;
  const message = error instanceof Error ? error.message : String(error);
  return typeof status === "number" ? `${status} ${message}` : message;
}

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => (typeof part === "object" && part && "text" in part ? String(part.text) : ""))
      .join("");
  }
  return "";
}

/**
 * The generative answerer. The same intents, guardrails and retrieval as the extractive
 * mode run first; only a question the articles answer reaches the model. Its answer is
 * streamed sentence by sentence, and each sentence is shown only once verified: every `[n]`
 * must name a passage that was given, and the sentence must be supported by what it cites.
 * Anything else is dropped; if nothing is left, or the model fails, times out or keeps
 * failing (circuit breaker), the visitor gets the extractive answer instead.
 */
export function createLlmAnswerer(deps: LlmAnswererDeps): Answerer {
  const maxRetries = deps.maxRetries ?? 2;
  const retryBaseMs = deps.retryBaseMs ?? 250;
  const answerChain = answerPrompt.pipe(deps.model);
  const rewriteChain = rewritePrompt.pipe(deps.model).pipe(new StringOutputParser());

  /** A signal that aborts one model attempt after `timeoutMs`; `clear` when it is over. */
  function attemptSignal(): { signal: AbortSignal; clear: () => void } {
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new DOMException("timed out", "TimeoutError")),
      deps.timeoutMs,
    );
    return { signal: controller.signal, clear: () => clearTimeout(timer) };
  }

  /** The follow-up as a standalone question, by the model; undefined if it cannot. */
  async function rewrite(question: string, history: HistoryTurn[]): Promise<string | undefined> {
    if (!deps.breaker.allow()) return undefined;
    try {
      // Streamed and joined rather than invoked: LangChain's invoke path estimates token
      // counts with a tokenizer it downloads, which hangs on a machine without internet.
      const limit = attemptSignal();
      let text = "";
      try {
        const stream = await rewriteChain.stream(
          { history: historyMessages(history), question },
          { signal: limit.signal },
        );
        for await (const piece of stream) text += piece;
      } finally {
        limit.clear();
      }
      deps.breaker.success();
      const standalone = text.trim().split("\n")[0]?.trim();
      return standalone && standalone.length <= 500 ? standalone : undefined;
    } catch (error) {
      deps.breaker.failure();
      deps.log?.warn(
        { err: describe(error) },
        "follow-up rewrite failed; using the conversation's words",
      );
      return undefined;
    }
  }

  /**
   * What the visitor gets when the model fails or every sentence is dropped: the extractive
   * answer, or for evidence the decision was unsure of, the honest "couldn't find that".
   */
  function fallback(evidence: Evidence[], dropped: number): ChatReply {
    const reply =
      judgementOf(evidence) === "answer" ? deps.steps.extractive(evidence) : deps.steps.noAnswer();
    return { ...reply, source: "fallback", verified: { kept: 0, dropped } };
  }

  async function* generate(
    question: string,
    history: HistoryTurn[],
    evidence: Evidence[],
  ): AsyncGenerator<AnswerDelta | ChatReply, void, undefined> {
    if (!deps.breaker.allow()) {
      yield* replay(fallback(evidence, 0));
      return;
    }
    const passages = deps.steps.modelPassages(evidence);
    const input = {
      clinicName: deps.clinicName,
      passages: formatPassages(passages),
      history: historyMessages(history),
      question,
    };
    let answer = "";
    let kept = 0;
    let dropped = 0;
    const numbering = new Map<number, number>();
    const citations: Citation[] = [];
    let usage: ChatReply["usage"];

    for (let attempt = 0; ; attempt++) {
      const verifier = createSentenceVerifier(
        deps.embeddings,
        passages,
        deps.wordRarity ? { rarity: deps.wordRarity } : {},
      );
      const sentences = new SentenceStream();
      const emit = async (sentence: string): Promise<string | undefined> => {
        const verdict = await verifier.check(sentence);
        if (!verdict.ok) {
          dropped += 1;
          return undefined;
        }
        kept += 1;
        const markers = verdict.cited
          .map((given) => {
            let n = numbering.get(given);
            if (n === undefined) {
              n = citations.length + 1;
              numbering.set(given, n);
              const chunk = (passages[given - 1] as (typeof passages)[number]).chunk;
              citations.push(citationFor(chunk, n));
            }
            return `[${n}]`;
          })
          .join("");
        const piece = `${answer ? " " : ""}${verdict.text} ${markers}`;
        answer += piece;
        return piece;
      };

      const limit = attemptSignal();
      let failure: unknown;
      try {
        const stream = await answerChain.stream(input, { signal: limit.signal });
        for await (const chunk of stream) {
          const meta = (
            chunk as { usage_metadata?: { input_tokens?: number; output_tokens?: number } }
          ).usage_metadata;
          if (meta?.input_tokens !== undefined || meta?.output_tokens !== undefined) {
            usage = { inputTokens: meta.input_tokens ?? 0, outputTokens: meta.output_tokens ?? 0 };
          }
          for (const sentence of sentences.push(textOf(chunk.content))) {
            const piece = await emit(sentence);
            if (piece) yield { delta: piece };
          }
        }
        for (const sentence of sentences.end()) {
          const piece = await emit(sentence);
          if (piece) yield { delta: piece };
        }
      } catch (error) {
        failure = error;
      } finally {
        limit.clear();
      }

      if (failure === undefined) {
        deps.breaker.success();
        break;
      }
      deps.breaker.failure();
      deps.log?.warn({ attempt: attempt + 1, err: describe(failure) }, "model call failed");
      // Once a sentence was shown, the answer stands on what was verified so far.
      if (kept > 0) break;
      if (attempt < maxRetries && retryable(failure) && deps.breaker.allow()) {
        dropped = 0;
        await new Promise((resolve) => setTimeout(resolve, retryBaseMs * 2 ** attempt));
        continue;
      }
      yield* replay(fallback(evidence, dropped));
      return;
    }

    if (kept === 0) {
      yield* replay(fallback(evidence, dropped));
      return;
    }
    yield {
      kind: "answer",
      answer,
      citations,
      grounded: true,
      handoff: null,
      source: "llm",
      verified: { kept, dropped },
      ...(usage ? { usage } : {}),
    };
  }

  async function* replay(
    reply: ChatReply,
  ): AsyncGenerator<AnswerDelta | ChatReply, void, undefined> {
    for (const delta of toDeltas(reply.answer)) yield { delta };
    yield reply;
  }

  async function* streamAnswer(
    input: AnswerInput,
  ): AsyncGenerator<AnswerDelta | ChatReply, void, undefined> {
    const history = input.history ?? [];
    const classified = await deps.steps.classify(input.message, history);
    if (classified.kind === "reply") {
      yield* replay(classified.reply);
      return;
    }
    const { question, context } = classified;
    // A follow-up is rewritten by the model; if that fails, the earlier question's words help.
    const standalone = context ? await rewrite(question, history) : undefined;
    // The rewrite is model output: it goes through the same intents and guardrails.
    if (standalone) {
      const again = await deps.steps.classify(standalone);
      if (again.kind === "reply") {
        yield* replay(again.reply);
        return;
      }
    }
    const evidence = standalone
      ? await deps.steps.findEvidence(standalone)
      : await deps.steps.findEvidence(question, context);
    // A question the decision is unsure of goes to the model too, which may answer it with
    // verified citations or say the articles don't cover it; the offline mode refuses it.
    const judgement = judgementOf(evidence);
    if (judgement === "none") {
      yield* replay(deps.steps.noAnswer(classified));
      return;
    }
    if (classified.personal) {
      // A visitor's own skin concern: the extractive rules decide, no model judgement.
      yield* replay(
        judgement === "answer"
          ? deps.steps.extractive(evidence, classified)
          : deps.steps.noAnswer(classified),
      );
      return;
    }
    yield* generate(question, history, evidence);
  }

  async function answerQuestion(input: AnswerInput): Promise<ChatReply> {
    let final: ChatReply | undefined;
    for await (const item of streamAnswer(input)) if (!("delta" in item)) final = item;
    return final as ChatReply;
  }

  return { answerQuestion, streamAnswer };
}
