import { randomUUID } from "node:crypto";
import { AppError } from "../errors.js";
import { decodeCursor, encodeCursor, type Page, pageSize } from "./cursor.js";
import type { Database } from "./database.js";
import { DEFAULT_PHONE_REGION, type PhoneKey, type PhoneRegion, phoneKey } from "./phone.js";
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
  /**
   * The bot reply (a message of that session's conversation) whose handoff offered the form,
   * if any. The caller checks that it is one; the database only that the message exists.
   */
  messageId?: string | null;
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
  /**
   * The bot reply whose handoff offered the form; null without one, or once that
   * conversation is deleted.
   */
  messageId: string | null;
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
  /**
   * Newest first; `limit` defaults to 50, capped at 200. `phone` finds the bookings with that
   * number in any format, matched as `deleteByContact` does (and refused the same way).
   */
  list(query?: {
    status?: BookingStatus;
    type?: BookingType;
    phone?: string;
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
  /** Bookings made from this chat session, oldest first. */
  listBySession(sessionId: string): Booking[];
  /** Deletes one booking and its history. Returns false if there was none. */
  delete(id: string): boolean;
  /**
   * Deletes closed bookings whose last status change (or creation, without one) is older than
   * `before` (ISO-8601), for retention. Returns the deleted ids.
   */
  deleteClosedBefore(before: string): string[];
  /**
   * Deletes every booking with this email (case-insensitive) or this phone number, for erasure
   * requests. Phone numbers are compared in E.164, read with the repository's `phoneRegion`
   * when they have no country code, so "07700 900123", "+44 7700 900123", "0044 7700 900123"
   * and "07700-900-123" are one number; a number that cannot be read that way (see `toE164`)
   * is compared by its digits. Returns how many were deleted. Throws `AppError("invalid")`
   * when neither is given, or the phone number has fewer than 7 digits.
   */
  deleteByContact(contact: { email?: string; phone?: string }): number;
}

interface BookingRow {
  id: string;
  type: BookingType;
  session_id: string | null;
  message_id: string | null;
  name: string;
  email: string | null;
  phone: string | null;
  treatment: string | null;
  preferred_time: string | null;
  notes: string | null;
  status: BookingStatus;
  created_at: string;
}

/** What `createSqliteBookings` accepts besides the database. */
export interface BookingStoreDeps extends StoreDeps {
  /** The region phone numbers without a country code are read in; default "GB". */
  phoneRegion?: PhoneRegion;
}

const DEFAULT_PAGE = 50;
const MIN_PHONE_DIGITS = 7;

/**
 * The bookings with the phone number `@e164`/`@digits` (a `PhoneKey`): the same E.164 form, or
 * the same digits where either side has no E.164 form.
 */
const PHONE_MATCHES = `(phone_e164 = @e164
  OR (phone_digits = @digits AND (phone_e164 IS NULL OR @e164 IS NULL)))`;

const COLUMNS = `id, type, session_id, message_id, name, email, phone, treatment,
  preferred_time, notes, status, created_at`;

function toBooking(row: BookingRow): Booking {
  return {
    id: row.id,
    type: row.type,
    sessionId: row.session_id,
    messageId: row.message_id,
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

/** The phone columns stored beside what the visitor typed; all null without a number. */
function phoneColumns(
  phone: string | null,
  region: PhoneRegion,
): { phoneE164: string | null; phoneDigits: string | null; phoneRegion: string | null } {
  if (phone === null) return { phoneE164: null, phoneDigits: null, phoneRegion: null };
  const key = phoneKey(phone, region);
  return { phoneE164: key.e164, phoneDigits: key.digits, phoneRegion: region };
}

/**
 * Bookings in the SQLite database from `openDatabase`. Opening reads the phone numbers stored
 * before schema version 6, or with another `phoneRegion`, into their E.164 form.
 */
export function createSqliteBookings(db: Database, deps: BookingStoreDeps = {}): BookingRepository {
  const now = deps.now ?? (() => new Date());
  const region = deps.phoneRegion ?? DEFAULT_PHONE_REGION;

  const insert = db.prepare<
    [
      {
        id: string;
        type: BookingType;
        sessionId: string | null;
        messageId: string | null;
        name: string;
        email: string | null;
        phone: string | null;
        phoneE164: string | null;
        phoneDigits: string | null;
        phoneRegion: string | null;
        treatment: string | null;
        preferredTime: string | null;
        notes: string | null;
        createdAt: string;
      },
    ]
  >(
    `INSERT INTO bookings (id, type, session_id, message_id, name, email, phone, phone_e164,
       phone_digits, phone_region, treatment, preferred_time, notes, created_at)
     VALUES (@id, @type, @sessionId, @messageId, @name, @email, @phone, @phoneE164,
       @phoneDigits, @phoneRegion, @treatment, @preferredTime, @notes, @createdAt)`,
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
  const selectByPhone = db
    .prepare<[PhoneKey], string>(`SELECT id FROM bookings WHERE ${PHONE_MATCHES}`)
    .pluck();
  const deleteOne = db.prepare<[string]>("DELETE FROM bookings WHERE id = ?");

  // Rows stored before schema version 6 have no E.164 form yet, and a changed PHONE_REGION
  // reads numbers without a country code differently: (re)read those once, at open.
  const selectUnread = db.prepare<[string], { id: string; phone: string }>(
    "SELECT id, phone FROM bookings WHERE phone IS NOT NULL AND phone_region IS NOT ?",
  );
  const updatePhone = db.prepare<
    [
      {
        id: string;
        phoneE164: string | null;
        phoneDigits: string | null;
        phoneRegion: string | null;
      },
    ]
  >(
    `UPDATE bookings SET phone_e164 = @phoneE164, phone_digits = @phoneDigits,
       phone_region = @phoneRegion WHERE id = @id`,
  );
  if (selectUnread.get(region) !== undefined) {
    db.transaction(() => {
      for (const row of selectUnread.all(region))
        updatePhone.run({ id: row.id, ...phoneColumns(row.phone, region) });
    }).immediate();
  }

  function matchingIds(email: string | null, phone: PhoneKey | null): Set<string> {
    const ids = new Set<string>();
    if (email !== null) for (const id of selectByEmail.all(email)) ids.add(id);
    if (phone !== null) for (const id of selectByPhone.all(phone)) ids.add(id);
    return ids;
  }

  const deleteMatching = db.transaction((email: string | null, phone: PhoneKey | null): number => {
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

  /** Reads and checks a phone number to look for; see `deleteByContact`. */
  function phoneToFind(phone: string): PhoneKey {
    const key = phoneKey(phone, region);
    // A short fragment would match unrelated numbers; an erasure must not delete strangers.
    if (key.digits.length < MIN_PHONE_DIGITS) {
      throw new AppError("invalid", `A phone number needs at least ${MIN_PHONE_DIGITS} digits`);
    }
    return key;
  }

  /** Normalises and checks an erasure's contact details; see `deleteByContact`. */
  function contactKeys(contact: { email?: string; phone?: string }): {
    email: string | null;
    phone: PhoneKey | null;
  } {
    const email = contact.email?.trim() ? contact.email.trim() : null;
    const phone = contact.phone?.trim() ? phoneToFind(contact.phone) : null;
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
        messageId: input.messageId ?? null,
        name: input.name,
        email: input.email ?? null,
        phone: input.phone ?? null,
        ...phoneColumns(input.phone ?? null, region),
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
      const params: Record<string, string | number | null> = { limit: limit + 1 };
      if (query.status !== undefined) {
        where.push("status = @status");
        params.status = query.status;
      }
      if (query.type !== undefined) {
        where.push("type = @type");
        params.type = query.type;
      }
      if (query.phone !== undefined) {
        where.push(PHONE_MATCHES);
        Object.assign(params, phoneToFind(query.phone));
      }
      if (query.cursor !== undefined) {
        const after = decodeCursor(query.cursor);
        where.push("(created_at, id) < (@afterAt, @afterId)");
        params.afterAt = after.at;
        params.afterId = after.id;
      }
      const rows = db
        .prepare<[Record<string, string | number | null>], BookingRow>(
          `SELECT ${COLUMNS} FROM bookings
           ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
           ORDER BY created_at DESC, id DESC LIMIT @limit`,
        )
        .all(params);
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
