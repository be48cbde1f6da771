import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSqliteOutbox, type OutboxRepository } from "../../src/store/outbox.js";
import { tempDatabase } from "./store-fixtures.js";

let env: Awaited<ReturnType<typeof tempDatabase>>;
let outbox: OutboxRepository;
let clock: Date;
const at = (time: string) => new Date(`2026-03-01T${time}Z`);

beforeEach(async () => {
  env = await tempDatabase();
  clock = at("09:00:00");
  outbox = createSqliteOutbox(env.db, { now: () => clock });
});
afterEach(async () => {
  await env.cleanup();
});

describe("createSqliteOutbox", () => {
  it("hands out due entries oldest first, with their payload", () => {
    const a = outbox.enqueue({ topic: "booking.created", key: "a", payload: { n: 1 } });
    clock = at("09:00:01");
    const b = outbox.enqueue({ topic: "booking.created", key: "b", payload: ["x"] });
    outbox.enqueue({
      topic: "booking.created",
      key: "later",
      payload: null,
      notBefore: at("10:00:00"),
    });

    expect(outbox.due(at("08:59:59"), 10)).toEqual([]);
    expect(outbox.due(at("09:30:00"), 10)).toEqual([
      {
        id: a.id,
        topic: "booking.created",
        key: "a",
        payload: { n: 1 },
        attempts: 0,
        nextAttemptAt: "2026-03-01T09:00:00.000Z",
        lastError: null,
        createdAt: "2026-03-01T09:00:00.000Z",
      },
      expect.objectContaining({ id: b.id, payload: ["x"] }),
    ]);
    expect(outbox.due(at("09:30:00"), 1).map((e) => e.key)).toEqual(["a"]);
    expect(outbox.due(at("10:00:00"), 10).map((e) => e.key)).toEqual(["a", "b", "later"]);
    expect(outbox.pendingCount()).toBe(3);
  });

  it("ignores a second enqueue with the same topic and key", () => {
    const first = outbox.enqueue({ topic: "booking.created", key: "a", payload: 1 });
    const again = outbox.enqueue({ topic: "booking.created", key: "a", payload: 2 });
    const other = outbox.enqueue({ topic: "booking.updated", key: "a", payload: 3 });
    expect(first.enqueued).toBe(true);
    expect(again).toEqual({ id: first.id, enqueued: false });
    expect(other.enqueued).toBe(true);
    expect(outbox.due(at("09:00:00"), 10).map((e) => e.payload)).toEqual([1, 3]);
  });

  it("reschedules a failed entry behind the others and counts the attempt", () => {
    const a = outbox.enqueue({ topic: "t", key: "a", payload: {} });
    outbox.enqueue({ topic: "t", key: "b", payload: {} });
    expect(outbox.markFailed(a.id, "HTTP 503", at("09:05:00"))).toBe(true);

    expect(outbox.due(at("09:01:00"), 10).map((e) => e.key)).toEqual(["b"]);
    const [b, retried] = outbox.due(at("09:05:00"), 10);
    expect(b?.key).toBe("b");
    expect(retried).toMatchObject({
      key: "a",
      attempts: 1,
      lastError: "HTTP 503",
      nextAttemptAt: "2026-03-01T09:05:00.000Z",
    });
    outbox.markFailed(a.id, "x".repeat(10_000), at("09:10:00"));
    const again = outbox.due(at("09:10:00"), 10).find((e) => e.key === "a");
    expect(again?.attempts).toBe(2);
    expect(again?.lastError?.length).toBe(2000);
  });

  it("stops handing out delivered entries and keeps them delivered", () => {
    const a = outbox.enqueue({ topic: "t", key: "a", payload: {} });
    outbox.enqueue({ topic: "t", key: "b", payload: {} });
    expect(outbox.markDelivered(a.id, at("09:00:05"))).toBe(true);
    expect(outbox.due(at("09:01:00"), 10).map((e) => e.key)).toEqual(["b"]);
    expect(outbox.pendingCount()).toBe(1);
    // A late failure report from a slow attempt does not resurrect it.
    expect(outbox.markFailed(a.id, "timeout", at("09:02:00"))).toBe(false);
    expect(outbox.markDelivered(a.id, at("09:03:00"))).toBe(false);
    expect(outbox.due(at("09:05:00"), 10).map((e) => e.key)).toEqual(["b"]);
    expect(outbox.markDelivered(999, at("09:03:00"))).toBe(false);
  });

  it("refuses a payload JSON cannot hold", () => {
    expect(() => outbox.enqueue({ topic: "t", key: "a", payload: undefined })).toThrow(
      expect.objectContaining({ code: "internal" }),
    );
  });
});

describe("forget", () => {
  it("deletes the entries of a topic with the given keys, delivered or not", () => {
    const a = outbox.enqueue({ topic: "booking.created", key: "a", payload: { email: "x" } });
    outbox.enqueue({ topic: "booking.created", key: "b", payload: {} });
    outbox.enqueue({ topic: "other", key: "a", payload: {} });
    outbox.markDelivered(a.id, at("09:01:00"));
    expect(outbox.forget("booking.created", ["a", "missing"])).toBe(1);
    expect(outbox.due(at("10:00:00"), 10).map((e) => [e.topic, e.key])).toEqual([
      ["booking.created", "b"],
      ["other", "a"],
    ]);
  });
});
