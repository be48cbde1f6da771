import { io as connect, type Socket } from "socket.io-client";
import type { ChatReply } from "../../src/answer/types.js";
import type {
  StaffEventName,
  StaffEventPayload,
  StaffServerToClientEvents,
} from "../../src/staff/events.js";
import type { ExchangeInput } from "../../src/store/transcripts.js";
import { type Json, STAFF_TOKEN, type TestService } from "../helpers/service.js";

export const bearer = { authorization: `Bearer ${STAFF_TOKEN}` };

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  body: Json;
}

/** Any request; a non-string body is sent as JSON. The body is parsed when it is JSON. */
export async function call(
  url: string,
  method: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    headers["content-type"] ??= "application/json";
  }
  const response = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await response.text();
  const json = response.headers.get("content-type")?.includes("application/json");
  return {
    status: response.status,
    headers: response.headers,
    text,
    body: json && text ? JSON.parse(text) : null,
  };
}

/** Signs in through the API; resolves to the `Cookie` header value the console would send. */
export async function signIn(service: TestService, token = STAFF_TOKEN): Promise<string> {
  const response = await call(`${service.url}/api/staff/session`, "POST", { body: { token } });
  if (response.status !== 204) throw new Error(`sign-in answered ${response.status}`);
  const setCookie = response.headers.getSetCookie()[0] ?? "";
  return setCookie.split(";")[0] ?? "";
}

let counter = 0;

/** Stores one exchange directly, as the chat service would, `minutes` after 2026-03-01. */
export function seedExchange(
  service: TestService,
  conversationId: string,
  question: string,
  reply: Partial<ChatReply> = {},
  minutes = 0,
): { visitorId: string; botId: string } {
  counter += 1;
  const at = Date.parse("2026-03-01T09:00:00.000Z") + minutes * 60_000;
  const input: ExchangeInput = {
    conversationId,
    visitor: { id: `v${counter}`, text: question, createdAt: new Date(at).toISOString() },
    bot: {
      id: `b${counter}`,
      reply: {
        kind: "answer",
        answer: "Most peels take about 30 minutes. [1]",
        citations: [
          {
            n: 1,
            docId: "chemical-peels",
            title: "Chemical peels",
            section: "How long does it take?",
            url: "/articles/chemical-peels#how-long-does-it-take",
            snippet: "Most peels take about 30 minutes.",
          },
        ],
        grounded: true,
        handoff: null,
        source: "extractive",
        ...reply,
      },
      latencyMs: 42,
      createdAt: new Date(at + 1000).toISOString(),
    },
  };
  service.deps.transcripts.appendExchange(input);
  return { visitorId: input.visitor.id, botId: input.bot.id };
}

/** A reply that found nothing and handed over to the clinic's team. */
export const NO_ANSWER: Partial<ChatReply> = {
  kind: "no-answer",
  answer: "I couldn't find that in our articles. Our team can help.",
  citations: [],
  grounded: false,
  handoff: { kind: "staff", message: "Contact the clinic" },
};

export type StaffSocket = Socket<StaffServerToClientEvents>;

/** A `/staff` client; resolves once connected, or rejects with the refusal's message. */
export async function connectStaff(
  service: TestService,
  options: { token?: string; cookie?: string; origin?: string } = {},
): Promise<StaffSocket> {
  const extraHeaders: Record<string, string> = {};
  if (options.cookie) extraHeaders.cookie = options.cookie;
  if (options.origin) extraHeaders.origin = options.origin;
  const socket: StaffSocket = connect(`${service.url}/staff`, {
    transports: ["websocket"],
    forceNew: true,
    reconnection: false,
    ...(options.token ? { auth: { token: options.token } } : {}),
    extraHeaders,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", (error) => {
      socket.close();
      reject(error);
    });
  });
  return socket;
}

/** The next `event` on the socket, or a rejection after `ms`. */
export function nextEvent<E extends StaffEventName>(
  socket: StaffSocket,
  event: E,
  ms = 5000,
): Promise<StaffEventPayload<E>> {
  // socket.io-client's typed `once` does not narrow a generic event name; listen untyped.
  const untyped = socket as unknown as {
    once(event: string, listener: (payload: StaffEventPayload<E>) => void): void;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    untyped.once(event, (payload) => {
      clearTimeout(timer);
      resolve(payload);
    });
  });
}

/**
 * A small RFC 4180 parser (quoted cells, doubled quotes, CRLF and line breaks inside quotes),
 * to read exports back as a spreadsheet would.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(cell);
      cell = "";
    } else if (ch === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i += 1;
    } else cell += ch;
  }
  if (cell !== "" || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}
