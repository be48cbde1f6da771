/**
 * What the widget remembers in the visitor's browser: the conversation's session id (in
 * `localStorage`, so it survives reloads and other pages of the site), the ratings given, and
 * the messages sent but not answered yet (to send again, with the same
 * id, after a dropped connection, a restart of the service or a reload). Storage that is missing, full or blocked (private modes, strict cookie
 * settings) degrades to memory for this page view, never to an error.
 */

/** The server's session id format: base64url, 22 to 64 characters. */
const SESSION_ID = /^[A-Za-z0-9_-]{22,64}$/;

/** The service's client message id format (chat:send's clientMessageId). */
const CLIENT_MESSAGE_ID = /^[A-Za-z0-9_-]{16,64}$/;

export type Rating = "up" | "down";

/** A message sent and not answered yet: kept until its `chat:done` arrives. */
export interface PendingMessage {
  /** The client message id it is sent (and sent again) with. */
  id: string;
  text: string;
  /** How many times it was sent. */
  attempts: number;
}

interface Saved {
  sessionId?: string;
  ratings: Record<string, Rating>;
  pending: PendingMessage[];
}

export interface SessionStore {
  sessionId(): string | undefined;
  setSessionId(id: string): void;
  /** Forgets the conversation (e.g. the server no longer knows it). */
  clear(): void;
  rating(messageId: string): Rating | undefined;
  setRating(messageId: string, rating: Rating): void;
  /** Messages sent and not answered yet, oldest first. They outlive `clear` and new sessions. */
  pending(): PendingMessage[];
  /** Adds or replaces (same id) a pending message. */
  savePending(message: PendingMessage): void;
  removePending(id: string): void;
}

/** The part of the Web Storage API the widget uses. */
export type StorageLike = Pick<Storage, "getItem" | "setItem" | "removeItem">;

/** Keeps at most this many ratings, so the entry stays small. */
const MAX_REMEMBERED = 100;
/** And at most this many unanswered messages (the view sends one at a time). */
const MAX_PENDING = 10;

function isPending(value: unknown): value is PendingMessage {
  if (typeof value !== "object" || value === null) return false;
  const { id, text, attempts } = value as Record<string, unknown>;
  return (
    typeof id === "string" &&
    CLIENT_MESSAGE_ID.test(id) &&
    typeof text === "string" &&
    text.length > 0 &&
    text.length <= 2000 &&
    typeof attempts === "number" &&
    Number.isInteger(attempts) &&
    attempts >= 0
  );
}

function parse(raw: string | null): Saved {
  const empty: Saved = { ratings: {}, pending: [] };
  if (!raw) return empty;
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value !== "object" || value === null) return empty;
    const v = value as Record<string, unknown>;
    const ratings: Record<string, Rating> = {};
    if (typeof v.ratings === "object" && v.ratings !== null) {
      for (const [id, rating] of Object.entries(v.ratings)) {
        if (rating === "up" || rating === "down") ratings[id] = rating;
      }
    }
    return {
      ...(typeof v.sessionId === "string" && SESSION_ID.test(v.sessionId)
        ? { sessionId: v.sessionId }
        : {}),
      // Entries of earlier versions also list the forms sent (`sent`): the service knows those
      // now (the conversation's restore says so), and the list is dropped at the next save.
      ratings,
      pending: Array.isArray(v.pending) ? v.pending.filter(isPending).slice(-MAX_PENDING) : [],
    };
  } catch {
    return empty;
  }
}

/**
 * A session store for one chat service.
 *
 * @param storage - `localStorage`, or undefined when it cannot be used.
 * @param server - The service's origin: each service gets its own entry.
 */
export function createSessionStore(storage: StorageLike | undefined, server: string): SessionStore {
  const key = `clinic-chat:v1:${server}`;
  let memory: Saved;
  try {
    memory = parse(storage?.getItem(key) ?? null);
  } catch {
    memory = parse(null);
  }

  const save = () => {
    try {
      if (!memory.sessionId && memory.pending.length === 0) storage?.removeItem(key);
      else storage?.setItem(key, JSON.stringify(memory));
    } catch {
      // Storage full or blocked: this page view keeps working from memory.
    }
  };

  return {
    sessionId: () => memory.sessionId,
    setSessionId(id) {
      if (!SESSION_ID.test(id) || id === memory.sessionId) return;
      memory = { sessionId: id, ratings: {}, pending: memory.pending };
      save();
    },
    clear() {
      memory = { ratings: {}, pending: memory.pending };
      save();
    },
    rating: (messageId) => memory.ratings[messageId],
    setRating(messageId, rating) {
      const kept = Object.entries({ ...memory.ratings, [messageId]: rating });
      memory.ratings = Object.fromEntries(kept.slice(-MAX_REMEMBERED));
      save();
    },
    pending: () => memory.pending.map((p) => ({ ...p })),
    savePending(message) {
      const others = memory.pending.filter((p) => p.id !== message.id);
      const at = memory.pending.findIndex((p) => p.id === message.id);
      if (at < 0) others.push({ ...message });
      else others.splice(at, 0, { ...message });
      memory.pending = others.slice(-MAX_PENDING);
      save();
    },
    removePending(id) {
      if (!memory.pending.some((p) => p.id === id)) return;
      memory.pending = memory.pending.filter((p) => p.id !== id);
      save();
    },
  };
}

/** `window.localStorage`, or undefined where reading it throws (blocked storage). */
export function browserStorage(kind: "localStorage" | "sessionStorage"): StorageLike | undefined {
  try {
    const storage = window[kind];
    const probe = "__clinic-chat-probe__";
    storage.setItem(probe, "1");
    storage.removeItem(probe);
    return storage;
  } catch {
    return undefined;
  }
}
