import BetterSqlite3 from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type BookingRepository, createSqliteBookings } from "../../src/store/bookings.js";
import { closeDatabase, openDatabase } from "../../src/store/database.js";
import { migrations, runMigrations } from "../../src/store/migrations.js";
import { createSqliteOutbox, type OutboxRepository } from "../../src/store/outbox.js";
import { createSqliteUnitOfWork, type UnitOfWork } from "../../src/store/unit-of-work.js";
import { steppingClock, tempDatabase } from "./store-fixtures.js";
import { UK_FORMATS } from "./phone-formats.js";

let env: Awaited<ReturnType<typeof tempDatabase>>;
let bookings: BookingRepository;
let outbox: OutboxRepository;
let unitOfWork: UnitOfWork;

beforeEach(async () => {
  env = await tempDatabase();
  const now = steppingClock("2026-03-01T09:00:00.000Z");
  bookings = createSqliteBookings(env.db, { now });
  outbox = createSqliteOutbox(env.db, { now });
  unitOfWork = createSqliteUnitOfWork(env.db);
});
afterEach(async () => {
  await env.cleanup();
});

describe("createSqliteBookings", () => {
  it("creates a booking and reads it back in camelCase with nulls for what was left out", () => {
    const { id } = bookings.create({
      type: "consultation",
      sessionId: "s1",
      name: "Jane Doe",
      email: "jane@example.com",
      treatment: "Chemical peel",
      preferredTime: "Weekday mornings",
    });
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(bookings.get(id)).toEqual({
      id,
      type: "consultation",
      sessionId: "s1",
      messageId: null,
      name: "Jane Doe",
      email: "jane@example.com",
      phone: null,
      treatment: "Chemical peel",
      preferredTime: "Weekday mornings",
      notes: null,
      status: "new",
      createdAt: "2026-03-01T09:00:00.000Z",
    });
    expect(bookings.get("nope")).toBeNull();
  });

  it("lists newest first, by status, a page at a time", () => {
    const created = Array.from({ length: 5 }, (_, i) =>
      bookings.create({ type: "callback", name: `Caller ${i}`, phone: "07700 900123" }),
    );
    const newestFirst = created.map((b) => b.id).reverse();
    const first = bookings.list({ limit: 2 });
    const second = bookings.list({ limit: 2, cursor: first.nextCursor ?? "" });
    const third = bookings.list({ limit: 2, cursor: second.nextCursor ?? "" });
    expect([...first.items, ...second.items, ...third.items].map((b) => b.id)).toEqual(newestFirst);
    expect(third.nextCursor).toBeNull();
    expect(bookings.list().items).toHaveLength(5);

    expect(bookings.setStatus(created[1]?.id ?? "", "contacted")).toBe(true);
    expect(bookings.setStatus("nope", "contacted")).toBe(false);
    expect(bookings.list({ status: "contacted" }).items.map((b) => b.id)).toEqual([created[1]?.id]);
    expect(bookings.list({ status: "new" }).items).toHaveLength(4);
  });

  it("deletes by contact: email case-insensitively, phone by its digits", () => {
    bookings.create({ type: "consultation", name: "A", email: "Jane@Example.com" });
    bookings.create({ type: "callback", name: "B", phone: "07700 900123" });
    bookings.create({ type: "callback", name: "C", phone: "07700-900-123" });
    bookings.create({ type: "callback", name: "D", phone: "07700 900999", email: "d@example.com" });

    expect(bookings.deleteByContact({ email: "jane@example.com" })).toBe(1);
    expect(bookings.deleteByContact({ phone: "(07700) 900123" })).toBe(2);
    expect(bookings.deleteByContact({ email: "nobody@example.com" })).toBe(0);
    expect(bookings.list().items.map((b) => b.name)).toEqual(["D"]);
    expect(bookings.deleteByContact({ email: "d@example.com", phone: "07700 900999" })).toBe(1);
  });

  it("refuses to delete by nothing or by a fragment of a phone number", () => {
    expect(() => bookings.deleteByContact({})).toThrow(
      expect.objectContaining({ code: "invalid" }),
    );
    expect(() => bookings.deleteByContact({ email: "  " })).toThrow(
      expect.objectContaining({ code: "invalid" }),
    );
    expect(() => bookings.deleteByContact({ phone: "123" })).toThrow(
      expect.objectContaining({ code: "invalid" }),
    );
  });
});

describe("createSqliteUnitOfWork", () => {
  it("commits a booking together with its outbox entry", () => {
    const { id } = unitOfWork.run(() => {
      const booking = bookings.create({ type: "callback", name: "Jane", phone: "07700 900123" });
      outbox.enqueue({ topic: "booking.created", key: booking.id, payload: { id: booking.id } });
      return booking;
    });
    expect(bookings.get(id)).not.toBeNull();
    expect(outbox.due(new Date("2026-03-02T00:00:00Z"), 10)).toMatchObject([
      { topic: "booking.created", key: id, payload: { id } },
    ]);
  });

  it("rolls both back when the work fails after the booking was written", () => {
    expect(() =>
      unitOfWork.run(() => {
        const booking = bookings.create({ type: "callback", name: "Jane" });
        outbox.enqueue({ topic: "booking.created", key: booking.id, payload: { id: booking.id } });
        throw new Error("the webhook payload could not be built");
      }),
    ).toThrow(/webhook payload/);
    expect(bookings.list().items).toEqual([]);
    expect(outbox.pendingCount()).toBe(0);
  });

  it("works the same with db.transaction, which the repositories join as a savepoint", () => {
    const store = env.db.transaction(() => {
      const booking = bookings.create({ type: "callback", name: "Jane" });
      outbox.enqueue({ topic: "booking.created", key: booking.id, payload: booking });
      throw new Error("rolled back");
    });
    expect(() => store()).toThrow(/rolled back/);
    expect(bookings.list().items).toEqual([]);
    expect(outbox.pendingCount()).toBe(0);
  });
});

describe("booking status history, filters and erasure lookups", () => {
  it("records each status change with who made it, and nothing for no change", () => {
    const { id } = bookings.create({ type: "consultation", name: "Jane", email: "j@example.com" });
    expect(bookings.setStatus(id, "contacted", "alex")).toBe(true);
    expect(bookings.setStatus(id, "contacted", "sam")).toBe(true);
    expect(bookings.setStatus(id, "booked", "sam")).toBe(true);
    expect(bookings.get(id)?.status).toBe("booked");
    const history = bookings.history(id);
    expect(history.map((e) => [e.from, e.to, e.by])).toEqual([
      ["new", "contacted", "alex"],
      ["contacted", "booked", "sam"],
    ]);
    expect((history[0]?.at ?? "") < (history[1]?.at ?? "")).toBe(true);
    expect(bookings.history("nope")).toEqual([]);
  });

  it("filters the list by type and by status together", () => {
    bookings.create({ type: "consultation", name: "A", email: "a@example.com" });
    const callback = bookings.create({ type: "callback", name: "B", phone: "07700 900123" });
    bookings.create({ type: "callback", name: "C", phone: "07700 900124" });
    bookings.setStatus(callback.id, "closed", "alex");
    expect(bookings.list({ type: "callback" }).items.map((b) => b.name)).toEqual(["C", "B"]);
    expect(bookings.list({ type: "callback", status: "closed" }).items.map((b) => b.name)).toEqual([
      "B",
    ]);
    expect(bookings.list({ type: "consultation" }).items.map((b) => b.name)).toEqual(["A"]);
  });

  it("finds bookings by contact and by chat session, and deletes one with its history", () => {
    const a = bookings.create({
      type: "callback",
      name: "A",
      phone: "07700 900123",
      sessionId: "s1",
    });
    bookings.create({ type: "consultation", name: "B", email: "B@example.com" });
    expect(bookings.findByContact({ phone: "07700-900-123" }).map((b) => b.name)).toEqual(["A"]);
    expect(bookings.findByContact({ email: "b@example.com" }).map((b) => b.name)).toEqual(["B"]);
    expect(() => bookings.findByContact({ phone: "12" })).toThrow(
      expect.objectContaining({ code: "invalid" }),
    );
    expect(bookings.listBySession("s1").map((b) => b.id)).toEqual([a.id]);
    bookings.setStatus(a.id, "contacted", "alex");
    expect(bookings.delete(a.id)).toBe(true);
    expect(bookings.delete(a.id)).toBe(false);
    const events = env.db.prepare<[], number>("SELECT count(*) FROM booking_events").pluck().get();
    expect(events).toBe(0);
  });

  it("deletes closed bookings once their closing is older than the cutoff, never open ones", () => {
    let now = new Date("2026-01-01T00:00:00.000Z");
    const clocked = createSqliteBookings(env.db, { now: () => now });
    const closedLongAgo = clocked.create({ type: "callback", name: "A", phone: "07700 900123" });
    const closedRecently = clocked.create({ type: "callback", name: "B", phone: "07700 900124" });
    const stillOpen = clocked.create({ type: "callback", name: "C", phone: "07700 900125" });
    clocked.setStatus(closedLongAgo.id, "closed", "alex");
    now = new Date("2026-06-01T00:00:00.000Z");
    clocked.setStatus(closedRecently.id, "closed", "alex");

    expect(clocked.deleteClosedBefore("2026-03-01T00:00:00.000Z")).toEqual([closedLongAgo.id]);
    expect(clocked.get(closedRecently.id)).not.toBeNull();
    expect(clocked.get(stillOpen.id)).not.toBeNull();
  });
});

/** One French mobile number, written with its country code. */
const FR_FORMATS = [
  "+33 6 12 34 56 78",
  "0033 6 12 34 56 78",
  "+33 (0)6 12 34 56 78",
  "+33612345678",
];

describe("phone numbers in any format", () => {
  function bookAll(phones: readonly string[]): string[] {
    return phones.map((phone) => bookings.create({ type: "callback", name: phone, phone }).id);
  }

  it.each(UK_FORMATS)("finds every format of a UK number by %j, and no other number", (phone) => {
    const same = bookAll(UK_FORMATS);
    bookAll(["07700 900778", "+44 7700 900776", "+33 7700 900777", ...FR_FORMATS]);
    expect(new Set(bookings.findByContact({ phone }).map((b) => b.id))).toEqual(new Set(same));
  });

  it.each(FR_FORMATS)("finds every format of a French number by %j", (phone) => {
    const same = bookAll(FR_FORMATS);
    // Without a country code a number is read as PHONE_REGION's (GB by default): another one.
    bookAll(["06 12 34 56 78", ...UK_FORMATS]);
    expect(new Set(bookings.findByContact({ phone }).map((b) => b.id))).toEqual(new Set(same));
  });

  it("erases the three bookings of issue #14 by any one of their formats", () => {
    bookAll(["07700 900777", "+44 7700 900777", "07700-900-777", "07700 900778"]);
    expect(bookings.deleteByContact({ phone: "07700 900777" })).toBe(3);
    expect(bookings.list().items.map((b) => b.phone)).toEqual(["07700 900778"]);
  });

  it("reads numbers without a country code as the configured region's", () => {
    const french = createSqliteBookings(env.db, { phoneRegion: "FR" });
    const same = FR_FORMATS.map((phone) => french.create({ type: "callback", name: "A", phone }));
    const national = french.create({ type: "callback", name: "B", phone: "06 12 34 56 78" });
    const all = new Set([...same.map((b) => b.id), national.id]);
    expect(new Set(french.findByContact({ phone: "06.12.34.56.78" }).map((b) => b.id))).toEqual(
      all,
    );
    expect(new Set(french.findByContact({ phone: "+33 6 12 34 56 78" }).map((b) => b.id))).toEqual(
      all,
    );
  });

  it("compares a number that cannot be read as one by its digits, as before", () => {
    // +999 is no country's code.
    bookAll(["+999 123 4567", "+999-1234567", "+999 123 4568"]);
    expect(bookings.findByContact({ phone: "00999 1234567" }).map((b) => b.name)).toEqual([
      "+999 123 4567",
      "+999-1234567",
    ]);
    expect(bookings.deleteByContact({ phone: "+9991234567" })).toBe(2);
  });

  it("searches the list by a phone number in any format, with the other filters and pages", () => {
    const [spaced, international, dashed] = bookAll([
      "07700 900777",
      "+44 7700 900777",
      "07700-900-777",
    ]);
    bookAll(["07700 900778"]);
    bookings.create({ type: "consultation", name: "C", phone: "0044 7700 900777" });
    for (const phone of UK_FORMATS) {
      expect(
        bookings.list({ phone, type: "callback" }).items.map((b) => b.id),
        phone,
      ).toEqual([dashed, international, spaced]);
    }
    const first = bookings.list({ phone: "+447700900777", limit: 2 });
    const rest = bookings.list({
      phone: "+447700900777",
      limit: 2,
      cursor: first.nextCursor ?? "",
    });
    expect([...first.items, ...rest.items]).toHaveLength(4);
    expect(rest.nextCursor).toBeNull();
    expect(() => bookings.list({ phone: "900 77" })).toThrow(
      expect.objectContaining({ code: "invalid" }),
    );
  });

  it("fills the E.164 form of the bookings stored before migration 6 when it opens", async () => {
    // A database as the release before this step left it, with bookings in three formats.
    const file = `${env.dir}/old.db`;
    const old = new BetterSqlite3(file);
    runMigrations(
      old,
      migrations.filter((m) => m.version < 6),
    );
    const insert = old.prepare(
      `INSERT INTO bookings (id, type, name, phone, created_at)
       VALUES (?, 'callback', 'Old', ?, '2026-01-01T00:00:00.000Z')`,
    );
    UK_FORMATS.slice(0, 3).forEach((phone, i) => insert.run(`old-${i}`, phone));
    insert.run("old-none", null);
    old.close();

    const db = openDatabase(file);
    try {
      const reopened = createSqliteBookings(db);
      const stored = db
        .prepare("SELECT id, phone_e164, phone_digits, phone_region FROM bookings ORDER BY id")
        .all();
      expect(stored).toEqual([
        {
          id: "old-0",
          phone_e164: "+447700900777",
          phone_digits: "07700900777",
          phone_region: "GB",
        },
        {
          id: "old-1",
          phone_e164: "+447700900777",
          phone_digits: "447700900777",
          phone_region: "GB",
        },
        {
          id: "old-2",
          phone_e164: "+447700900777",
          phone_digits: "07700900777",
          phone_region: "GB",
        },
        { id: "old-none", phone_e164: null, phone_digits: null, phone_region: null },
      ]);
      expect(reopened.deleteByContact({ phone: "+44 7700 900777" })).toBe(3);
    } finally {
      closeDatabase(db);
    }
  });

  it("reads the stored numbers again when the region changes", () => {
    const { id } = bookings.create({ type: "callback", name: "A", phone: "06 12 34 56 78" });
    expect(bookings.findByContact({ phone: "+33 6 12 34 56 78" })).toEqual([]);
    const french = createSqliteBookings(env.db, { phoneRegion: "FR" });
    expect(french.findByContact({ phone: "+33 6 12 34 56 78" }).map((b) => b.id)).toEqual([id]);
    const region = env.db.prepare("SELECT phone_region FROM bookings WHERE id = ?").pluck();
    expect(region.get(id)).toBe("FR");
  });
});
