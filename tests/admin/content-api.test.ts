/**
 * The admin API for the question bank and the booking examples: the real service wiring on a
 * free port over a copy of the shipped corpus, SQLite in a temp dir, and the fake
 * OpenAI-compatible server as the model that drafts questions.
 */
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AdminRouteDeps } from "../../src/admin/admin-routes.js";
import { createReindexer } from "../../src/admin/reindexer.js";
import { createChatModel } from "../../src/answer/llm/chat-model.js";
import { createQuestionBankStore } from "../../src/content/question-bank-store.js";
import { listCorpusSections } from "../../src/content/sections.js";
import { AppError } from "../../src/errors.js";
import { createSqliteReindexJobs } from "../../src/store/reindex-jobs.js";
import { type FakeOpenAI, startFakeOpenAI, tokens } from "../fakes/fake-openai-server.js";
import { copyCorpus, tempDir } from "../helpers/core-fixtures.js";
import { type Json, STAFF_TOKEN, startTestService, type TestService } from "../helpers/service.js";

const ADMIN = "admin-token-for-tests-0123456789";

const PEELS = `---
title: Chemical Peels
---

# Chemical Peels

A chemical peel removes the dull outer layer of the skin.

## How long a peel takes

Most peels take about 30 minutes.
`;

const DRAFTS = [
  "how long is a peel",
  "Does a chemical peel take long?",
  "can i have a peel in my lunch hour",
];

let service: TestService;
let corpusDir: string;
let cleanup: () => Promise<void>;
let fake: FakeOpenAI;

async function start(drafting: "none" | "fake" = "none"): Promise<void> {
  const questions = createQuestionBankStore({
    corpusDir,
    clinicProfilePath: path.join(corpusDir, "clinic.json"),
  });
  service = await startTestService({
    core: undefined,
    dataDir: path.join(corpusDir, "..", "data"),
    questions,
    admin: (db): Omit<AdminRouteDeps, "authFailures"> => ({
      adminToken: ADMIN,
      staffTokens: [{ name: "alex", token: STAFF_TOKEN }],
      corpusDir,
      index: () => undefined,
      reindexer: createReindexer({
        jobs: createSqliteReindexJobs(db),
        build: () => Promise.reject(new AppError("unavailable", "not in these tests")),
        activate: () => Promise.resolve(),
      }),
      questions,
      drafting:
        drafting === "fake"
          ? {
              model: createChatModel({
                model: "fake-model",
                apiKey: undefined,
                baseUrl: fake.baseUrl,
                timeoutMs: 5000,
                maxTokens: 400,
              }),
              timeoutMs: 5000,
            }
          : undefined,
    }),
  });
}

beforeEach(async () => {
  const temp = await tempDir();
  cleanup = temp.cleanup;
  corpusDir = await copyCorpus(temp.dir);
  fake = await startFakeOpenAI();
  fake.respond = () => ({ kind: "stream", pieces: tokens(DRAFTS.join("\n")) });
});
afterEach(async () => {
  await service.close();
  await fake.close();
  await cleanup();
});

async function call(
  method: string,
  route: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Json; headers: Headers }> {
  const init: RequestInit = { method, headers: { authorization: `Bearer ${ADMIN}`, ...headers } };
  if (typeof body === "string") init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)["content-type"] ??= "application/json";
  }
  const response = await fetch(`${service.url}${route}`, init);
  const text = await response.text();
  return {
    status: response.status,
    body: text ? JSON.parse(text) : null,
    headers: response.headers,
  };
}

const bankFile = () => path.join(corpusDir, "questions.json");
const examplesFile = () => path.join(corpusDir, "booking-examples.json");

describe("GET and PUT /api/admin/questions", () => {
  beforeEach(() => start());

  it("needs the admin token: 401 without it, 403 with a staff token", async () => {
    for (const [method, route] of [
      ["GET", "/api/admin/questions"],
      ["PUT", "/api/admin/questions"],
      ["POST", "/api/admin/questions/drafts"],
      ["GET", "/api/admin/booking-examples"],
      ["PUT", "/api/admin/booking-examples"],
    ] as const) {
      const body = method === "GET" ? undefined : {};
      expect((await call(method, route, body, { authorization: "" })).status).toBe(401);
      const staff = await call(method, route, body, { authorization: `Bearer ${STAFF_TOKEN}` });
      expect(staff.status).toBe(403);
    }
  });

  it("gives the bank with every section of the articles, those without questions included", async () => {
    await writeFile(path.join(corpusDir, "chemical-peels.md"), PEELS);
    const { status, body, headers } = await call("GET", "/api/admin/questions");
    expect(status).toBe(200);
    expect(body.bank.sample).toBe(true);
    expect(body.bank.sections).toHaveLength(24);
    expect(body.problem).toBeUndefined();
    expect(body.drafting).toBe(false);
    expect(headers.get("etag")).toBe(`"${body.version}"`);
    expect(body.version).toMatch(/^[0-9a-f]{64}$/);

    const sections = await listCorpusSections(corpusDir, path.join(corpusDir, "clinic.json"));
    expect(body.sections).toHaveLength(sections.length);
    expect(body.sections).toContainEqual({
      docId: "chemical-peels",
      title: "Chemical Peels",
      heading: "How long a peel takes",
      anchor: "how-long-a-peel-takes",
      contentHash: sections.find((s) => s.heading === "How long a peel takes")?.contentHash,
      indexed: false,
    });
    expect(body.sections.map((s: { heading: string }) => s.heading)).toEqual(
      expect.arrayContaining(["Treating Acne Scars and Sun Spots", "Chemical Peels"]),
    );
  });

  it("saves a valid bank atomically and gives its new version", async () => {
    const bank = {
      sample: false,
      sections: [
        {
          docId: "microneedling-benefits",
          heading: "Treating Acne Scars and Sun Spots",
          questions: ["Does it help acne scars?", "  can it fade sun spots  "],
        },
      ],
      unanswered: ["Do you sell gift vouchers?"],
    };
    const saved = await call("PUT", "/api/admin/questions", bank);
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ sections: 1, questions: 2, drafts: 0, unanswered: 1 });
    expect(saved.headers.get("etag")).toBe(`"${saved.body.version}"`);
    const listed = await call("GET", "/api/admin/questions");
    expect(listed.body.version).toBe(saved.body.version);
    expect(listed.body.bank.sections[0].questions).toEqual([
      "Does it help acne scars?",
      "can it fade sun spots",
    ]);
    expect(listed.body.bank.unanswered).toEqual(["Do you sell gift vouchers?"]);
    // Written by rename: no temporary file is left beside it.
    expect((await readdir(corpusDir)).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });

  it("refuses a bad bank with fields naming the bad line, and keeps the file", async () => {
    const before = await readFile(bankFile(), "utf8");
    const tooShort = await call("PUT", "/api/admin/questions", {
      sections: [
        { docId: "microneedling-benefits", heading: "How to book", questions: ["ok question"] },
        {
          docId: "booking-and-consultations",
          heading: "How to book",
          questions: ["How do I book?", "Can I book online?", "ok"],
        },
      ],
    });
    expect(tooShort.status).toBe(400);
    expect(tooShort.body.error).toMatchObject({
      code: "invalid",
      fields: { "sections.1.questions.2": "must be at least 3 characters" },
    });

    const twice = await call("PUT", "/api/admin/questions", {
      sections: [
        { docId: "booking-and-consultations", heading: "How to book", questions: ["How?"] },
        { docId: "booking-and-consultations", heading: "How to book", questions: ["When?"] },
      ],
    });
    expect(twice.body.error.fields).toEqual({
      "sections.1": "the same section as sections.0 (booking-and-consultations › How to book)",
    });
    const both = await call("PUT", "/api/admin/questions", {
      sections: [
        {
          docId: "booking-and-consultations",
          heading: "How to book",
          questions: ["How do I book?"],
        },
      ],
      unanswered: ["Is there parking?", "how do i book"],
    });
    expect(both.status).toBe(400);
    expect(both.body.error.fields).toEqual({
      "unanswered.1": "is also a question a section answers (sections.0.questions.0)",
    });
    const unknownKey = await call("PUT", "/api/admin/questions", { sections: [], typo: true });
    expect(unknownKey.status).toBe(400);
    const notJson = await call("PUT", "/api/admin/questions", "x", {
      "content-type": "text/plain",
    });
    expect(notJson.status).toBe(415);
    expect(await readFile(bankFile(), "utf8")).toBe(before);
  });

  it("with If-Match, refuses to overwrite a bank that changed since it was read", async () => {
    const { body } = await call("GET", "/api/admin/questions");
    const bank = { sections: [] };
    // Another change lands first (here: a save without If-Match).
    const other = await call("PUT", "/api/admin/questions", body.bank);
    expect(other.status).toBe(200);
    const stale = await call("PUT", "/api/admin/questions", bank, { "if-match": '"0badc0de"' });
    expect(stale.status).toBe(412);
    expect(stale.body.error.code).toBe("precondition_failed");
    expect(stale.body.error.message).toMatch(/changed since you opened it/);
    expect(JSON.parse(await readFile(bankFile(), "utf8")).sections).toHaveLength(24);

    const fresh = await call("PUT", "/api/admin/questions", bank, {
      "if-match": `"${other.body.version}"`,
    });
    expect(fresh.status).toBe(200);
    expect(JSON.parse(await readFile(bankFile(), "utf8")).sections).toEqual([]);
    const malformed = await call("PUT", "/api/admin/questions", bank, { "if-match": "<nope>" });
    expect(malformed.status).toBe(400);
  });

  it("says what is wrong with a broken file, and a save replaces it", async () => {
    await writeFile(bankFile(), '{ "sections": [{ "docId": "Bad Id" }] }');
    const broken = await call("GET", "/api/admin/questions");
    expect(broken.status).toBe(200);
    expect(broken.body.bank.sections).toEqual([]);
    expect(broken.body.problem).toMatch(
      /^invalid questions \(sections\.0\.docId: must be a document id/,
    );
    const saved = await call("PUT", "/api/admin/questions", { sections: [] });
    expect(saved.status).toBe(200);
    expect((await call("GET", "/api/admin/questions")).body.problem).toBeUndefined();
  });
});

describe("POST /api/admin/questions/drafts", () => {
  it("says clearly that drafting needs a chat model when none is configured", async () => {
    await start("none");
    const response = await call("POST", "/api/admin/questions/drafts");
    expect(response.status).toBe(409);
    expect(response.body.error).toEqual({
      code: "conflict",
      message:
        "Drafting questions needs a chat model: start the service with ANSWER_MODE=llm and CHAT_MODEL (and OPENAI_BASE_URL for a local model server).",
    });
  });

  it("drafts questions for the sections without any, with the model, and shows them as drafts", async () => {
    await start("fake");
    await writeFile(path.join(corpusDir, "chemical-peels.md"), PEELS);
    const listed = await call("GET", "/api/admin/questions");
    expect(listed.body.drafting).toBe(true);

    const response = await call("POST", "/api/admin/questions/drafts", {});
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ drafted: 2, cached: 0, withQuestions: 24, empty: [] });
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests.every((r) => r.stream)).toBe(true);

    const after = await call("GET", "/api/admin/questions");
    const peels = after.body.bank.sections.filter(
      (s: { docId: string }) => s.docId === "chemical-peels",
    );
    expect(peels).toEqual([
      {
        docId: "chemical-peels",
        heading: "Chemical Peels",
        questions: [],
        drafts: {
          contentHash: after.body.sections.find(
            (s: { heading: string }) => s.heading === "Chemical Peels",
          ).contentHash,
          questions: DRAFTS,
        },
      },
      expect.objectContaining({ heading: "How long a peel takes", questions: [] }),
    ]);
    // The sections with questions kept theirs.
    expect(after.body.bank.sections).toHaveLength(26);

    // Drafted from the current text already: nothing to ask again.
    fake.requests.length = 0;
    const again = await call("POST", "/api/admin/questions/drafts");
    expect(again.body).toMatchObject({ drafted: 0, cached: 2 });
    expect(fake.requests).toHaveLength(0);
  });

  it("answers 502 with a clear message when the model server is down, and loses nothing", async () => {
    await start("fake");
    await writeFile(path.join(corpusDir, "chemical-peels.md"), PEELS);
    const before = await readFile(bankFile(), "utf8");
    await fake.close();
    const response = await call("POST", "/api/admin/questions/drafts");
    expect(response.status).toBe(502);
    expect(response.body.error).toEqual({
      code: "bad_gateway",
      message:
        "Drafting questions stopped: the model server could not be reached. Nothing was changed. Check the chat model settings (CHAT_MODEL, OPENAI_BASE_URL) and try again.",
    });
    expect(await readFile(bankFile(), "utf8")).toBe(before);
    // The log keeps the model client's own error for the operator.
    expect(service.logs.find((l) => l.msg === "drafting questions failed")).toMatchObject({
      level: 40,
      err: expect.objectContaining({ message: expect.any(String) }),
    });
  });

  it("runs one drafting at a time", async () => {
    await start("fake");
    await writeFile(path.join(corpusDir, "chemical-peels.md"), PEELS);
    fake.respond = () => ({ kind: "stream", pieces: DRAFTS, firstDelayMs: 300 });
    const first = call("POST", "/api/admin/questions/drafts");
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = await call("POST", "/api/admin/questions/drafts");
    expect(second.status).toBe(409);
    expect(second.body.error.message).toBe("Questions are being drafted already");
    expect((await first).status).toBe(200);
  });
});

describe("GET and PUT /api/admin/booking-examples", () => {
  beforeEach(() => start());

  it("gives the examples, and saves valid ones", async () => {
    const { status, body } = await call("GET", "/api/admin/booking-examples");
    expect(status).toBe(200);
    expect(body.examples.sample).toBe(true);
    expect(body.examples.requests.length).toBeGreaterThan(10);
    expect(body.problem).toBeUndefined();

    const saved = await call("PUT", "/api/admin/booking-examples", {
      requests: ["book me in", "  can I come in on Friday?  "],
      notRequests: ["how do I cancel?"],
    });
    expect(saved).toMatchObject({ status: 200, body: { requests: 2, notRequests: 1 } });
    expect(JSON.parse(await readFile(examplesFile(), "utf8"))).toEqual({
      sample: false,
      requests: ["book me in", "can I come in on Friday?"],
      notRequests: ["how do I cancel?"],
    });
  });

  it("refuses bad examples with fields naming the bad line, and keeps the file", async () => {
    const before = await readFile(examplesFile(), "utf8");
    const empty = await call("PUT", "/api/admin/booking-examples", {
      requests: ["book me in", " "],
      notRequests: [],
    });
    expect(empty.status).toBe(400);
    expect(empty.body.error.fields).toEqual({ "requests.1": "must not be empty" });
    const both = await call("PUT", "/api/admin/booking-examples", {
      requests: ["Book me in"],
      notRequests: ["how do I cancel?", "book me in"],
    });
    expect(both.body.error.fields).toEqual({
      "notRequests.1": "is also a booking request (requests.0)",
    });
    expect(await readFile(examplesFile(), "utf8")).toBe(before);
  });

  it("says what is wrong with a broken file", async () => {
    await writeFile(examplesFile(), "[1, 2");
    const { body } = await call("GET", "/api/admin/booking-examples");
    expect(body).toEqual({
      examples: { sample: false, requests: [], notRequests: [] },
      problem: "the file is not valid JSON",
    });
  });
});
