import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type BookingRepository, createSqliteBookings } from "../../src/store/bookings.js";
import { createSqliteOutbox, type OutboxRepository } from "../../src/store/outbox.js";
import { createSqliteUnitOfWork, type UnitOfWork } from "../../src/store/unit-of-work.js";
import { steppingClock, tempDatabase } from "./store-fixtures.js";

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
