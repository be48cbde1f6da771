import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/core-fixtures.js";
import {
  OTHER_STAFF_TOKEN,
  postJson,
  startTestService,
  type TestService,
} from "../helpers/service.js";
import { steppingClock } from "../store/store-fixtures.js";
import { bearer, call, seedExchange, signIn } from "./staff-fixtures.js";

let service: TestService;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  const temp = await tempDir();
  cleanup = temp.cleanup;
  // A clock a second apart per read, so "newest first" never depends on the machine's speed.
  service = await startTestService({ core: undefined, dataDir: temp.dir, now: steppingClock() });
});
afterEach(async () => {
  await service.close();
  await cleanup();
});

async function book(body: Record<string, unknown>): Promise<string> {
  const response = await postJson(`${service.url}/api/bookings`, { consent: true, ...body });
  expect(response.status).toBe(201);
  return response.body.id as string;
}

describe("GET /api/staff/bookings", () => {
  it("lists bookings newest first, filtered by status and type, a page at a time", async () => {
    const jane = await book({ name: "Jane", email: "jane@example.com" });
    const sam = await book({ type: "callback", name: "Sam", phone: "07700 900123" });
    const kim = await book({ type: "callback", name: "Kim", phone: "07700 900124" });
    await call(`${service.url}/api/staff/bookings/${sam}`, "PATCH", {
      body: { status: "contacted" },
      headers: bearer,
    });

    const all = await call(`${service.url}/api/staff/bookings`, "GET", { headers: bearer });
    expect(all.body.items.map((b: { id: string }) => b.id)).toEqual([kim, sam, jane]);
    expect(all.body.nextCursor).toBeNull();
    expect(all.body.items[2]).toMatchObject({
      name: "Jane",
      email: "jane@example.com",
      type: "consultation",
      status: "new",
    });

    const callbacks = await call(
      `${service.url}/api/staff/bookings?type=callback&status=new`,
      "GET",
      {
        headers: bearer,
      },
    );
    expect(callbacks.body.items.map((b: { id: string }) => b.id)).toEqual([kim]);

    const first = await call(`${service.url}/api/staff/bookings?limit=2`, "GET", {
      headers: bearer,
    });
    expect(first.body.items).toHaveLength(2);
    const rest = await call(
      `${service.url}/api/staff/bookings?limit=2&cursor=${first.body.nextCursor}`,
      "GET",
      { headers: bearer },
    );
    expect(rest.body.items.map((b: { id: string }) => b.id)).toEqual([jane]);

    for (const query of ["status=done", "type=visit", "limit=0", "cursor=nonsense"]) {
      const bad = await call(`${service.url}/api/staff/bookings?${query}`, "GET", {
        headers: bearer,
      });
      expect(bad.status, query).toBe(400);
    }
  });
});

describe("GET /api/staff/bookings?phone=", () => {
  it("finds the bookings with a phone number in any format it was given in", async () => {
    const spaced = await book({ type: "callback", name: "Sam", phone: "07700 900777" });
    const international = await book({ type: "callback", name: "Sam", phone: "+44 7700 900777" });
    const dashed = await book({ type: "callback", name: "Sam", phone: "07700-900-777" });
    const french = await book({ type: "callback", name: "Léa", phone: "+33 6 12 34 56 78" });
    await book({ type: "callback", name: "Kim", phone: "07700 900778" });
    await book({ name: "Jane", email: "jane@example.com" });

    const search = (query: string) =>
      call(`${service.url}/api/staff/bookings?${query}`, "GET", { headers: bearer });
    for (const phone of [
      "07700 900777",
      "+44 7700 900777",
      "07700-900-777",
      "0044 7700 900777",
      "+447700900777",
      "(07700) 900 777",
    ]) {
      const found = await search(`phone=${encodeURIComponent(phone)}`);
      expect(found.status, phone).toBe(200);
      expect(
        found.body.items.map((b: { id: string }) => b.id),
        phone,
      ).toEqual([dashed, international, spaced]);
    }
    for (const phone of ["0033 6 12 34 56 78", "+33 (0)6 12 34 56 78", "+33612345678"]) {
      const found = await search(`phone=${encodeURIComponent(phone)}`);
      expect(
        found.body.items.map((b: { id: string }) => b.id),
        phone,
      ).toEqual([french]);
    }
    const filtered = await search(`phone=${encodeURIComponent("07700 900777")}&status=contacted`);
    expect(filtered.body.items).toEqual([]);
    expect((await search("phone=")).body.items).toHaveLength(6);
    const fragment = await search("phone=900777");
    expect(fragment.status).toBe(400);
    expect(fragment.body.error.fields.phone).toBeDefined();
  });
});

describe("PATCH /api/staff/bookings/:id and GET /api/staff/bookings/:id", () => {
  it("changes the status and keeps each change with the staff account's name and the time", async () => {
    const id = await book({ type: "callback", name: "Sam", phone: "07700 900123" });
    const url = `${service.url}/api/staff/bookings/${id}`;
    const cookie = await signIn(service, OTHER_STAFF_TOKEN);

    const contacted = await call(url, "PATCH", { body: { status: "contacted" }, headers: bearer });
    expect(contacted.status).toBe(200);
    expect(contacted.body).toMatchObject({ id, status: "contacted" });
    const booked = await call(url, "PATCH", { body: { status: "booked" }, headers: { cookie } });
    expect(booked.status).toBe(200);
    await call(url, "PATCH", { body: { status: "closed" }, headers: bearer });

    const detail = await call(url, "GET", { headers: bearer });
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ id, name: "Sam", phone: "07700 900123", status: "closed" });
    expect(
      detail.body.history.map((e: { from: string; to: string; by: string }) => [
        e.from,
        e.to,
        e.by,
      ]),
    ).toEqual([
      ["new", "contacted", "alex"],
      ["contacted", "booked", "sam"],
      ["booked", "closed", "alex"],
    ]);
    for (const event of detail.body.history) expect(Date.parse(event.at)).not.toBeNaN();
  });

  it("answers 404 for an unknown booking and 400 for an unknown status", async () => {
    const id = await book({ name: "Jane", email: "jane@example.com" });
    expect(
      (await call(`${service.url}/api/staff/bookings/nope`, "GET", { headers: bearer })).status,
    ).toBe(404);
    expect(
      (
        await call(`${service.url}/api/staff/bookings/nope`, "PATCH", {
          body: { status: "closed" },
          headers: bearer,
        })
      ).status,
    ).toBe(404);
    const bad = await call(`${service.url}/api/staff/bookings/${id}`, "PATCH", {
      body: { status: "cancelled" },
      headers: bearer,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.status).toBeDefined();
  });

  it("needs a staff credential", async () => {
    const id = await book({ name: "Jane", email: "jane@example.com" });
    const response = await call(`${service.url}/api/staff/bookings/${id}`, "PATCH", {
      body: { status: "closed" },
    });
    expect(response.status).toBe(401);
    expect((await call(`${service.url}/api/staff/bookings/${id}`, "GET")).status).toBe(401);
  });
});

describe("GET /api/staff/conversations/:id", () => {
  const ID = "ltu4KTISk0ehY9u0j_YjtQ";

  it("gives the requests sent from the conversation, oldest first, each with the reply it came from", async () => {
    const offer = seedExchange(service, ID, "Can I book a peel?", {
      kind: "booking",
      answer: "Of course.",
      citations: [],
      grounded: false,
      handoff: { kind: "booking", message: "Leave your details in the booking form." },
    });
    seedExchange(service, ID, "Thanks!", {}, 1);
    const linked = await book({
      sessionId: ID,
      messageId: offer.botId,
      name: "Jane <b>Doe</b>",
      email: "jane@example.com",
    });
    const unlinked = await book({
      type: "callback",
      sessionId: ID,
      name: "Jane",
      phone: "07700 900123",
    });
    await book({ name: "Kim", email: "kim@example.com" });

    const transcript = await call(`${service.url}/api/staff/conversations/${ID}`, "GET", {
      headers: bearer,
    });
    expect(transcript.status).toBe(200);
    expect(transcript.body.messages).toHaveLength(4);
    expect(transcript.body.bookings).toEqual([
      expect.objectContaining({
        id: linked,
        type: "consultation",
        sessionId: ID,
        messageId: offer.botId,
        name: "Jane <b>Doe</b>",
        email: "jane@example.com",
        status: "new",
      }),
      expect.objectContaining({
        id: unlinked,
        type: "callback",
        messageId: null,
        phone: "07700 900123",
      }),
    ]);

    // The export of transcripts stays as it was: requests are in the bookings view.
    const exported = await call(`${service.url}/api/staff/export.jsonl`, "GET", {
      headers: bearer,
    });
    expect(JSON.parse(exported.text.trim())).not.toHaveProperty("bookings");
  });
});
