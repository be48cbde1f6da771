import type { ChatDone, ChatSendAck, ChatSendPayload } from "../../src/chat/events.js";
import type { ApiResult, BookingBody, RestoredMessage, WidgetApi } from "../../web/widget/api.js";
import type { StorageLike } from "../../web/widget/session.js";
import type { WidgetSocket, WidgetSocketEvents } from "../../web/widget/socket.js";

/** A socket the test plays the server for: it sees what was sent and emits server events. */
export class FakeSocket implements WidgetSocket {
  connected = true;
  closed = false;
  readonly sent: {
    payload: ChatSendPayload;
    ack: (response: ChatSendAck) => void;
    fail: (error: Error) => void;
  }[] = [];
  private readonly listeners = new Map<string, ((...args: never[]) => void)[]>();

  send(payload: ChatSendPayload): Promise<ChatSendAck> {
    return new Promise((ack, fail) => this.sent.push({ payload, ack, fail }));
  }

  on<E extends keyof WidgetSocketEvents>(event: E, listener: WidgetSocketEvents[E]): void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
  }

  /** Emits an event to the widget, as the server (or Socket.IO) would. */
  emit<E extends keyof WidgetSocketEvents>(event: E, ...args: Parameters<WidgetSocketEvents[E]>) {
    for (const listener of this.listeners.get(event) ?? []) {
      (listener as (...a: Parameters<WidgetSocketEvents[E]>) => void)(...args);
    }
  }

  /** The last message sent, waiting for its acknowledgement. */
  last() {
    const item = this.sent[this.sent.length - 1];
    if (!item) throw new Error("nothing was sent");
    return item;
  }

  close(): void {
    this.closed = true;
  }
}

export const SESSION = "S".repeat(22);

export function done(messageId: string, answer: string, extra: Partial<ChatDone> = {}): ChatDone {
  return {
    kind: "answer",
    answer,
    citations: [],
    grounded: true,
    handoff: null,
    source: "extractive",
    sessionId: SESSION,
    messageId,
    ...extra,
  };
}

export const CITATION = {
  n: 1,
  docId: "microneedling-benefits",
  title: "Why Microneedling Works",
  section: "Treating Acne Scars",
  url: "/articles/microneedling-benefits#treating-acne-scars",
  snippet: "This method is particularly effective for depressed acne scars.",
};

/** An API whose answers the test sets, recording every call. */
export function fakeApi(overrides: Partial<WidgetApi> = {}) {
  const calls: { name: string; body: unknown }[] = [];
  const ok = <T>(value: T): Promise<ApiResult<T>> => Promise.resolve({ ok: true, value });
  const api: WidgetApi = {
    clinic: () => {
      calls.push({ name: "clinic", body: null });
      return ok({
        name: "Lumen Skin Clinic",
        phone: "+44 20 7946 0000",
        email: "hello@clinic.example",
        address: "1 Example Street",
        openingHours: [{ days: "Monday to Friday", hours: "9:00 to 18:00" }],
        privacyNoticeUrl: "https://clinic.example/privacy",
      });
    },
    conversation: (sessionId) => {
      calls.push({ name: "conversation", body: sessionId });
      return ok<RestoredMessage[]>([]);
    },
    feedback: (body) => {
      calls.push({ name: "feedback", body });
      return ok(null);
    },
    booking: (body: BookingBody) => {
      calls.push({ name: "booking", body });
      return ok({ id: "b1" });
    },
    ...overrides,
  };
  return { api, calls };
}

/** In-memory Web Storage. */
export function memoryStorage(initial: Record<string, string> = {}): StorageLike & {
  data: Map<string, string>;
} {
  const data = new Map(Object.entries(initial));
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
    removeItem: (key) => void data.delete(key),
  };
}

/** Lets pending promise callbacks run. */
export const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
