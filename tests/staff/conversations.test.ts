import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/core-fixtures.js";
import { OTHER_STAFF_TOKEN, startTestService, type TestService } from "../helpers/service.js";
import { bearer, call, NO_ANSWER, seedExchange } from "./staff-fixtures.js";

let service: TestService;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  const temp = await tempDir();
  cleanup = temp.cleanup;
  service = await startTestService({ core: undefined, dataDir: temp.dir });
});
afterEach(async () => {
  await service.close();
  await cleanup();
});

const sam = { authorization: `Bearer ${OTHER_STAFF_TOKEN}` };

describe("PATCH /api/staff/conversations/:id", () => {
  it("marks a conversation reviewed and notes on it, recording who and when", async () => {
    seedExchange(service, "conv-1", "Do you sell gift cards?", NO_ANSWER);
    const url = `${service.url}/api/staff/conversations/conv-1`;

    const reviewed = await call(url, "PATCH", { body: { reviewed: true }, headers: bearer });
    expect(reviewed.status).toBe(200);
    expect(reviewed.body).toMatchObject({
      id: "conv-1",
      reviewed: true,
      reviewedBy: "alex",
      note: null,
      noteBy: null,
      noteAt: null,
    });
    expect(Date.parse(reviewed.body.reviewedAt)).not.toBeNaN();

    const noted = await call(url, "PATCH", {
      body: { note: "  Write an article on gift cards  " },
      headers: sam,
    });
    expect(noted.body).toMatchObject({
      reviewed: true,
      reviewedBy: "alex",
      note: "Write an article on gift cards",
      noteBy: "sam",
    });

    const transcript = await call(url, "GET", { headers: bearer });
    expect(transcript.body).toMatchObject({
      id: "conv-1",
      reviewed: true,
      reviewedBy: "alex",
      note: "Write an article on gift cards",
      noteBy: "sam",
      startedAt: "2026-03-01T09:00:00.000Z",
    });
    expect(transcript.body.messages).toHaveLength(2);

    const cleared = await call(url, "PATCH", { body: { note: "", reviewed: false }, headers: sam });
    expect(cleared.body).toMatchObject({ reviewed: false, reviewedBy: "sam", note: null });
  });

  it("answers 404 for an unknown conversation and 400 for an empty or wrong body", async () => {
    seedExchange(service, "conv-1", "hi");
    const missing = await call(`${service.url}/api/staff/conversations/nope`, "PATCH", {
      body: { reviewed: true },
      headers: bearer,
    });
    expect(missing.status).toBe(404);
    const url = `${service.url}/api/staff/conversations/conv-1`;
    for (const body of [{}, { reviewed: "yes" }, { note: "x".repeat(2001) }, { other: 1 }]) {
      const response = await call(url, "PATCH", { body, headers: bearer });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error.code).toBe("invalid");
    }
    const text = await call(url, "PATCH", {
      body: "reviewed=true",
      headers: { ...bearer, "content-type": "application/x-www-form-urlencoded" },
    });
    expect(text.status).toBe(415);
  });
});

describe("GET /api/staff/conversations", () => {
  it("filters by reviewed, and pages by cursor", async () => {
    for (let i = 0; i < 5; i++) seedExchange(service, `conv-${i}`, `Question ${i}`, {}, i);
    await call(`${service.url}/api/staff/conversations/conv-1`, "PATCH", {
      body: { reviewed: true },
      headers: bearer,
    });
    const reviewed = await call(`${service.url}/api/staff/conversations?reviewed=true`, "GET", {
      headers: bearer,
    });
    expect(reviewed.body.items.map((c: { id: string }) => c.id)).toEqual(["conv-1"]);
    const open = await call(
      `${service.url}/api/staff/conversations?reviewed=false&limit=2`,
      "GET",
      {
        headers: bearer,
      },
    );
    expect(open.body.items.map((c: { id: string }) => c.id)).toEqual(["conv-4", "conv-3"]);
    const next = await call(
      `${service.url}/api/staff/conversations?reviewed=false&limit=2&cursor=${open.body.nextCursor}`,
      "GET",
      { headers: bearer },
    );
    expect(next.body.items.map((c: { id: string }) => c.id)).toEqual(["conv-2", "conv-0"]);
    expect(next.body.nextCursor).toBeNull();
    const bad = await call(`${service.url}/api/staff/conversations?reviewed=maybe`, "GET", {
      headers: bearer,
    });
    expect(bad.status).toBe(400);
  });

  it("returns visitor markup as JSON strings, never as HTML", async () => {
    const payload = "<img src=x onerror=alert(1)> <script>alert(1)</script>";
    seedExchange(service, "conv-x", payload, NO_ANSWER);
    for (const path of ["/api/staff/conversations", "/api/staff/conversations/conv-x"]) {
      const response = await call(`${service.url}${path}`, "GET", { headers: bearer });
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("content-security-policy")).toMatch(/default-src 'self'/);
    }
    const list = await call(`${service.url}/api/staff/conversations`, "GET", { headers: bearer });
    expect(list.body.items[0].firstQuestion).toBe(payload);
    const transcript = await call(`${service.url}/api/staff/conversations/conv-x`, "GET", {
      headers: bearer,
    });
    expect(transcript.body.messages[0].text).toBe(payload);
  });

  it("answers 404 for the transcript of an unknown conversation", async () => {
    const response = await call(`${service.url}/api/staff/conversations/nope`, "GET", {
      headers: bearer,
    });
    expect(response.status).toBe(404);
  });
});
