import { randomUUID } from "node:crypto";
import { decodeCursor, encodeCursor, type Page, pageSize } from "./cursor.js";
import type { Database } from "./database.js";
import type { StoreDeps } from "./timestamps.js";

/**
 * What was done. Erasure and retention delete personal data; filing copies a visitor's
 * question into the question bank; the others touch it (a review or note on a conversation, a
 * booking's status).
 */
export type AuditAction =
  | "sign_in"
  | "erasure"
  | "retention"
  | "export"
  | "file_question"
  | "mark_unanswerable"
  | "review"
  | "booking_status";

/**
 * Figures about an action: counts, which kinds of identifier were used, a format. Never
 * visitor content or contact details: the log outlives what it describes.
 */
export type AuditDetails = Record<string, string | number | boolean | string[] | null>;

export interface AuditEntry {
  id: string;
  at: string;
  /** The staff account's name, or "system" for scheduled work. */
  actor: string;
  action: AuditAction;
  details: AuditDetails;
}

/** An append-only record of sensitive staff and system actions. */
export interface AuditLog {
  /** Appends an entry. Joins the caller's transaction if one is open. */
  record(entry: { actor: string; action: AuditAction; details: AuditDetails }): AuditEntry;
  /** Newest first; `limit` 1 to 200. */
  list(query: { limit: number; cursor?: string }): Page<AuditEntry>;
}

interface AuditRow {
  id: string;
  at: string;
  actor: string;
  action: AuditAction;
  details: string;
}

const toEntry = (row: AuditRow): AuditEntry => ({
  id: row.id,
  at: row.at,
  actor: row.actor,
  action: row.action,
  details: JSON.parse(row.details) as AuditDetails,
});

/** The audit log in the SQLite database from `openDatabase`. */
export function createSqliteAuditLog(db: Database, deps: StoreDeps = {}): AuditLog {
  const now = deps.now ?? (() => new Date());
  const insert = db.prepare<[AuditRow]>(
    `INSERT INTO audit_log (id, at, actor, action, details)
     VALUES (@id, @at, @actor, @action, @details)`,
  );
  const newest = db.prepare<[number], AuditRow>(
    "SELECT id, at, actor, action, details FROM audit_log ORDER BY at DESC, id DESC LIMIT ?",
  );
  const after = db.prepare<[string, string, number], AuditRow>(
    `SELECT id, at, actor, action, details FROM audit_log WHERE (at, id) < (?, ?)
     ORDER BY at DESC, id DESC LIMIT ?`,
  );

  return {
    record({ actor, action, details }) {
      const entry: AuditEntry = {
        id: randomUUID(),
        at: now().toISOString(),
        actor,
        action,
        details,
      };
      insert.run({ ...entry, details: JSON.stringify(details) });
      return entry;
    },

    list({ limit, cursor }) {
      const size = pageSize(limit);
      const position = cursor === undefined ? undefined : decodeCursor(cursor);
      const rows = position ? after.all(position.at, position.id, size + 1) : newest.all(size + 1);
      const items = rows.slice(0, size).map(toEntry);
      const last = items.at(-1);
      return {
        items,
        nextCursor: rows.length > size && last ? encodeCursor({ at: last.at, id: last.id }) : null,
      };
    },
  };
}
