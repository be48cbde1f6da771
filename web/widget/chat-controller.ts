/**
 * The conversation, without any DOM: sending over the socket, accumulating streamed pieces,
 * restoring from the server, and recovering from a dropped connection. The view renders the
 * entries it reports.
 */
import type { Citation, Handoff } from "../../src/answer/types.js";
import type { ChatDone, ErrorBody } from "../../src/chat/events.js";
import type { RestoredMessage, WidgetApi } from "./api.js";
import { politeError, TEXT } from "./messages.js";
import type { SessionStore } from "./session.js";
import type { WidgetSocket } from "./socket.js";

export interface VisitorEntry {
  kind: "visitor";
  key: string;
  text: string;
}

export interface BotEntry {
  kind: "bot";
  key: string;
  /** The server's id for the reply, known once the message is acknowledged. */
  messageId?: string;
  /** `typing` until the first piece arrives, `streaming` while they arrive, then `done` or `failed`. */
  status: "typing" | "streaming" | "done" | "failed";
  text: string;
  citations: Citation[];
  handoff: Handoff | null;
  /** True for replies loaded from the server rather than streamed in this page view. */
  restored: boolean;
}

export interface NoticeEntry {
  kind: "notice";
  key: string;
  text: string;
}

export type Entry = VisitorEntry | BotEntry | NoticeEntry;

export type ConnectionState = "idle" | "online" | "reconnecting" | "unreachable" | "reconnected";

export interface ChatListener {
  /** An entry was added or changed (same `key`), or removed. */
  entry(entry: Entry, change: "add" | "update" | "remove"): void;
  connection(state: ConnectionState): void;
  /** Whether a reply is on its way (the view holds further messages until it is done). */
  busy(busy: boolean): void;
}

export interface ChatControllerDeps {
  /** Opens the socket; called once, by `start`. */
  connect: () => WidgetSocket;
  api: WidgetApi;
  session: SessionStore;
  listener: ChatListener;
  /** How long to wait for the server to acknowledge a message. */
  ackTimeoutMs?: number;
}

export type SendResult = { ok: true } | { ok: false; code: string };

export interface ChatController {
  /** Restores the stored conversation, then connects. Safe to call more than once. */
  start(): Promise<void>;
  send(message: string): Promise<SendResult>;
  entries(): readonly Entry[];
  sessionId(): string | undefined;
  close(): void;
}

/**
 * Collects the `chat:delta` pieces of each reply by message id. Pieces may arrive before the
 * acknowledgement that names the id, so unclaimed text is kept until someone asks for it.
 */
export function createDeltaAccumulator() {
  const texts = new Map<string, string>();
  return {
    /** Adds a piece and returns the reply's text so far. */
    add(messageId: string, delta: string): string {
      const text = (texts.get(messageId) ?? "") + delta;
      texts.set(messageId, text);
      return text;
    },
    text: (messageId: string): string => texts.get(messageId) ?? "",
    /** Forgets a reply (when it is done or failed). */
    drop: (messageId: string) => void texts.delete(messageId),
  };
}

const MAX_MESSAGE_CHARS = 2000;

export function createChatController(deps: ChatControllerDeps): ChatController {
  const { api, session, listener } = deps;
  const ackTimeoutMs = deps.ackTimeoutMs ?? 20_000;
  const entries: Entry[] = [];
  const deltas = createDeltaAccumulator();
  /** Replies in flight by message id. */
  const inFlight = new Map<string, BotEntry>();
  /** `chat:done`/`chat:error` that came before their acknowledgement (unlikely, but ordered). */
  const early = new Map<string, (entry: BotEntry) => void>();
  let socket: WidgetSocket | undefined;
  let started: Promise<void> | undefined;
  let keys = 0;
  let pending = 0;
  let lostConnection = false;
  let everConnected = false;

  const nextKey = () => `e${++keys}`;
  const add = (entry: Entry) => {
    entries.push(entry);
    listener.entry(entry, "add");
  };
  const update = (entry: Entry) => listener.entry(entry, "update");
  const setBusy = (delta: number) => {
    pending += delta;
    listener.busy(pending > 0);
  };
  const finish = (entry: BotEntry, status: "done" | "failed") => {
    entry.status = status;
    if (entry.messageId) {
      inFlight.delete(entry.messageId);
      deltas.drop(entry.messageId);
    }
    update(entry);
    setBusy(-1);
  };

  const applyDone = (entry: BotEntry, done: ChatDone) => {
    entry.text = done.answer;
    entry.citations = done.citations;
    entry.handoff = done.handoff;
    session.setSessionId(done.sessionId);
    finish(entry, "done");
  };
  const applyError = (entry: BotEntry, error: ErrorBody) => {
    entry.text = politeError(error.code);
    entry.citations = [];
    entry.handoff = null;
    finish(entry, "failed");
  };

  function fromRestored(message: RestoredMessage): Entry {
    return message.role === "visitor"
      ? { kind: "visitor", key: nextKey(), text: message.text }
      : {
          kind: "bot",
          key: nextKey(),
          messageId: message.id,
          status: "done",
          text: message.text,
          citations: message.citations,
          handoff: message.handoff,
          restored: true,
        };
  }

  async function restore(): Promise<void> {
    const sessionId = session.sessionId();
    if (!sessionId) return;
    const result = await api.conversation(sessionId);
    if (result.ok) {
      // All in the list before the view hears of any, so it can tell which reply is the last.
      const restored = result.value.map(fromRestored);
      entries.push(...restored);
      for (const entry of restored) listener.entry(entry, "add");
    } else if (result.code === "not_found" || result.code === "invalid") {
      session.clear();
    } else {
      add({ kind: "notice", key: nextKey(), text: TEXT.restoreFailed });
    }
  }

  /** After a reconnect: replies that finished while we were away are fetched from the server. */
  async function recover(): Promise<void> {
    const waiting = [...inFlight.values()];
    const sessionId = session.sessionId();
    if (waiting.length === 0 || !sessionId) return;
    const result = await api.conversation(sessionId);
    for (const entry of waiting) {
      if (entry.status === "done" || entry.status === "failed") continue;
      const stored = result.ok ? result.value.find((m) => m.id === entry.messageId) : undefined;
      if (stored) {
        entry.text = stored.text;
        entry.citations = stored.citations;
        entry.handoff = stored.handoff;
        finish(entry, "done");
      } else {
        entry.text = TEXT.interrupted;
        finish(entry, "failed");
      }
    }
  }

  function listen(s: WidgetSocket): void {
    s.on("chat:delta", ({ messageId, delta }) => {
      const text = deltas.add(messageId, delta);
      const entry = inFlight.get(messageId);
      if (!entry || entry.status === "done" || entry.status === "failed") return;
      entry.text = text;
      entry.status = "streaming";
      update(entry);
    });
    s.on("chat:done", (done) => {
      const entry = inFlight.get(done.messageId);
      if (entry) applyDone(entry, done);
      else early.set(done.messageId, (e) => applyDone(e, done));
    });
    s.on("chat:error", ({ messageId, error }) => {
      const entry = inFlight.get(messageId);
      if (entry) applyError(entry, error);
      else early.set(messageId, (e) => applyError(e, error));
    });
    s.on("connect", () => {
      everConnected = true;
      if (lostConnection) {
        lostConnection = false;
        listener.connection("reconnected");
        void recover();
      } else {
        listener.connection("online");
      }
    });
    s.on("disconnect", (reason) => {
      if (reason === "io client disconnect") return;
      lostConnection = true;
      listener.connection("reconnecting");
    });
    s.on("connect_error", () => {
      // A failed retry after a drop is still "reconnecting"; never reaching it is another matter.
      lostConnection = true;
      listener.connection(everConnected ? "reconnecting" : "unreachable");
    });
  }

  return {
    start() {
      started ??= restore().then(() => {
        socket = deps.connect();
        listen(socket);
      });
      return started;
    },

    async send(raw) {
      const message = raw.trim();
      if (!message) return { ok: false, code: "empty" };
      if (message.length > MAX_MESSAGE_CHARS) {
        add({ kind: "notice", key: nextKey(), text: politeError("too_large") });
        return { ok: false, code: "too_large" };
      }
      await this.start();
      const s = socket;
      if (!s) return { ok: false, code: "network" };

      const visitor: VisitorEntry = { kind: "visitor", key: nextKey(), text: message };
      add(visitor);
      const bot: BotEntry = {
        kind: "bot",
        key: nextKey(),
        status: "typing",
        text: "",
        citations: [],
        handoff: null,
        restored: false,
      };
      add(bot);
      setBusy(1);

      const sessionId = session.sessionId();
      let ack;
      try {
        ack = await s.send({ message, ...(sessionId ? { sessionId } : {}) }, ackTimeoutMs);
      } catch {
        ack = { ok: false as const, error: { code: "timeout", message: "" } };
      }
      if (!ack.ok) {
        // Not taken: the view puts the visitor's words back into the box, with a polite notice.
        for (const entry of [bot, visitor]) {
          entries.splice(entries.indexOf(entry), 1);
          listener.entry(entry, "remove");
        }
        setBusy(-1);
        add({ kind: "notice", key: nextKey(), text: politeError(ack.error.code) });
        return { ok: false, code: ack.error.code };
      }
      session.setSessionId(ack.sessionId);
      bot.messageId = ack.messageId;
      inFlight.set(ack.messageId, bot);
      const text = deltas.text(ack.messageId);
      if (text) {
        bot.text = text;
        bot.status = "streaming";
        update(bot);
      }
      const settle = early.get(ack.messageId);
      if (settle) {
        early.delete(ack.messageId);
        settle(bot);
      }
      return { ok: true };
    },

    entries: () => entries,
    sessionId: () => session.sessionId(),
    close() {
      socket?.close();
    },
  };
}
