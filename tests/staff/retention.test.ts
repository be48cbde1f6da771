import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createRetention } from "../../src/staff/retention.js";
import { type AuditLog, createSqliteAuditLog } from "../../src/store/audit-log.js";
import { type BookingRepository, createSqliteBookings } from "../../src/store/bookings.js";
import { createSqliteOutbox, type OutboxRepository } from "../../src/store/outbox.js";
import { createSqliteTranscripts, type TranscriptRepository } from "../../src/store/transcripts.js";
import { reply, tempDatabase } from "../store/store-fixtures.js";

const DAY = 24 * 60 * 60 * 1000;

let env: Awaited<ReturnType<typeof tempDatabase>>;
let now: Date;
const clock = () => now;
let transcripts: TranscriptRepository;
let bookings: BookingRepository;
let outbox: OutboxRepository;
let audit: AuditLog;

beforeEach(async () => {
  env = await tempDatabase();
  now = new Date("2026-01-01T09:00:00.000Z");
  transcripts = createSqliteTranscripts(env.db, { now: clock });
  bookings = createSqliteBookings(env.db, { now: clock });
  outbox = createSqliteOutbox(env.db, { now: clock });
  audit = createSqliteAuditLog(env.db, { now: clock });
});
afterEach(async () => {
  vi.useRealTimers();
  await env.cleanup();
});

let counter = 0;
function chat(id: string, at: Date): void {
  counter += 1;
  transcripts.appendExchange({
    conversationId: id,
    visitor: { id: `v${counter}`, text: "How long does a peel take?", createdAt: at },
    bot: { id: `b${counter}`, reply: reply(), latencyMs: 10, createdAt: at },
  });
}

function conversationIds(): string[] {
  return transcripts
    .listConversations({ limit: 100 })
    .items.map((c) => c.id)
    .sort();
}

function retention(days: number) {
  return createRetention({
    days,
    transcripts,
    bookings,
    outbox,
    audit,
    logger: pino({ level: "silent" }),
    now: clock,
  });
}

describe("createRetention", () => {
  it("removes conversations idle past the period at start and then daily, and stops when told", () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    chat("old", new Date("2026-01-01T09:00:00.000Z"));
    chat("kept-alive", new Date("2026-01-01T09:00:00.000Z"));
    chat("kept-alive", new Date("2026-05-01T09:00:00.000Z"));
    chat("recent", new Date("2026-06-25T09:00:00.000Z"));

    now = new Date("2026-07-01T09:00:00.000Z"); // 181 days after 1 January
    const policy = retention(180);
    policy.start();
    expect(conversationIds()).toEqual(["kept-alive", "recent"]);

    now = new Date(now.getTime() + 60 * DAY); // 1 May is now 121 days back, 25 June 66
    vi.advanceTimersByTime(DAY - 1);
    expect(conversationIds()).toEqual(["kept-alive", "recent"]);
    now = new Date("2026-11-01T09:00:00.000Z"); // 1 May is 184 days back
    vi.advanceTimersByTime(1);
    expect(conversationIds()).toEqual(["recent"]);

    policy.stop();
    now = new Date("2027-06-01T09:00:00.000Z");
    vi.advanceTimersByTime(10 * DAY);
    expect(conversationIds()).toEqual(["recent"]);

    const runs = audit.list({ limit: 10 }).items;
    expect(runs.map((e) => [e.actor, e.action, e.details.conversations])).toEqual([
      ["system", "retention", 1],
      ["system", "retention", 1],
    ]);
  });

  it("keeps bookings until staff close them, then removes them a period after closing, with their webhook message", () => {
    const open = bookings.create({ type: "callback", name: "Open", phone: "07700 900123" });
    const closedEarly = bookings.create({ type: "callback", name: "A", phone: "07700 900124" });
    const closedLate = bookings.create({ type: "callback", name: "B", phone: "07700 900125" });
    for (const { id } of [open, closedEarly, closedLate]) {
      outbox.enqueue({ topic: "booking.created", key: id, payload: { id } });
    }
    now = new Date("2026-01-05T09:00:00.000Z");
    bookings.setStatus(closedEarly.id, "closed", "alex");
    now = new Date("2026-06-01T09:00:00.000Z");
    bookings.setStatus(closedLate.id, "closed", "alex");

    now = new Date("2026-07-10T09:00:00.000Z");
    expect(retention(180).runOnce()).toEqual({ conversations: 0, bookings: 1 });
    expect(bookings.get(closedEarly.id)).toBeNull();
    expect(bookings.get(closedLate.id)).not.toBeNull();
    expect(outbox.pendingCount()).toBe(2);

    now = new Date("2030-01-01T09:00:00.000Z");
    expect(retention(180).runOnce()).toEqual({ conversations: 0, bookings: 1 });
    expect(bookings.list().items.map((b) => b.id)).toEqual([open.id]);
  });

  it("keeps everything forever with 0 days, and records nothing when nothing was removed", () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    chat("ancient", new Date("2020-01-01T00:00:00.000Z"));
    now = new Date("2030-01-01T00:00:00.000Z");
    const forever = retention(0);
    forever.start();
    vi.advanceTimersByTime(30 * DAY);
    expect(forever.runOnce()).toEqual({ conversations: 0, bookings: 0 });
    expect(conversationIds()).toEqual(["ancient"]);
    forever.stop();

    chat("fresh", new Date("2029-12-31T00:00:00.000Z"));
    expect(retention(365 * 20).runOnce()).toEqual({ conversations: 0, bookings: 0 });
    expect(audit.list({ limit: 10 }).items).toEqual([]);
  });
});
