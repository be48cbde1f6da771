/**
 * A message acknowledged is a message kept: the widget in real headless Chromium, connected to
 * the real service process (src/main.ts), sends a question; the service acks it and starts
 * answering (the chat model, the fake OpenAI-compatible server, holds the answer), and is then
 * killed with SIGKILL, before it answers or stores anything. Restarted on the same data folder
 * and port, it gets the message again from the widget, with the same client message id, and
 * the visitor sees exactly one answer while the transcript holds exactly one copy.
 */
import type { ChildProcess } from "node:child_process";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildWidget } from "../../web/build.js";
import {
  type FakeOpenAI,
  type ReceivedRequest,
  startFakeOpenAI,
} from "../fakes/fake-openai-server.js";
import { tempDir } from "../helpers/core-fixtures.js";
import { getJson } from "../helpers/service.js";
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  requireChromium,
  skipWithoutChromium,
  watchedContext,
} from "./browser.js";
import { startService, stopService } from "./service-process.js";

const skip = skipWithoutChromium("the widget's restart test in Chromium");

const QUESTION = "Does microneedling help with acne scars?";

/** The first sentence of the first passage in the prompt, cited: an answer that verifies. */
function citedSentence(request: ReceivedRequest): string {
  const system = request.messages.find((m) => m.role === "system")?.content ?? "";
  const passage = /<passage number="(\d+)"[^>]*>\n([\s\S]*?)\n<\/passage>/.exec(system);
  const sentence = /^[^.!?]*[.!?]/.exec(passage?.[2] ?? "")?.[0] ?? "No passage.";
  return `${sentence} [${passage?.[1] ?? 1}]`;
}

/** What the browser logs while the service is down: failed polls and WebSocket attempts. */
const CONNECTION_NOISE =
  /ERR_CONNECTION_REFUSED|ERR_CONNECTION_RESET|ERR_EMPTY_RESPONSE|WebSocket connection|Failed to load resource/;

describe.skipIf(skip)("the widget across a kill -9 of the service", () => {
  let dataDir: string;
  let removeTemp: () => Promise<void>;
  let fake: FakeOpenAI;
  let browser: Browser;
  let service: ChildProcess | undefined;
  let context: BrowserContext | undefined;
  const problems: string[] = [];

  /** The chat model holds answers (never replies) while `hold` is set. */
  let hold = true;

  const env = (port: number): NodeJS.ProcessEnv => ({
    ...process.env,
    PORT: String(port),
    HOST: "127.0.0.1",
    NODE_ENV: "development",
    LOG_LEVEL: "warn",
    DATA_DIR: dataDir,
    CORPUS_DIR: "",
    ANSWER_MODE: "llm",
    CHAT_MODEL: "fake-model",
    OPENAI_BASE_URL: fake.baseUrl,
    OPENAI_API_KEY: "",
    RATE_LIMIT_PER_MIN: "0",
    STAFF_TOKENS: "alex:restart-staff-token-0123456789",
    ADMIN_TOKEN: "restart-admin-token-0123456789",
    // Set but empty, so that a developer's .env cannot fill them in.
    STAFF_TOKEN: "",
    ALLOWED_ORIGINS: "",
    CLINIC_PROFILE: "",
    EMBEDDINGS: "",
    TRUST_PROXY: "",
    BOOKING_WEBHOOK_URL: "",
    SESSION_SECRET: "",
  });

  beforeAll(async () => {
    requireChromium();
    const temp = await tempDir("skin-faq-restart-");
    dataDir = `${temp.dir}/data`;
    removeTemp = temp.cleanup;
    fake = await startFakeOpenAI();
    fake.respond = (request) =>
      hold ? { kind: "hang" } : { kind: "stream", pieces: [citedSentence(request)] };
    await buildWidget();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      timeout: 30_000,
    });
  }, 90_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await stopService(service);
    await fake?.close();
    await removeTemp?.();
  });

  afterEach(() => {
    // Only the browser's own reports of the refused connections while the service was down.
    expect(problems.filter((p) => !CONNECTION_NOISE.test(p))).toEqual([]);
  });

  const answerRequests = () =>
    fake.requests.filter((r) => r.messages.some((m) => m.content.includes(QUESTION)));

  /** The widget's entry in localStorage: session id and messages still waiting. */
  const saved = async (page: Page, url: string) =>
    page.evaluate((key) => JSON.parse(localStorage.getItem(key) ?? "{}"), `clinic-chat:v1:${url}`);

  it("answers a message acked before the kill exactly once after the restart, and stores one copy", async () => {
    const first = startService(env(0));
    service = first.child;
    const url = await first.ready;
    const port = Number(new URL(url).port);

    context = await watchedContext(browser, problems);
    const page = await context.newPage();
    await page.goto(`${url}/`);
    const widget = page.locator("clinic-chat-widget");
    await page.getByRole("button", { name: "Open chat" }).click();
    await page.getByRole("textbox", { name: "Type your question" }).fill(QUESTION);
    await page.keyboard.press("Enter");

    // Acked and being answered: the model has the question, and the widget keeps the message.
    await expect.poll(() => answerRequests().length, { timeout: 15_000 }).toBe(1);
    const before = await saved(page, url);
    expect(before.pending).toEqual([
      { id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/), text: QUESTION, attempts: 1 },
    ]);
    const clientMessageId: string = before.pending[0].id;
    expect(await widget.locator(".bubble.is-typing").count()).toBe(1);

    // kill -9: no graceful shutdown, the reply in flight is lost with the process.
    const exited = new Promise((resolve) => first.child.once("exit", resolve));
    first.child.kill("SIGKILL");
    await exited;
    await expect
      .poll(() => widget.locator(".status").textContent(), { timeout: 15_000 })
      .toMatch(/Reconnecting/);

    // Restarted on the same data folder and port; the model answers now.
    hold = false;
    const second = startService(env(port));
    service = second.child;
    expect(await second.ready).toBe(url);

    // The widget reconnects, sends the message again with the same id, and shows one answer.
    const answers = widget.locator(".turn.bot");
    await expect.poll(() => answers.locator(".feedback").count(), { timeout: 45_000 }).toBe(1);
    expect(await answers.count()).toBe(1);
    const answered = citedSentence(answerRequests()[1] as ReceivedRequest);
    expect(await answers.first().textContent()).toContain(answered.replace(/ \[\d+\]$/, ""));
    const visitorBubbles = await widget.locator(".bubble.visitor").allTextContents();
    expect(visitorBubbles).toEqual([`You: ${QUESTION}`]);
    expect(answerRequests()).toHaveLength(2);

    // Nothing is waiting any more, and the transcript holds one copy of each message.
    const after = await saved(page, url);
    expect(after.pending).toEqual([]);
    const history = await getJson(`${url}/api/chat/${after.sessionId}`);
    expect(history.status).toBe(200);
    expect(
      history.body.messages.map((m: { role: string; text: string; clientMessageId?: string }) => [
        m.role,
        m.text,
        m.clientMessageId,
      ]),
    ).toEqual([
      ["visitor", QUESTION, clientMessageId],
      ["bot", expect.any(String), undefined],
    ]);

    // A reload shows the conversation once, and sends nothing again.
    await page.reload();
    await page.getByRole("button", { name: /chat/i }).first().waitFor();
    const reloaded = page.locator("clinic-chat-widget");
    if (await reloaded.locator(".panel").isHidden()) {
      await page.getByRole("button", { name: "Open chat" }).click();
    }
    await expect.poll(() => reloaded.locator(".bubble.visitor").count()).toBe(1);
    expect(await reloaded.locator(".turn.bot").count()).toBe(1);
    expect(answerRequests()).toHaveLength(2);
  }, 150_000);
});
