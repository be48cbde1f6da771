/**
 * The conversation, without any DOM: sending over the socket, accumulating streamed pieces,
 * restoring from the server, and recovering from a dropped connection. The view renders the
 * entries it reports.
 *
 * A message acknowledged is not yet a message kept: each one is sent with an id of its own
 * (`clientMessageId`) and kept in the session store until its `chat:done` arrives. After a
 * reconnect (the service may have been restarted and lost it) or a reload, the ones still
 * waiting are sent again with the same id; the service answers a repeated id once and replays
 * the stored reply. After a few tries the widget stops and says so.
 */
import type { Citation, Handoff } from "../../src/answer/types.js";
import type { ChatDone, ErrorBody } from "../../src/chat/events.js";
import type { RestoredMessage, SentRequest, WidgetApi } from "./api.js";
import { politeError, TEXT } from "./messages.js";
import type { PendingMessage, SessionStore } from "./session.js";
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
  /**
   * The request sent from this reply's form: as the server restored it, or as sent in this
   * page view. Its form is never offered again.
   */
  request?: SentRequest;
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
  /** The first wait before sending again a message the service refused for now (doubling). */
  retryDelayMs?: number;
  /** A new client message id (default: 128 random bits, base64url). */
  newMessageId?: () => string;
}

/** Sends of one message that may have reached the answerer, before the widget gives up. */
export const MAX_SEND_ATTEMPTS = 4;
/** Refusals for now (starting, rate limited, no ack in time) of a resent message. */
const MAX_REFUSALS = 8;
const MAX_RETRY_DELAY_MS = 10_000;

/** 128 random bits, base64url (22 characters): `getRandomValues` works on plain http too. */
export function randomMessageId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

export type SendResult = { ok: true } | { ok: false; code: string };

/** A message kept until its `chat:done`, with its entries. */
interface Outgoing {
  pending: PendingMessage;
  visitor: VisitorEntry;
  bot: BotEntry;
  /** The connection it was last sent on (-1: not sent in this page view). */
  epoch: number;
  /** Refusals for now since the page loaded. */
  refusals: number;
  timer?: ReturnType<typeof setTimeout>;
}

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
  const retryDelayMs = deps.retryDelayMs ?? 1000;
  const newMessageId = deps.newMessageId ?? randomMessageId;
  const entries: Entry[] = [];
  const deltas = createDeltaAccumulator();
  /** Replies in flight by message id. */
  const inFlight = new Map<string, BotEntry>();
  /** Messages kept until their `chat:done`, by client message id. */
  const outgoing = new Map<string, Outgoing>();
  /** Bumped at each disconnect: a message sent on an older connection is sent again. */
  let epoch = 0;
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
    for (const [id, e] of inFlight) {
      if (e === entry) {
        inFlight.delete(id);
        deltas.drop(id);
      }
    }
    for (const [id, item] of outgoing) {
      if (item.bot !== entry) continue;
      outgoing.delete(id);
      clearTimeout(item.timer);
      deltas.drop(id);
      session.removePending(id);
    }
    update(entry);
    setBusy(-1);
  };

  const applyDone = (entry: BotEntry, done: ChatDone) => {
    // The stored reply's id (another instance may have stored the message first).
    entry.messageId = done.messageId;
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
          ...(message.request ? { request: message.request } : {}),
        };
  }

  /** Shows a kept message (and its reply to come) at the end of the conversation. */
  function keep(pending: PendingMessage): Outgoing {
    const visitor: VisitorEntry = { kind: "visitor", key: nextKey(), text: pending.text };
    const bot: BotEntry = {
      kind: "bot",
      key: nextKey(),
      status: "typing",
      text: "",
      citations: [],
      handoff: null,
      restored: false,
    };
    add(visitor);
    add(bot);
    setBusy(1);
    const item: Outgoing = { pending, visitor, bot, epoch: -1, refusals: 0 };
    outgoing.set(pending.id, item);
    return item;
  }

  async function restore(): Promise<void> {
    const sessionId = session.sessionId();
    let stored = new Set<string>();
    if (sessionId) {
      const result = await api.conversation(sessionId);
      if (result.ok) {
        // All in the list before the view hears of any, so it can tell which reply is the last.
        const restored = result.value.map(fromRestored);
        entries.push(...restored);
        for (const entry of restored) listener.entry(entry, "add");
        stored = new Set(result.value.flatMap((m) => m.clientMessageId ?? []));
      } else if (result.code === "not_found" || result.code === "invalid") {
        session.clear();
      } else {
        add({ kind: "notice", key: nextKey(), text: TEXT.restoreFailed });
      }
    }
    // Kept messages the service has stored are in the conversation already (with their
    // replies); the others are shown once, and sent again once connected.
    for (const pending of session.pending()) {
      if (stored.has(pending.id)) session.removePending(pending.id);
      else keep(pending);
    }
  }

  /** Stops trying: the kept message's reply says it could not be answered. */
  function giveUp(item: Outgoing, text: string = TEXT.notAnswered): void {
    item.bot.text = text;
    item.bot.citations = [];
    item.bot.handoff = null;
    finish(item.bot, "failed");
  }

  function retryLater(item: Outgoing): void {
    item.refusals += 1;
    if (item.refusals > MAX_REFUSALS) return giveUp(item);
    const delay = Math.min(retryDelayMs * 2 ** (item.refusals - 1), MAX_RETRY_DELAY_MS);
    clearTimeout(item.timer);
    item.timer = setTimeout(() => {
      item.timer = undefined;
      // Not connected: the connect handler sends it.
      if (outgoing.get(item.pending.id) === item && socket?.connected) void transmit(item);
    }, delay);
  }

  /**
   * Sends a kept message (again) with its id. `first`: straight from the composer, where a
   * refusal takes the message back into the box; later sends of it retry or give up instead.
   */
  async function transmit(item: Outgoing, first = false): Promise<SendResult> {
    const s = socket;
    const { pending } = item;
    if (!s) return { ok: true };
    if (pending.attempts >= MAX_SEND_ATTEMPTS) {
      giveUp(item);
      return { ok: true };
    }
    pending.attempts += 1;
    session.savePending(pending);
    item.epoch = epoch;
    const sentOn = epoch;
    if (!first) {
      // Sent again: its pieces start over (a replay or a new answer streams from the start).
      deltas.drop(pending.id);
      item.bot.text = "";
      item.bot.status = "typing";
      update(item.bot);
    }
    const sessionId = session.sessionId();
    let ack;
    try {
      ack = await s.send(
        { message: pending.text, ...(sessionId ? { sessionId } : {}), clientMessageId: pending.id },
        ackTimeoutMs,
      );
    } catch {
      // No ack: the connection dropped (it is sent again on the next one), or it timed out.
      ack = {
        ok: false as const,
        error: { code: s.connected ? "timeout" : "network", message: "" },
      };
    }
    // Answered meanwhile (its chat:done can come before the ack), or given up.
    if (outgoing.get(pending.id) !== item) return { ok: true };
    if (ack.ok) {
      session.setSessionId(ack.sessionId);
      const bot = item.bot;
      bot.messageId = ack.messageId;
      inFlight.set(ack.messageId, bot);
      // Pieces and an end that came before the ack without the client id (older services).
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
    }
    const { code } = ack.error;
    if (code === "network" || (!s.connected && epoch !== sentOn)) return { ok: true };
    // Refused: it never reached the answerer, so it does not count as a try.
    pending.attempts -= 1;
    session.savePending(pending);
    if (first) {
      // Not taken: the view puts the visitor's words back into the box, with a polite notice.
      outgoing.delete(pending.id);
      session.removePending(pending.id);
      for (const entry of [item.bot, item.visitor]) {
        entries.splice(entries.indexOf(entry), 1);
        listener.entry(entry, "remove");
      }
      setBusy(-1);
      add({ kind: "notice", key: nextKey(), text: politeError(code) });
      return { ok: false, code };
    }
    if (code === "unavailable" || code === "rate_limited" || code === "timeout") retryLater(item);
    else giveUp(item, politeError(code));
    return { ok: true };
  }

  function listen(s: WidgetSocket): void {
    s.on("chat:delta", ({ messageId, delta, clientMessageId }) => {
      const mine = clientMessageId ? outgoing.get(clientMessageId) : undefined;
      const text = deltas.add(mine ? (clientMessageId as string) : messageId, delta);
      const entry = mine?.bot ?? inFlight.get(messageId);
      if (!entry || entry.status === "done" || entry.status === "failed") return;
      entry.text = text;
      entry.status = "streaming";
      update(entry);
    });
    s.on("chat:done", (done) => {
      const mine = done.clientMessageId ? outgoing.get(done.clientMessageId) : undefined;
      if (mine) return applyDone(mine.bot, done);
      // A second end of a message already settled (a repeat followed the same answer).
      if (done.clientMessageId) return;
      const entry = inFlight.get(done.messageId);
      if (entry) applyDone(entry, done);
      else early.set(done.messageId, (e) => applyDone(e, done));
    });
    s.on("chat:error", ({ messageId, error, clientMessageId }) => {
      const mine = clientMessageId ? outgoing.get(clientMessageId) : undefined;
      if (mine) return applyError(mine.bot, error);
      if (clientMessageId) return;
      const entry = inFlight.get(messageId);
      if (entry) applyError(entry, error);
      else early.set(messageId, (e) => applyError(e, error));
    });
    s.on("connect", () => {
      everConnected = true;
      if (lostConnection) {
        lostConnection = false;
        listener.connection("reconnected");
      } else {
        listener.connection("online");
      }
      // Kept messages not sent on this connection (the service may have lost them), in order.
      for (const item of [...outgoing.values()]) {
        if (item.epoch !== epoch && item.timer === undefined) void transmit(item);
      }
    });
    s.on("disconnect", (reason) => {
      if (reason === "io client disconnect") return;
      epoch += 1;
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

      const pending: PendingMessage = { id: newMessageId(), text: message, attempts: 0 };
      session.savePending(pending);
      const item = keep(pending);
      // Not connected yet (or any more): the connect handler sends it.
      if (!s.connected) return { ok: true };
      return transmit(item, true);
    },

    entries: () => entries,
    sessionId: () => session.sessionId(),
    close() {
      for (const item of outgoing.values()) clearTimeout(item.timer);
      socket?.close();
    },
  };
}
