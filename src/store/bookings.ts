import { randomUUID } from "node:crypto";
import { AppError } from "../errors.js";
import { decodeCursor, encodeCursor, type Page, pageSize } from "./cursor.js";
import type { Database } from "./database.js";
import { type StoreDeps } from "./timestamps.js";

/** A consultation request, or a request to be phoned back. */
export type BookingType = "consultation" | "callback";
/** Where staff are with a request; every booking starts "new". */
export type BookingStatus = "new" | "contacted" | "booked" | "closed";

/** What a visitor submits. Optional fields may be left out or null. */
export interface NewBooking {
  type: BookingType;
  /** The chat session the request came from, if any. */
  sessionId?: string | null;
  name: string;
  email?: string | null;
  phone?: string | null;
  treatment?: string | null;
  preferredTime?: string | null;
  notes?: string | null;
}

/** A stored booking request; missing optional fields are null. */
export interface Booking {
  id: string;
  type: BookingType;
  sessionId: string | null;
  name: string;
  email: string | null;
  phone: string | null;
  treatment: string | null;
  preferredTime: string | null;
  notes: string | null;
  status: BookingStatus;
  createdAt: string;
}

/** Consultation and callback requests for the clinic's staff. */
export interface BookingRepository {
  /** Stores a request with status "new". Joins the caller's transaction if one is open. */
  create(input: NewBooking): { id: string };
  /** Newest first; `limit` defaults to 50, capped at 200. */
  list(query?: { status?: BookingStatus; limit?: number; cursor?: string }): Page<Booking>;
  get(id: string): Booking | null;
  /** Returns false if there is no such booking. */
  setStatus(id: string, status: BookingStatus): boolean;
  /**
   * Deletes every booking with this email (case-insensitive) or this phone number (compared by
   * digits, so "07700 900123" matches "07700-900-123", but not the "+44 7700 900123" form), for
   * erasure requests. Returns how many were deleted. Throws `AppError("invalid")` when neither
   * is given, or the phone number has fewer than 7 digits.
   */
  deleteByContact(contact: { email?: string; phone?: string }): number;
}

interface BookingRow {
  id: string;
  type: BookingType;
  session_id: string | null;
  name: string;
  email: string | null;
  phone: string | null;
  treatment: string | null;
  preferred_time: string | null;
  notes: string | null;
  status: BookingStatus;
  created_at: string;
}

const DEFAULT_PAGE = 50;
const MIN_PHONE_DIGITS = 7;

const COLUMNS = `id, type, session_id, name, email, phone, treatment, preferred_time, notes,
  status, created_at`;

function toBooking(row: BookingRow): Booking {
  return {
    id: row.id,
    type: row.type,
    sessionId: row.session_id,
    name: row.name,
    email: row.email,
    phone: row.phone,
    treatment: row.treatment,
    preferredTime: row.preferred_time,
    notes: row.notes,
    status: row.status,
    createdAt: row.created_at,
  };
}

/** Digits only, with a "00" international prefix read as "+": how phone numbers are compared. */
function phoneDigits(phone: string): string {
  return phone.replace(/\D/g, "").replace(/^00/, "");
}

/** Bookings in the SQLite database from `openDatabase`. */
export function createSqliteBookings(db: Database, deps: StoreDeps = {}): BookingRepository {
  const now = deps.now ?? (() => new Date());

  const insert = db.prepare<
    [
      {
        id: string;
        type: BookingType;
        sessionId: string | null;
        name: string;
        email: string | null;
        phone: string | null;
        treatment: string | null;
        preferredTime: string | null;
        notes: string | null;
        createdAt: string;
      },
    ]
  >(
    `INSERT INTO bookings (id, type, session_id, name, email, phone, treatment, preferred_time,
       notes, created_at)
     VALUES (@id, @type, @sessionId, @name, @email, @phone, @treatment, @preferredTime,
       @notes, @createdAt)`,
  );
  const selectOne = db.prepare<[string], BookingRow>(
    `SELECT ${COLUMNS} FROM bookings WHERE id = ?`,
  );
  const updateStatus = db.prepare<[BookingStatus, string]>(
    "UPDATE bookings SET status = ? WHERE id = ?",
  );
  const selectByEmail = db
    .prepare<[string], string>("SELECT id FROM bookings WHERE lower(email) = lower(?)")
    .pluck();
  const selectWithPhone = db.prepare<[], { id: string; phone: string }>(
    "SELECT id, phone FROM bookings WHERE phone IS NOT NULL",
  );
  const deleteOne = db.prepare<[string]>("DELETE FROM bookings WHERE id = ?");

  const deleteMatching = db.transaction((email: string | null, phone: string | null): number => {
    const ids = new Set<string>();
    if (email !== null) for (const id of selectByEmail.all(email)) ids.add(id);
    if (phone !== null) {
      // Formatting varies ("07700 900123", "07700-900123"), so compare digits in code; the
      // table holds requests, not millions of rows.
      for (const row of selectWithPhone.all()) {
        if (phoneDigits(row.phone) === phone) ids.add(row.id);
      }
    }
    let deleted = 0;
    for (const id of ids) deleted += deleteOne.run(id).changes;
    return deleted;
  });

  return {
    create(input) {
      const id = randomUUID();
      insert.run({
        id,
        type: input.type,
        sessionId: input.sessionId ?? null,
        name: input.name,
        email: input.email ?? null,
        phone: input.phone ?? null,
        treatment: input.treatment ?? null,
        preferredTime: input.preferredTime ?? null,
        notes: input.notes ?? null,
        createdAt: now().toISOString(),
      });
      return { id };
    },

    list(query = {}) {
      const limit = pageSize(query.limit ?? DEFAULT_PAGE);
      const where: string[] = [];
      const params: string[] = [];
      if (query.status !== undefined) {
        where.push("status = ?");
        params.push(query.status);
      }
      if (query.cursor !== undefined) {
        const after = decodeCursor(query.cursor);
        where.push("(created_at, id) < (?, ?)");
        params.push(after.at, after.id);
      }
      const rows = db
        .prepare<(string | number)[], BookingRow>(
          `SELECT ${COLUMNS} FROM bookings
           ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
           ORDER BY created_at DESC, id DESC LIMIT ?`,
        )
        .all(...params, limit + 1);
      const items = rows.slice(0, limit).map(toBooking);
      const last = items.at(-1);
      return {
        items,
        nextCursor:
          rows.length > limit && last ? encodeCursor({ at: last.createdAt, id: last.id }) : null,
      };
    },

    get(id) {
      const row = selectOne.get(id);
      return row ? toBooking(row) : null;
    },

    setStatus(id, status) {
      return updateStatus.run(status, id).changes > 0;
    },

    deleteByContact({ email, phone }) {
      const byEmail = email?.trim() ? email.trim() : null;
      const byPhone = phone?.trim() ? phoneDigits(phone) : null;
      // A short fragment would match unrelated numbers; an erasure must not delete strangers.
      if (byPhone !== null && byPhone.length < MIN_PHONE_DIGITS) {
        throw new AppError("invalid", `A phone number needs at least ${MIN_PHONE_DIGITS} digits`);
      }
      if (byEmail === null && byPhone === null) {
        throw new AppError("invalid", "Give an email address or a phone number");
      }
      return deleteMatching(byEmail, byPhone);
    },
  };
}
