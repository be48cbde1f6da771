import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from "node:fs";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { AppError } from "../errors.js";
import { runMigrations } from "./migrations.js";

/** An open SQLite connection, as better-sqlite3 gives it. The repositories share one. */
export type Database = BetterSqlite3.Database;

/** How long a writer waits for another connection's write lock before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;

/**
 * The data folder and the database files hold visitors' messages and contact details: only
 * the service's own user may read them.
 */
const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

/**
 * Creates the database's folder (0700) and the file itself (0600) if missing, and tightens a
 * file left world-readable by an older release. SQLite creates `-wal` and `-shm` with the
 * main file's permissions, so they follow; ones left by a crash are tightened too. A folder
 * that already exists is left as it is: it may be shared with other things than the service.
 */
function prepareFiles(file: string): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: DIR_MODE });
  // "a" creates the file if missing and never truncates; an empty file is an empty database.
  closeSync(openSync(file, "a", FILE_MODE));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    if (existsSync(f) && (statSync(f).mode & 0o077) !== 0) chmodSync(f, FILE_MODE);
  }
}

/**
 * Makes deleted data unreadable in the file, not just unlinked. `secure_delete` zeroes what a
 * DELETE or UPDATE frees (else an erased message stays readable with `grep -a app.db` until its
 * space is reused); FTS5's own `secure-delete` removes a deleted message's words from the search
 * index at once instead of leaving them until a segment merge. The FTS setting is stored in the
 * database: the first time it is missing, the database may hold data erased before this was
 * turned on, so the index is merged and the file rewritten once with VACUUM (a fresh database
 * has nothing to scrub). No auto or incremental vacuum after that: the freed pages are zeros
 * already, and SQLite reuses them, so shrinking the file would buy only disk space.
 */
function enableSecureDelete(db: Database, fresh: boolean): void {
  db.pragma("secure_delete = ON");
  // Checked and set under the write lock, so of two processes opening an old file only one
  // rewrites it.
  const turnedOn = db
    .transaction(() => {
      const set = db
        .prepare("SELECT 1 FROM messages_fts_config WHERE k = 'secure-delete' AND v = 1")
        .get();
      if (set) return false;
      db.prepare("INSERT INTO messages_fts (messages_fts, rank) VALUES ('secure-delete', 1)").run();
      return true;
    })
    .immediate();
  if (!turnedOn || fresh) return;
  db.prepare("INSERT INTO messages_fts (messages_fts) VALUES ('optimize')").run();
  db.exec("VACUUM");
  // The old pages are still in the WAL; fold it in and empty it.
  checkpointDatabase(db);
}

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
    if (!inMemory) prepareFiles(file);
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
    const fresh = db.pragma("user_version", { simple: true }) === 0;
    runMigrations(db);
    enableSecureDelete(db, fresh);
    return db;
  } catch (error) {
    db.close();
    if (error instanceof AppError) throw error;
    throw new AppError("unavailable", `Cannot prepare the database at ${file}`, { cause: error });
  }
}

/**
 * Folds the WAL into the main file and empties it. The WAL keeps old copies of the pages it
 * wrote, so after an erasure this is what takes the erased data out of the `-wal` file too.
 * Best effort: a reader in another process can keep it from finishing (the next one or the
 * close completes it), and the data is already deleted either way. No-op in memory.
 */
export function checkpointDatabase(db: Database): void {
  if (!db.open || db.memory || db.readonly) return;
  db.pragma("wal_checkpoint(TRUNCATE)");
}

/**
 * Folds the WAL back into the main file and closes the connection, so a backup that copies only
 * the `.db` file is complete. Safe to call twice.
 */
export function closeDatabase(db: Database): void {
  if (!db.open) return;
  try {
    if (!db.memory && !db.readonly) {
      checkpointDatabase(db);
      db.pragma("optimize");
    }
  } finally {
    db.close();
  }
}
