/**
 * `npm run screenshot`: the README's pictures. Starts the real service (src/main.ts) on a free
 * port with a temporary DATA_DIR, makes sample data through its public APIs (a few visitor
 * conversations, a rating, a booking, a re-index job) and, in headless Chromium at 1280×800,
 * saves:
 *
 *   docs/widget.png         the widget on the demo page, answering a question with its source
 *   docs/staff-console.png  the staff console: a filtered list and a transcript with its passages
 *   docs/admin-console.png  the admin console: the index, past re-index jobs and the documents
 *
 *   npm run screenshot -- [--out docs/widget.png] [--question "…"] [--docs docs]
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { type Browser, chromium, type Page } from "playwright-core";
import { buildConsoles, buildWidget } from "../web/build.js";

const { values } = parseArgs({
  options: {
    out: { type: "string", default: "docs/widget.png" },
    /** Where the consoles' pictures go. */
    docs: { type: "string", default: "docs" },
    question: { type: "string", default: "Is microneedling safe for darker skin?" },
    chromium: { type: "string", default: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium" },
  },
});

const STAFF_TOKEN = randomBytes(18).toString("base64url");
const ADMIN_TOKEN = randomBytes(18).toString("base64url");

await Promise.all([buildWidget(), buildConsoles()]);
const dataDir = await mkdtemp(path.join(os.tmpdir(), "skin-faq-screenshot-"));
const service = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
  env: {
    ...process.env,
    PORT: "0",
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    NODE_ENV: "development",
    LOG_LEVEL: "warn",
    // Set, so the service does not print generated ones; the consoles sign in with them.
    STAFF_TOKEN: "",
    STAFF_TOKENS: `alex:${STAFF_TOKEN}`,
    ADMIN_TOKEN,
    SESSION_SECRET: randomBytes(32).toString("base64url"),
    // The sample conversations come from one address.
    RATE_LIMIT_PER_MIN: "0",
  },
  stdio: ["ignore", "pipe", "inherit"],
});

try {
  const url = await new Promise<string>((resolve, reject) => {
    let output = "";
    service.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const ready = /Ready on http:\/\/localhost:(\d+)/.exec(output);
      if (ready) resolve(`http://127.0.0.1:${ready[1]}`);
    });
    service.once("exit", (code) => reject(new Error(`the service exited (${code})`)));
  });

  const browser = await chromium.launch({
    executablePath: values.chromium,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${url}/`);
    await page.getByRole("button", { name: "Open chat" }).click();
    await page.getByRole("textbox", { name: "Type your question" }).fill(values.question);
    await page.keyboard.press("Enter");
    await page.locator("clinic-chat-widget .feedback").waitFor();
    // The reading position the widget chose, with the caret and animations settled.
    await page.waitForTimeout(300);
    await page.screenshot({ path: values.out, animations: "disabled", caret: "hide" });
    process.stdout.write(`Saved ${values.out}\n`);
    await page.close();

    await sampleData(url);
    await staffConsole(browser, url, path.join(values.docs, "staff-console.png"));
    await adminConsole(browser, url, path.join(values.docs, "admin-console.png"));
  } finally {
    await browser.close();
  }
} finally {
  service.kill("SIGTERM");
  await rm(dataDir, { recursive: true, force: true });
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`POST ${url}: ${response.status}`);
  return response.status === 204 ? {} : ((await response.json()) as Record<string, string>);
}

/** What the consoles show: visitor conversations, a rating, a booking, a finished re-index. */
async function sampleData(url: string): Promise<void> {
  const ask = (message: string, sessionId?: string) =>
    post(`${url}/api/chat`, { message, ...(sessionId ? { sessionId } : {}) });
  const acne = await ask("Does microneedling help with acne scars?");
  await ask("Is it safe for darker skin?", acne.sessionId);
  await post(`${url}/api/feedback`, {
    sessionId: acne.sessionId,
    messageId: acne.messageId,
    rating: "up",
  });
  await ask("How long is the downtime after microneedling?");
  await ask("I'm pregnant, can I have microneedling?");
  await ask("How much does microneedling cost?");
  await ask("Do you offer tattoo removal?");
  await ask("What are your opening hours?");
  await post(`${url}/api/bookings`, {
    type: "consultation",
    sessionId: acne.sessionId,
    name: "Jane Doe",
    email: "jane@example.com",
    treatment: "Microneedling",
    consent: true,
  });
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
  const { jobId } = await post(`${url}/api/admin/reindex`, {}, admin);
  for (let i = 0; i < 600; i++) {
    const job = (await (
      await fetch(`${url}/api/admin/reindex/${jobId}`, { headers: admin })
    ).json()) as { state: string };
    if (job.state === "done") return;
    if (job.state === "failed") throw new Error("the sample re-index failed");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error("the sample re-index did not finish");
}

/** The conversations filtered by a search, with a transcript and its cited passages open. */
async function staffConsole(browser: Browser, url: string, out: string): Promise<void> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${url}/staff?q=microneedling`);
  await page.getByLabel("Staff token").fill(STAFF_TOKEN);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator(".conv-link", { hasText: "acne scars" }).click();
  await page.locator("article.transcript .passage").first().waitFor();
  await page.locator(".live-state[data-state=live]").waitFor();
  // The page at its top (the filters), the transcript scrolled to its first question.
  await page.evaluate(() => {
    window.scrollTo(0, 0);
    const question = document.querySelector("article.transcript .msg.visitor");
    let pane = question?.parentElement ?? null;
    while (pane && pane.scrollHeight <= pane.clientHeight) pane = pane.parentElement;
    if (question && pane && pane !== document.documentElement && pane !== document.body) {
      const offset = question.getBoundingClientRect().top - pane.getBoundingClientRect().top;
      pane.scrollTop += offset - 16;
    }
  });
  await settle(page, out);
  await page.close();
}

/** The search index with its past re-index jobs open, and the documents below. */
async function adminConsole(browser: Browser, url: string, out: string): Promise<void> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${url}/admin`);
  await page.getByLabel("Admin token").fill(ADMIN_TOKEN);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator("table.documents tbody tr").first().waitFor();
  await page.getByText("Past re-index jobs").click();
  await page.locator("details.history-box[open] tbody tr").first().waitFor();
  await settle(page, out);
  await page.close();
}

async function settle(page: Page, out: string): Promise<void> {
  // Focus rings and animations settled, the pointer out of the way.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.mouse.move(0, 0);
  await page.waitForTimeout(300);
  await page.screenshot({ path: out, animations: "disabled", caret: "hide" });
  process.stdout.write(`Saved ${out}\n`);
}
