import { once } from "node:events";
import { readdir, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { pino } from "pino";
import { io as connect } from "socket.io-client";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { broadcastReindex } from "../../src/admin/admin-namespace.js";
import type { ReindexJob } from "../../src/admin/reindexer.js";
import { createReindexer } from "../../src/admin/reindexer.js";
import { attachSockets, createApp, type AppDeps } from "../../src/app.js";
import { createBookingService } from "../../src/booking/booking-service.js";
import { createChatService } from "../../src/chat/chat-service.js";
import type { ChatServer } from "../../src/chat/socket-handlers.js";
import { createQuestionBankStore } from "../../src/content/question-bank-store.js";
import { buildOptions, type Core, loadCore, withIndex } from "../../src/core.js";
import {
  AUTH_FAILURES_PER_MIN,
  createFailureLimiter,
  createVisitorRateLimiter,
} from "../../src/http/rate-limit.js";
import { buildIndex } from "../../src/index/build-index.js";
import { loadIndex } from "../../src/index/index-store.js";
import { createSqliteBookings } from "../../src/store/bookings.js";
import { closeDatabase, openDatabase } from "../../src/store/database.js";
import { createSqliteOutbox } from "../../src/store/outbox.js";
import { createSqliteReindexJobs } from "../../src/store/reindex-jobs.js";
import { createSqliteTranscripts } from "../../src/store/transcripts.js";
import { copyCorpus, tempDir, testConfig } from "../helpers/core-fixtures.js";
import { getJson, type Json, postJson } from "../helpers/service.js";
import { explainQuestion } from "../../src/admin/try-question.js";

const ADMIN = "admin-token-for-tests-0123456789";
const STAFF = "staff-token-for-tests-0123456789";
const admin = { authorization: `Bearer ${ADMIN}` };

let dir: string;
let cleanup: () => Promise<void>;
let corpusDir: string;
let base: Core;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterAll(() => cleanup());

interface AdminService {
  url: string;
  state: { core: Core };
  close(): Promise<void>;
}

/** The real wiring, as main.ts does it, over a copy of the corpus that the tests change. */
async function startAdminService(): Promise<AdminService> {
  const work = path.join(dir, `run-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  corpusDir = await copyCorpus(work);
  const config = testConfig({ DATA_DIR: path.join(work, "data"), CORPUS_DIR: corpusDir });
  base = await loadCore(config, { buildIfNeeded: true });
  const state = { core: base };
  const db = openDatabase(path.join(work, "data", "app.db"));
  const transcripts = createSqliteTranscripts(db);
  const bookings = createSqliteBookings(db);
  // Sockets exist only once the server does; progress updates look them up when sent.
  const sockets: { io?: ChatServer } = {};
  const reindexer = createReindexer({
    jobs: createSqliteReindexJobs(db),
    build: (onProgress) => buildIndex({ ...buildOptions(config, state.core.model), onProgress }),
    activate: async () => {
      const index = await loadIndex(config.indexDir, { expectModel: state.core.model.modelId });
      state.core = withIndex(state.core, index);
    },
    onUpdate: (job) => broadcastReindex(sockets.io, job),
  });
  const deps: AppDeps = {
    logger: pino({ level: "silent" }),
    core: () => state.core,
    chat: () => createChatService({ answerer: () => state.core.answerer, transcripts }),
    transcripts,
    bookings,
    bookingService: createBookingService({
      db,
      bookings,
      transcripts,
      outbox: createSqliteOutbox(db),
    }),
    limiter: createVisitorRateLimiter(0),
    staffAccounts: [{ name: "alex", token: STAFF }],
    allowedOrigins: [],
    trustProxy: 0,
    authFailures: createFailureLimiter(AUTH_FAILURES_PER_MIN, "auth"),
    admin: {
      adminToken: ADMIN,
      staffTokens: [{ name: "alex", token: STAFF }],
      corpusDir,
      clinicProfilePath: path.join(corpusDir, "clinic.json"),
      index: () => state.core.index,
      explain: (question: string) => explainQuestion(state.core, question),
      reindexer,
      questions: createQuestionBankStore({
        corpusDir,
        clinicProfilePath: path.join(corpusDir, "clinic.json"),
      }),
    },
  };
  const server: Server = createServer(createApp(deps));
  const io = attachSockets(server, deps);
  sockets.io = io;
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    state,
    async close() {
      await reindexer.idle();
      await io.close();
      server.closeAllConnections();
      closeDatabase(db);
    },
  };
}

async function request(
  url: string,
  method: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const init: RequestInit = { method, headers: { ...admin, ...headers } };
  if (typeof body === "string" || Buffer.isBuffer(body)) init.body = body as string;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)["content-type"] = "application/json";
  }
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as Json };
}

async function reindexAndWait(url: string): Promise<Json> {
  const started = await request(`${url}/api/admin/reindex`, "POST");
  expect(started.status).toBe(202);
  for (let i = 0; i < 200; i++) {
    const job = await request(`${url}/api/admin/reindex/${started.body.jobId}`, "GET");
    if (job.body.state === "done" || job.body.state === "failed") return job.body;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error("the re-index did not finish");
}

const PEELS = `# Chemical Peels

## What a peel does

A chemical peel uses a glycolic acid solution to dissolve the bonds between dead skin cells, so the dull outer layer sheds and fresher skin shows.
`;

let service: AdminService;
beforeEach(async () => {
  service = await startAdminService();
});
afterEach(() => service.close());

describe("admin API auth", () => {
  it("limits wrong admin tokens per address, on the API and the socket alike; a staff token is no guess", async () => {
    const url = `${service.url}/api/admin/documents`;
    for (let i = 0; i < 6; i++) {
      expect((await getJson(url, { authorization: `Bearer ${STAFF}` })).status).toBe(403);
    }
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await getJson(url, { authorization: `Bearer guess-${i}` })).status);
    }
    const socketGuess = connect(`${service.url}/admin`, {
      transports: ["websocket"],
      forceNew: true,
      auth: { token: "guess-socket" },
    });
    const refused = await new Promise<string>((resolve) =>
      socketGuess.once("connect_error", (e) => resolve(e.message)),
    );
    socketGuess.close();
    expect([...statuses, refused]).toEqual([401, 401, 401, 401, "unauthorized"]);
    const right = await getJson(url, admin);
    expect(right.status).toBe(429);
    expect(Number(right.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("refuses a missing or wrong token with 401 and the staff token with 403", async () => {
    expect((await getJson(`${service.url}/api/admin/documents`)).status).toBe(401);
    expect(
      (await getJson(`${service.url}/api/admin/documents`, { authorization: "Bearer nope" }))
        .status,
    ).toBe(401);
    const staff = await getJson(`${service.url}/api/admin/documents`, {
      authorization: `Bearer ${STAFF}`,
    });
    expect(staff.status).toBe(403);
    expect(staff.body.error.code).toBe("forbidden");
    expect(
      (await postJson(`${service.url}/api/admin/reindex`, {}, { authorization: `Bearer ${STAFF}` }))
        .status,
    ).toBe(403);
  });
});

describe("documents", () => {
  it("lists the corpus with titles, sizes and passage counts", async () => {
    const { status, body } = await request(`${service.url}/api/admin/documents`, "GET");
    expect(status).toBe(200);
    const article = body.documents.find(
      (d: { docId: string }) => d.docId === "microneedling-benefits",
    );
    expect(article).toMatchObject({
      title: "Revitalize Your Complexion: Why Microneedling Works",
      file: "microneedling-benefits.md",
      chunks: base.index.chunks.filter((c) => c.docId === "microneedling-benefits").length,
    });
    expect(article.bytes).toBeGreaterThan(5000);
    expect(article.generated).toBe(false);
    // The page generated from the clinic profile is listed, indexed, as generated.
    expect(
      body.documents.find((d: { docId: string }) => d.docId === "contact-and-opening-hours"),
    ).toMatchObject({
      title: "Contact and opening hours",
      file: "clinic.json",
      generated: true,
      chunks: base.index.chunks.filter((c) => c.docId === "contact-and-opening-hours").length,
    });
  });

  it("adds a document from JSON, replaces it, and shows it as not indexed until a re-index", async () => {
    const created = await request(`${service.url}/api/admin/documents/chemical-peels`, "PUT", {
      title: "Chemical Peels",
      markdown: PEELS,
    });
    expect(created.status).toBe(201);
    const replaced = await request(`${service.url}/api/admin/documents/chemical-peels`, "PUT", {
      title: "Chemical Peels",
      url: "https://clinic.example/peels",
      markdown: PEELS,
    });
    expect(replaced.status).toBe(200);
    const list = await request(`${service.url}/api/admin/documents`, "GET");
    expect(
      list.body.documents.find((d: { docId: string }) => d.docId === "chemical-peels"),
    ).toMatchObject({
      title: "Chemical Peels",
      url: "https://clinic.example/peels",
      chunks: null,
    });
  });

  it("takes a raw HTML file, and replaces the Markdown of the same document", async () => {
    await request(`${service.url}/api/admin/documents/chemical-peels`, "PUT", {
      title: "Chemical Peels",
      markdown: PEELS,
    });
    const html =
      "<html><head><title>Peels</title><script>evil()</script></head><body><h1>Peels</h1><p>A peel removes dead skin cells.</p></body></html>";
    const uploaded = await request(
      `${service.url}/api/admin/documents/chemical-peels`,
      "PUT",
      html,
      {
        "content-type": "text/html; charset=utf-8",
      },
    );
    expect(uploaded.status).toBe(200);
    const files = await readdir(corpusDir);
    expect(files.filter((f) => f.startsWith("chemical-peels"))).toEqual(["chemical-peels.html"]);
  });

  it.each([
    ["an empty document", { title: "Empty", markdown: "   " }, 400, "invalid"],
    ["no title", { title: "", markdown: PEELS }, 400, "invalid"],
    ["a binary file", "PK\u0003\u0004\u0000\u0000binary", 400, "invalid"],
    ["a PDF", "%PDF-1.4", 415, "unsupported_media_type"],
  ])("refuses %s with a clear error", async (_name, body, status, code) => {
    const headers: Record<string, string> =
      typeof body === "string"
        ? { "content-type": code === "unsupported_media_type" ? "application/pdf" : "text/plain" }
        : {};
    const response = await request(
      `${service.url}/api/admin/documents/bad-doc`,
      "PUT",
      body,
      headers,
    );
    expect(response.status).toBe(status);
    expect(response.body.error.code).toBe(code);
    expect(response.body.error.message.length).toBeGreaterThan(5);
    expect((await readdir(corpusDir)).some((f) => f.startsWith("bad-doc"))).toBe(false);
  });

  it("refuses a file over 2 MB with 413 and a bad document id with 400", async () => {
    const big = await request(
      `${service.url}/api/admin/documents/big`,
      "PUT",
      "a ".repeat(1_100_000),
      {
        "content-type": "text/plain",
      },
    );
    expect(big.status).toBe(413);
    const badId = await request(`${service.url}/api/admin/documents/Bad_Id`, "PUT", {
      title: "x",
      markdown: PEELS,
    });
    expect(badId.status).toBe(400);
  });

  it("deletes a document, and says when there is none", async () => {
    await request(`${service.url}/api/admin/documents/chemical-peels`, "PUT", {
      title: "Chemical Peels",
      markdown: PEELS,
    });
    expect(
      (await request(`${service.url}/api/admin/documents/chemical-peels`, "DELETE")).status,
    ).toBe(204);
    expect(
      (await request(`${service.url}/api/admin/documents/chemical-peels`, "DELETE")).status,
    ).toBe(404);
  });
});

describe("try a question", () => {
  it("gives the answer, the words with the glossary terms they stood for, the passages and the decision", async () => {
    const { status, body } = await request(`${service.url}/api/admin/try`, "POST", {
      question: "can microneedling fade dark marks?",
    });
    expect(status).toBe(200);
    expect(body.reply.kind).toBe("answer");
    expect(body.decision).toMatchObject({ judgement: "answer", vetoed: false });
    expect(body.decision.confidence).toBeGreaterThanOrEqual(body.decision.threshold);
    const dark = body.words.find((w: { word: string }) => w.word === "dark");
    expect(dark).toMatchObject({ terms: ["hyperpigmentation"], known: true });
    expect(body.passages[0]).toMatchObject({ section: body.reply.citations[0].section });
    expect(body.passages[0].rank).toBeGreaterThanOrEqual(body.passages[1].rank);

    const off = await request(`${service.url}/api/admin/try`, "POST", {
      question: "what is the capital of Australia?",
    });
    expect(off.body.reply.kind).toBe("no-answer");
    expect(off.body.decision.judgement).toBe("none");
    expect(
      off.body.words
        .filter((w: { known: boolean }) => !w.known)
        .map((w: { word: string }) => w.word),
    ).toEqual(expect.arrayContaining(["australia"]));
  });

  it("refuses an empty or oversized question, a staff token and a body that is not JSON", async () => {
    const empty = await request(`${service.url}/api/admin/try`, "POST", { question: "  " });
    expect(empty.status).toBe(400);
    expect(empty.body.error.fields).toEqual({ question: "Write a question to try" });
    const long = await request(`${service.url}/api/admin/try`, "POST", {
      question: "a".repeat(2001),
    });
    expect(long.status).toBe(400);
    const staff = await request(
      `${service.url}/api/admin/try`,
      "POST",
      { question: "hi" },
      {
        authorization: `Bearer ${STAFF}`,
      },
    );
    expect(staff.status).toBe(403);
  });
});

describe("glossary", () => {
  const ask = async (message: string) =>
    (await postJson(`${service.url}/api/chat`, { message })).body as {
      grounded: boolean;
      citations: { section: string }[];
    };

  it("shows the glossary and how many of its terms the answers use", async () => {
    const { status, body } = await request(`${service.url}/api/admin/glossary`, "GET");
    expect(status).toBe(200);
    expect(body.glossary.sample).toBe(true);
    expect(body.glossary.terms.length).toBeGreaterThan(10);
    expect(body.inService).toBe(body.glossary.terms.length);
    expect(body.problem).toBeUndefined();
  });

  it("refuses an invalid glossary with the bad fields and keeps the file", async () => {
    const before = await request(`${service.url}/api/admin/glossary`, "GET");
    const bad = await request(`${service.url}/api/admin/glossary`, "PUT", {
      terms: [{ term: "melasma", also: [] }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toEqual({ "terms.0.also": "must list at least one phrase" });
    const after = await request(`${service.url}/api/admin/glossary`, "GET");
    expect(after.body.glossary).toEqual(before.body.glossary);
    const staff = await request(`${service.url}/api/admin/glossary`, "PUT", before.body.glossary, {
      authorization: `Bearer ${STAFF}`,
    });
    expect(staff.status).toBe(403);
  });

  it("saves a glossary that the answers use from the next re-index", async () => {
    const question = "can microneedling clear up my blotchmarks?";
    expect(await ask(question)).toMatchObject({ grounded: false, citations: [] });

    const saved = await request(`${service.url}/api/admin/glossary`, "PUT", {
      terms: [{ term: "Melasma", also: ["Blotchmarks"] }],
    });
    expect(saved).toEqual({ status: 200, body: { terms: 1 } });
    const listed = await request(`${service.url}/api/admin/glossary`, "GET");
    expect(listed.body.glossary.terms).toEqual([{ term: "melasma", also: ["blotchmarks"] }]);
    expect(await ask(question)).toMatchObject({ grounded: false });

    expect(await reindexAndWait(service.url)).toMatchObject({ state: "done" });
    const reply = await ask(question);
    expect(reply.grounded).toBe(true);
    expect(reply.citations[0]?.section).toBe("Treating Acne Scars and Sun Spots");
  });
});

describe("re-index", () => {
  const askPeels = async () =>
    (
      await postJson(`${service.url}/api/chat`, {
        message: "What does a chemical peel with glycolic acid do?",
      })
    ).body;

  it("puts a new document in service, then takes a deleted one out, while chat keeps answering", async () => {
    expect(
      (await askPeels()).citations.some((c: { docId: string }) => c.docId === "chemical-peels"),
    ).toBe(false);
    await request(`${service.url}/api/admin/documents/chemical-peels`, "PUT", {
      title: "Chemical Peels",
      markdown: PEELS,
    });

    // Chat runs throughout the re-index; every request must succeed.
    let chatting = true;
    const statuses: number[] = [];
    const chatter = (async () => {
      while (chatting) {
        statuses.push(
          (await postJson(`${service.url}/api/chat`, { message: "Does it help acne scars?" }))
            .status,
        );
      }
    })();
    const job = await reindexAndWait(service.url);
    chatting = false;
    await chatter;
    expect(job.state).toBe("done");
    expect(job.stats).toMatchObject({ documents: 4 });
    expect(job.stats.embedded).toBeLessThan(job.stats.chunks);
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 200)).toBe(true);

    const answer = await askPeels();
    expect(answer.grounded).toBe(true);
    expect(answer.citations[0].docId).toBe("chemical-peels");

    await request(`${service.url}/api/admin/documents/chemical-peels`, "DELETE");
    expect((await reindexAndWait(service.url)).state).toBe("done");
    expect(
      (await askPeels()).citations.some((c: { docId: string }) => c.docId === "chemical-peels"),
    ).toBe(false);

    const index = await request(`${service.url}/api/admin/index`, "GET");
    expect(index.body.index).toMatchObject({ documents: 3, embeddingModel: base.model.modelId });
    expect(index.body.jobs).toHaveLength(2);
    expect(index.body.jobs[0]).toMatchObject({ state: "done", requestedBy: "admin" });
  });

  it("runs one job at a time: a second request gets the running job", async () => {
    const first = await request(`${service.url}/api/admin/reindex`, "POST");
    const second = await request(`${service.url}/api/admin/reindex`, "POST");
    expect(second.body.jobId).toBe(first.body.jobId);
  });

  it("keeps the old index serving and records the error when a re-index fails", async () => {
    for (const file of await readdir(corpusDir)) {
      if (file.endsWith(".md")) await rm(path.join(corpusDir, file));
    }
    const job = await reindexAndWait(service.url);
    expect(job.state).toBe("failed");
    expect(job.error).toMatch(/No usable document/);
    const chat = await postJson(`${service.url}/api/chat`, { message: "Does it help acne scars?" });
    expect(chat.body.grounded).toBe(true);
    expect(service.state.core).toBe(base);
  });

  it("pushes live progress on /admin to admins only", async () => {
    const intruder = connect(`${service.url}/admin`, {
      transports: ["websocket"],
      forceNew: true,
      auth: { token: STAFF },
    });
    const refused = await new Promise<string>((resolve) =>
      intruder.once("connect_error", (e) => resolve(e.message)),
    );
    expect(refused).toBe("unauthorized");
    intruder.close();

    const socket = connect(`${service.url}/admin`, {
      transports: ["websocket"],
      forceNew: true,
      auth: { token: ADMIN },
    });
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    const updates: ReindexJob[] = [];
    socket.on("reindex:update", (job: ReindexJob) => updates.push(job));
    const job = await reindexAndWait(service.url);
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.close();
    expect(updates.map((u) => u.state)).toEqual(
      expect.arrayContaining(["queued", "running", "done"]),
    );
    expect(updates.some((u) => u.progress.phase === "embed" || u.progress.phase === "index")).toBe(
      true,
    );
    expect(updates.at(-1)).toMatchObject({ id: job.id, state: "done" });
  });
});
