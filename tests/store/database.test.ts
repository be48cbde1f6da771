import { existsSync, statSync } from "node:fs";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { closeDatabase, openDatabase } from "../../src/store/database.js";
import { type Migration, migrations, runMigrations } from "../../src/store/migrations.js";
import { tempDatabase } from "./store-fixtures.js";

const latest = migrations.at(-1)?.version ?? 0;

describe("openDatabase", () => {
  let env: Awaited<ReturnType<typeof tempDatabase>>;
  beforeEach(async () => {
    env = await tempDatabase();
  });
  afterEach(async () => {
    await env.cleanup();
  });

  it("creates the parent folder and the whole schema", () => {
    expect(existsSync(path.dirname(env.file))).toBe(true);
    const names = env.db
      .prepare<[], string>("SELECT name FROM sqlite_schema WHERE type IN ('table', 'trigger')")
      .pluck()
      .all();
    expect(names).toEqual(
      expect.arrayContaining([
        "conversations",
        "messages",
        "messages_fts",
        "feedback",
        "bookings",
        "outbox",
        "booking_events",
        "audit_log",
        "messages_fts_insert",
        "messages_fts_delete",
      ]),
    );
    expect(env.db.pragma("user_version", { simple: true })).toBe(latest);
  });

  it("turns on WAL, NORMAL sync, foreign keys and a busy timeout", () => {
    expect(env.db.pragma("journal_mode", { simple: true })).toBe("wal");
    // 1 = NORMAL
    expect(env.db.pragma("synchronous", { simple: true })).toBe(1);
    expect(env.db.pragma("foreign_keys", { simple: true })).toBe(1);
    expect(env.db.pragma("busy_timeout", { simple: true })).toBe(5000);
  });

  it("runs the migrations once and keeps the data when the file is reopened", () => {
    env.db
      .prepare("INSERT INTO conversations (id, started_at, last_at) VALUES ('c1', 'x', 'x')")
      .run();
    closeDatabase(env.db);
    env.db = openDatabase(env.file);
    expect(env.db.pragma("user_version", { simple: true })).toBe(latest);
    expect(env.db.prepare("SELECT count(*) AS n FROM conversations").get()).toEqual({ n: 1 });
    // Running them again by hand is a no-op as well.
    expect(runMigrations(env.db)).toBe(latest);
  });

  it("folds the WAL into the main file when closed, and tolerates a second close", () => {
    env.db
      .prepare("INSERT INTO conversations (id, started_at, last_at) VALUES ('c1', 'x', 'x')")
      .run();
    closeDatabase(env.db);
    closeDatabase(env.db);
    const wal = `${env.file}-wal`;
    expect(!existsSync(wal) || statSync(wal).size === 0).toBe(true);
    env.db = openDatabase(env.file);
  });

  it("refuses a database written by a newer schema", () => {
    env.db.pragma(`user_version = ${latest + 1}`);
    closeDatabase(env.db);
    expect(() => openDatabase(env.file)).toThrow(
      expect.objectContaining({ name: "AppError", code: "config" }),
    );
    const raw = new BetterSqlite3(env.file);
    raw.pragma(`user_version = ${latest}`);
    raw.close();
    env.db = openDatabase(env.file);
  });

  it("opens an in-memory database for quick tests", () => {
    const db = openDatabase(":memory:");
    expect(db.pragma("user_version", { simple: true })).toBe(latest);
    closeDatabase(db);
    expect(db.open).toBe(false);
  });
});

describe("runMigrations", () => {
  const steps: Migration[] = [
    { version: 1, up: "CREATE TABLE t (n INTEGER);" },
    { version: 2, up: "INSERT INTO t (n) VALUES (2);" },
  ];

  it("applies only the steps the database has not run yet", () => {
    const db = new BetterSqlite3(":memory:");
    expect(runMigrations(db, steps.slice(0, 1))).toBe(1);
    expect(runMigrations(db, steps)).toBe(2);
    expect(runMigrations(db, steps)).toBe(2);
    expect(db.prepare("SELECT count(*) AS n FROM t").get()).toEqual({ n: 1 });
    db.close();
  });

  it("rolls a failing step back whole and stays at the previous version", () => {
    const db = new BetterSqlite3(":memory:");
    const broken: Migration[] = [
      ...steps,
      { version: 3, up: "CREATE TABLE u (n INTEGER); INSERT INTO nowhere VALUES (1);" },
    ];
    expect(() => runMigrations(db, broken)).toThrow(/nowhere/);
    expect(db.pragma("user_version", { simple: true })).toBe(2);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'u'").get()).toEqual({
      n: 0,
    });
    db.close();
  });

  it("rejects steps out of order", () => {
    const db = new BetterSqlite3(":memory:");
    expect(() => runMigrations(db, [steps[1] as Migration, steps[0] as Migration])).toThrow(
      /increasing/,
    );
    db.close();
  });
});

describe("migration 8: reply kinds", () => {
  it("gives replies stored before it the kind their stored fields show", () => {
    const db = new BetterSqlite3(":memory:");
    runMigrations(
      db,
      migrations.filter((m) => m.version < 8),
    );
    db.prepare("INSERT INTO conversations (id, started_at, last_at) VALUES ('c', 't', 't')").run();
    const insert = db.prepare(
      `INSERT INTO messages (id, conversation_id, seq, role, text, grounded, handoff, created_at,
         fts_rowid) VALUES (?, 'c', ?, ?, ?, ?, ?, 't', ?)`,
    );
    const handoff = (kind: string) => JSON.stringify({ kind, message: "m" });
    const rows: [string, "visitor" | "bot", string, 0 | 1 | null, string | null][] = [
      ["visitor", "visitor", "does it hurt?", null, null],
      ["answer", "bot", "Numbing cream is used. [1]", 1, null],
      ["answer-offer", "bot", "It can help. [1]", 1, handoff("clinician")],
      ["no-answer", "bot", "I'm sorry, I couldn't find an answer.", 0, handoff("staff")],
      [
        "refusal",
        "bot",
        "I can only answer questions about our clinic and its treatments, from the clinic's own articles.",
        0,
        handoff("staff"),
      ],
      ["booking", "bot", "Of course, I can help you book a consultation.", 0, handoff("booking")],
      [
        "clinician",
        "bot",
        "That's a question about your own health, which one of our clinicians should answer.",
        0,
        handoff("clinician"),
      ],
      ["urgent", "bot", "If you have a fever, call the clinic urgently.", 0, handoff("clinician")],
      ["greeting", "bot", "Hello! I can answer questions.", 0, null],
    ];
    rows.forEach(([id, role, text, grounded, h], i) =>
      insert.run(id, i + 1, role, text, grounded, h, i + 1),
    );
    runMigrations(db);
    const kinds = db.prepare("SELECT id, kind FROM messages ORDER BY seq").all();
    expect(kinds).toEqual([
      { id: "visitor", kind: null },
      { id: "answer", kind: "answer" },
      { id: "answer-offer", kind: "answer" },
      { id: "no-answer", kind: "no-answer" },
      { id: "refusal", kind: "refusal" },
      { id: "booking", kind: "booking" },
      { id: "clinician", kind: "clinician" },
      { id: "urgent", kind: "urgent" },
      { id: "greeting", kind: "greeting" },
    ]);
    expect(() =>
      db.prepare("UPDATE messages SET kind = 'chatter' WHERE id = 'answer'").run(),
    ).toThrow(/CHECK/);
    db.close();
  });
});

describe("migration 9: the reply a request was sent from", () => {
  it("links requests to a reply, keeps older ones unlinked, and unlinks them when the conversation goes", () => {
    const db = new BetterSqlite3(":memory:");
    db.pragma("foreign_keys = ON");
    runMigrations(
      db,
      migrations.filter((m) => m.version < 9),
    );
    db.prepare(
      `INSERT INTO bookings (id, type, session_id, name, created_at)
       VALUES ('before', 'consultation', 'c', 'Jane', 't')`,
    ).run();
    runMigrations(db);
    const book = (id: string, messageId: string) =>
      db
        .prepare(
          `INSERT INTO bookings (id, type, session_id, message_id, name, created_at)
           VALUES (?, 'consultation', 'c', ?, 'Jane', 't')`,
        )
        .run(id, messageId);
    db.prepare("INSERT INTO conversations (id, started_at, last_at) VALUES ('c', 't', 't')").run();
    db.prepare(
      `INSERT INTO messages (id, conversation_id, seq, role, text, created_at, fts_rowid)
       VALUES ('offer', 'c', 1, 'bot', 'Of course.', 't', 1)`,
    ).run();
    book("linked", "offer");
    const linkOf = (id: string) =>
      db.prepare("SELECT message_id FROM bookings WHERE id = ?").pluck().get(id);
    expect(linkOf("before")).toBeNull();
    expect(linkOf("linked")).toBe("offer");
    // Only a stored message can be named.
    expect(() => book("dangling", "nowhere")).toThrow(/FOREIGN KEY/);
    // Retention and erasure delete conversations; the requests stay, without the link.
    db.prepare("DELETE FROM conversations WHERE id = 'c'").run();
    expect(linkOf("linked")).toBeNull();
    expect(db.prepare("SELECT count(*) FROM bookings").pluck().get()).toBe(2);
    db.close();
  });
});
