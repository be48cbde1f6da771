import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/core-fixtures.js";
import { postJson, startTestService, type TestService } from "../helpers/service.js";
import { steppingClock } from "../store/store-fixtures.js";
import { bearer, call, seedExchange, signIn } from "./staff-fixtures.js";

let service: TestService;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  const temp = await tempDir();
  cleanup = temp.cleanup;
  // A second per clock read: audit entries made in one millisecond still list in order.
  service = await startTestService({ core: undefined, dataDir: temp.dir, now: steppingClock() });
});
afterEach(async () => {
  await service.close();
  await cleanup();
});

const JANE_CHAT = "janeJaneJaneJaneJane01";
const JANE_OTHER_CHAT = "janeJaneJaneJaneJane02";
const KIM_CHAT = "kimKimKimKimKimKimKi03";

async function book(body: Record<string, unknown>): Promise<string> {
  const response = await postJson(`${service.url}/api/bookings`, { consent: true, ...body });
  expect(response.status).toBe(201);
  return response.body.id as string;
}

function count(sql: string): number {
  return service.db.prepare<[], number>(sql).pluck().get() ?? 0;
}

describe("POST /api/staff/erasure", () => {
  it("erases a visitor's bookings by email and phone, and the conversations they came from", async () => {
    seedExchange(service, JANE_CHAT, "Do you treat rosacea? I'm Jane, allergic to latex");
    seedExchange(service, JANE_OTHER_CHAT, "Jane again: what about peels?");
    seedExchange(service, KIM_CHAT, "Kim here: opening hours?");
    await book({ name: "Jane Doe", email: "Jane.Doe@example.com", sessionId: JANE_CHAT });
    await book({
      type: "callback",
      name: "Jane D",
      phone: "07700 900123",
      sessionId: JANE_OTHER_CHAT,
    });
    const kim = await book({ name: "Kim", email: "kim@example.com", sessionId: KIM_CHAT });
    expect(count("SELECT count(*) FROM outbox")).toBe(3);

    const cookie = await signIn(service);
    const response = await call(`${service.url}/api/staff/erasure`, "POST", {
      body: { email: "jane.doe@example.com", phone: "07700-900-123" },
      headers: { cookie, origin: service.url },
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ conversations: 2, bookings: 2 });

    const bookings = await call(`${service.url}/api/staff/bookings`, "GET", { headers: bearer });
    expect(bookings.body.items.map((b: { id: string }) => b.id)).toEqual([kim]);
    const conversations = await call(`${service.url}/api/staff/conversations`, "GET", {
      headers: bearer,
    });
    expect(conversations.body.items.map((c: { id: string }) => c.id)).toEqual([KIM_CHAT]);
    // Nothing of Jane is left in the database, not in the webhook queue nor the search index.
    expect(count("SELECT count(*) FROM outbox")).toBe(1);
    expect(
      count("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'rosacea OR latex'"),
    ).toBe(0);
    const dump =
      JSON.stringify(service.db.prepare("SELECT * FROM bookings").all()) +
      JSON.stringify(service.db.prepare("SELECT payload FROM outbox").all());
    expect(dump).not.toMatch(/Jane|07700/);
  });

  /** One number as visitors write it: the three formats of issue #14 first. */
  const UK_FORMATS = ["07700 900777", "+44 7700 900777", "07700-900-777", "0044 7700 900777"];
  const FR_FORMATS = ["+33 6 12 34 56 78", "0033 6 12 34 56 78", "+33 (0)6 12 34 56 78"];

  /** A chat and a call-back booking from it for each format, and a stranger's; the chat ids. */
  async function bookEach(phones: readonly string[]): Promise<string[]> {
    const chats = phones.map((_, i) => `callerCallerCaller${String(i).padStart(4, "0")}`);
    for (const [i, phone] of phones.entries()) {
      seedExchange(service, chats[i] ?? "", `Please call me back, about rosacea (${i})`);
      await book({ type: "callback", name: `Caller ${i}`, phone, sessionId: chats[i] });
    }
    seedExchange(service, KIM_CHAT, "Kim here: opening hours?");
    await book({ type: "callback", name: "Kim", phone: "07700 900778", sessionId: KIM_CHAT });
    return chats;
  }

  it.each(UK_FORMATS)(
    "erases the bookings with every format of a number, and their chats, given %j",
    async (phone) => {
      await bookEach(UK_FORMATS);
      const response = await call(`${service.url}/api/staff/erasure`, "POST", {
        body: { phone },
        headers: bearer,
      });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ conversations: 4, bookings: 4 });

      const bookings = await call(`${service.url}/api/staff/bookings`, "GET", { headers: bearer });
      expect(bookings.body.items.map((b: { name: string }) => b.name)).toEqual(["Kim"]);
      const conversations = await call(`${service.url}/api/staff/conversations`, "GET", {
        headers: bearer,
      });
      expect(conversations.body.items.map((c: { id: string }) => c.id)).toEqual([KIM_CHAT]);
      // Nor anything of theirs in the webhook queue: only Kim's booking is left there.
      expect(count("SELECT count(*) FROM outbox")).toBe(1);
      const dump =
        JSON.stringify(service.db.prepare("SELECT * FROM bookings").all()) +
        JSON.stringify(service.db.prepare("SELECT payload FROM outbox").all());
      expect(dump).not.toMatch(/900777|900-777|900 777|Caller/);
    },
  );

  it.each(FR_FORMATS)("erases every format of an international number given %j", async (phone) => {
    await bookEach(FR_FORMATS);
    const response = await call(`${service.url}/api/staff/erasure`, "POST", {
      body: { phone },
      headers: bearer,
    });
    expect(response.body).toEqual({ conversations: 3, bookings: 3 });
    const bookings = await call(`${service.url}/api/staff/bookings`, "GET", { headers: bearer });
    expect(bookings.body.items.map((b: { name: string }) => b.name)).toEqual(["Kim"]);
  });

  it("erases a conversation by session id, with the bookings made from it", async () => {
    seedExchange(service, JANE_CHAT, "Do you treat rosacea?");
    seedExchange(service, KIM_CHAT, "Opening hours?");
    await book({ name: "Jane", email: "jane@example.com", sessionId: JANE_CHAT });
    const response = await call(`${service.url}/api/staff/erasure`, "POST", {
      body: { sessionId: JANE_CHAT },
      headers: bearer,
    });
    expect(response.body).toEqual({ conversations: 1, bookings: 1 });
    expect(
      (
        await call(`${service.url}/api/staff/conversations/${JANE_CHAT}`, "GET", {
          headers: bearer,
        })
      ).status,
    ).toBe(404);
    const again = await call(`${service.url}/api/staff/erasure`, "POST", {
      body: { sessionId: JANE_CHAT },
      headers: bearer,
    });
    expect(again.body).toEqual({ conversations: 0, bookings: 0 });
  });

  it("records who erased what kind of data and how much in the audit log, never the data", async () => {
    seedExchange(service, JANE_CHAT, "Do you treat rosacea? I'm Jane");
    await book({
      name: "Jane Doe",
      email: "jane@example.com",
      phone: "07700 900123",
      sessionId: JANE_CHAT,
    });
    await call(`${service.url}/api/staff/erasure`, "POST", {
      body: { sessionId: JANE_CHAT, email: "jane@example.com" },
      headers: bearer,
    });

    const audit = await call(`${service.url}/api/staff/audit`, "GET", { headers: bearer });
    expect(audit.status).toBe(200);
    const erasure = audit.body.items.find((e: { action: string }) => e.action === "erasure");
    expect(erasure).toMatchObject({
      actor: "alex",
      action: "erasure",
      details: { conversations: 1, bookings: 1, matchedBy: ["sessionId", "email"] },
    });
    expect(Date.parse(erasure.at)).not.toBeNaN();
    const logged =
      JSON.stringify(audit.body) +
      JSON.stringify(service.db.prepare("SELECT * FROM audit_log").all());
    expect(logged).not.toMatch(/jane|Jane|rosacea|07700|janeJane/i);
  });

  it("refuses a request that identifies nobody, or does so badly, with 400", async () => {
    for (const body of [
      {},
      { email: "not-an-email" },
      { phone: "123" },
      { sessionId: "short" },
      { email: "jane@example.com", extra: true },
    ]) {
      const response = await call(`${service.url}/api/staff/erasure`, "POST", {
        body,
        headers: bearer,
      });
      expect(response.status, JSON.stringify(body)).toBe(400);
    }
    expect(count("SELECT count(*) FROM audit_log WHERE action = 'erasure'")).toBe(0);
  });

  it("needs a staff credential, and a cookie-authenticated erasure from the console's own origin", async () => {
    const anonymous = await call(`${service.url}/api/staff/erasure`, "POST", {
      body: { email: "jane@example.com" },
    });
    expect(anonymous.status).toBe(401);
    const cookie = await signIn(service);
    const crossSite = await call(`${service.url}/api/staff/erasure`, "POST", {
      body: { email: "jane@example.com" },
      headers: { cookie, origin: "https://evil.example" },
    });
    expect(crossSite.status).toBe(403);
  });
});

describe("GET /api/staff/audit", () => {
  it("lists sign-ins, exports and erasures newest first, a page at a time", async () => {
    await signIn(service);
    await call(`${service.url}/api/staff/export.csv?grounded=false`, "GET", { headers: bearer });
    await call(`${service.url}/api/staff/erasure`, "POST", {
      body: { email: "nobody@example.com" },
      headers: bearer,
    });
    const first = await call(`${service.url}/api/staff/audit?limit=2`, "GET", { headers: bearer });
    const rest = await call(
      `${service.url}/api/staff/audit?limit=2&cursor=${first.body.nextCursor}`,
      "GET",
      {
        headers: bearer,
      },
    );
    const entries = [...first.body.items, ...rest.body.items];
    expect(entries.map((e: { action: string }) => e.action)).toEqual([
      "erasure",
      "export",
      "sign_in",
    ]);
    expect(entries[1].details).toEqual({ format: "csv", filters: ["grounded"] });
    expect(rest.body.nextCursor).toBeNull();
    expect((await call(`${service.url}/api/staff/audit`, "GET")).status).toBe(401);
  });

  it("lists reviews, notes and booking status changes, never the note, the ids or contact details", async () => {
    seedExchange(service, KIM_CHAT, "Kim here: opening hours?");
    const id = await book({ type: "callback", name: "Kim", phone: "07700 900123" });
    const conversation = `${service.url}/api/staff/conversations/${KIM_CHAT}`;
    const booking = `${service.url}/api/staff/bookings/${id}`;
    await call(conversation, "PATCH", { body: { reviewed: true }, headers: bearer });
    await call(conversation, "PATCH", {
      body: { note: "Kim: call 07700 900123" },
      headers: bearer,
    });
    await call(conversation, "PATCH", { body: { note: "" }, headers: bearer });
    await call(booking, "PATCH", { body: { status: "contacted" }, headers: bearer });
    // Already contacted: nothing changed, nothing recorded.
    await call(booking, "PATCH", { body: { status: "contacted" }, headers: bearer });

    const audit = await call(`${service.url}/api/staff/audit`, "GET", { headers: bearer });
    expect(
      audit.body.items.map((e: { action: string; actor: string; details: unknown }) => [
        e.action,
        e.actor,
        e.details,
      ]),
    ).toEqual([
      ["booking_status", "alex", { from: "new", to: "contacted", type: "callback" }],
      ["review", "alex", { note: "cleared" }],
      ["review", "alex", { note: "saved" }],
      ["review", "alex", { reviewed: true }],
    ]);
    const text = JSON.stringify(audit.body);
    for (const secret of ["Kim", "07700", KIM_CHAT, id]) expect(text).not.toContain(secret);
  });
});
