import { AppError } from "../errors.js";
import type { Database } from "./database.js";
import { type StoreDeps } from "./timestamps.js";

/** A message waiting to be sent (an email to the clinic, a webhook), as `due` returns it. */
export interface OutboxEntry {
  id: number;
  topic: string;
  /** Idempotency key: also what to give the receiving API so a resend is not a duplicate. */
  key: string;
  payload: unknown;
  /** Failed attempts so far. */
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  createdAt: string;
}

/**
 * Messages to deliver to other systems, stored in the same database as the data they announce
 * so that both are written in one transaction (see `UnitOfWork`). Delivery is at least once:
 * a worker reads `due` entries, sends them, then marks them delivered or failed.
 */
export interface OutboxRepository {
  /**
   * Adds a message, due at once or at `notBefore`. Enqueueing the same `(topic, key)` again is
   * a no-op that returns the first entry's id with `enqueued: false`. Joins the caller's
   * transaction if one is open.
   */
  enqueue(input: { topic: string; key: string; payload: unknown; notBefore?: Date }): {
    id: number;
    enqueued: boolean;
  };
  /** Undelivered entries with `nextAttemptAt <= now`, longest waiting first. */
  due(now: Date, limit: number): OutboxEntry[];
  /** Returns false if the entry does not exist or was already delivered. */
  markDelivered(id: number, at: Date): boolean;
  /**
   * Counts a failed attempt and schedules the next one; the backoff policy is the caller's.
   * Returns false if the entry does not exist or was already delivered.
   */
  markFailed(id: number, error: string, nextAttemptAt: Date): boolean;
  /** Entries not delivered yet, due or not. */
  pendingCount(): number;
  /**
   * Deletes the entries of `topic` with these keys, delivered or not: an erased or expired
   * booking must not live on in its webhook message. Returns how many were deleted.
   */
  forget(topic: string, keys: readonly string[]): number;
}

interface OutboxRow {
  id: number;
  topic: string;
  key: string;
  payload: string;
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  created_at: string;
}

/** Error texts can be whole HTTP bodies; the first part says what went wrong. */
const MAX_ERROR_LENGTH = 2000;

/** The outbox in the SQLite database from `openDatabase`. */
export function createSqliteOutbox(db: Database, deps: StoreDeps = {}): OutboxRepository {
  const now = deps.now ?? (() => new Date());

  const insert = db
    .prepare<[string, string, string, string, string], number>(
      `INSERT INTO outbox (topic, key, payload, next_attempt_at, created_at)
       VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (topic, key) DO NOTHING
       RETURNING id`,
    )
    .pluck();
  const selectId = db
    .prepare<[string, string], number>("SELECT id FROM outbox WHERE topic = ? AND key = ?")
    .pluck();
  const selectDue = db.prepare<[string, number], OutboxRow>(
    `SELECT id, topic, key, payload, attempts, next_attempt_at, last_error, created_at
     FROM outbox WHERE delivered_at IS NULL AND next_attempt_at <= ?
     ORDER BY next_attempt_at, id LIMIT ?`,
  );
  const updateDelivered = db.prepare<[string, number]>(
    "UPDATE outbox SET delivered_at = ? WHERE id = ? AND delivered_at IS NULL",
  );
  const updateFailed = db.prepare<[string, string, number]>(
    `UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?
     WHERE id = ? AND delivered_at IS NULL`,
  );
  const deleteByKey = db.prepare<[string, string]>(
    "DELETE FROM outbox WHERE topic = ? AND key = ?",
  );
  const countPending = db
    .prepare<[], number>("SELECT count(*) FROM outbox WHERE delivered_at IS NULL")
    .pluck();

  const enqueueOnce = db.transaction(
    (topic: string, key: string, payload: string, dueAt: string, createdAt: string) => {
      const id = insert.get(topic, key, payload, dueAt, createdAt);
      if (id !== undefined) return { id, enqueued: true };
      const existing = selectId.get(topic, key);
      if (existing === undefined) throw new Error(`Outbox entry ${topic}/${key} vanished`);
      return { id: existing, enqueued: false };
    },
  );

  return {
    enqueue({ topic, key, payload, notBefore }) {
      const json = JSON.stringify(payload) as string | undefined;
      if (json === undefined) {
        throw new AppError("internal", `Outbox payload for ${topic} is not JSON`);
      }
      const createdAt = now().toISOString();
      return enqueueOnce(topic, key, json, notBefore?.toISOString() ?? createdAt, createdAt);
    },

    due(at, limit) {
      if (!Number.isInteger(limit) || limit < 1) return [];
      return selectDue.all(at.toISOString(), limit).map((row) => ({
        id: row.id,
        topic: row.topic,
        key: row.key,
        payload: JSON.parse(row.payload) as unknown,
        attempts: row.attempts,
        nextAttemptAt: row.next_attempt_at,
        lastError: row.last_error,
        createdAt: row.created_at,
      }));
    },

    markDelivered(id, at) {
      return updateDelivered.run(at.toISOString(), id).changes > 0;
    },

    markFailed(id, error, nextAttemptAt) {
      return (
        updateFailed.run(error.slice(0, MAX_ERROR_LENGTH), nextAttemptAt.toISOString(), id)
          .changes > 0
      );
    },

    pendingCount() {
      return countPending.get() ?? 0;
    },

    forget(topic, keys) {
      let deleted = 0;
      for (const key of keys) deleted += deleteByKey.run(topic, key).changes;
      return deleted;
    },
  };
}
