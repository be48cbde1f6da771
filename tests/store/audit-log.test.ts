import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type AuditLog, createSqliteAuditLog } from "../../src/store/audit-log.js";
import { steppingClock, tempDatabase } from "./store-fixtures.js";

let env: Awaited<ReturnType<typeof tempDatabase>>;
let audit: AuditLog;

beforeEach(async () => {
  env = await tempDatabase();
  audit = createSqliteAuditLog(env.db, { now: steppingClock("2026-03-01T09:00:00.000Z") });
});
afterEach(async () => {
  await env.cleanup();
});

describe("createSqliteAuditLog", () => {
  it("records entries and lists them newest first, a page at a time", () => {
    const first = audit.record({ actor: "alex", action: "sign_in", details: {} });
    audit.record({ actor: "alex", action: "erasure", details: { conversations: 1, bookings: 2 } });
    audit.record({ actor: "system", action: "retention", details: { conversations: 3 } });
    expect(first).toMatchObject({ actor: "alex", at: "2026-03-01T09:00:00.000Z" });

    const page = audit.list({ limit: 2 });
    expect(page.items.map((e) => e.action)).toEqual(["retention", "erasure"]);
    expect(page.items[1]?.details).toEqual({ conversations: 1, bookings: 2 });
    const rest = audit.list({ limit: 2, cursor: page.nextCursor ?? "" });
    expect(rest.items.map((e) => e.id)).toEqual([first.id]);
    expect(rest.nextCursor).toBeNull();
  });
});
