/**
 * `npm run ingest -- --suggest-questions` as a process: the real script over a copy of the
 * corpus in a temp dir, with the fake OpenAI-compatible server as the chat model.
 */
import { spawn } from "node:child_process";
import { access, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FakeOpenAI, startFakeOpenAI, tokens } from "../fakes/fake-openai-server.js";
import { copyCorpus, REPO_ROOT, tempDir } from "../helpers/core-fixtures.js";

const ARTICLE = `---
title: Chemical Peels
---

# Chemical Peels

A chemical peel removes the dull outer layer of the skin.
`;

function ingest(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/ingest.ts", ...args], {
    cwd: REPO_ROOT,
    // Set but empty, so that a developer's .env cannot fill them in.
    env: {
      ...process.env,
      ANSWER_MODE: "",
      CHAT_MODEL: "",
      OPENAI_BASE_URL: "",
      OPENAI_API_KEY: "",
      EMBEDDINGS: "",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text));
  child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

describe("npm run ingest -- --suggest-questions", () => {
  let dir: string;
  let corpusDir: string;
  let cleanup: () => Promise<void>;
  let fake: FakeOpenAI;

  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
    corpusDir = await copyCorpus(dir);
    await writeFile(path.join(corpusDir, "chemical-peels.md"), ARTICLE);
    fake = await startFakeOpenAI();
  });
  afterEach(async () => {
    await fake.close();
    await cleanup();
  });

  it("refuses at once, clearly, without a chat model configured", async () => {
    const result = await ingest(["--suggest-questions"], {
      DATA_DIR: path.join(dir, "data"),
      CORPUS_DIR: corpusDir,
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      "error: --suggest-questions drafts questions with a chat model: set ANSWER_MODE=llm and CHAT_MODEL, with OPENAI_BASE_URL for a local model server or OPENAI_API_KEY for OpenAI.",
    );
    await expect(access(path.join(dir, "data", "index"))).rejects.toThrow();
  });

  it("indexes, then drafts questions for the sections without any", async () => {
    fake.respond = () => ({
      kind: "stream",
      pieces: tokens("what does a peel do\nwill a peel make my skin less dull"),
    });
    const result = await ingest(["--suggest-questions"], {
      DATA_DIR: path.join(dir, "data"),
      CORPUS_DIR: corpusDir,
      ANSWER_MODE: "llm",
      CHAT_MODEL: "fake-model",
      OPENAI_BASE_URL: fake.baseUrl,
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Indexed 4 documents/m);
    expect(result.stdout).toContain("drafted: Chemical Peels › Chemical Peels");
    expect(result.stdout).toMatch(
      /^Drafted questions for 1 section \(0 already drafted from their current text, 24 with questions, 0 without a usable draft\)\./m,
    );
    expect(fake.requests).toHaveLength(1);
    const bank = JSON.parse(await readFile(path.join(corpusDir, "questions.json"), "utf8"));
    expect(bank.sections.at(-1)).toMatchObject({
      docId: "chemical-peels",
      heading: "Chemical Peels",
      questions: [],
      drafts: { questions: ["what does a peel do", "will a peel make my skin less dull"] },
    });
  });
});
