/**
 * The admin console's content cards in real headless Chromium against the real service
 * process (src/main.ts on a free port, a temporary DATA_DIR and a copy of the corpus), with
 * the fake OpenAI-compatible server as the chat model: the question bank (every section,
 * a bad line named, drafting with the model, accepting and editing drafts, saving), and the
 * booking examples.
 */
import type { ChildProcess } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { buildConsoles } from "../../web/build.js";
import { type FakeOpenAI, startFakeOpenAI, tokens } from "../fakes/fake-openai-server.js";
import { copyCorpus, tempDir } from "../helpers/core-fixtures.js";
import { getJson } from "../helpers/service.js";
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  requireChromium,
  skipWithoutChromium,
  axeViolations,
  expectProblems,
  watchedContext,
} from "./browser.js";
import { startService, stopService } from "./service-process.js";

const skip = skipWithoutChromium("the admin content browser tests");

const ADMIN_TOKEN = "content-admin-token-0123456789";
const adminAuth = { authorization: `Bearer ${ADMIN_TOKEN}` };
const XSS = "<img src=x onerror=alert(1)>";

/** An article none of whose sections has questions yet. */
const PEELS = `---
title: Chemical Peels
---

# Chemical Peels

A chemical peel removes the dull outer layer of the skin, so fresher skin shows.

## How long a peel takes

Most peels take about 30 minutes, including cleansing the skin first.
`;

const DRAFTS = ["what does a peel do", `is a peel ${XSS} safe`, "will my skin look fresher"];

describe.skipIf(skip)("the admin console's question bank and booking examples in Chromium", () => {
  let url: string;
  let corpusDir: string;
  let service: ChildProcess | undefined;
  let removeTemp: () => Promise<void>;
  let browser: Browser;
  let fake: FakeOpenAI;

  beforeAll(async () => {
    requireChromium();
    const temp = await tempDir("skin-faq-content-");
    removeTemp = temp.cleanup;
    fake = await startFakeOpenAI();
    // Drafting requests get questions; anything else (an answer) gets nothing verifiable.
    fake.respond = (request) =>
      request.messages.some((m) => m.content.includes("build the list of questions"))
        ? { kind: "stream", pieces: tokens(DRAFTS.join("\n")) }
        : { kind: "stream", pieces: ["No answer scripted."] };
    [corpusDir] = await Promise.all([copyCorpus(temp.dir), buildConsoles()]);
    await writeFile(path.join(corpusDir, "chemical-peels.md"), PEELS);
    const started = startService({
      ...process.env,
      PORT: "0",
      HOST: "127.0.0.1",
      NODE_ENV: "development",
      LOG_LEVEL: "warn",
      DATA_DIR: `${temp.dir}/data`,
      CORPUS_DIR: corpusDir,
      STAFF_TOKENS: "alex:content-staff-token-0123456789",
      ADMIN_TOKEN,
      SESSION_SECRET: "content-test-session-secret-0123456789abcdef",
      ANSWER_MODE: "llm",
      CHAT_MODEL: "fake-model",
      OPENAI_BASE_URL: fake.baseUrl,
      OPENAI_API_KEY: "",
      // Set but empty, so that a developer's .env cannot fill them in.
      STAFF_TOKEN: "",
      ALLOWED_ORIGINS: "",
      CLINIC_PROFILE: "",
      EMBEDDINGS: "",
      TRUST_PROXY: "",
      BOOKING_WEBHOOK_URL: "",
    });
    service = started.child;
    [url, browser] = await Promise.all([
      started.ready,
      chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 }),
    ]);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await stopService(service);
    await fake?.close();
    await removeTemp?.();
  });

  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  let dialogs: string[];

  beforeEach(async () => {
    problems = [];
    dialogs = [];
    context = await watchedContext(browser, problems, { width: 1280, height: 900 });
    page = await context.newPage();
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  });
  afterEach(async () => {
    await context?.close();
    expect(dialogs).toEqual([]);
    expect(problems).toEqual([]);
  });

  async function adminSignIn(): Promise<void> {
    await page.goto(`${url}/admin`);
    await page.getByLabel("Admin token").fill(ADMIN_TOKEN);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator(".bank-section").first().waitFor({ state: "attached" });
  }

  const bankFile = () => path.join(corpusDir, "questions.json");

  it("shows every section, names a bad line, drafts with the model, and saves accepted drafts", async () => {
    await adminSignIn();
    const card = page.locator(".question-bank");
    expect(await card.textContent()).toContain("Edits take effect at the next re-index.");
    // The new article's sections are there, without questions, open to see.
    const peels = card.locator('details[data-doc="chemical-peels"]');
    expect(await peels.getAttribute("open")).toBe("");
    expect(await peels.locator("summary").textContent()).toBe(
      "Chemical Peels · 2 sections, 2 without questions",
    );
    const intro = page.getByLabel("Chemical Peels", { exact: true });
    expect(await intro.inputValue()).toBe("");
    // A section with questions, in a closed document: open it and see them.
    await card.locator('details[data-doc="microneedling-benefits"] summary').click();
    const downtime = page.getByLabel(
      "Revitalize Your Complexion: Why Microneedling Works › Minimal Downtime Required",
    );
    expect((await downtime.inputValue()).split("\n").length).toBeGreaterThan(5);
    expect(await axeViolations(page)).toEqual([]);

    // A line too short is named before anything is sent.
    const before = await readFile(bankFile(), "utf8");
    await intro.fill("What is a chemical peel?\nok");
    const save = page.getByRole("button", { name: "Save questions" });
    await save.click();
    await expect
      .poll(() => card.locator(".bank-form .message").textContent())
      .toBe("Chemical Peels, line 2: a question is at least 3 characters.");
    expect(await intro.getAttribute("aria-invalid")).toBe("true");
    expect(await readFile(bankFile(), "utf8")).toBe(before);

    // Drafting refuses to run over unsaved edits, then drafts for the two sections.
    const draft = page.getByRole("button", { name: "Draft questions" });
    await draft.click();
    await card.getByText("Save your changes first: drafting reloads the question bank.").waitFor();
    await page.getByRole("button", { name: "Reload" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Discard and reload" }).click();
    await expect.poll(() => intro.inputValue()).toBe("");
    await draft.click();
    await card
      .getByText(
        "Drafted questions for 2 sections: review them below; drafts are not used until you accept them.",
      )
      .waitFor({ timeout: 15_000 });
    const drafts = page.getByLabel("Drafts for Chemical Peels", { exact: true });
    expect(await drafts.inputValue()).toBe(DRAFTS.join("\n"));
    expect(await page.locator("img").count()).toBe(0);

    // Edit the drafts, accept them, discard the other section's, save.
    await drafts.fill("what does a peel do\nwill my skin look fresher after a peel");
    await page
      .locator('[data-heading="Chemical Peels"]')
      .getByRole("button", { name: "Accept drafts" })
      .click();
    expect(await intro.inputValue()).toBe(
      "what does a peel do\nwill my skin look fresher after a peel",
    );
    await page
      .locator('[data-heading="How long a peel takes"]')
      .getByRole("button", { name: "Discard drafts" })
      .click();
    await save.click();
    await expect
      .poll(() => card.locator(".bank-form .message").textContent())
      .toMatch(
        /^Saved \d+ questions for 25 sections and \d+ questions the articles do not answer\. Re-index to use them in answers\.$/,
      );

    const saved = await getJson(`${url}/api/admin/questions`, adminAuth);
    const chemical = saved.body.bank.sections.filter(
      (s: { docId: string }) => s.docId === "chemical-peels",
    );
    expect(chemical).toEqual([
      {
        docId: "chemical-peels",
        heading: "Chemical Peels",
        questions: ["what does a peel do", "will my skin look fresher after a peel"],
      },
    ]);
    expect(saved.body.bank.sample).toBe(false);
    expect(fake.requests.filter((r) => r.stream)).toHaveLength(2);

    // A change made elsewhere meanwhile (here: in the file) is never overwritten.
    const file = JSON.parse(await readFile(bankFile(), "utf8"));
    file.sections[0].questions.push("added in the file meanwhile");
    await writeFile(bankFile(), JSON.stringify(file));
    await intro.fill("what does a peel do");
    await save.click();
    await expect
      .poll(() => card.locator(".bank-form .message").textContent())
      .toMatch(/changed since you opened it/);
    expectProblems(problems, /status of 412/, 1);
    expect(JSON.parse(await readFile(bankFile(), "utf8")).sections[0].questions).toContain(
      "added in the file meanwhile",
    );
  });

  it("edits the booking examples: a line in both lists is named, and the lists are saved", async () => {
    await adminSignIn();
    const card = page.locator(".booking-examples");
    const requests = page.getByLabel("Booking requests", { exact: true });
    const others = page.getByLabel("Not booking requests", { exact: true });
    await expect.poll(() => requests.inputValue()).toContain("book me in");
    expect(await card.textContent()).toContain("Edits take effect at the next re-index.");

    await requests.fill("book me in\nput me down for a consult");
    await others.fill("how do I cancel?\nPut me down for a consult");
    await page.getByRole("button", { name: "Save examples" }).click();
    await expect
      .poll(() => card.locator(".message").textContent())
      .toBe(
        'Not booking requests, line 2: "Put me down for a consult" is also a booking request (line 2); keep it in one list.',
      );
    await others.fill("how do I cancel?");
    await page.getByRole("button", { name: "Save examples" }).click();
    await expect
      .poll(() => card.locator(".message").textContent())
      .toBe("Saved 2 booking requests and 1 other message. Re-index to use them in answers.");
    const saved = await getJson(`${url}/api/admin/booking-examples`, adminAuth);
    expect(saved.body.examples).toEqual({
      sample: false,
      note: expect.any(String),
      requests: ["book me in", "put me down for a consult"],
      notRequests: ["how do I cancel?"],
    });
    expect(await axeViolations(page)).toEqual([]);
  });
});
