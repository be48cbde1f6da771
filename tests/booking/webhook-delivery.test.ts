import { createHmac, timingSafeEqual } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createBookingService } from "../../src/booking/booking-service.js";
import {
  backoffMs,
  createWebhookDelivery,
  type WebhookDelivery,
} from "../../src/booking/webhook-delivery.js";
import { createSqliteBookings } from "../../src/store/bookings.js";
import { closeDatabase, openDatabase } from "../../src/store/database.js";
import {
  createSqliteOutbox,
  type OutboxEntry,
  type OutboxRepository,
} from "../../src/store/outbox.js";
import { createSqliteTranscripts } from "../../src/store/transcripts.js";
import { tempDir } from "../helpers/core-fixtures.js";

const SECRET = "webhook-secret-for-tests";
const logger = pino({ level: "silent" });

/** Undone in reverse order after each test: servers, deliveries, databases, temp folders. */
let undo: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of undo.reverse()) await step();
  undo = [];
});

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  /** Whether X-Signature is the HMAC-SHA256 of the raw body under the shared secret. */
  signed: boolean;
  /** What the webhook answered; null when it never answered. */
  status: number | null;
}

/**
 * The clinic's webhook: a real HTTP server on a free port that checks each request's signature
 * and answers what `respond` says for the nth request (or never answers).
 */
async function clinicWebhook(respond: (n: number) => number | "never" = () => 200) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      const expected = Buffer.from(
        `sha256=${createHmac("sha256", SECRET).update(raw).digest("hex")}`,
      );
      const given = Buffer.from(String(req.headers["x-signature"] ?? ""));
      const signed = given.length === expected.length && timingSafeEqual(given, expected);
      const answer = respond(received.length + 1);
      const status = answer === "never" ? null : signed ? answer : 401;
      received.push({ headers: req.headers, body: raw.toString("utf8"), signed, status });
      if (status !== null) res.writeHead(status).end();
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const close = () => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  undo.push(() => (server.listening ? close() : undefined));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/bookings`,
    received,
    close,
  };
}

/** A URL where nothing listens: a port that was free a moment ago. */
async function refusingUrl(): Promise<string> {
  const webhook = await clinicWebhook();
  await webhook.close();
  return webhook.url;
}

/** Test time, moved on by hand. */
let clock = new Date("2026-03-01T09:00:00.000Z");
const now = () => clock;
const moveTo = (at: Date | string | number) => {
  clock = new Date(at);
};

/** The booking store and outbox in a real SQLite file. */
async function clinicDatabase() {
  const temp = await tempDir();
  undo.push(temp.cleanup);
  const file = path.join(temp.dir, "app.db");
  const open = () => {
    const db = openDatabase(file);
    undo.push(() => closeDatabase(db));
    const outbox = createSqliteOutbox(db, { now });
    const bookings = createSqliteBookings(db);
    const transcripts = createSqliteTranscripts(db);
    return {
      db,
      outbox,
      bookings,
      service: createBookingService({ db, bookings, transcripts, outbox }),
    };
  };
  return { file, open };
}

/** Fails after `ms` instead of waiting on a request that never ends. */
function within<T>(work: Promise<T>, ms = 5000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

function delivery(outbox: OutboxRepository, url: string, timeoutMs = 5000): WebhookDelivery {
  const created = createWebhookDelivery({ outbox, url, secret: SECRET, logger, now, timeoutMs });
  undo.push(() => within(created.stop()).catch(() => {}));
  return created;
}

/** The one entry not delivered yet, whether due or not. */
function pending(outbox: OutboxRepository): OutboxEntry {
  const entries = outbox.due(new Date("9999-01-01T00:00:00.000Z"), 10);
  expect(entries).toHaveLength(1);
  return entries[0] as OutboxEntry;
}

const JANE = {
  type: "consultation" as const,
  name: "Jane Doe",
  email: "jane@example.com",
  treatment: "Microneedling",
};

/** Milliseconds from the test clock to an entry's next attempt. */
const waitOf = (entry: OutboxEntry) => Date.parse(entry.nextAttemptAt) - clock.getTime();

describe("createWebhookDelivery", () => {
  it("retries after each backoff until the webhook answers 2xx, then delivers exactly once, signed and with one idempotency key", async () => {
    moveTo("2026-03-01T09:00:00.000Z");
    const webhook = await clinicWebhook((n) => (n <= 2 ? 503 : 200));
    const { open } = await clinicDatabase();
    const { outbox, service } = open();
    const sender = delivery(outbox, webhook.url);
    const { id } = service.submit(JANE);

    expect(await sender.deliverDue()).toBe(0);
    expect(webhook.received.map((r) => r.status)).toEqual([503]);
    let entry = pending(outbox);
    expect(entry).toMatchObject({ key: id, attempts: 1, lastError: expect.stringMatching(/503/) });
    let wait = waitOf(entry);
    expect(wait).toBeGreaterThanOrEqual(2000);
    expect(wait).toBeLessThanOrEqual(2400);

    moveTo(Date.parse(entry.nextAttemptAt) - 1);
    expect(await sender.deliverDue()).toBe(0);
    expect(webhook.received).toHaveLength(1);

    moveTo(entry.nextAttemptAt);
    expect(await sender.deliverDue()).toBe(0);
    expect(webhook.received.map((r) => r.status)).toEqual([503, 503]);
    entry = pending(outbox);
    expect(entry.attempts).toBe(2);
    wait = waitOf(entry);
    expect(wait).toBeGreaterThanOrEqual(4000);
    expect(wait).toBeLessThanOrEqual(4800);

    moveTo(Date.parse(entry.nextAttemptAt) - 1);
    expect(await sender.deliverDue()).toBe(0);
    expect(webhook.received).toHaveLength(2);

    moveTo(entry.nextAttemptAt);
    expect(await sender.deliverDue()).toBe(1);
    expect(outbox.pendingCount()).toBe(0);

    // Delivered means done: nothing is sent again, however long we wait.
    moveTo(Date.parse(entry.nextAttemptAt) + 24 * 3600_000);
    expect(await sender.deliverDue()).toBe(0);

    expect(webhook.received.map((r) => r.status)).toEqual([503, 503, 200]);
    expect(webhook.received.filter((r) => r.status === 200)).toHaveLength(1);
    for (const request of webhook.received) {
      expect(request.headers["idempotency-key"]).toBe(id);
      expect(request.headers["content-type"]).toMatch(/^application\/json/);
      expect(request.signed).toBe(true);
      expect(JSON.parse(request.body)).toEqual({
        event: "booking.created",
        data: expect.objectContaining({ id, ...JANE, createdAt: expect.any(String) }),
      });
    }
    expect(new Set(webhook.received.map((r) => r.body)).size).toBe(1);
  });

  it("loses nothing while the webhook is down across a restart", async () => {
    moveTo("2026-03-01T09:00:00.000Z");
    const { open } = await clinicDatabase();
    const before = open();
    const { id } = before.service.submit(JANE);
    expect(await delivery(before.outbox, await refusingUrl()).deliverDue()).toBe(0);
    expect(pending(before.outbox).attempts).toBe(1);
    closeDatabase(before.db);

    const after = open();
    expect(after.bookings.get(id)).toMatchObject({ id, name: "Jane Doe" });
    const entry = pending(after.outbox);
    expect(entry).toMatchObject({ key: id, attempts: 1 });
    const webhook = await clinicWebhook();
    const sender = delivery(after.outbox, webhook.url);
    moveTo(entry.nextAttemptAt);
    expect(await sender.deliverDue()).toBe(1);
    expect(after.outbox.pendingCount()).toBe(0);
    expect(webhook.received).toHaveLength(1);
    expect(webhook.received[0]?.headers["idempotency-key"]).toBe(id);
    expect(JSON.parse(webhook.received[0]?.body ?? "null").data).toMatchObject({ id, ...JANE });
  });

  it("counts a refused connection as a failed attempt and schedules a later one", async () => {
    moveTo("2026-03-01T09:00:00.000Z");
    const { open } = await clinicDatabase();
    const { outbox, service } = open();
    const sender = delivery(outbox, await refusingUrl());
    service.submit(JANE);

    expect(await sender.deliverDue()).toBe(0);
    const first = pending(outbox);
    expect(first.attempts).toBe(1);
    expect(first.lastError).toBeTruthy();
    expect(waitOf(first)).toBeGreaterThanOrEqual(2000);

    moveTo(first.nextAttemptAt);
    expect(await sender.deliverDue()).toBe(0);
    const second = pending(outbox);
    expect(second.attempts).toBe(2);
    expect(Date.parse(second.nextAttemptAt)).toBeGreaterThan(Date.parse(first.nextAttemptAt));
    expect(waitOf(second)).toBeGreaterThanOrEqual(4000);
  });

  it("counts a webhook that never answers as a failed attempt once the time limit passes", async () => {
    moveTo("2026-03-01T09:00:00.000Z");
    const webhook = await clinicWebhook(() => "never");
    const { open } = await clinicDatabase();
    const { outbox, service } = open();
    const sender = delivery(outbox, webhook.url, 200);
    service.submit(JANE);

    expect(await within(sender.deliverDue())).toBe(0);
    expect(webhook.received).toHaveLength(1);
    const entry = pending(outbox);
    expect(entry.attempts).toBe(1);
    expect(entry.lastError).toBeTruthy();
    expect(waitOf(entry)).toBeGreaterThanOrEqual(2000);
  });
});

describe("backoffMs", () => {
  it("doubles from 2 s with each attempt up to 10 minutes, and stays there", () => {
    const noJitter = () => 0;
    const waits = Array.from({ length: 12 }, (_, i) => backoffMs(i + 1, noJitter));
    expect(waits.slice(0, 5)).toEqual([2000, 4000, 8000, 16_000, 32_000]);
    for (let i = 1; i < waits.length; i++) {
      const previous = waits[i - 1] as number;
      expect(waits[i]).toBe(Math.min(previous * 2, 600_000));
    }
    expect(waits.at(-1)).toBe(600_000);
    expect(backoffMs(10_000, noJitter)).toBe(600_000);
  });

  it("adds at most 20% jitter", () => {
    expect(backoffMs(1, () => 0.5)).toBe(2200);
    expect(backoffMs(3, () => 0.999)).toBeLessThanOrEqual(8000 * 1.2);
    expect(backoffMs(50, () => 0.999)).toBeLessThanOrEqual(600_000 * 1.2);
    expect(backoffMs(50, () => 0.999)).toBeGreaterThan(600_000);
  });
});
