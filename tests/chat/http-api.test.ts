import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Core } from "../../src/core.js";
import { tempDir } from "../helpers/core-fixtures.js";
import {
  getJson,
  type Json,
  postJson,
  STAFF_TOKEN,
  startTestService,
  type TestService,
} from "../helpers/service.js";
import { shippedCore } from "../helpers/shipped-core.js";

let core: Core;
let removeCore: () => Promise<void>;
beforeAll(async () => {
  ({ core, cleanup: removeCore } = await shippedCore());
});
afterAll(() => removeCore());

let service: TestService;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  const temp = await tempDir();
  cleanup = temp.cleanup;
  service = await startTestService({
    core,
    dataDir: temp.dir,
    allowedOrigins: ["https://clinic.example"],
  });
});
afterEach(async () => {
  await service.close();
  await cleanup();
});

const staff = { authorization: `Bearer ${STAFF_TOKEN}` };

describe("GET /healthz", () => {
  it("reports the index when ready", async () => {
    const { status, body } = await getJson(`${service.url}/healthz`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: "ok",
      index: { documents: 3, chunks: core.index.chunks.length, embeddings: core.model.modelId },
    });
    expect(Date.parse(body.index.builtAt)).not.toBeNaN();
  });

  it("answers 503 while starting, and chat says unavailable", async () => {
    const temp = await tempDir();
    const starting = await startTestService({ core: undefined, dataDir: temp.dir });
    expect((await getJson(`${starting.url}/healthz`)).status).toBe(503);
    expect((await getJson(`${starting.url}/healthz?probe=1`)).status).toBe(503);
    const chat = await postJson(`${starting.url}/api/chat`, { message: "hello" });
    expect(chat.status).toBe(503);
    expect(chat.body.error.code).toBe("unavailable");
    // Starting is a state, not a fault: no error-level line, and health probes are not logged.
    expect(starting.logs.filter((l) => (l.level as number) >= 50)).toEqual([]);
    expect(starting.logs.some((l) => JSON.stringify(l).includes("/healthz"))).toBe(false);
    const chatLine = starting.logs.find((l) => JSON.stringify(l).includes("/api/chat"));
    expect(chatLine?.level).toBe(40);
    await starting.close();
    await temp.cleanup();
  });
});

describe("POST /api/chat", () => {
  it("answers with a cited reply, a new session id and the reply's message id", async () => {
    const { status, body } = await postJson(`${service.url}/api/chat`, {
      message: "Does it help acne scars?",
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ grounded: true, source: "extractive", handoff: null });
    expect(body.citations[0]).toMatchObject({ n: 1, docId: "microneedling-benefits" });
    expect(body.sessionId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(typeof body.messageId).toBe("string");
  });

  it("keeps a conversation by session id and resolves follow-ups with it", async () => {
    const first = await postJson(`${service.url}/api/chat`, {
      message: "Can it treat acne scars?",
    });
    const second = await postJson(`${service.url}/api/chat`, {
      message: "which kinds respond best?",
      sessionId: first.body.sessionId,
    });
    expect(second.body.sessionId).toBe(first.body.sessionId);
    expect(second.body.answer).toMatch(/rolling or boxcar/);
  });

  it("starts a new conversation for an unknown but well-formed session id", async () => {
    const unknown = "AAAAAAAAAAAAAAAAAAAAAA";
    const { status, body } = await postJson(`${service.url}/api/chat`, {
      message: "hello",
      sessionId: unknown,
    });
    expect(status).toBe(200);
    expect(body.sessionId).not.toBe(unknown);
  });

  it.each([
    ["an empty message", { message: "" }],
    ["a blank message", { message: "   \n " }],
    ["a message over 2000 characters", { message: "a".repeat(2001) }],
    ["a control character", { message: "hi\u0007there" }],
    ["a number", { message: 42 }],
    ["no message", {}],
    ["an unknown field", { message: "hi", admin: true }],
    ["a malformed session id", { message: "hi", sessionId: "short" }],
    ["a short client message id", { message: "hi", clientMessageId: "abc" }],
    [
      "a client message id with other characters",
      { message: "hi", clientMessageId: "a b".repeat(8) },
    ],
    ["a client message id over 64 characters", { message: "hi", clientMessageId: "a".repeat(65) }],
  ])("refuses %s with 400 invalid", async (_name, body) => {
    const response = await postJson(`${service.url}/api/chat`, body);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe("invalid");
    expect(typeof response.body.error.message).toBe("string");
  });

  it("answers a message posted twice with the same clientMessageId once, storing one copy", async () => {
    const first = await postJson(`${service.url}/api/chat`, {
      message: "Can it treat acne scars?",
    });
    const sessionId = first.body.sessionId;
    const body = {
      message: "Does it help pores?",
      sessionId,
      clientMessageId: "http-retry-0123456789",
    };
    const once = await postJson(`${service.url}/api/chat`, body);
    const again = await postJson(`${service.url}/api/chat`, body);
    expect(once.status).toBe(200);
    expect(once.body.clientMessageId).toBe(body.clientMessageId);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(once.body);

    const history = await getJson(`${service.url}/api/chat/${sessionId}`);
    expect(history.body.messages.map((m: Json) => [m.role, m.text, m.clientMessageId])).toEqual([
      ["visitor", "Can it treat acne scars?", undefined],
      ["bot", first.body.answer, undefined],
      ["visitor", "Does it help pores?", body.clientMessageId],
      ["bot", once.body.answer, undefined],
    ]);
    expect(history.body.messages[3].id).toBe(once.body.messageId);
  });

  it("accepts newlines and tabs in a message", async () => {
    expect(
      (await postJson(`${service.url}/api/chat`, { message: "does it\n\thurt?" })).status,
    ).toBe(200);
  });

  it("refuses a body over 16 KB with 413, malformed JSON with 400 and another content type with 415", async () => {
    const big = await postJson(`${service.url}/api/chat`, { message: "a".repeat(17_000) });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe("too_large");
    const broken = await postJson(`${service.url}/api/chat`, '{"message": "hi"');
    expect(broken.status).toBe(400);
    expect(broken.body.error.code).toBe("invalid");
    const text = await fetch(`${service.url}/api/chat`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "hi",
    });
    expect(text.status).toBe(415);
    expect(((await text.json()) as Json).error.code).toBe("unsupported_media_type");
  });

  it("never shows a stack trace or internal text when answering fails", async () => {
    const temp = await tempDir();
    const failing = await startTestService({
      core,
      dataDir: temp.dir,
      answerer: {
        answerQuestion: () => Promise.reject(new Error("SECRET internal detail")),
        // eslint-disable-next-line require-yield
        streamAnswer: async function* () {
          throw new Error("SECRET internal detail");
        },
      },
    });
    const response = await postJson(`${failing.url}/api/chat`, { message: "hello" });
    expect(response.status).toBe(500);
    expect(response.body.error.code).toBe("internal");
    expect(JSON.stringify(response.body)).not.toMatch(/SECRET|at .*\.ts/);
    expect((await getJson(`${failing.url}/healthz`)).status).toBe(200);
    await failing.close();
    await temp.cleanup();
  });
});

describe("GET /api/chat/:sessionId", () => {
  it("restores the conversation, with contact details typed into the chat redacted", async () => {
    const first = await postJson(`${service.url}/api/chat`, {
      message: "Please reach me at jane.doe@example.com or +44 7700 900123 about pores",
    });
    const { status, body } = await getJson(`${service.url}/api/chat/${first.body.sessionId}`);
    expect(status).toBe(200);
    expect(body.sessionId).toBe(first.body.sessionId);
    expect(body.messages.map((m: { role: string }) => m.role)).toEqual(["visitor", "bot"]);
    expect(body.messages[0].text).not.toMatch(/jane\.doe|7700/);
    expect(body.messages[0].text).toContain("[email]");
    expect(body.messages[1]).toMatchObject({ id: first.body.messageId, text: first.body.answer });
    expect(body.messages[1].citations).toEqual(first.body.citations);
  });

  it("answers 404 for an unknown conversation and 400 for a malformed id", async () => {
    expect((await getJson(`${service.url}/api/chat/AAAAAAAAAAAAAAAAAAAAAA`)).status).toBe(404);
    expect((await getJson(`${service.url}/api/chat/bad!id`)).status).toBe(400);
  });
});

describe("POST /api/feedback", () => {
  it("records a rating on a reply of the conversation", async () => {
    const chat = await postJson(`${service.url}/api/chat`, { message: "Does it help pores?" });
    const ok = await postJson(`${service.url}/api/feedback`, {
      sessionId: chat.body.sessionId,
      messageId: chat.body.messageId,
      rating: "down",
      comment: "not what I asked",
    });
    expect(ok.status).toBe(204);
    const detail = await getJson(
      `${service.url}/api/staff/conversations/${chat.body.sessionId}`,
      staff,
    );
    expect(detail.body.messages[1].rating).toBe("down");
  });

  it("refuses a message of another conversation and a bad rating", async () => {
    const chat = await postJson(`${service.url}/api/chat`, { message: "Does it help pores?" });
    const other = await postJson(`${service.url}/api/chat`, { message: "hello" });
    const wrong = await postJson(`${service.url}/api/feedback`, {
      sessionId: other.body.sessionId,
      messageId: chat.body.messageId,
      rating: "up",
    });
    expect(wrong.status).toBe(404);
    const bad = await postJson(`${service.url}/api/feedback`, {
      sessionId: chat.body.sessionId,
      messageId: chat.body.messageId,
      rating: "meh",
    });
    expect(bad.status).toBe(400);
  });
});

describe("POST /api/bookings", () => {
  it("stores a booking that staff can see", async () => {
    const created = await postJson(`${service.url}/api/bookings`, {
      name: "Jane Doe",
      email: "jane@example.com",
      treatment: "Microneedling",
      preferredTime: "Saturday morning",
      consent: true,
    });
    expect(created.status).toBe(201);
    const list = await getJson(`${service.url}/api/staff/bookings`, staff);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({
      id: created.body.id,
      type: "consultation",
      name: "Jane Doe",
      email: "jane@example.com",
      phone: null,
      status: "new",
    });
  });

  it("refuses NUL and other control characters in every visitor field, and stores lone surrogates well formed", async () => {
    const base = { name: "Jane", email: "jane@example.com", consent: true };
    for (const field of ["name", "treatment", "preferredTime", "notes"]) {
      const bad = await postJson(`${service.url}/api/bookings`, { ...base, [field]: "A\u0000B" });
      expect(bad.status).toBe(400);
      expect(bad.body.error.fields[field]).toMatch(/control characters/);
    }
    const comment = await postJson(`${service.url}/api/feedback`, {
      sessionId: "a".repeat(22),
      messageId: "m1",
      rating: "down",
      comment: "bad\u0007",
    });
    expect(comment.status).toBe(400);

    const created = await postJson(`${service.url}/api/bookings`, {
      ...base,
      name: "A\ud800B",
      notes: "lone \udfff low",
    });
    expect(created.status).toBe(201);
    const list = await getJson(`${service.url}/api/staff/bookings`, staff);
    expect(list.body.items[0]).toMatchObject({ name: "A\ufffdB", notes: "lone \ufffd low" });

    const chat = await postJson(`${service.url}/api/chat`, { message: "does it hurt \ud83d?" });
    expect(chat.status).toBe(200);
    const stored = await getJson(`${service.url}/api/chat/${chat.body.sessionId}`);
    expect(stored.body.messages[0].text).toBe("does it hurt \ufffd?");
  });

  it("remembers the reply whose form a request was sent from, and restores it without the visitor's details", async () => {
    const offer = await postJson(`${service.url}/api/chat`, {
      message: "I'd like to book a consultation",
    });
    expect(offer.body.handoff?.kind).toBe("booking");
    const { sessionId, messageId } = offer.body;
    const created = await postJson(`${service.url}/api/bookings`, {
      type: "consultation",
      sessionId,
      messageId,
      name: "Jane Doe",
      email: "jane@example.com",
      treatment: "Microneedling",
      consent: true,
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.any(String), messageId });

    const restored = await getJson(`${service.url}/api/chat/${sessionId}`);
    const [question, reply] = restored.body.messages;
    expect(reply.id).toBe(messageId);
    expect(reply.request).toEqual({ kind: "consultation", sentAt: expect.any(String) });
    expect(Date.parse(reply.request.sentAt)).not.toBeNaN();
    expect(question).not.toHaveProperty("request");
    expect(JSON.stringify(restored.body)).not.toMatch(/Jane|jane@example\.com|Microneedling/);

    const list = await getJson(`${service.url}/api/staff/bookings`, staff);
    expect(list.body.items[0]).toMatchObject({ id: created.body.id, sessionId, messageId });
  });

  it("stores a request all the same, without the reply it names, when that reply did not offer it in this conversation", async () => {
    const ask = (message: string) => postJson(`${service.url}/api/chat`, { message });
    const booking = await ask("I'd like to book a consultation");
    const clinician = await ask("I'm pregnant, can I have microneedling?");
    const hello = await ask("hello");
    expect([booking, clinician, hello].map((r) => r.body.handoff?.kind ?? null)).toEqual([
      "booking",
      "clinician",
      null,
    ]);
    const question = (await getJson(`${service.url}/api/chat/${booking.body.sessionId}`)).body
      .messages[0];
    const base = { name: "Sam", phone: "+44 20 7946 0000", consent: true };
    const named = [
      // Another conversation's reply.
      { type: "consultation", sessionId: hello.body.sessionId, messageId: booking.body.messageId },
      // No conversation at all.
      { type: "consultation", messageId: booking.body.messageId },
      // The visitor's own message.
      { type: "consultation", sessionId: booking.body.sessionId, messageId: question.id },
      // A reply that offered the other form.
      { type: "callback", sessionId: booking.body.sessionId, messageId: booking.body.messageId },
      {
        type: "consultation",
        sessionId: clinician.body.sessionId,
        messageId: clinician.body.messageId,
      },
      // A reply that offered none.
      { type: "callback", sessionId: hello.body.sessionId, messageId: hello.body.messageId },
      // No such message.
      { type: "callback", sessionId: clinician.body.sessionId, messageId: "AAAAAAAAAAAAAAAA" },
    ];
    for (const body of named) {
      const created = await postJson(`${service.url}/api/bookings`, { ...base, ...body });
      expect(created.status, JSON.stringify(body)).toBe(201);
      expect(created.body.messageId, JSON.stringify(body)).toBeNull();
    }
    for (const reply of [booking, clinician, hello]) {
      const restored = await getJson(`${service.url}/api/chat/${reply.body.sessionId}`);
      expect(restored.body.messages.filter((m: Json) => m.request)).toEqual([]);
    }
    const list = await getJson(`${service.url}/api/staff/bookings`, staff);
    expect(list.body.items).toHaveLength(named.length);
    expect(list.body.items.every((b: Json) => b.messageId === null)).toBe(true);

    // The call-back form of the clinician handoff is that reply's own.
    const callback = await postJson(`${service.url}/api/bookings`, {
      ...base,
      type: "callback",
      sessionId: clinician.body.sessionId,
      messageId: clinician.body.messageId,
    });
    expect(callback.body.messageId).toBe(clinician.body.messageId);
    const restored = await getJson(`${service.url}/api/chat/${clinician.body.sessionId}`);
    expect(restored.body.messages[1].request).toMatchObject({ kind: "callback" });

    const malformed = await postJson(`${service.url}/api/bookings`, {
      ...base,
      sessionId: clinician.body.sessionId,
      messageId: "not an id!",
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.fields.messageId).toBe("messageId is malformed");
  });

  it("accepts a call-back request with a phone number only", async () => {
    const created = await postJson(`${service.url}/api/bookings`, {
      type: "callback",
      name: "Sam",
      phone: "+44 20 7946 0000",
      consent: true,
    });
    expect(created.status).toBe(201);
  });

  it("names each bad field", async () => {
    const empty = await postJson(`${service.url}/api/bookings`, { name: "", consent: false });
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe("invalid");
    expect(Object.keys(empty.body.error.fields).sort()).toEqual(["consent", "name"]);
    const noContact = await postJson(`${service.url}/api/bookings`, { name: "A", consent: true });
    expect(Object.keys(noContact.body.error.fields).sort()).toEqual(["email", "phone"]);
    const badEmail = await postJson(`${service.url}/api/bookings`, {
      name: "A",
      email: "nope",
      consent: true,
    });
    expect(badEmail.body.error.fields.email).toMatch(/valid email/);
    const badPhone = await postJson(`${service.url}/api/bookings`, {
      name: "A",
      phone: "12ab",
      consent: true,
    });
    expect(badPhone.body.error.fields.phone).toMatch(/valid phone/);
  });
});

describe("staff API", () => {
  it("refuses a missing or wrong token with 401", async () => {
    expect((await getJson(`${service.url}/api/staff/conversations`)).status).toBe(401);
    const wrong = await getJson(`${service.url}/api/staff/conversations`, {
      authorization: "Bearer nope",
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe("unauthorized");
  });

  it("lists conversations with their summary and filters them", async () => {
    const answered = await postJson(`${service.url}/api/chat`, {
      message: "Does it help acne scars?",
    });
    await postJson(`${service.url}/api/chat`, { message: "What's the capital of Australia?" });
    await postJson(`${service.url}/api/chat`, { message: "I'd like to book a consultation" });
    const all = await getJson(`${service.url}/api/staff/conversations`, staff);
    expect(all.status).toBe(200);
    expect(all.body.items).toHaveLength(3);
    const unanswered = await getJson(
      `${service.url}/api/staff/conversations?grounded=false`,
      staff,
    );
    expect(unanswered.body.items.map((c: { firstQuestion: string }) => c.firstQuestion)).toContain(
      "What's the capital of Australia?",
    );
    expect(unanswered.body.items.map((c: { id: string }) => c.id)).not.toContain(
      answered.body.sessionId,
    );
    const booking = await getJson(`${service.url}/api/staff/conversations?handoff=booking`, staff);
    expect(booking.body.items).toHaveLength(1);
    const search = await getJson(`${service.url}/api/staff/conversations?q=acne`, staff);
    expect(search.body.items.map((c: { id: string }) => c.id)).toContain(answered.body.sessionId);
    const paged = await getJson(`${service.url}/api/staff/conversations?limit=2`, staff);
    expect(paged.body.items).toHaveLength(2);
    const next = await getJson(
      `${service.url}/api/staff/conversations?limit=2&cursor=${paged.body.nextCursor}`,
      staff,
    );
    expect(next.body.items).toHaveLength(1);
    const bad = await getJson(`${service.url}/api/staff/conversations?from=yesterday`, staff);
    expect(bad.status).toBe(400);
  });

  it("shows a transcript with citations, grounded flag, source and latency", async () => {
    const chat = await postJson(`${service.url}/api/chat`, { message: "Does it help acne scars?" });
    const { body } = await getJson(
      `${service.url}/api/staff/conversations/${chat.body.sessionId}`,
      staff,
    );
    expect(body.id).toBe(chat.body.sessionId);
    expect(body.messages[1]).toMatchObject({
      role: "bot",
      grounded: true,
      source: "extractive",
      citations: chat.body.citations,
    });
    expect(body.messages[1].latencyMs).toBeGreaterThanOrEqual(0);
  });
});

describe("hardening", () => {
  it("answers a malformed percent-encoding in the path with 400, not 500", async () => {
    const response = await getJson(`${service.url}/api/chat/%E0%A4%A`);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe("invalid");
  });

  it("answers unknown routes with a JSON 404", async () => {
    const response = await getJson(`${service.url}/no/such/route`);
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe("not_found");
  });

  it("allows the chat API from a listed origin only", async () => {
    const allowed = await postJson(
      `${service.url}/api/chat`,
      { message: "hi" },
      { origin: "https://clinic.example" },
    );
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://clinic.example");
    const other = await postJson(
      `${service.url}/api/chat`,
      { message: "hi" },
      { origin: "https://evil.example" },
    );
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    expect(allowed.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
    const staffList = await getJson(`${service.url}/api/staff/bookings`, staff);
    expect(staffList.headers.get("cross-origin-resource-policy")).toBe("same-origin");
  });

  it("rate-limits messages per session, under a ceiling per address, and bookings on their own budget", async () => {
    const temp = await tempDir();
    const limited = await startTestService({ core, dataDir: temp.dir, rateLimitPerMin: 2 });
    const first = await postJson(`${limited.url}/api/chat`, { message: "hello" });
    const { sessionId } = first.body;
    const statuses = [first.status];
    for (let i = 0; i < 3; i++) {
      statuses.push(
        (await postJson(`${limited.url}/api/chat`, { message: "hi", sessionId })).status,
      );
    }
    // The message that opens a conversation counts against the address only.
    expect(statuses).toEqual([200, 200, 200, 429]);
    const last = await postJson(`${limited.url}/api/chat`, { message: "hello", sessionId });
    expect(last.body.error.code).toBe("rate_limited");
    expect(Number(last.headers.get("retry-after"))).toBeGreaterThan(0);
    // Someone else behind the same address is not held up by this visitor...
    expect((await postJson(`${limited.url}/api/chat`, { message: "hello" })).status).toBe(200);
    // ...and the booking form the bot offered still goes through.
    const booking = await postJson(`${limited.url}/api/bookings`, {
      name: "Jane",
      email: "jane@example.com",
      sessionId,
      consent: true,
    });
    expect(booking.status).toBe(201);
    await limited.close();
    await temp.cleanup();
  });

  it("keeps visitor text and contact details out of info-level logs", async () => {
    await postJson(`${service.url}/api/chat`, {
      message: "my email is secret.person@example.com, does it hurt?",
    });
    await getJson(`${service.url}/api/staff/conversations?q=secret.person`, staff);
    const chat = await postJson(`${service.url}/api/chat`, { message: "hello" });
    await getJson(`${service.url}/api/chat/${chat.body.sessionId}`);
    const logged = JSON.stringify(service.logs);
    expect(service.logs.length).toBeGreaterThan(0);
    expect(logged).not.toMatch(/secret\.person|does it hurt/);
    // A session id is the key to a transcript: it stays out of the logs too.
    expect(logged).not.toContain(chat.body.sessionId);
    expect(logged).toContain("/api/chat/:id");
  });

  it("serves every document as a page with an anchor per heading", async () => {
    const page = await getJson(`${service.url}/articles/microneedling-benefits`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    for (const chunk of core.index.chunks.filter((c) => c.docId === "microneedling-benefits")) {
      expect(page.body).toContain(`id="${chunk.anchor}"`);
    }
    // An API client keeps the JSON error...
    const missing = await getJson(`${service.url}/articles/nope`);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: { code: "not_found" } });
    // ...and a browser gets a readable page that leads to the list of articles.
    const browser = { accept: "text/html,application/xhtml+xml,*/*;q=0.8" };
    const gone = await getJson(`${service.url}/articles/nope`, browser);
    expect(gone.status).toBe(404);
    expect(gone.headers.get("content-type")).toMatch(/text\/html/);
    expect(gone.body).toContain("This article is not available");
    expect(gone.body).toContain('href="/articles"');
    expect(gone.body).not.toContain("not_found");
  });

  it("lists the documents of the index in service at /articles, as a page or as JSON", async () => {
    const documents = [...new Set(core.index.chunks.map((c) => c.docId))];
    const list = await getJson(`${service.url}/articles`, { accept: "text/html" });
    expect(list.status).toBe(200);
    expect(list.headers.get("content-type")).toMatch(/text\/html/);
    for (const docId of documents) expect(list.body).toContain(`href="/articles/${docId}"`);
    const json = await getJson(`${service.url}/articles`);
    expect(json.body.articles.map((a: { docId: string }) => a.docId).sort()).toEqual(
      documents.sort(),
    );
    expect(json.body.articles[0].url).toMatch(/^\/articles\//);
  });

  it("answers the clinic's facts from the page generated from its profile, and serves that page", async () => {
    const { body } = await postJson(`${service.url}/api/chat`, {
      message: "what are your opening hours",
    });
    expect(body.grounded).toBe(true);
    expect(body.citations[0]).toMatchObject({
      docId: "contact-and-opening-hours",
      section: "Opening hours",
      url: "/articles/contact-and-opening-hours#opening-hours",
    });
    expect(body.answer).toContain("Saturday: 10:00 to 14:00");
    const page = await getJson(`${service.url}/articles/contact-and-opening-hours`);
    expect(page.status).toBe(200);
    expect(page.body).toContain("1 Example Street, London, EX1 1AA");
    expect(page.body).toContain('id="opening-hours"');
  });

  it("tells a visitor asking to book when the clinic is open, without saying twice that it can help", async () => {
    const { body } = await postJson(`${service.url}/api/chat`, {
      message: "can I book for Saturday?",
    });
    expect(body.handoff.kind).toBe("booking");
    expect(body.handoff.message).toContain("Saturday 10:00 to 14:00");
    expect(`${body.answer} ${body.handoff.message}`.match(/help you book/g)).toHaveLength(1);
  });
});
