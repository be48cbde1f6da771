/**
 * Deeply nested documents (#14, item 2): refused at upload with a 400 naming the nesting, and
 * skipped when listing the corpus, quickly and while chat keeps answering. Before the depth
 * limit, 200,000 nested `<div>` held the event loop (chat included) for about 100 s.
 */
import { readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createReindexer } from "../../src/admin/reindexer.js";
import { PARSE_TIME_LIMIT_MS } from "../../src/content/parse-off-thread.js";
import { createQuestionBankStore } from "../../src/content/question-bank-store.js";
import type { Core } from "../../src/core.js";
import { AppError } from "../../src/errors.js";
import { createSqliteReindexJobs } from "../../src/store/reindex-jobs.js";
import { copyCorpus, tempDir } from "../helpers/core-fixtures.js";
import {
  type Json,
  postJson,
  STAFF_TOKEN,
  startTestService,
  type TestService,
} from "../helpers/service.js";
import { shippedCore } from "../helpers/shipped-core.js";

const ADMIN = "admin-token-for-tests-0123456789";
const CHAT_QUESTION = "Does microneedling help acne scars?";
const admin = { authorization: `Bearer ${ADMIN}` };

/** `depth` nested `<div>`, never closed (as browsers allow): 200,000 of them make 1 MB. */
const nestedDivs = (depth: number) => `${"<div>".repeat(depth)}Text`;
/** A list each of whose items is nested in the one before, two spaces further in. */
const nestedList = (depth: number) =>
  Array.from({ length: depth }, (_, i) => `${"  ".repeat(i)}- item ${i}\n`).join("");

let core: Core;
let service: TestService;
let corpusDir: string;
let cleanup: () => Promise<void>;
let removeCore: () => Promise<void>;

beforeAll(async () => {
  ({ core, cleanup: removeCore } = await shippedCore());
  const temp = await tempDir();
  cleanup = temp.cleanup;
  corpusDir = await copyCorpus(temp.dir);
  const questions = createQuestionBankStore({ corpusDir });
  service = await startTestService({
    core,
    dataDir: path.join(temp.dir, "data"),
    questions,
    admin: (db) => ({
      adminToken: ADMIN,
      staffTokens: [{ name: "alex", token: STAFF_TOKEN }],
      corpusDir,
      index: () => core.index,
      reindexer: createReindexer({
        jobs: createSqliteReindexJobs(db),
        build: () => Promise.reject(new AppError("unavailable", "not in these tests")),
        activate: () => Promise.resolve(),
      }),
      questions,
    }),
  });
});
afterAll(async () => {
  await service.close();
  await cleanup();
  await removeCore();
});

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await run();
  return { value, ms: performance.now() - started };
}

async function put(docId: string, body: string, contentType: string) {
  const response = await fetch(`${service.url}/api/admin/documents/${docId}`, {
    method: "PUT",
    headers: { ...admin, "content-type": contentType },
    body,
  });
  return { status: response.status, body: (await response.json()) as Json };
}

/**
 * Runs an admin request while chat requests go one after another, the first sent with it;
 * gives the admin response, how long it took and the chat latencies.
 */
async function whileChatting<T>(adminRequest: () => Promise<T>) {
  let done = false;
  const latencies: number[] = [];
  const statuses: number[] = [];
  const chatter = (async () => {
    do {
      const { value, ms } = await timed(() =>
        postJson(`${service.url}/api/chat`, { message: CHAT_QUESTION }),
      );
      statuses.push(value.status);
      latencies.push(ms);
    } while (!done);
  })();
  let result: { value: T; ms: number };
  try {
    result = await timed(adminRequest);
  } finally {
    done = true;
    await chatter;
  }
  const { value, ms } = result;
  return { response: value, ms, latencies, statuses };
}

describe("deeply nested documents", () => {
  it("refuses 200,000 nested <div> with a 400 naming the nesting, quickly, while chat answers", async () => {
    // Warm up (the chat path and the parse worker), so the latencies below are the upload's.
    await postJson(`${service.url}/api/chat`, { message: CHAT_QUESTION });
    await put("warm-up", "<p>Warm up.</p>", "text/html");

    const html = nestedDivs(200_000);
    expect(Buffer.byteLength(html)).toBeLessThan(2 * 1024 * 1024);
    const { response, ms, latencies, statuses } = await whileChatting(() =>
      put("deep-html", html, "text/html"),
    );
    console.log(
      `200,000 nested <div> upload: refused in ${ms.toFixed(0)} ms; ` +
        `${latencies.length} chat requests meanwhile, the slowest ${Math.max(...latencies).toFixed(0)} ms (${latencies.map((l) => l.toFixed(0)).join(", ")})`,
    );
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ code: "invalid" });
    expect(response.body.error.message).toMatch(/nested 200000 levels deep; the limit is 200/);
    expect(ms).toBeLessThan(5000);
    expect(statuses.every((status) => status === 200)).toBe(true);
    expect(Math.max(...latencies)).toBeLessThan(5000);
    expect((await readdir(corpusDir)).some((f) => f.startsWith("deep-html"))).toBe(false);
  });

  it.each([
    ["a list nested 4,000 deep on one line", `${"- ".repeat(4000)}item\n`, 4000],
    ["a list nested 1,000 deep by indentation (1 MB)", nestedList(1000), 1000],
  ])("refuses %s with a 400 naming the nesting, quickly", async (_name, markdown, depth) => {
    const { value: response, ms } = await timed(() => put("deep-list", markdown, "text/markdown"));
    expect(response.status).toBe(400);
    expect(response.body.error.message).toBe(
      `the Markdown lists and quotes are nested ${depth} levels deep; the limit is 200`,
    );
    expect(ms).toBeLessThan(5000);
  });

  it("refuses a file that is slow to read without deep nesting, after the time limit, while chat answers", async () => {
    // One list item of 30,000 lines: marked slows with the square of that (about 45 s).
    const markdown = `- item\n${"lazy continuation words here\n".repeat(30_000)}`;
    const { response, ms, latencies, statuses } = await whileChatting(() =>
      put("slow-list", markdown, "text/markdown"),
    );
    console.log(
      `slow (shallow) Markdown upload: refused in ${ms.toFixed(0)} ms; ` +
        `the slowest of ${latencies.length} chat requests meanwhile ${Math.max(...latencies).toFixed(0)} ms`,
    );
    expect(response.status).toBe(400);
    expect(response.body.error.message).toMatch(/^the file took too long to read \(over 10 s\)/);
    expect(ms).toBeLessThan(PARSE_TIME_LIMIT_MS + 5000);
    expect(statuses.every((status) => status === 200)).toBe(true);
    expect(Math.max(...latencies)).toBeLessThan(5000);
  });

  it("still takes a list nested 200 deep", async () => {
    const response = await put("nested-200", nestedList(200), "text/markdown");
    expect(response.status).toBe(201);
  });

  it("lists the corpus with such a file skipped and its reason, while chat answers", async () => {
    await writeFile(path.join(corpusDir, "deep.html"), nestedDivs(200_000));
    const { response, ms, latencies } = await whileChatting(async () => {
      const res = await fetch(`${service.url}/api/admin/documents`, { headers: admin });
      return { status: res.status, body: (await res.json()) as Json };
    });
    console.log(
      `GET /api/admin/documents with 200,000 nested <div> in the corpus: ${ms.toFixed(0)} ms; ` +
        `the slowest of ${latencies.length} chat requests meanwhile ${Math.max(...latencies).toFixed(0)} ms`,
    );
    expect(response.status).toBe(200);
    expect(response.body.skipped).toContainEqual({
      file: "deep.html",
      reason: "the HTML is nested 200000 levels deep; the limit is 200",
    });
    expect(response.body.documents.map((d: { docId: string }) => d.docId)).toContain(
      "microneedling-benefits",
    );
    expect(ms).toBeLessThan(5000);
    expect(Math.max(...latencies)).toBeLessThan(5000);
  });
});
