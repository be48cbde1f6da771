import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { io as connect, type Socket } from "socket.io-client";
import type { AdminRouteDeps } from "../../src/admin/admin-routes.js";
import { type AppDeps, attachSockets, createApp } from "../../src/app.js";
import { createBookingService } from "../../src/booking/booking-service.js";
import { createChatService } from "../../src/chat/chat-service.js";
import type { ClientToServerEvents, ServerToClientEvents } from "../../src/chat/events.js";
import type { QuestionBankStore } from "../../src/content/question-bank-store.js";
import type { Core } from "../../src/core.js";
import {
  AUTH_FAILURES_PER_MIN,
  createFailureLimiter,
  createVisitorRateLimiter,
} from "../../src/http/rate-limit.js";
import { createSqliteBookings } from "../../src/store/bookings.js";
import { closeDatabase, type Database, openDatabase } from "../../src/store/database.js";
import { createSqliteOutbox } from "../../src/store/outbox.js";
import { createSqliteTranscripts } from "../../src/store/transcripts.js";
import { createStaffConsole } from "../../src/staff/staff-console.js";

export const STAFF_TOKEN = "staff-token-for-tests-0123456789";
/** A second staff account, for tests that tell who did what. */
export const OTHER_STAFF_TOKEN = "other-staff-token-for-tests-0123";
/** SESSION_SECRET of every test service, so tests can sign cookies of their own. */
export const TEST_SESSION_SECRET = "test-session-secret-0123456789-abcdef";
export const TEST_STAFF_ACCOUNTS = [
  { name: "alex", token: STAFF_TOKEN },
  { name: "sam", token: OTHER_STAFF_TOKEN },
] as const;

export interface TestService {
  url: string;
  port: number;
  db: Database;
  deps: AppDeps;
  /** Every log line written, as parsed JSON. */
  logs: Record<string, unknown>[];
  socket(options?: { origin?: string }): Socket<ServerToClientEvents, ClientToServerEvents>;
  close(): Promise<void>;
}

export interface TestServiceOptions {
  core: Core | undefined;
  dataDir: string;
  rateLimitPerMin?: number;
  allowedOrigins?: string[];
  logLevel?: "info" | "debug";
  /** Replaces the core's answerer (e.g. one that fails). */
  answerer?: Core["answerer"];
  /** The clock of the stores and the staff console (sessions, audit). */
  now?: () => Date;
  /** The question bank staff file questions into (the staff triage routes need it). */
  questions?: QuestionBankStore;
  /** The admin API, given the service's database. */
  admin?: (db: Database) => Omit<AdminRouteDeps, "authFailures">;
  /** Proxy hops whose X-Forwarded-For is trusted (default 0). */
  trustProxy?: number;
}

/**
 * The real service wiring (createApp + Socket.IO + SQLite in `dataDir`) on a free port,
 * with the answering core passed in, as main.ts does it.
 */
export async function startTestService(options: TestServiceOptions): Promise<TestService> {
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n").filter(Boolean))
        logs.push(JSON.parse(line));
      done();
    },
  });
  const logger = pino({ level: options.logLevel ?? "info" }, sink);
  const db = openDatabase(path.join(options.dataDir, "app.db"));
  const clock = options.now ? { now: options.now } : {};
  const transcripts = createSqliteTranscripts(db, clock);
  const bookings = createSqliteBookings(db, clock);
  const outbox = createSqliteOutbox(db, clock);
  const core = options.core;
  const answerer = options.answerer ?? core?.answerer;
  const chat = answerer ? createChatService({ answerer: () => answerer, transcripts }) : undefined;
  const sockets: Socket[] = [];
  const deps: AppDeps = {
    logger,
    core: () => core,
    chat: () => chat,
    transcripts,
    bookings,
    bookingService: createBookingService({ db, bookings, transcripts, outbox }),
    limiter: createVisitorRateLimiter(options.rateLimitPerMin ?? 0),
    staffAccounts: TEST_STAFF_ACCOUNTS,
    allowedOrigins: options.allowedOrigins ?? [],
    trustProxy: options.trustProxy ?? 0,
    authFailures: createFailureLimiter(AUTH_FAILURES_PER_MIN, "auth"),
    staff: createStaffConsole({
      db,
      transcripts,
      bookings,
      outbox,
      staffAccounts: TEST_STAFF_ACCOUNTS,
      sessionSecret: TEST_SESSION_SECRET,
      secureCookies: false,
      questions: options.questions,
      ...clock,
    }),
    ...(options.admin ? { admin: options.admin(db) } : {}),
  };
  const server: Server = createServer(createApp(deps));
  const io = attachSockets(server, deps);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    port,
    db,
    deps,
    logs,
    socket(socketOptions = {}) {
      const socket = connect(url, {
        transports: ["websocket"],
        forceNew: true,
        reconnection: false,
        ...(socketOptions.origin ? { extraHeaders: { Origin: socketOptions.origin } } : {}),
      });
      sockets.push(socket);
      return socket;
    },
    async close() {
      for (const socket of sockets) socket.disconnect();
      await io.close();
      server.closeAllConnections();
      closeDatabase(db);
    },
  };
}

/** Parsed JSON of a response; tests inspect arbitrary shapes, so it is loosely typed. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** POST JSON and return the status and parsed body. */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Json; headers: Headers }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? JSON.parse(text) : null,
    headers: response.headers,
  };
}

export async function getJson(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Json; headers: Headers }> {
  const response = await fetch(url, { headers });
  const text = await response.text();
  return {
    status: response.status,
    body: text && response.headers.get("content-type")?.includes("json") ? JSON.parse(text) : text,
    headers: response.headers,
  };
}
