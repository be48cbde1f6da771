import { randomBytes } from "node:crypto";
import type { Answerer } from "../answer/answerer.js";
import type { ChatReply } from "../answer/types.js";
import { AppError } from "../errors.js";
import type { StoredExchange, TranscriptRepository } from "../store/transcripts.js";
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
  /** The client-chosen id the message came with, if any. */
  clientMessageId?: string;
  /**
   * Answers, calling `onDelta` with each piece as it comes, stores the exchange (the visitor
   * message and the reply, in one transaction) and resolves to the full reply. For a message
   * already answered (a repeated `clientMessageId`), resolves to the stored reply (one piece);
   * for one being answered right now, follows that answer.
   */
  run(onDelta?: (delta: string) => void): Promise<ChatDone>;
}

export interface ChatInput {
  message: string;
  sessionId?: string | undefined;
  clientMessageId?: string | undefined;
}

export interface ChatService {
  /** Validated input only: the edges check message, session and client message id formats. */
  start(input: ChatInput): ChatTurn;
  history(sessionId: string): ReturnType<TranscriptRepository["getConversation"]>;
}

/** A message with a client id being answered in this process, for repeats to follow. */
interface Answering {
  sessionId: string;
  messageId: string;
  /** The pieces so far, for a repeat that joins midway. */
  text: string;
  listeners: Set<(delta: string) => void>;
  done: Promise<ChatDone>;
}

/** The reply of a stored exchange, as `chat:done` gives it. */
function storedReply(
  sessionId: string,
  clientMessageId: string,
  bot: StoredExchange["bot"],
): ChatDone {
  return {
    kind: bot.kind ?? "answer",
    answer: bot.text,
    citations: bot.citations,
    grounded: bot.grounded ?? false,
    handoff: bot.handoff,
    source: (bot.source ?? "extractive") as ChatReply["source"],
    ...(bot.verified ? { verified: bot.verified } : {}),
    ...(bot.usage ? { usage: bot.usage } : {}),
    sessionId,
    messageId: bot.id,
    clientMessageId,
  };
}

/**
 * The one path from a visitor message to a stored, answered exchange, shared by the HTTP
 * route and the socket handler. An unknown session id starts a new conversation with a
 * new id, so ids are only ever issued by the server.
 *
 * A message sent again with the same `clientMessageId` in the same session is the same
 * message: answered once and stored once. Already stored, its reply is replayed; being
 * answered in this process, the repeat follows that answer; stored meanwhile by another
 * instance (the unique index of migration 7 refuses the second copy), the stored reply wins.
 */
export function createChatService(deps: ChatServiceDeps): ChatService {
  const now = deps.now ?? (() => new Date());
  const answering = new Map<string, Answering>();
  const key = (sessionId: string, clientMessageId: string) => `${sessionId} ${clientMessageId}`;

  function follow(same: Answering, clientMessageId: string): ChatTurn {
    return {
      sessionId: same.sessionId,
      messageId: same.messageId,
      clientMessageId,
      async run(onDelta) {
        if (!onDelta) return same.done;
        if (same.text) onDelta(same.text);
        same.listeners.add(onDelta);
        try {
          return await same.done;
        } finally {
          same.listeners.delete(onDelta);
        }
      },
    };
  }

  function replay(sessionId: string, clientMessageId: string, stored: StoredExchange): ChatTurn {
    const done = storedReply(sessionId, clientMessageId, stored.bot);
    return {
      sessionId,
      messageId: stored.bot.id,
      clientMessageId,
      async run(onDelta) {
        if (done.answer) onDelta?.(done.answer);
        return done;
      },
    };
  }

  return {
    start({ message, sessionId, clientMessageId }) {
      if (clientMessageId !== undefined && sessionId !== undefined) {
        const same = answering.get(key(sessionId, clientMessageId));
        if (same) return follow(same, clientMessageId);
        const stored = deps.transcripts.findExchange(sessionId, clientMessageId);
        if (stored) return replay(sessionId, clientMessageId, stored);
      }
      // A stored conversation always has messages: no history means an unknown session.
      const history = sessionId === undefined ? [] : deps.transcripts.history(sessionId);
      const known = history.length > 0;
      const id = known ? (sessionId as string) : newSessionId();
      const messageId = newMessageId();
      const visitorAt = now();
      const echo = clientMessageId === undefined ? {} : { clientMessageId };

      const answer = async (emit: (delta: string) => void): Promise<ChatDone> => {
        const started = performance.now();
        let reply: ChatReply | undefined;
        for await (const item of deps.answerer().streamAnswer({ message, history })) {
          if ("delta" in item) emit(item.delta);
          else reply = item;
        }
        if (!reply) throw new Error("the answerer finished without a reply");
        try {
          deps.transcripts.appendExchange({
            conversationId: id,
            continues: known,
            visitor: {
              id: newMessageId(),
              text: message,
              createdAt: visitorAt.toISOString(),
              ...echo,
            },
            bot: {
              id: messageId,
              reply,
              latencyMs: Math.round(performance.now() - started),
              createdAt: now().toISOString(),
            },
          });
        } catch (error) {
          // Another instance stored the same message while this one answered it: one copy.
          const stored =
            error instanceof AppError && error.code === "conflict" && clientMessageId !== undefined
              ? deps.transcripts.findExchange(id, clientMessageId)
              : null;
          if (!stored || clientMessageId === undefined) throw error;
          return storedReply(id, clientMessageId, stored.bot);
        }
        return { ...reply, sessionId: id, messageId, ...echo };
      };

      if (clientMessageId === undefined) {
        return { sessionId: id, messageId, run: (onDelta) => answer((d) => onDelta?.(d)) };
      }
      // Registered at once, so a repeat arriving before `run` is called still follows it.
      let settle!: { resolve: (done: ChatDone) => void; reject: (error: unknown) => void };
      const record: Answering = {
        sessionId: id,
        messageId,
        text: "",
        listeners: new Set(),
        done: new Promise<ChatDone>((resolve, reject) => (settle = { resolve, reject })),
      };
      // Followers see a failure through their own `run`; this one is only for bookkeeping.
      record.done.catch(() => {});
      const entry = key(id, clientMessageId);
      answering.set(entry, record);
      let ran = false;
      return {
        sessionId: id,
        messageId,
        clientMessageId,
        run(onDelta) {
          if (ran) return follow(record, clientMessageId).run(onDelta);
          ran = true;
          const work = answer((delta) => {
            record.text += delta;
            onDelta?.(delta);
            for (const listener of record.listeners) listener(delta);
          });
          // Stored (or failed) before the entry goes: a repeat always finds one or the other.
          void work.then(settle.resolve, settle.reject).finally(() => {
            if (answering.get(entry) === record) answering.delete(entry);
          });
          return work;
        },
      };
    },
    history: (sessionId) => deps.transcripts.getConversation(sessionId),
  };
}
