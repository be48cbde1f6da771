import { createHash } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createChatModel } from "../../src/answer/llm/chat-model.js";
import { createQuestionBankStore } from "../../src/content/question-bank-store.js";
import { listCorpusSections } from "../../src/content/sections.js";
import {
  parseDraftQuestions,
  suggestQuestions,
  type DraftOptions,
} from "../../src/content/suggest-questions.js";
import { AppError } from "../../src/errors.js";
import { type FakeOpenAI, startFakeOpenAI, tokens } from "../fakes/fake-openai-server.js";
import { tempDir } from "../helpers/core-fixtures.js";

const ARTICLE = `---
title: Chemical Peels
---

# Chemical Peels

A chemical peel removes the dull outer layer of the skin.

## How long a peel takes

Most peels take about 30 minutes, including cleansing the skin first.

## Aftercare

Wear sunscreen every day for two weeks after a peel, and do not pick at flaking skin.
`;

const EIGHT = [
  "How long does a peel take?",
  "is a peel quick",
  "how many minutes is a chemical peel appointment",
  "Do you clean my face before the peel?",
  "can i do a peel in my lunch break",
  "how long will i be at the clinic for a peel",
  "is it a long treatment",
  "whats the time for a peel",
];

describe("parseDraftQuestions", () => {
  it("takes one question a line, without bullets, numbers, quotes or a preamble", () => {
    const reply = [
      "Here are 8 questions a visitor might ask:",
      "",
      "1. How long does a peel take?",
      "2) is a peel quick",
      '- "how many minutes is a chemical peel"',
      "* **Do you clean my face first?**",
      "• can i do a peel in my lunch break",
      "Q6: how long will i be there",
      "how long will I be there?",
      "ok",
      `${"x".repeat(301)}`,
    ].join("\n");
    expect(parseDraftQuestions(reply)).toEqual([
      "How long does a peel take?",
      "is a peel quick",
      "how many minutes is a chemical peel",
      "Do you clean my face first?",
      "can i do a peel in my lunch break",
      "how long will i be there",
    ]);
  });

  it("keeps at most eight", () => {
    expect(parseDraftQuestions([...EIGHT, "one more question here?"].join("\n"))).toEqual(EIGHT);
  });
});

describe("suggestQuestions against an OpenAI-compatible server", () => {
  let fake: FakeOpenAI;
  let corpusDir: string;
  let cleanup: () => Promise<void>;
  const bankFile = () => path.join(corpusDir, "questions.json");

  beforeEach(async () => {
    fake = await startFakeOpenAI();
    fake.respond = () => ({ kind: "stream", pieces: tokens(EIGHT.join("\n")) });
    const temp = await tempDir();
    cleanup = temp.cleanup;
    corpusDir = path.join(temp.dir, "corpus");
    await mkdir(corpusDir);
    await writeFile(path.join(corpusDir, "chemical-peels.md"), ARTICLE);
    await writeFile(
      bankFile(),
      JSON.stringify({
        sample: false,
        sections: [
          { docId: "chemical-peels", heading: "Aftercare", questions: ["What do I do after?"] },
        ],
      }),
    );
  });
  afterEach(async () => {
    await fake.close();
    await cleanup();
  });

  async function options(overrides: Partial<DraftOptions> = {}): Promise<DraftOptions> {
    return {
      model: createChatModel({
        model: "fake-model",
        apiKey: undefined,
        baseUrl: fake.baseUrl,
        timeoutMs: 5000,
        maxTokens: 400,
      }),
      store: createQuestionBankStore({ corpusDir }),
      sections: await listCorpusSections(corpusDir),
      concurrency: 1,
      ...overrides,
    };
  }

  const readBank = async () => JSON.parse(await readFile(bankFile(), "utf8"));
  const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

  it("drafts eight questions for each section without questions, streamed, keyed to the section text", async () => {
    const summary = await suggestQuestions(await options());
    expect(summary).toEqual({ drafted: 2, cached: 0, withQuestions: 1, empty: [] });

    // Only the two sections without questions were asked about, by streaming requests.
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests.every((r) => r.stream && r.model === "fake-model")).toBe(true);
    const asked = fake.requests.map((r) => r.messages.map((m) => m.content).join("\n"));
    expect(asked[0]).toContain('heading="Chemical Peels"');
    expect(asked[0]).toContain("A chemical peel removes the dull outer layer");
    expect(asked[1]).toContain("Most peels take about 30 minutes");
    expect(asked.join("\n")).not.toContain("Wear sunscreen");

    const bank = await readBank();
    expect(bank.sections).toEqual([
      { docId: "chemical-peels", heading: "Aftercare", questions: ["What do I do after?"] },
      {
        docId: "chemical-peels",
        heading: "Chemical Peels",
        questions: [],
        drafts: {
          contentHash: sha256("A chemical peel removes the dull outer layer of the skin."),
          questions: EIGHT,
        },
      },
      {
        docId: "chemical-peels",
        heading: "How long a peel takes",
        questions: [],
        drafts: {
          contentHash: sha256(
            "Most peels take about 30 minutes, including cleansing the skin first.",
          ),
          questions: EIGHT,
        },
      },
    ]);
  });

  it("asks again only for a section whose text changed since its drafts", async () => {
    await suggestQuestions(await options());
    fake.requests.length = 0;
    expect(await suggestQuestions(await options())).toMatchObject({ drafted: 0, cached: 2 });
    expect(fake.requests).toHaveLength(0);

    await writeFile(
      path.join(corpusDir, "chemical-peels.md"),
      ARTICLE.replace("about 30 minutes", "about 45 minutes"),
    );
    expect(await suggestQuestions(await options())).toMatchObject({ drafted: 1, cached: 1 });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]?.messages.at(-1)?.content).toContain("about 45 minutes");
  });

  it("fails clearly when the model server is down, and changes nothing", async () => {
    const before = await readFile(bankFile(), "utf8");
    await fake.close();
    const error = await suggestQuestions(await options()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: "bad_gateway", status: 502 });
    expect((error as AppError).message).toBe(
      "Drafting questions stopped: the model server could not be reached. Nothing was changed. Check the chat model settings (CHAT_MODEL, OPENAI_BASE_URL) and try again.",
    );
    expect(await readFile(bankFile(), "utf8")).toBe(before);
  });

  it("keeps the drafts written before the model failed, and says so", async () => {
    let calls = 0;
    fake.respond = () =>
      ++calls === 1
        ? { kind: "stream", pieces: tokens(EIGHT.join("\n")) }
        : { kind: "error", status: 500 };
    const error = await suggestQuestions(await options()).catch((e: unknown) => e);
    expect((error as AppError).message).toMatch(
      /^Drafting questions stopped: the model server answered with an error \(500\)\. Drafts for 1 section were saved; nothing else changed\./,
    );
    const bank = await readBank();
    expect(bank.sections.map((s: { heading: string }) => s.heading)).toEqual([
      "Aftercare",
      "Chemical Peels",
    ]);
  });

  it("gives up on a model that does not answer in time", async () => {
    fake.respond = () => ({ kind: "hang" });
    const error = await suggestQuestions(await options({ timeoutMs: 200 })).catch(
      (e: unknown) => e,
    );
    expect((error as AppError).message).toMatch(/the model did not answer within 0.2 s/);
    expect(error).toMatchObject({ code: "bad_gateway" });
  });

  it("stores nothing for a section the model gave no usable question for", async () => {
    fake.respond = () => ({ kind: "stream", pieces: ["Here are some questions:\n\nok"] });
    const summary = await suggestQuestions(await options());
    expect(summary.drafted).toBe(0);
    expect(summary.empty).toEqual([
      { docId: "chemical-peels", heading: "Chemical Peels" },
      { docId: "chemical-peels", heading: "How long a peel takes" },
    ]);
    expect((await readBank()).sections).toHaveLength(1);
  });

  it("refuses to draft into a broken question bank, without calling the model", async () => {
    await writeFile(bankFile(), "{ not json");
    await expect(suggestQuestions(await options())).rejects.toMatchObject({
      code: "conflict",
      message: expect.stringMatching(
        /^The question bank file cannot be used \(the file is not valid JSON\)/,
      ),
    });
    expect(fake.requests).toHaveLength(0);
    expect(await readFile(bankFile(), "utf8")).toBe("{ not json");
  });
});
