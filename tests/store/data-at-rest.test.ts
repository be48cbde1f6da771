import { chmodSync, existsSync, readFileSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { closeDatabase, type Database, openDatabase } from "../../src/store/database.js";
import { runMigrations } from "../../src/store/migrations.js";
import { createSqliteTranscripts } from "../../src/store/transcripts.js";
import { reply } from "./store-fixtures.js";

/** File modes mean nothing on Windows, where Node only toggles the read-only flag. */
const posix = process.platform !== "win32";

let dir: string;
let file: string;
let db: Database | undefined;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "skin-faq-at-rest-"));
  file = path.join(dir, "data", "app.db");
});
afterEach(async () => {
  if (db) closeDatabase(db);
  db = undefined;
  await rm(dir, { recursive: true, force: true });
});

function mode(f: string): number {
  return statSync(f).mode & 0o777;
}

describe("database files", () => {
  it.skipIf(!posix)("creates the data folder 0700 and the database, WAL and shm files 0600", () => {
    db = openDatabase(file);
    createSqliteTranscripts(db).appendExchange({
      conversationId: "c1",
      visitor: { id: "v1", text: "How long does a peel take?", createdAt: new Date() },
      bot: { id: "b1", reply: reply(), latencyMs: 10, createdAt: new Date() },
    });
    expect(mode(path.dirname(file)).toString(8)).toBe("700");
    expect(existsSync(`${file}-wal`)).toBe(true);
    for (const f of [file, `${file}-wal`, `${file}-shm`]) {
      if (existsSync(f)) expect([f, mode(f).toString(8)]).toEqual([f, "600"]);
    }
  });

  it.skipIf(!posix)("tightens a world-readable database left by an older release", () => {
    closeDatabase(openDatabase(file));
    chmodSync(file, 0o644);
    db = openDatabase(file);
    expect(mode(file).toString(8)).toBe("600");
  });
});

describe("deleted data", () => {
  it("turns on secure_delete and FTS5 secure-delete", () => {
    db = openDatabase(file);
    expect(db.pragma("secure_delete", { simple: true })).toBe(1);
    expect(
      db.prepare("SELECT v FROM messages_fts_config WHERE k = 'secure-delete'").pluck().get(),
    ).toBe(1);
  });

  it("scrubs text deleted before secure delete was on, the first time an old database is opened", () => {
    // A database as an older release left it: same schema, neither setting on.
    const oldFile = path.join(dir, "old.db");
    const old = new BetterSqlite3(oldFile);
    old.pragma("journal_mode = WAL");
    runMigrations(old);
    const transcripts = createSqliteTranscripts(old);
    for (const [id, text] of [
      ["gone", "Is Quokkazorb cream safe?"],
      ["kept", "How long does a peel take?"],
    ] as const) {
      transcripts.appendExchange({
        conversationId: id,
        visitor: { id: `v-${id}`, text, createdAt: new Date() },
        bot: { id: `b-${id}`, reply: reply(), latencyMs: 10, createdAt: new Date() },
      });
    }
    transcripts.deleteConversation("gone");
    old.pragma("wal_checkpoint(TRUNCATE)");
    old.close();
    // Without the FTS word's first letters, which the index may store as a shared prefix.
    const leftover = () =>
      readFileSync(oldFile).toString("latin1").toLowerCase().includes("kkazorb");
    expect(leftover()).toBe(true);

    db = openDatabase(oldFile);
    closeDatabase(db);
    expect(leftover()).toBe(false);
    db = openDatabase(oldFile);
    expect(createSqliteTranscripts(db).getConversation("kept")).not.toBeNull();
  });
});
