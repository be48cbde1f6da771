/**
 * The website widget in real headless Chromium (Debian's package) against the real service on
 * a free port: streamed cited answers, embedding on another origin, reload, booking, hostile
 * host CSS, axe-core, a phone-sized viewport, the keyboard, and no console errors anywhere.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import axe from "axe-core";
import {
  type Browser,
  type BrowserContext,
  chromium,
  type Locator,
  type Page,
} from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Core } from "../../src/core.js";
import { buildWidget } from "../../web/build.js";
import { tempDir } from "../helpers/core-fixtures.js";
import { getJson, STAFF_TOKEN, startTestService, type TestService } from "../helpers/service.js";
import { shippedCore } from "../helpers/shipped-core.js";
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  requireChromium,
  skipWithoutChromium,
  watchedContext,
} from "./browser.js";

const skip = skipWithoutChromium("the widget's browser tests");

const QUESTION = "Does microneedling help with acne scars?";

const HOSTILE_CSS = `
  html { font-size: 40px !important; }
  body { font: italic 40px/3 "Comic Sans MS", serif !important; color: red !important;
    letter-spacing: 6px !important; text-transform: uppercase !important; }
  button, div { all: unset; color: red !important; font-size: 40px !important;
    display: block !important; }
  * { box-sizing: content-box !important; line-height: 3 !important;
    font-family: "Comic Sans MS", serif !important; }
  p, span, a, label, textarea, input, section, form, ol, li, h2 { all: unset !important;
    color: red !important; font-size: 40px !important; display: block !important; }
  clinic-chat-widget { display: block !important; position: absolute !important;
    top: 0 !important; font-size: 40px !important; color: red !important;
    filter: none !important; }
`;

/** A page of "the clinic's own site", on another origin, embedding the widget. */
function hostPage(serviceUrl: string, css = ""): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Clinic site</title>
<link rel="icon" href="data:,">
<style>${css}</style></head>
<body><header><div>Clinic site</div></header>
<main><h1>Our treatments</h1><p>Some content of the clinic's own site.</p>
<button type="button">A host button</button></main>
<script src="${serviceUrl}/widget.js" data-title="Ask the clinic" data-color="#7a3e8e"
  data-position="right" defer></script>
</body></html>`;
}

describe.skipIf(skip)("widget in Chromium", () => {
  let core: Core;
  let removeCore: () => Promise<void>;
  let service: TestService;
  let removeData: () => Promise<void>;
  let host: Server;
  let hostUrl: string;
  let browser: Browser;

  beforeAll(async () => {
    requireChromium();
    const [built, loaded] = await Promise.all([buildWidget(), shippedCore()]);
    expect(built.gzipBytes).toBeLessThanOrEqual(40 * 1024);
    ({ core, cleanup: removeCore } = loaded);

    // The clinic's own site: another port, so another origin.
    let serviceUrl = "";
    host = createServer((req, res) => {
      const css = req.url === "/hostile" ? HOSTILE_CSS : "";
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(hostPage(serviceUrl, css));
    });
    host.listen(0, "127.0.0.1");
    await new Promise((resolve) => host.once("listening", resolve));
    hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;

    const data = await tempDir();
    removeData = data.cleanup;
    service = await startTestService({ core, dataDir: data.dir, allowedOrigins: [hostUrl] });
    serviceUrl = service.url;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      timeout: 30_000,
    });
  });

  afterAll(async () => {
    await browser?.close();
    host?.closeAllConnections();
    host?.close();
    await service?.close();
    await removeData?.();
    await removeCore?.();
  });

  let context: BrowserContext;
  let page: Page;
  let problems: string[];

  async function newPage(viewport = { width: 1280, height: 800 }): Promise<Page> {
    // Every page of the context, popups included: console errors and uncaught exceptions.
    context = await watchedContext(browser, problems, viewport);
    page = await context.newPage();
    return page;
  }

  beforeEach(() => {
    problems = [];
  });
  afterEach(async () => {
    await context?.close();
    expect(problems).toEqual([]);
  });

  const widget = () => page.locator("clinic-chat-widget");
  /** Whether the element has focus (inside the widget's shadow root, or in the page). */
  const isFocused = (locator: Locator) =>
    locator.evaluate((element) => (element.getRootNode() as Document).activeElement === element);
  const launcher = () => page.getByRole("button", { name: "Open chat" });
  const input = () => page.getByRole("textbox", { name: "Type your question" });

  /** Opens the panel and waits for its opening animation to end. */
  async function open(): Promise<void> {
    await launcher().click();
    await widget()
      .locator(".panel")
      .evaluate((panel) => Promise.all(panel.getAnimations().map((a) => a.finished)));
  }

  /** Asks a question and waits for the finished reply (its feedback buttons appear). */
  async function ask(question: string, send: "enter" | "button" = "enter"): Promise<void> {
    const replies = await widget().locator(".feedback").count();
    await input().fill(question);
    if (send === "enter") await input().press("Enter");
    else await page.getByRole("button", { name: "Send", exact: true }).click();
    await widget().locator(".feedback").nth(replies).waitFor({ timeout: 15_000 });
  }

  it("streams a cited answer whose citation link opens the cited section", async () => {
    await newPage();
    await page.goto(`${service.url}/`);
    await open();
    // Record what the visitor sees while the answer arrives.
    await page.evaluate(() => {
      const root = document.querySelector("clinic-chat-widget")?.shadowRoot;
      const log = root?.querySelector(".log");
      const seen: { typing: boolean; texts: string[] } = { typing: false, texts: [] };
      (window as unknown as { seen: typeof seen }).seen = seen;
      new MutationObserver(() => {
        const bubble = log?.querySelector(".turn.bot:last-of-type .bubble");
        if (!bubble) return;
        if (bubble.querySelector(".typing")) seen.typing = true;
        else if (seen.texts.at(-1) !== bubble.textContent)
          seen.texts.push(bubble.textContent ?? "");
      }).observe(log as Node, { childList: true, subtree: true, characterData: true });
    });
    await ask(QUESTION);

    const seen = await page.evaluate(
      () => (window as unknown as { seen: { typing: boolean; texts: string[] } }).seen,
    );
    const final = seen.texts.at(-1) ?? "";
    expect(seen.typing).toBe(true);
    expect(final).toMatch(/acne scars/);
    // At least two partial answers were shown, each a beginning of the final one.
    const partial = seen.texts.filter((t) => t.length < final.length);
    expect(partial.length).toBeGreaterThanOrEqual(2);
    for (const text of partial)
      expect(final.startsWith(text), JSON.stringify(seen.texts)).toBe(true);

    const cite = widget().locator(".bot a.cite").first();
    const href = (await cite.getAttribute("href")) ?? "";
    expect(href).toMatch(new RegExp(`^${service.url}/articles/[a-z-]+#[a-z0-9-]+$`));
    expect(await cite.getAttribute("aria-label")).toMatch(/^Source 1: /);
    expect(await widget().locator(".sources li").count()).toBeGreaterThan(0);

    // The link opens the article page at the cited section.
    const [article] = await Promise.all([context.waitForEvent("page"), cite.click()]);
    await article.waitForLoadState("load");
    expect(article.url()).toBe(href);
    expect((await page.request.get(href)).status()).toBe(200);
    const anchor = new URL(href).hash.slice(1);
    expect(await article.locator(`[id="${anchor}"]`).count()).toBe(1);
  });

  it("loads and answers when embedded on another origin", async () => {
    await newPage();
    await page.goto(`${hostUrl}/`);
    await open();
    await page.getByRole("heading", { name: "Ask the clinic" }).waitFor();
    await ask(QUESTION);
    expect(await widget().locator(".bot .bubble").last().textContent()).toContain("acne scars");
    const href = await widget().locator(".bot a.cite").first().getAttribute("href");
    expect(href?.startsWith(`${service.url}/articles/`)).toBe(true);
    // The contact details came from the service too.
    await expect.poll(() => widget().locator(".subtitle").textContent()).toBe(core.clinic.name);
  });

  it("keeps the conversation across a reload, and on another page of the site", async () => {
    await newPage();
    await page.goto(`${service.url}/`);
    await open();
    await ask(QUESTION);
    const answer = await widget().locator(".bot .bubble").last().textContent();

    await page.reload();
    // The panel reopens by itself in the same tab, with the conversation from the server.
    const texts = (selector: string, on = page) =>
      on.locator(`clinic-chat-widget ${selector}`).allTextContents();
    await expect.poll(() => texts(".visitor")).toEqual([`You: ${QUESTION}`]);
    await expect.poll(() => texts(".bot .bubble")).toEqual([answer]);
    expect(await widget().locator(".bot a.cite").count()).toBeGreaterThan(0);

    // Another page of the same site, in a new tab: the conversation is there when opened.
    const other = await context.newPage();
    await other.goto(`${service.url}/#treatments`);
    await other.getByRole("button", { name: "Open chat" }).click();
    await expect.poll(() => texts(".visitor", other)).toEqual([`You: ${QUESTION}`]);
  });

  it("takes a booking request in the chat and stores it for staff", async () => {
    await newPage();
    await page.goto(`${service.url}/`);
    await open();
    await ask("I'd like to book a consultation");
    const form = widget().locator("form.request-form");
    await form.waitFor();

    // Checked in place before anything is sent.
    await page.getByRole("button", { name: "Send booking request" }).click();
    const name = page.getByLabel("Your name");
    await expect.poll(() => name.getAttribute("aria-invalid")).toBe("true");
    expect(await isFocused(name)).toBe(true);
    expect(await form.textContent()).toContain("Please give an email address or a phone number");

    await name.fill("Jane Doe");
    await page.getByLabel("Email").fill("jane@example.com");
    await page.getByLabel("Treatment (optional)").fill("Microneedling");
    await page.getByLabel("Preferred day or time (optional)").fill("Saturday morning");
    await page.getByLabel(/I agree that .* may contact me/).check();
    await page.getByRole("button", { name: "Send booking request" }).click();
    await widget().locator(".confirmation").waitFor();
    expect(await widget().locator(".confirmation").textContent()).toContain("Thank you, Jane Doe.");

    const sessionId = await page.evaluate(() => {
      const key = Object.keys(localStorage).find((k) => k.startsWith("clinic-chat:v1:"));
      return JSON.parse(localStorage.getItem(key ?? "") ?? "{}").sessionId as string;
    });
    const { body } = await getJson(`${service.url}/api/staff/bookings`, {
      authorization: `Bearer ${STAFF_TOKEN}`,
    });
    expect(body.items).toContainEqual(
      expect.objectContaining({
        type: "consultation",
        sessionId,
        name: "Jane Doe",
        email: "jane@example.com",
        treatment: "Microneedling",
        preferredTime: "Saturday morning",
        status: "new",
      }),
    );
  });

  it("shows after a reload that the booking request was sent, instead of the form, and never offers that form again", async () => {
    await newPage();
    await page.goto(`${service.url}/`);
    await open();
    await ask("I'd like to book a consultation");
    await page.getByLabel("Your name").fill("Ada Lovelace");
    await page.getByLabel("Email").fill("ada@example.com");
    await page.getByLabel(/I agree that .* may contact me/).check();
    await page.getByRole("button", { name: "Send booking request" }).click();
    await widget().locator(".confirmation").waitFor();

    const sent = widget().locator(".handoff .confirmation");
    const forms = widget().locator("form.request-form");
    const SENT =
      /^Your booking request was sent on .+\. Our team will contact you to confirm a time\.$/;
    await page.reload();
    await expect.poll(() => sent.allTextContents()).toEqual([expect.stringMatching(SENT)]);
    expect(await forms.count()).toBe(0);
    // What was sent, never who sent it.
    expect(await widget().locator(".log").textContent()).not.toMatch(/Ada|ada@example/);

    // No longer the last reply, and still not offering its form; a new request gets a new one.
    await ask(QUESTION);
    await page.reload();
    await expect.poll(() => widget().locator(".visitor").count()).toBe(2);
    await expect.poll(() => sent.allTextContents()).toEqual([expect.stringMatching(SENT)]);
    expect(await forms.count()).toBe(0);
    await ask("I'd like to book a consultation");
    await expect.poll(() => forms.count()).toBe(1);
    expect(await sent.count()).toBe(1);

    // The service has the request with the reply it came from.
    const { body } = await getJson(`${service.url}/api/staff/bookings`, {
      authorization: `Bearer ${STAFF_TOKEN}`,
    });
    const stored = body.items.find((b: { name: string }) => b.name === "Ada Lovelace");
    expect(stored.messageId).toEqual(expect.any(String));
  });

  it("looks the same under host-page CSS that restyles every button and div", async () => {
    const measure = async (path: string) => {
      await newPage();
      await page.goto(`${hostUrl}${path}`);
      const closed = await launcher().screenshot({ animations: "disabled" });
      await open();
      await widget().locator(".chip").first().waitFor();
      await widget().locator(".subtitle").waitFor();
      const styles = await page.evaluate(() => {
        const root = document.querySelector("clinic-chat-widget")?.shadowRoot;
        const selectors = [
          ".launcher",
          ".panel",
          ".header",
          ".title",
          ".notice",
          ".log",
          ".greeting",
          ".chip",
          "textarea",
          ".send",
        ];
        return Object.fromEntries(
          selectors.map((selector) => {
            const element = root?.querySelector(selector) as HTMLElement;
            const box = element.getBoundingClientRect();
            const s = getComputedStyle(element);
            return [
              selector,
              {
                box: [box.x, box.y, box.width, box.height].map(Math.round),
                font: s.font,
                color: s.color,
                background: s.backgroundColor,
                display: s.display,
                padding: s.padding,
                border: s.border,
                letterSpacing: s.letterSpacing,
                textTransform: s.textTransform,
              },
            ];
          }),
        );
      });
      const panel = await widget().locator(".panel").screenshot({ animations: "disabled" });
      const hostButton = await page
        .locator("main button")
        .evaluate((b) => getComputedStyle(b).fontSize);
      await context.close();
      return { closed, styles, panel, hostButton };
    };
    const plain = await measure("/");
    const hostile = await measure("/hostile");
    // The hostile rules did restyle the host page itself.
    expect([plain.hostButton, hostile.hostButton]).toEqual(["13.3333px", "40px"]);
    expect(hostile.styles).toEqual(plain.styles);
    expect(hostile.closed.equals(plain.closed)).toBe(true);
    expect(hostile.panel.equals(plain.panel)).toBe(true);
  });

  it("has no serious or critical axe-core violations in the open widget", async () => {
    await newPage();
    await page.goto(`${hostUrl}/`);
    await open();
    await ask(QUESTION);
    await ask("I'd like to book a consultation");
    await ask("I'm pregnant, can I have microneedling?");
    await page.getByRole("button", { name: "Request a call back" }).click();
    await page.addScriptTag({ content: axe.source });
    const result = await page.evaluate(async () => {
      const axeRun = (window as unknown as { axe: typeof axe }).axe;
      const report = await axeRun.run(
        { include: [["clinic-chat-widget"]] },
        { resultTypes: ["violations", "passes"] },
      );
      return {
        violations: report.violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          nodes: v.nodes.map((n) => n.target.join(" ")),
        })),
        // Proof the scan reached inside the shadow root: such nodes have a [host, inner] target.
        shadowChecks: report.passes
          .flatMap((p) => p.nodes)
          .filter((n) => Array.isArray(n.target[0])).length,
        contrastChecked: report.passes.some((p) => p.id === "color-contrast"),
      };
    });
    expect(result.shadowChecks).toBeGreaterThan(20);
    expect(result.contrastChecked).toBe(true);
    const severe = result.violations.filter(
      (v) => v.impact === "serious" || v.impact === "critical",
    );
    expect(severe).toEqual([]);
  });

  it("fills a 375-pixel-wide screen and sends with the Send button", async () => {
    await newPage({ width: 375, height: 667 });
    await page.goto(`${service.url}/`);
    await open();
    const box = await widget().locator(".panel").boundingBox();
    expect(box).toEqual({ x: 0, y: 0, width: 375, height: 667 });
    await ask("Is microneedling safe for darker skin?", "button");
    expect(await widget().locator(".bot .bubble").last().textContent()).toMatch(/skin/);
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(scrollWidth).toBeLessThanOrEqual(375);
  });

  it("gives every field a 16px font and every control a hit area of 24px or more on a 390x844 phone", async () => {
    await newPage({ width: 390, height: 844 });
    await page.goto(`${service.url}/`);
    await open();
    await ask(QUESTION);
    await ask("I'd like to book a consultation");
    await widget().locator("form.request-form").waitFor();
    await ask("I'm pregnant, can I have microneedling?");
    await page.getByRole("button", { name: "Request a call back" }).click();
    await expect.poll(() => widget().locator("form.request-form").count()).toBe(2);
    await widget().locator(".notice a.privacy").waitFor();

    const measured = await page.evaluate(() => {
      const root = document.querySelector("clinic-chat-widget")?.shadowRoot as ShadowRoot;
      const visible = (el: Element) => el.getClientRects().length > 0;
      const fields = [...root.querySelectorAll("input, textarea, select")]
        .filter(visible)
        .map((el) => ({
          field: `${el.tagName.toLowerCase()}[name=${el.getAttribute("name")}]`,
          fontSize: parseFloat(getComputedStyle(el).fontSize),
        }));
      const selector = "a[href], button, input, textarea, select, [tabindex]:not([tabindex='-1'])";
      const targets = [...root.querySelectorAll<HTMLElement>(selector)].filter(visible);
      // What of each can be hit: the conversation scrolls, and hides what is scrolled away.
      const log = (root.querySelector(".log") as HTMLElement).getBoundingClientRect();
      const shown = (el: HTMLElement) => {
        const box = el.getBoundingClientRect();
        if (el.matches(".log") || !el.closest(".log")) return box;
        const top = Math.max(box.top, log.top);
        const bottom = Math.min(box.bottom, log.bottom);
        return new DOMRect(box.x, top, box.width, Math.max(0, bottom - top));
      };
      const boxes = new Map(targets.map((el) => [el, el.getBoundingClientRect()]));
      const hit = new Map(targets.map((el) => [el, shown(el)]));
      const name = (el: HTMLElement) =>
        `${el.tagName.toLowerCase()}${el.className ? `.${el.className}` : ""} ` +
        (el.getAttribute("aria-label") ?? el.getAttribute("name") ?? el.textContent?.trim());
      const overlap = (a: DOMRect, b: DOMRect) =>
        a.left < b.right - 0.5 &&
        b.left < a.right - 0.5 &&
        a.top < b.bottom - 0.5 &&
        b.top < a.bottom - 0.5;
      return {
        fields,
        targets: targets.map((el) => {
          const box = boxes.get(el) as DOMRect;
          return {
            kind: `${el.tagName.toLowerCase()}.${el.className}`,
            name: name(el).slice(0, 40),
            width: Math.round(box.width * 10) / 10,
            height: Math.round(box.height * 10) / 10,
            // Another target (not one inside it, or around it) covering part of this one.
            overlaps: targets
              .filter(
                (other) =>
                  other !== el &&
                  !other.contains(el) &&
                  !el.contains(other) &&
                  overlap(hit.get(el) as DOMRect, hit.get(other) as DOMRect),
              )
              .map(name),
          };
        }),
      };
    });

    // The composer's box and both forms' fields, checkboxes included.
    expect(measured.fields.length).toBeGreaterThanOrEqual(11);
    expect(measured.fields.filter((f) => f.fontSize < 16)).toEqual([]);
    const kinds = new Set(measured.targets.map((t) => t.kind));
    for (const kind of ["a.cite", "a.source", "a.privacy", "button.icon-button", "button."])
      expect(kinds).toContain(kind);
    // 44x44, or WCAG 2.5.8's minimum: 24x24 and clear of every other target.
    const large = (t: { width: number; height: number }) => t.width >= 44 && t.height >= 44;
    const tooSmall = measured.targets.filter(
      (t) => t.overlaps.length > 0 || (!large(t) && (t.width < 24 || t.height < 24)),
    );
    expect(tooSmall).toEqual([]);
    // The buttons the issue named (close, thumbs) are the full 44x44.
    const buttons = measured.targets.filter(
      (t) => t.kind === "button.icon-button" || t.kind === "button.",
    );
    expect(buttons.filter((t) => !large(t))).toEqual([]);
  });

  it("tabs from Send to the launcher and back, and shows the conversation's focus ring on all four sides", async () => {
    await newPage();
    await page.goto(`${service.url}/`);
    await open();
    await ask(QUESTION);
    const send = page.getByRole("button", { name: "Send", exact: true });
    const close = page.getByRole("button", { name: "Close chat" });
    await send.focus();
    await page.keyboard.press("Tab");
    // The launcher (now "Close chat") follows the panel, rather than the top of the page.
    const launcherNow = widget().locator(".launcher");
    expect(await isFocused(launcherNow)).toBe(true);
    expect(await launcherNow.getAttribute("aria-label")).toBe("Close chat");
    await page.keyboard.press("Shift+Tab");
    expect(await isFocused(send)).toBe(true);

    // Into the conversation from the header, as a keyboard user gets there.
    await close.first().focus();
    const log = widget().locator(".log");
    for (let i = 0; i < 5 && !(await isFocused(log)); i++) await page.keyboard.press("Tab");
    expect(await isFocused(log)).toBe(true);
    const ring = await log.evaluate((element) => {
      const s = getComputedStyle(element);
      const box = element.getBoundingClientRect();
      const panel = (element.closest(".panel") as HTMLElement).getBoundingClientRect();
      const width = parseFloat(s.outlineWidth);
      const offset = parseFloat(s.outlineOffset);
      // The ring's outer edge, which the panel (overflow: hidden) must not cut off.
      const grow = width + offset;
      return {
        focusVisible: element.matches(":focus-visible"),
        style: s.outlineStyle,
        width,
        offset,
        inside:
          box.left - grow >= panel.left &&
          box.right + grow <= panel.right &&
          box.top - grow >= panel.top &&
          box.bottom + grow <= panel.bottom,
      };
    });
    expect(ring).toMatchObject({ focusVisible: true, style: "solid", inside: true });
    expect(ring.width).toBeGreaterThanOrEqual(2);
    expect(ring.offset).toBeLessThanOrEqual(-ring.width);

    // Escape still closes and gives focus back to the launcher.
    await page.keyboard.press("Escape");
    await widget().locator(".panel").waitFor({ state: "hidden" });
    expect(await isFocused(launcher())).toBe(true);
  });

  it("keeps Tab inside the full-screen panel on a phone, where the launcher is hidden", async () => {
    await newPage({ width: 390, height: 844 });
    await page.goto(`${service.url}/`);
    await open();
    const send = page.getByRole("button", { name: "Send", exact: true });
    const close = page.getByRole("button", { name: "Close chat" }).first();
    await send.focus();
    await page.keyboard.press("Tab");
    expect(await isFocused(close)).toBe(true);
    await page.keyboard.press("Shift+Tab");
    expect(await isFocused(send)).toBe(true);
  });

  it("works from the keyboard alone: focus moves in, Escape closes and returns focus", async () => {
    await newPage();
    await page.goto(`${service.url}/`);
    await launcher().focus();
    await page.keyboard.press("Enter");
    expect(await isFocused(input())).toBe(true);
    await page.keyboard.type("What happens at a consultation?");
    await page.keyboard.press("Shift+Enter");
    expect(await input().inputValue()).toBe("What happens at a consultation?\n");
    await page.keyboard.press("Enter");
    await widget().locator(".feedback").waitFor();
    expect(await widget().locator(".visitor").textContent()).toBe(
      "You: What happens at a consultation?",
    );
    await page.keyboard.press("Escape");
    await widget().locator(".panel").waitFor({ state: "hidden" });
    expect(await isFocused(launcher())).toBe(true);
  });
});
