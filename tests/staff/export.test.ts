import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { csvCell, formulaSafe } from "../../src/staff/csv.js";
import { Writable } from "node:stream";
import { CSV_COLUMNS, writeExport } from "../../src/staff/export.js";
import type { TranscriptRepository } from "../../src/store/transcripts.js";
import { tempDir } from "../helpers/core-fixtures.js";
import { type Json, startTestService, type TestService } from "../helpers/service.js";
import { bearer, call, NO_ANSWER, parseCsv, seedExchange } from "./staff-fixtures.js";

let service: TestService;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  const temp = await tempDir();
  cleanup = temp.cleanup;
  service = await startTestService({
    core: undefined,
    dataDir: temp.dir,
    now: () => new Date("2026-03-02T08:00:00.000Z"),
  });
});
afterEach(async () => {
  await service.close();
  await cleanup();
});

const IMG = "<img src=x onerror=alert(1)>";
const SCRIPT = "<script>alert('x')</script>";

describe("csvCell", () => {
  it("quotes commas, quotes and line breaks, and defuses formulas", () => {
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell('say "hi", then\nleave')).toBe('"say ""hi"", then\nleave"');
    for (const formula of ["=1+1", "+44", "-2", "@SUM(A1)", "\tx", "\rx"]) {
      expect(csvCell(formulaSafe(formula)).replace(/^"/, "").startsWith("'")).toBe(true);
    }
    // Our own ids are written as they are: a base64url id may start with "-".
    expect(csvCell("-Ab3_xYz")).toBe("-Ab3_xYz");
    expect(csvCell(42)).toBe("42");
    expect(csvCell(false)).toBe("false");
    expect(csvCell(null)).toBe("");
  });
});

describe("GET /api/staff/export.csv", () => {
  it("exports one row per message, quoted so it parses back exactly, with formulas defused", async () => {
    const { visitorId, botId } = seedExchange(
      service,
      "conv-1",
      `=HYPERLINK("http://evil.example","click"), then\na second line ${IMG} ${SCRIPT}`,
      NO_ANSWER,
    );
    seedExchange(service, "conv-2", "@SUM(1+1) how long does a peel take?", {}, 5);
    service.deps.transcripts.setFeedback({ messageId: botId, rating: "down" });

    const response = await call(`${service.url}/api/staff/export.csv`, "GET", { headers: bearer });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toBe(
      'attachment; filename="conversations-2026-03-02.csv"',
    );
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    // A byte-order mark, so spreadsheets read UTF-8 (fetch's text() strips it again).
    const raw = await fetch(`${service.url}/api/staff/export.csv`, { headers: bearer });
    expect([...new Uint8Array(await raw.arrayBuffer()).slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);

    const [header, ...rows] = parseCsv(response.text);
    expect(header).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(4);
    // Newest activity first, each conversation's messages in order.
    expect(rows.map((r) => [r[0], r[3]])).toEqual([
      ["conv-2", "visitor"],
      ["conv-2", "bot"],
      ["conv-1", "visitor"],
      ["conv-1", "bot"],
    ]);
    const visitor = rows[2] as string[];
    expect(visitor[2]).toBe(visitorId);
    expect(visitor[5]).toBe(
      `'=HYPERLINK("http://evil.example","click"), then\na second line ${IMG} ${SCRIPT}`,
    );
    expect(rows[0]?.[5]).toBe("'@SUM(1+1) how long does a peel take?");
    const bot = rows[3] as string[];
    expect(bot.slice(6, 11)).toEqual(["false", "staff", "extractive", "down", "42"]);
    expect([visitor[12], bot[12], rows[1]?.[12]]).toEqual(["", "no-answer", "answer"]);
    expect(rows[1]?.slice(6, 12)).toEqual([
      "true",
      "",
      "extractive",
      "",
      "42",
      "[1] Chemical peels › How long does it take?",
    ]);
    expect(visitor[1]).toBe("2026-03-01T09:00:00.000Z");
  });

  it("exports only the filtered conversations, every page of them", async () => {
    for (let i = 0; i < 230; i++) {
      seedExchange(
        service,
        `conv-${String(i).padStart(3, "0")}`,
        `Question ${i}`,
        i % 2 ? NO_ANSWER : {},
        i,
      );
    }
    const all = await call(`${service.url}/api/staff/export.csv`, "GET", { headers: bearer });
    const rows = parseCsv(all.text).slice(1);
    expect(new Set(rows.map((r) => r[0])).size).toBe(230);
    expect(rows).toHaveLength(460);

    const unanswered = await call(`${service.url}/api/staff/export.csv?grounded=false`, "GET", {
      headers: bearer,
    });
    const ids = new Set(
      parseCsv(unanswered.text)
        .slice(1)
        .map((r) => r[0]),
    );
    expect(ids.size).toBe(115);
    expect(ids.has("conv-001")).toBe(true);
    expect(ids.has("conv-000")).toBe(false);

    const q = await call(
      `${service.url}/api/staff/export.jsonl?q=${encodeURIComponent("Question 7")}&from=2026-03-01`,
      "GET",
      {
        headers: bearer,
      },
    );
    const lines = q.text
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Json);
    expect(lines.map((c) => c.id)).toContain("conv-007");
  });

  it("needs a staff credential and valid filters", async () => {
    expect((await call(`${service.url}/api/staff/export.csv`, "GET")).status).toBe(401);
    const bad = await call(`${service.url}/api/staff/export.csv?from=yesterday`, "GET", {
      headers: bearer,
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-disposition")).toBeNull();
  });
});

describe("GET /api/staff/export.jsonl", () => {
  it("exports one conversation per line with its messages, visitor markup as plain strings", async () => {
    seedExchange(service, "conv-1", `${IMG} and ${SCRIPT}`, NO_ANSWER);
    seedExchange(service, "conv-1", "And on weekends?", {}, 1);
    seedExchange(service, "conv-2", "hello", {}, 2);
    await call(`${service.url}/api/staff/conversations/conv-1`, "PATCH", {
      body: { reviewed: true, note: `staff wrote ${SCRIPT}` },
      headers: bearer,
    });

    const response = await call(`${service.url}/api/staff/export.jsonl`, "GET", {
      headers: bearer,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/x-ndjson; charset=utf-8");
    expect(response.headers.get("content-disposition")).toBe(
      'attachment; filename="conversations-2026-03-02.jsonl"',
    );
    const lines = response.text.split("\n");
    expect(lines.at(-1)).toBe("");
    const conversations = lines.slice(0, -1).map((l) => JSON.parse(l) as Json);
    expect(conversations.map((c) => c.id)).toEqual(["conv-2", "conv-1"]);
    const first = conversations[1];
    expect(first).toMatchObject({
      reviewed: true,
      reviewedBy: "alex",
      note: `staff wrote ${SCRIPT}`,
      startedAt: "2026-03-01T09:00:00.000Z",
    });
    expect(first.messages.map((m: { role: string }) => m.role)).toEqual([
      "visitor",
      "bot",
      "visitor",
      "bot",
    ]);
    expect(first.messages[0].text).toBe(`${IMG} and ${SCRIPT}`);
    expect(first.messages[1]).toMatchObject({ grounded: false, handoff: { kind: "staff" } });
  });
});

describe("writeExport", () => {
  it("waits for a slow reader instead of reading the whole export ahead", async () => {
    for (let i = 0; i < 250; i++) seedExchange(service, `conv-${i}`, `Question ${i}`, {}, i);
    let pagesRead = 0;
    const transcripts: TranscriptRepository = {
      ...service.deps.transcripts,
      listConversations: (filter) => {
        pagesRead += 1;
        return service.deps.transcripts.listConversations(filter);
      },
    };
    const pending: (() => void)[] = [];
    let chunks = 0;
    const slow = new Writable({
      highWaterMark: 1,
      write(_chunk, _encoding, done) {
        chunks += 1;
        pending.push(done);
      },
    });
    const finished = writeExport(slow, "jsonl", {}, transcripts);
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Stuck behind the first unread chunk: one page read, nothing more queued.
    expect(pagesRead).toBe(1);
    expect(chunks).toBe(1);

    const drainAll = setInterval(() => pending.splice(0).forEach((done) => done()), 1);
    expect(await finished).toBe(250);
    clearInterval(drainAll);
    expect(pagesRead).toBe(3);
  });
});
