/**
 * Staff triage of visitor questions: "File under section…" and "Mark unanswerable", on the
 * real service wiring with SQLite in a temp dir and a copy of the shipped corpus.
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createQuestionBankStore } from "../../src/content/question-bank-store.js";
import { copyCorpus, tempDir } from "../helpers/core-fixtures.js";
import { OTHER_STAFF_TOKEN, startTestService, type TestService } from "../helpers/service.js";
import { bearer, call, NO_ANSWER, seedExchange, signIn } from "./staff-fixtures.js";

const SECTION = { docId: "microneedling-benefits", heading: "Minimal Downtime Required" };
const NOW = new Date("2026-03-02T12:00:00.000Z");

let service: TestService;
let corpusDir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  const temp = await tempDir();
  cleanup = temp.cleanup;
  corpusDir = await copyCorpus(temp.dir);
  service = await startTestService({
    core: undefined,
    dataDir: path.join(temp.dir, "data"),
    questions: createQuestionBankStore({ corpusDir }),
    now: () => NOW,
  });
});
afterEach(async () => {
  await service.close();
  await cleanup();
});

const triageUrl = (conversationId: string, messageId: string) =>
  `${service.url}/api/staff/conversations/${conversationId}/messages/${messageId}/triage`;

const triage = (
  conversationId: string,
  messageId: string,
  body: unknown,
  headers: Record<string, string> = bearer,
) => call(triageUrl(conversationId, messageId), "POST", { body, headers });

async function sectionQuestions(docId: string, heading: string): Promise<string[]> {
  const bank = JSON.parse(await readFile(path.join(corpusDir, "questions.json"), "utf8"));
  return (
    bank.sections.find((s: { docId: string; heading: string }) => {
      return s.docId === docId && s.heading === heading;
    })?.questions ?? []
  );
}

async function unansweredQuestions(): Promise<string[]> {
  return JSON.parse(await readFile(path.join(corpusDir, "questions.json"), "utf8")).unanswered;
}

const gapTexts = async () => {
  const report = await call(`${service.url}/api/staff/gaps?from=2026-03-01&to=2026-03-02`, "GET", {
    headers: bearer,
  });
  return report.body.groups.flatMap((g: { questions: { text: string }[] }) =>
    g.questions.map((q) => q.text),
  );
};

describe("GET /api/staff/sections", () => {
  it("lists every section of the articles to file a question under", async () => {
    const response = await call(`${service.url}/api/staff/sections`, "GET", { headers: bearer });
    expect(response.status).toBe(200);
    expect(response.body.sections).toContainEqual({
      ...SECTION,
      title: "Revitalize Your Complexion: Why Microneedling Works",
    });
    expect(response.body.sections).toHaveLength(19);
    expect((await call(`${service.url}/api/staff/sections`, "GET")).status).toBe(401);
  });
});

describe("filing a visitor question under a section", () => {
  it("appends the question as stored (redacted) to the section, once, and records who did it", async () => {
    const asked = seedExchange(
      service,
      "conv-a",
      "how long am i red after? mail me at jane@example.com",
      NO_ANSWER,
    );
    const before = await sectionQuestions(SECTION.docId, SECTION.heading);
    const filed = await triage("conv-a", asked.visitorId, { action: "file", ...SECTION });
    expect(filed.status).toBe(200);
    expect(filed.body).toEqual({
      triage: { action: "filed", ...SECTION, by: "alex", at: NOW.toISOString() },
      added: true,
    });
    expect(await sectionQuestions(SECTION.docId, SECTION.heading)).toEqual([
      ...before,
      "how long am i red after? mail me at [email]",
    ]);

    // The same question again, from another conversation and in other case: not added twice.
    const again = seedExchange(service, "conv-b", "How long am I red after? Mail me at x@y.com");
    const second = await triage("conv-b", again.visitorId, { action: "file", ...SECTION });
    expect(second.body.added).toBe(false);
    expect(await sectionQuestions(SECTION.docId, SECTION.heading)).toHaveLength(before.length + 1);

    // Shown on the transcript, and in the audit log with the name but not the question.
    const transcript = await call(`${service.url}/api/staff/conversations/conv-a`, "GET", {
      headers: bearer,
    });
    expect(transcript.body.messages[0].triage).toEqual(filed.body.triage);
    expect(transcript.body.messages[1].triage).toBeNull();
    const audit = await call(`${service.url}/api/staff/audit`, "GET", { headers: bearer });
    const entries = audit.body.items.filter(
      (e: { action: string }) => e.action === "file_question",
    );
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({ actor: "alex", details: { ...SECTION } });
    expect(JSON.stringify(audit.body)).not.toMatch(/red after/);
  });

  it("creates the section's entry when the bank has none, and keeps concurrent filings", async () => {
    await writeFile(path.join(corpusDir, "questions.json"), JSON.stringify({ sections: [] }));
    const questions = [
      "is the redness bad",
      "how many days of downtime",
      "can i work the next day",
    ];
    const seeded = questions.map((q, i) => seedExchange(service, `conv-${i}`, q));
    const results = await Promise.all(
      seeded.map((s, i) => triage(`conv-${i}`, s.visitorId, { action: "file", ...SECTION })),
    );
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect((await sectionQuestions(SECTION.docId, SECTION.heading)).sort()).toEqual(
      [...questions].sort(),
    );
  });

  it("takes filed questions out of the content gaps", async () => {
    const peel = seedExchange(service, "conv-a", "Do you do chemical peels?", NO_ANSWER);
    seedExchange(service, "conv-b", "Do you sell gift cards?", NO_ANSWER, 5);
    expect((await gapTexts()).sort()).toEqual([
      "Do you do chemical peels?",
      "Do you sell gift cards?",
    ]);
    await triage("conv-a", peel.visitorId, { action: "file", ...SECTION });
    expect(await gapTexts()).toEqual(["Do you sell gift cards?"]);
  });

  it("refuses an unknown section, a bot message, an unknown message and a bad body", async () => {
    const asked = seedExchange(service, "conv-a", "Will I peel afterwards?", NO_ANSWER);
    const before = await readFile(path.join(corpusDir, "questions.json"), "utf8");

    const noSection = await triage("conv-a", asked.visitorId, {
      action: "file",
      docId: "microneedling-benefits",
      heading: "Not a heading",
    });
    expect(noSection.status).toBe(400);
    expect(noSection.body.error).toMatchObject({
      message: "The articles have no such section",
      fields: { heading: "is not a section of that document" },
    });
    const bot = await triage("conv-a", asked.botId, { action: "file", ...SECTION });
    expect(bot.status).toBe(400);
    expect(bot.body.error.message).toBe("Only a visitor's question can be filed or marked");
    expect((await triage("conv-a", "nope", { action: "unanswerable" })).status).toBe(404);
    expect((await triage("conv-other", asked.visitorId, { action: "unanswerable" })).status).toBe(
      404,
    );
    const bad = await triage("conv-a", asked.visitorId, { action: "file", docId: "Bad Id" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toMatchObject({ docId: "must be a document id" });
    expect((await triage("conv-a", asked.visitorId, { action: "delete" })).status).toBe(400);
    expect((await triage("conv-a", asked.visitorId, { action: "unanswerable" }, {})).status).toBe(
      401,
    );
    expect(await readFile(path.join(corpusDir, "questions.json"), "utf8")).toBe(before);
  });

  it("refuses a message too long for the bank, and a broken bank file, changing nothing", async () => {
    const long = seedExchange(service, "conv-a", `Is it safe ${"and ".repeat(80)}okay?`, NO_ANSWER);
    const tooLong = await triage("conv-a", long.visitorId, { action: "file", ...SECTION });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.message).toMatch(
      /^This message cannot be a question-bank question: it must be at most 300 characters\./,
    );

    await writeFile(path.join(corpusDir, "questions.json"), "{ broken");
    const asked = seedExchange(service, "conv-b", "Will I peel afterwards?", NO_ANSWER, 1);
    const broken = await triage("conv-b", asked.visitorId, { action: "file", ...SECTION });
    expect(broken.status).toBe(409);
    expect(broken.body.error.message).toMatch(/^The question bank file cannot be used/);
    expect(await readFile(path.join(corpusDir, "questions.json"), "utf8")).toBe("{ broken");
    const transcript = await call(`${service.url}/api/staff/conversations/conv-b`, "GET", {
      headers: bearer,
    });
    expect(transcript.body.messages[0].triage).toBeNull();
  });

  it("needs the console's own origin when signed in with the cookie", async () => {
    const asked = seedExchange(service, "conv-a", "Will I peel afterwards?", NO_ANSWER);
    const cookie = await signIn(service);
    const foreign = await triage(
      "conv-a",
      asked.visitorId,
      { action: "unanswerable" },
      { cookie, origin: "https://evil.example" },
    );
    expect(foreign.status).toBe(403);
    const own = await triage("conv-a", asked.visitorId, { action: "unanswerable" }, { cookie });
    expect(own.status).toBe(200);
  });
});

describe("marking a visitor question unanswerable", () => {
  it("shows it in the content gaps as confirmed, even when the bot answered it", async () => {
    // Answered (grounded, not rated down): not a gap until staff say the answer was no answer.
    const answered = seedExchange(service, "conv-a", "Is there a minimum age for microneedling?");
    const unanswered = seedExchange(service, "conv-b", "minimum age?", NO_ANSWER, 5);
    expect(await gapTexts()).toEqual(["minimum age?"]);

    const marked = await triage(
      "conv-a",
      answered.visitorId,
      { action: "unanswerable" },
      { authorization: `Bearer ${OTHER_STAFF_TOKEN}` },
    );
    expect(marked.body).toEqual({
      triage: { action: "unanswerable", by: "sam", at: NOW.toISOString() },
      added: true,
    });
    await triage("conv-b", unanswered.visitorId, { action: "unanswerable" });

    const report = await call(
      `${service.url}/api/staff/gaps?from=2026-03-01&to=2026-03-02`,
      "GET",
      {
        headers: bearer,
      },
    );
    expect(report.body.total).toBe(2);
    const questions = report.body.groups.flatMap((g: { questions: unknown[] }) => g.questions);
    expect(questions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          text: "Is there a minimum age for microneedling?",
          questionId: answered.visitorId,
          reason: "marked",
          confirmed: true,
        }),
        expect.objectContaining({ text: "minimum age?", reason: "unanswered", confirmed: true }),
      ]),
    );
    const confirmed = report.body.groups.reduce(
      (n: number, g: { confirmed: number }) => n + g.confirmed,
      0,
    );
    expect(confirmed).toBe(2);
    const audit = await call(`${service.url}/api/staff/audit`, "GET", { headers: bearer });
    // Both at the same instant (the test clock), so in either order.
    const marks = audit.body.items.filter(
      (e: { action: string }) => e.action === "mark_unanswerable",
    );
    expect(marks.map((e: { actor: string }) => e.actor).sort()).toEqual(["alex", "sam"]);
  });

  it("adds the question to the bank's questions the articles do not answer, once, and filing takes it back out", async () => {
    const before = await unansweredQuestions();
    const asked = seedExchange(service, "conv-a", "Can you do microneedling on my scalp?");
    const first = await triage("conv-a", asked.visitorId, { action: "unanswerable" });
    expect(first.body.added).toBe(true);
    expect(await unansweredQuestions()).toEqual([
      ...before,
      "Can you do microneedling on my scalp?",
    ]);
    // The same wording asked in another conversation is not listed twice.
    const again = seedExchange(service, "conv-b", "can you do microneedling on my scalp");
    expect((await triage("conv-b", again.visitorId, { action: "unanswerable" })).body.added).toBe(
      false,
    );
    expect(await unansweredQuestions()).toHaveLength(before.length + 1);

    // Staff change their mind: filed under a section, it is answered there, not a gap.
    await triage("conv-a", asked.visitorId, { action: "file", ...SECTION });
    expect(await unansweredQuestions()).toEqual(before);
    expect(await sectionQuestions(SECTION.docId, SECTION.heading)).toContain(
      "Can you do microneedling on my scalp?",
    );
    // And marked again, it leaves the section's questions.
    await triage("conv-a", asked.visitorId, { action: "unanswerable" });
    expect(await sectionQuestions(SECTION.docId, SECTION.heading)).not.toContain(
      "Can you do microneedling on my scalp?",
    );
    expect(await unansweredQuestions()).toContain("Can you do microneedling on my scalp?");
  });

  it("is erased with the conversation", async () => {
    const sessionId = "ltu4KTISk0ehY9u0j_YjtQ";
    const asked = seedExchange(service, sessionId, "minimum age?", NO_ANSWER);
    await triage(sessionId, asked.visitorId, { action: "unanswerable" });
    const erased = await call(`${service.url}/api/staff/erasure`, "POST", {
      body: { sessionId },
      headers: bearer,
    });
    expect(erased.body).toEqual({ conversations: 1, bookings: 0 });
    const left = service.db.prepare("SELECT count(*) AS n FROM question_triage").get() as {
      n: number;
    };
    expect(left.n).toBe(0);
  });
});

describe("without a question bank", () => {
  it("has no triage routes", async () => {
    const temp = await tempDir();
    const plain = await startTestService({ core: undefined, dataDir: temp.dir });
    try {
      const sections = await call(`${plain.url}/api/staff/sections`, "GET", { headers: bearer });
      expect(sections.status).toBe(404);
    } finally {
      await plain.close();
      await temp.cleanup();
    }
  });
});
