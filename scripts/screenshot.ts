/**
 * `npm run screenshot`: the README's picture of the widget answering a question. Starts the
 * real service (src/main.ts) on a free port with a temporary DATA_DIR, opens the demo page in
 * headless Chromium at 1280×800, asks a question and saves `docs/widget.png`.
 *
 *   npm run screenshot -- [--out docs/widget.png] [--question "…"]
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";
import { buildWidget } from "../web/build.js";

const { values } = parseArgs({
  options: {
    out: { type: "string", default: "docs/widget.png" },
    question: { type: "string", default: "Is microneedling safe for darker skin?" },
    chromium: { type: "string", default: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium" },
  },
});

await buildWidget();
const dataDir = await mkdtemp(path.join(os.tmpdir(), "skin-faq-screenshot-"));
const service = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
  env: {
    ...process.env,
    PORT: "0",
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    NODE_ENV: "development",
    LOG_LEVEL: "warn",
    // Set, so the service does not print generated ones; nothing here uses them.
    STAFF_TOKEN: randomBytes(18).toString("base64url"),
    ADMIN_TOKEN: randomBytes(18).toString("base64url"),
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
  } finally {
    await browser.close();
  }
} finally {
  service.kill("SIGTERM");
  await rm(dataDir, { recursive: true, force: true });
}
