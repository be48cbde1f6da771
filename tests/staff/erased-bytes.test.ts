import { existsSync, readFileSync } from "node:fs";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createErasure } from "../../src/staff/erasure.js";
import { createRetention } from "../../src/staff/retention.js";
import { createSqliteAuditLog } from "../../src/store/audit-log.js";
import { createSqliteBookings } from "../../src/store/bookings.js";
import { checkpointDatabase, closeDatabase } from "../../src/store/database.js";
import { createSqliteOutbox } from "../../src/store/outbox.js";
import { createSqliteTranscripts } from "../../src/store/transcripts.js";
import { createSqliteUnitOfWork } from "../../src/store/unit-of-work.js";
import { reply, tempDatabase } from "../store/store-fixtures.js";

/*
 * Deleting a row in SQLite only unlinks it: without secure_delete the text stays in the freed
 * part of the page (and in older frames of the WAL) until something overwrites it, readable
 * with `grep -a app.db`. These tests erase or expire data carrying marker words, close the
 * database and search the files' bytes for the markers.
 */

const DAY = 24 * 60 * 60 * 1000;

/** Distinctive words, one per place visitor data is kept; none is redacted or stemmed away. */
const MARK = {
  visitor: "Quokkazorb",
  bot: "Vexillumpt",
  feedback: "Snorkelwhip",
  note: "Plumbagonk",
  name: "Zebulon Marmadukeson",
  email: "zebulon.marmadukeson@example.com",
  phone: "07700 900987",
  bookingNotes: "Lanolinfrax",
};

let env: Awaited<ReturnType<typeof tempDatabase>>;
let now: Date;
const clock = () => now;

beforeEach(async () => {
  env = await tempDatabase();
  now = new Date("2026-01-01T09:00:00.000Z");
});
afterEach(async () => {
  await env.cleanup();
});

function repositories() {
  return {
    transcripts: createSqliteTranscripts(env.db, { now: clock }),
    bookings: createSqliteBookings(env.db, { now: clock }),
    outbox: createSqliteOutbox(env.db, { now: clock }),
    audit: createSqliteAuditLog(env.db, { now: clock }),
  };
}

let counter = 0;
/** A conversation whose visitor text, bot reply, feedback and staff note carry the markers. */
function markedConversation(repos: ReturnType<typeof repositories>, id: string): void {
  counter += 1;
  repos.transcripts.appendExchange({
    conversationId: id,
    visitor: { id: `v${counter}`, text: `Is ${MARK.visitor} cream safe?`, createdAt: now },
    bot: {
      id: `b${counter}`,
      reply: reply({ answer: `About ${MARK.bot} creams [1].` }),
      latencyMs: 10,
      createdAt: now,
    },
  });
  repos.transcripts.setFeedback({
    messageId: `b${counter}`,
    rating: "down",
    comment: `${MARK.feedback} was wrong`,
  });
  repos.transcripts.setNote(id, `Follow up ${MARK.note}`, "alex");
}

/** Other data, written after the markers, so the freed space is not simply the file's tail. */
function unrelatedData(repos: ReturnType<typeof repositories>): void {
  for (let i = 0; i < 20; i += 1) {
    counter += 1;
    repos.transcripts.appendExchange({
      conversationId: `other-${i}`,
      visitor: { id: `v${counter}`, text: `How long does a peel take? (${i})`, createdAt: now },
      bot: { id: `b${counter}`, reply: reply(), latencyMs: 10, createdAt: now },
    });
  }
  repos.bookings.create({ type: "callback", name: "Kim", phone: "07700 900111" });
}

/**
 * Every marker found in the bytes of app.db and of its WAL if any. Case-insensitive, and
 * without the marker's first three letters: the search index stores words lowercased, each
 * after the prefix it shares with the word before it ("question", then "quokkazorb" as "okkazorb").
 */
function markersOnDisk(): string[] {
  const files = [env.file, `${env.file}-wal`].filter((f) => existsSync(f));
  const bytes = files.map((f) => readFileSync(f).toString("latin1").toLowerCase()).join("\n");
  return Object.values(MARK).filter((m) => bytes.includes(m.slice(3).toLowerCase()));
}

describe("erased data on disk", () => {
  it("leaves none of a visitor's data in the database files after an erasure by email", () => {
    const repos = repositories();
    markedConversation(repos, "janeJaneJaneJaneJane01");
    const booking = repos.bookings.create({
      type: "consultation",
      sessionId: "janeJaneJaneJaneJane01",
      name: MARK.name,
      email: MARK.email,
      phone: MARK.phone,
      notes: MARK.bookingNotes,
    });
    repos.outbox.enqueue({ topic: "booking.created", key: booking.id, payload: { ...MARK } });
    unrelatedData(repos);
    // The markers reach the main file, as they would over days of running.
    env.db.pragma("wal_checkpoint(TRUNCATE)");
    expect(markersOnDisk()).toEqual(Object.values(MARK));

    const erasure = createErasure({
      unitOfWork: createSqliteUnitOfWork(env.db),
      ...repos,
      checkpoint: () => checkpointDatabase(env.db),
    });
    expect(erasure.erase({ email: MARK.email }, "alex")).toEqual({
      conversations: 1,
      bookings: 1,
    });
    // The erasure alone, before any clean stop, already took the bytes out of the WAL.
    expect(markersOnDisk()).toEqual([]);
    closeDatabase(env.db);
    expect(markersOnDisk()).toEqual([]);
  });

  it("leaves none of the expired data in the database files after a retention run", () => {
    const repos = repositories();
    markedConversation(repos, "old");
    const booking = repos.bookings.create({
      type: "callback",
      name: MARK.name,
      email: MARK.email,
      phone: MARK.phone,
      notes: MARK.bookingNotes,
    });
    repos.outbox.enqueue({ topic: "booking.created", key: booking.id, payload: { ...MARK } });
    repos.bookings.setStatus(booking.id, "closed", "alex");
    now = new Date("2026-07-01T09:00:00.000Z");
    unrelatedData(repos);
    env.db.pragma("wal_checkpoint(TRUNCATE)");
    expect(markersOnDisk()).toEqual(Object.values(MARK));

    now = new Date(now.getTime() + 10 * DAY); // the markers are 191 days old, the rest 10
    const retention = createRetention({
      days: 180,
      ...repos,
      checkpoint: () => checkpointDatabase(env.db),
      logger: pino({ level: "silent" }),
      now: clock,
    });
    expect(retention.runOnce()).toEqual({ conversations: 1, bookings: 1 });
    expect(markersOnDisk()).toEqual([]);
    closeDatabase(env.db);
    expect(markersOnDisk()).toEqual([]);
  });
});
