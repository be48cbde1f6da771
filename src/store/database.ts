import { mkdirSync } from "node:fs";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { AppError } from "../errors.js";
import { runMigrations } from "./migrations.js";

/** An open SQLite connection, as better-sqlite3 gives it. The repositories share one. */
export type Database = BetterSqlite3.Database;

/** How long a writer waits for another connection's write lock before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;

/**
 * Opens (creating if needed) the SQLite database at `file` and brings its schema up to date.
 * `":memory:"` gives a private in-memory database, for quick tests.
 *
 * Throws `AppError("unavailable")` when the file cannot be opened, and `AppError("config")`
 * when it was written by a newer schema than this code knows.
 */
export function openDatabase(file: string): Database {
  const inMemory = file === ":memory:" || file === "";
  let db: Database;
  try {
    if (!inMemory) mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    db = new BetterSqlite3(file, { timeout: BUSY_TIMEOUT_MS });
  } catch (error) {
    throw new AppError("unavailable", `Cannot open the database at ${file}`, { cause: error });
  }
  try {
    const journalMode = db.pragma("journal_mode = WAL", { simple: true });
    // In WAL mode a commit is durable once it is in the WAL file, which the OS keeps even if the
    // process is killed; NORMAL only skips the fsync per commit, so a power cut or OS crash can
    // lose the last few commits but never corrupts the file. Outside WAL (a filesystem that
    // cannot share memory, in-memory databases) NORMAL is not that safe, so keep FULL there.
    db.pragma(journalMode === "wal" ? "synchronous = NORMAL" : "synchronous = FULL");
    // Off by default in SQLite; the ON DELETE CASCADEs in the schema depend on it.
    db.pragma("foreign_keys = ON");
    // A second writer (another service instance, a script) waits for the lock instead of
    // failing at once; the constructor's timeout sets the same, this keeps the policy in one list.
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    runMigrations(db);
    return db;
  } catch (error) {
    db.close();
    if (error instanceof AppError) throw error;
    throw new AppError("unavailable", `Cannot prepare the database at ${file}`, { cause: error });
  }
}

/**
 * Folds the WAL back into the main file and closes the connection, so a backup that copies only
 * the `.db` file is complete. Safe to call twice.
 */
export function closeDatabase(db: Database): void {
  if (!db.open) return;
  try {
    if (!db.memory && !db.readonly) {
      db.pragma("wal_checkpoint(TRUNCATE)");
      db.pragma("optimize");
    }
  } finally {
    db.close();
  }
}
