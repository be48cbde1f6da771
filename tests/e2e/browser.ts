/**
 * The browser tests' shared setup: Debian's Chromium (or CHROMIUM_PATH), launched headless, and
 * a context that records every console error and uncaught exception, popups included.
 */
import { existsSync } from "node:fs";
import axe from "axe-core";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { expect } from "vitest";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
export const haveChromium = existsSync(CHROMIUM);

/** Without Chromium the tests are skipped with a message, except with CI=true, where they fail. */
export function skipWithoutChromium(what: string): boolean {
  if (!haveChromium && !process.env.CI) {
    console.warn(
      `Skipping ${what}: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH).`,
    );
  }
  return !haveChromium && !process.env.CI;
}

/** Throws in `beforeAll` when Chromium is missing and the tests were not skipped (CI). */
export function requireChromium(): void {
  if (!haveChromium) {
    throw new Error(`Chromium is missing at ${CHROMIUM}: .ci/run installs Debian's package`);
  }
}

/** A new context whose console errors and page errors are pushed to `problems`. */
export async function watchedContext(
  browser: Browser,
  problems: string[],
  viewport = { width: 1280, height: 800 },
): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport });
  context.on("console", (message) => {
    if (message.type() === "error") {
      problems.push(`console: ${message.text()} (${message.location().url})`);
    }
  });
  context.on("weberror", (error) => problems.push(`pageerror: ${error.error().message}`));
  return context;
}

/** Takes out of `problems` the console errors a test caused on purpose, checking their count. */
export function expectProblems(problems: string[], pattern: RegExp, count: number): void {
  const matching = problems.filter((p) => pattern.test(p));
  expect(matching, problems.join("\n")).toHaveLength(count);
  problems.splice(0, problems.length, ...problems.filter((p) => !pattern.test(p)));
}

/** The page's serious and critical axe-core violations. */
export async function axeViolations(
  page: Page,
): Promise<{ id: string; impact: string; nodes: string[] }[]> {
  // Evaluated over DevTools: the consoles' CSP (rightly) refuses an inline <script>.
  await page.evaluate(axe.source);
  const violations = await page.evaluate(async () => {
    const report = await (window as unknown as { axe: typeof axe }).axe.run(document, {
      resultTypes: ["violations"],
    });
    return report.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? "",
      nodes: v.nodes.map((n) => n.target.join(" ")),
    }));
  });
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}
