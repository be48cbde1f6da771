import { randomBytes } from "node:crypto";
import type { Answerer } from "../answer/answerer.js";
import type { ChatReply } from "../answer/types.js";
import type { TranscriptRepository } from "../store/transcripts.js";
import type { ChatDone } from "./events.js";

/** A server-issued, unguessable session id: 128 random bits, base64url. */
export function newSessionId(): string {
  return randomBytes(16).toString("base64url");
}

/** A message id: 96 random bits, base64url. */
export function newMessageId(): string {
  return randomBytes(12).toString("base64url");
}

export interface ChatServiceDeps {
  /** The answerer in service now (an admin re-index swaps it). */
  answerer: () => Answerer;
  transcripts: TranscriptRepository;
  now?: () => Date;
}

/** One visitor message on its way to an answer. */
export interface ChatTurn {
  sessionId: string;
  /** The id of the bot reply that `run` produces. */
  messageId: string;
  /**
   * Answers, calling `onDelta` with each piece as it comes, stores the exchange (the visitor
   * message and the reply, in one transaction) and resolves to the full reply.
   */
  run(onDelta?: (delta: string) => void): Promise<ChatDone>;
}

export interface ChatService {
  /** Validated input only: the edges check message and session id formats. */
  start(input: { message: string; sessionId?: string | undefined }): ChatTurn;
  history(sessionId: string): ReturnType<TranscriptRepository["getConversation"]>;
}

/**
 * The one path from a visitor message to a stored, answered exchange, shared by the HTTP
 * route and the socket handler. An unknown session id starts a new conversation with a
 * new id, so ids are only ever issued by the server.
 */
export function createChatService(deps: ChatServiceDeps): ChatService {
  const now = deps.now ?? (() => new Date());
  return {
    start({ message, sessionId }) {
      // A stored conversation always has messages: no history means an unknown session.
      const history = sessionId === undefined ? [] : deps.transcripts.history(sessionId);
      const known = history.length > 0;
      const id = known ? (sessionId as string) : newSessionId();
      const messageId = newMessageId();
      const visitorAt = now();
      return {
        sessionId: id,
        messageId,
        async run(onDelta) {
          const started = performance.now();
          let reply: ChatReply | undefined;
          for await (const item of deps.answerer().streamAnswer({ message, history })) {
            if ("delta" in item) onDelta?.(item.delta);
            else reply = item;
          }
          if (!reply) throw new Error("the answerer finished without a reply");
          deps.transcripts.appendExchange({
            conversationId: id,
            continues: known,
            visitor: { id: newMessageId(), text: message, createdAt: visitorAt.toISOString() },
            bot: {
              id: messageId,
              reply,
              latencyMs: Math.round(performance.now() - started),
              createdAt: now().toISOString(),
            },
          });
          return { ...reply, sessionId: id, messageId };
        },
      };
    },
    history: (sessionId) => deps.transcripts.getConversation(sessionId),
  };
}
