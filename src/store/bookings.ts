import { randomUUID } from "node:crypto";
import { AppError } from "../errors.js";
import { decodeCursor, encodeCursor, type Page, pageSize } from "./cursor.js";
import type { Database } from "./database.js";
import { type StoreDeps, toIsoTimestamp } from "./timestamps.js";

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

/** One status change of a booking, as staff made it. */
export interface BookingEvent {
  from: BookingStatus;
  to: BookingStatus;
  /** The staff account's name ("system" when none was given). */
  by: string;
  at: string;
}

/** Consultation and callback requests for the clinic's staff. */
export interface BookingRepository {
  /** Stores a request with status "new". Joins the caller's transaction if one is open. */
  create(input: NewBooking): { id: string };
  /** Newest first; `limit` defaults to 50, capped at 200. */
  list(query?: {
    status?: BookingStatus;
    type?: BookingType;
    limit?: number;
    cursor?: string;
  }): Page<Booking>;
  get(id: string): Booking | null;
  /**
   * Changes the status and records the change (`by`, default "system", and the time) in the
   * booking's history, in one transaction; setting the status it already has records nothing.
   * Returns false if there is no such booking.
   */
  setStatus(id: string, status: BookingStatus, by?: string): boolean;
  /** The booking's status changes, oldest first. */
  history(id: string): BookingEvent[];
  /**
   * The bookings `deleteByContact` would delete, with the same matching rules and errors.
   */
  findByContact(contact: { email?: string; phone?: string }): Booking[];
  /** Bookings made from this chat session. */
  listBySession(sessionId: string): Booking[];
  /** Deletes one booking and its history. Returns false if there was none. */
  delete(id: string): boolean;
  /**
   * Deletes closed bookings whose last status change (or creation, without one) is older than
   * `before` (ISO-8601), for retention. Returns the deleted ids.
   */
  deleteClosedBefore(before: string): string[];
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
  const selectStatus = db
    .prepare<[string], BookingStatus>("SELECT status FROM bookings WHERE id = ?")
    .pluck();
  const insertEvent = db.prepare<[string, BookingStatus, BookingStatus, string, string]>(
    `INSERT INTO booking_events (booking_id, from_status, to_status, actor, at)
     VALUES (?, ?, ?, ?, ?)`,
  );
  const selectEvents = db.prepare<[string], BookingEvent>(
    `SELECT from_status AS "from", to_status AS "to", actor AS by, at
     FROM booking_events WHERE booking_id = ? ORDER BY id`,
  );
  const selectBySession = db.prepare<[string], BookingRow>(
    `SELECT ${COLUMNS} FROM bookings WHERE session_id = ? ORDER BY created_at, id`,
  );
  const selectClosedBefore = db
    .prepare<[string], string>(
      `SELECT b.id FROM bookings b WHERE b.status = 'closed'
         AND coalesce((SELECT max(e.at) FROM booking_events e WHERE e.booking_id = b.id),
           b.created_at) < ?`,
    )
    .pluck();
  const selectByEmail = db
    .prepare<[string], string>("SELECT id FROM bookings WHERE lower(email) = lower(?)")
    .pluck();
  const selectWithPhone = db.prepare<[], { id: string; phone: string }>(
    "SELECT id, phone FROM bookings WHERE phone IS NOT NULL",
  );
  const deleteOne = db.prepare<[string]>("DELETE FROM bookings WHERE id = ?");

  function matchingIds(email: string | null, phone: string | null): Set<string> {
    const ids = new Set<string>();
    if (email !== null) for (const id of selectByEmail.all(email)) ids.add(id);
    if (phone !== null) {
      // Formatting varies ("07700 900123", "07700-900123"), so compare digits in code; the
      // table holds requests, not millions of rows.
      for (const row of selectWithPhone.all()) {
        if (phoneDigits(row.phone) === phone) ids.add(row.id);
      }
    }
    return ids;
  }

  const deleteMatching = db.transaction((email: string | null, phone: string | null): number => {
    let deleted = 0;
    for (const id of matchingIds(email, phone)) deleted += deleteOne.run(id).changes;
    return deleted;
  });

  const changeStatus = db.transaction((id: string, status: BookingStatus, by: string) => {
    const previous = selectStatus.get(id);
    if (previous === undefined) return false;
    if (previous !== status) {
      updateStatus.run(status, id);
      insertEvent.run(id, previous, status, by, now().toISOString());
    }
    return true;
  });

  const deleteClosed = db.transaction((before: string): string[] => {
    const ids = selectClosedBefore.all(before);
    for (const id of ids) deleteOne.run(id);
    return ids;
  });

  /** Normalises and checks an erasure's contact details; see `deleteByContact`. */
  function contactKeys(contact: { email?: string; phone?: string }): {
    email: string | null;
    phone: string | null;
  } {
    const email = contact.email?.trim() ? contact.email.trim() : null;
    const phone = contact.phone?.trim() ? phoneDigits(contact.phone) : null;
    // A short fragment would match unrelated numbers; an erasure must not delete strangers.
    if (phone !== null && phone.length < MIN_PHONE_DIGITS) {
      throw new AppError("invalid", `A phone number needs at least ${MIN_PHONE_DIGITS} digits`);
    }
    if (email === null && phone === null) {
      throw new AppError("invalid", "Give an email address or a phone number");
    }
    return { email, phone };
  }

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
      if (query.type !== undefined) {
        where.push("type = ?");
        params.push(query.type);
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

    setStatus(id, status, by = "system") {
      return changeStatus.immediate(id, status, by);
    },

    history(id) {
      return selectEvents.all(id);
    },

    findByContact(contact) {
      const { email, phone } = contactKeys(contact);
      return [...matchingIds(email, phone)]
        .map((id) => selectOne.get(id))
        .filter((row): row is BookingRow => row !== undefined)
        .map(toBooking);
    },

    listBySession(sessionId) {
      return selectBySession.all(sessionId).map(toBooking);
    },

    delete(id) {
      return deleteOne.run(id).changes > 0;
    },

    deleteClosedBefore(before) {
      return deleteClosed.immediate(toIsoTimestamp(before, "before"));
    },

    deleteByContact(contact) {
      const { email, phone } = contactKeys(contact);
      return deleteMatching(email, phone);
    },
  };
}
