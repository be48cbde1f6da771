/**
 * The staff and admin consoles in real headless Chromium against the real service process
 * (src/main.ts on a free port, a temporary DATA_DIR and a copy of the corpus): sign-in, filters
 * in the URL, transcripts with their cited passages, reviews, booking status, export, live
 * notifications, content gaps, erasure, hostile visitor text; then the admin token, uploads,
 * re-index with live progress while chat keeps answering, and the widget citing (then no
 * longer citing) the new article. No console errors anywhere, except the ones a test causes on
 * purpose and checks for.
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { ChildProcess } from "node:child_process";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { buildConsoles, buildWidget } from "../../web/build.js";
import { copyCorpus, tempDir } from "../helpers/core-fixtures.js";
import { getJson, type Json, postJson } from "../helpers/service.js";
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  requireChromium,
  skipWithoutChromium,
  axeViolations,
  expectProblems,
  watchedContext,
} from "./browser.js";
import { startService } from "./service-process.js";

const skip = skipWithoutChromium("the consoles' browser tests");

const STAFF_TOKEN = "console-staff-token-0123456789";
const ADMIN_TOKEN = "console-admin-token-0123456789";
const staffAuth = { authorization: `Bearer ${STAFF_TOKEN}` };
const adminAuth = { authorization: `Bearer ${ADMIN_TOKEN}` };

const XSS = "<img src=x onerror=alert(1)> <script>alert(1)</script>";

/** An article about a topic nothing else in the corpus covers. */
const CRYOTHERAPY = `---
title: Cryotherapy for Skin Tags
---

# Cryotherapy for Skin Tags

## How cryotherapy removes skin tags

Cryotherapy removes skin tags by freezing them with a fine spray of liquid nitrogen. The frozen tag darkens and falls off by itself within about ten days, usually leaving no mark.

## Aftercare for cryotherapy

Keep the treated area clean and dry for two days after cryotherapy, and do not pick at the tag while it falls off.
`;
const CRYO_QUESTION = "How does cryotherapy remove skin tags?";

/** Asks through the HTTP chat API; every reply must be a 200. */
async function ask(url: string, message: string, sessionId?: string): Promise<Json> {
  const reply = await postJson(`${url}/api/chat`, { message, ...(sessionId ? { sessionId } : {}) });
  expect(reply.status).toBe(200);
  return reply.body;
}

describe.skipIf(skip)("staff and admin consoles in Chromium", () => {
  let url: string;
  let service: ChildProcess | undefined;
  let removeTemp: () => Promise<void>;
  let browser: Browser;

  let corpusDir: string;
  /** Conversations the staff tests look for. */
  const seeded = { acne: "", cost: "", pregnant: "", xss: "", tattoo: "", booking: "" };

  beforeAll(async () => {
    requireChromium();
    const temp = await tempDir("skin-faq-consoles-");
    removeTemp = temp.cleanup;
    [corpusDir] = await Promise.all([copyCorpus(temp.dir), buildWidget(), buildConsoles()]);
    const started = startService({
      ...process.env,
      PORT: "0",
      HOST: "127.0.0.1",
      NODE_ENV: "development",
      LOG_LEVEL: "warn",
      DATA_DIR: `${temp.dir}/data`,
      CORPUS_DIR: corpusDir,
      STAFF_TOKENS: `alex:${STAFF_TOKEN}`,
      ADMIN_TOKEN,
      SESSION_SECRET: "console-test-session-secret-0123456789abcdef",
      // The chat loop during the re-index sends many messages from one address.
      RATE_LIMIT_PER_MIN: "0",
      // Set but empty, so that a developer's .env cannot fill them in.
      STAFF_TOKEN: "",
      ALLOWED_ORIGINS: "",
      CLINIC_PROFILE: "",
      EMBEDDINGS: "",
      ANSWER_MODE: "",
      TRUST_PROXY: "",
      BOOKING_WEBHOOK_URL: "",
    });
    service = started.child;
    [url, browser] = await Promise.all([
      started.ready,
      chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 }),
    ]);

    // Conversations for the staff console, through the visitor API as the widget makes them.
    const acne = await ask(url, "Does microneedling help with acne scars?");
    seeded.acne = acne.sessionId;
    await ask(url, "Is it safe for darker skin?", acne.sessionId);
    const rated = await postJson(`${url}/api/feedback`, {
      sessionId: acne.sessionId,
      messageId: acne.messageId,
      rating: "up",
    });
    expect(rated.status).toBe(204);
    seeded.cost = (await ask(url, "How much does microneedling cost?")).sessionId;
    seeded.pregnant = (await ask(url, "I'm pregnant, can I have microneedling?")).sessionId;
    seeded.tattoo = (await ask(url, "Do you offer tattoo removal?")).sessionId;
    seeded.xss = (await ask(url, XSS)).sessionId;
    // More than a page of the list (25), for "Load more".
    for (let i = 0; i < 22; i++) await ask(url, `What are your opening hours on day ${i + 1}?`);
    const booking = await postJson(`${url}/api/bookings`, {
      type: "consultation",
      sessionId: acne.sessionId,
      name: "Jane Doe",
      email: "jane@example.com",
      treatment: "Microneedling",
      consent: true,
    });
    expect(booking.status).toBe(201);
    seeded.booking = booking.body.id;
    const hostile = await postJson(`${url}/api/bookings`, {
      type: "callback",
      name: `Sam ${XSS}`,
      phone: "07700 900123",
      notes: XSS,
      consent: true,
    });
    expect(hostile.status).toBe(201);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    if (service && service.exitCode === null) {
      const exited = new Promise((resolve) => service?.once("exit", resolve));
      service.kill("SIGTERM");
      await exited;
    }
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
    // alert(), confirm() or prompt() would mean script ran; the consoles never use them.
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

  // --- staff ------------------------------------------------------------------------------

  async function staffSignIn(path = "/staff"): Promise<void> {
    await page.goto(`${url}${path}`);
    await page.getByLabel("Staff token").fill(STAFF_TOKEN);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("Signed in as alex").waitFor();
  }

  const rows = () => page.locator(".conv-link .conv-q");

  it("signs staff in, reflects the filters in a shareable URL, pages with Load more and exports the same filter", async () => {
    await staffSignIn();
    await expect.poll(() => rows().count()).toBe(25);
    // At 1280×800 the filters fold into one bar, and the list starts on the first screen.
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(await page.locator("details.more-filters").getAttribute("open")).toBeNull();
    const firstRow = await rows().first().boundingBox();
    expect(firstRow?.y ?? Infinity).toBeLessThan(800 - (firstRow?.height ?? 0));
    await page.getByRole("button", { name: "Load more" }).click();
    await expect.poll(() => rows().count()).toBe(27);
    await expect.poll(() => page.getByRole("button", { name: "Load more" }).isHidden()).toBe(true);

    await page.getByLabel("Search messages").fill("microneedling");
    await page.getByText("More filters").click();
    await page.getByLabel("Answers").selectOption({ label: "Unanswered" });
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page.waitForURL(`${url}/staff?q=microneedling&grounded=false`);
    // The pregnancy question got a clinician handoff: not an unanswered question.
    await expect
      .poll(() => rows().allTextContents())
      .toEqual(["How much does microneedling cost?"]);

    // The URL alone brings the same view back (another tab, a colleague's link).
    await page.reload();
    await expect.poll(() => rows().count()).toBe(1);
    expect(await page.getByLabel("Search messages").inputValue()).toBe("microneedling");
    expect(await page.getByLabel("Answers").inputValue()).toBe("false");
    // A filter that is set keeps the fold open, and says how many are.
    expect(await page.locator("details.more-filters").getAttribute("open")).toBe("");
    expect(await page.locator("details.more-filters > summary").textContent()).toBe(
      "More filters (1 set)",
    );
    expect(await page.locator(".summary").textContent()).toMatch(
      /Showing 1 conversation \(unanswered · matching "microneedling"\)/,
    );

    // Export: the links carry the same query, and the files hold exactly these conversations.
    const csvHref = await page.locator("a[data-export=csv]").getAttribute("href");
    expect(csvHref).toBe("/api/staff/export.csv?q=microneedling&grounded=false");
    const exported = await page.evaluate(async () => {
      const read = async (selector: string) => {
        const href = document.querySelector<HTMLAnchorElement>(selector)?.href ?? "";
        const response = await fetch(href);
        return {
          status: response.status,
          type: response.headers.get("content-type"),
          disposition: response.headers.get("content-disposition"),
          text: await response.text(),
        };
      };
      return { csv: await read("a[data-export=csv]"), jsonl: await read("a[data-export=jsonl]") };
    });
    expect(exported.csv).toMatchObject({ status: 200, type: "text/csv; charset=utf-8" });
    expect(exported.csv.disposition).toMatch(/^attachment; filename="conversations-.*\.csv"$/);
    expect(exported.csv.text).toContain("How much does microneedling cost?");
    expect(exported.csv.text).not.toContain("acne scars");
    const lines = exported.jsonl.text
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines.map((c: { id: string }) => c.id)).toEqual([seeded.cost]);
  });

  it("opens a transcript with numbered citations and their passages, marks it reviewed and keeps a note", async () => {
    await staffSignIn("/staff?q=acne");
    await page.locator(".conv-link", { hasText: "acne scars" }).click();
    await page.waitForURL(`${url}/staff/conversations/${seeded.acne}?q=acne`);
    const transcript = page.locator("article.transcript");
    await transcript.locator(".passage").first().waitFor();

    const visitor = transcript.locator(".msg.visitor .msg-text");
    expect(await visitor.allTextContents()).toEqual([
      "Does microneedling help with acne scars?",
      "Is it safe for darker skin?",
    ]);
    const answer = transcript.locator(".msg.bot").first();
    expect(await answer.locator(".msg-text").textContent()).toMatch(/acne scars.*\[1\]/);
    expect(await answer.locator(".cite-mark").first().textContent()).toBe("[1]");
    const passage = answer.locator(".passage").first();
    expect(await passage.locator(".passage-n").textContent()).toBe("[1]");
    expect(await passage.locator("a").getAttribute("href")).toMatch(
      new RegExp(`^${url}/articles/microneedling-benefits#[a-z0-9-]+$`),
    );
    expect((await passage.locator(".snippet").textContent())?.length).toBeGreaterThan(40);
    const facts = await answer.locator(".facts").textContent();
    expect(facts).toContain("ReplyAnswer, cited");
    expect(facts).toContain("SourceExtractive");
    expect(facts).toMatch(/Latency\d+ ms/);
    expect(facts).toContain("FeedbackThumbs up");

    await page.getByRole("button", { name: "Mark reviewed" }).click();
    await expect
      .poll(() => transcript.locator(".review-state").textContent())
      .toMatch(/^Reviewed by alex, /);
    await expect
      .poll(() => page.locator(".conv-link[aria-current=page] .review-badge").count())
      .toBe(1);
    await page.getByLabel("Staff note").fill("Answered well; nothing to add.");
    await page.getByRole("button", { name: "Save note" }).click();
    await page.getByText("Note saved.").waitFor();

    const stored = await getJson(`${url}/api/staff/conversations/${seeded.acne}`, staffAuth);
    expect(stored.body).toMatchObject({
      reviewed: true,
      reviewedBy: "alex",
      note: "Answered well; nothing to add.",
      noteBy: "alex",
    });

    // The browser's Back goes to the list, as it was.
    await page.goBack();
    await page.waitForURL(`${url}/staff?q=acne`);
    await page.getByText("Choose a conversation to read its transcript.").waitFor();

    expect(await axeViolations(page)).toEqual([]);
  });

  it("renders hostile visitor text as text everywhere: no dialog, no injected element", async () => {
    await staffSignIn(`/staff/conversations/${seeded.xss}`);
    const visitor = page.locator(".msg.visitor .msg-text");
    await visitor.waitFor();
    expect(await visitor.textContent()).toBe(XSS);
    // The list loads apart from the transcript: wait for it rather than race it.
    await expect.poll(() => page.locator(".conv-link", { hasText: "<img src=x" }).count()).toBe(1);

    await page.getByRole("link", { name: "Bookings" }).click();
    await page.getByRole("heading", { name: `Sam ${XSS}` }).waitFor();
    await page.getByRole("link", { name: "Content gaps" }).click();
    await page.getByRole("heading", { name: XSS }).waitFor();

    // Give an injected onerror handler every chance to run.
    await page.waitForTimeout(200);
    const injected = await page.evaluate(() => ({
      images: document.querySelectorAll("img").length,
      scripts: [...document.querySelectorAll("script")].map((s) => s.getAttribute("src")),
    }));
    expect(injected).toEqual({ images: 0, scripts: ["/console/staff.js"] });
  });

  it("shows new requests live with an unread count, and records who changed a booking's status when", async () => {
    await staffSignIn();
    await page.locator(".live-state[data-state=live]").waitFor();
    const count = page.locator(".notices-button .count");
    expect(await count.isHidden()).toBe(true);

    const callback = await postJson(`${url}/api/bookings`, {
      type: "callback",
      name: "Ola Nordmann",
      phone: "+47 22 00 00 00",
      consent: true,
    });
    expect(callback.status).toBe(201);
    await ask(url, "I take blood thinners, is microneedling safe for me?");
    await expect.poll(() => count.textContent()).toBe("2");
    await page.locator(".notices-button").click();
    expect(await page.locator(".notice-list").textContent()).toMatch(
      /Question handed to a clinician.*New call-back request/,
    );
    await page.keyboard.press("Escape");

    // Opening the bookings marks the booking notices read; the clinician handoff stays.
    await page.getByRole("link", { name: "Bookings" }).click();
    await expect.poll(() => count.textContent()).toBe("1");

    const card = page.locator(`[data-booking="${seeded.booking}"]`);
    await card.getByLabel("Status").selectOption("contacted");
    await card.getByRole("button", { name: "Update status" }).click();
    await card.getByText("Status set to Contacted.").waitFor();
    expect(await card.locator(".history li").first().textContent()).toMatch(
      /^New → Contacted by alex, .+\d/,
    );
    const stored = await getJson(`${url}/api/staff/bookings/${seeded.booking}`, staffAuth);
    expect(stored.body).toMatchObject({
      status: "contacted",
      history: [{ from: "new", to: "contacted", by: "alex" }],
    });
    expect(await axeViolations(page)).toEqual([]);

    // A request arriving while the list is read joins it at the top: the card being read stays
    // where it is on screen, as it was (its message, its open history), and so do the filters.
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    const top = async () => (await card.boundingBox())?.y;
    const before = await top();
    expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(0);
    const arriving = await postJson(`${url}/api/bookings`, {
      type: "consultation",
      name: "Live Arrival",
      email: "live@example.com",
      consent: true,
    });
    expect(arriving.status).toBe(201);
    await page.locator(`[data-booking="${arriving.body.id}"]`).waitFor();
    expect(await page.locator(".booking h2").first().textContent()).toBe("Live Arrival");
    expect(await top()).toBeCloseTo(before ?? 0, 0);
    expect(await card.getByText("Status set to Contacted.").isVisible()).toBe(true);
    expect(await card.locator("details.history-box").getAttribute("open")).not.toBeNull();
    expect(page.url()).toBe(`${url}/staff/bookings`);
    // On screen, so not unread.
    await expect.poll(() => count.textContent()).toBe("1");

    // The audit log, from the navigation: who did what, when, in words.
    await page.getByRole("link", { name: "Audit log" }).click();
    await page.waitForURL(`${url}/staff/audit`);
    const entries = page.locator("table.audit tbody tr");
    await entries.first().waitFor();
    expect(await entries.first().locator("td").allTextContents()).toEqual([
      expect.stringMatching(/\d/),
      "alex",
      "Changed a booking's status",
      "Consultation: New → Contacted",
    ]);
    expect(await page.locator('tr[data-action="sign_in"]').count()).toBeGreaterThan(0);
    expect(await axeViolations(page)).toEqual([]);
  });

  it("lists content gaps for a period and erases a visitor's conversation after confirmation", async () => {
    await staffSignIn("/staff/gaps");
    const tattoo = page.locator(".gap", { hasText: "Do you offer tattoo removal?" });
    await tattoo.waitFor();
    expect(await tattoo.textContent()).toContain("1 unanswered");
    // The service groups with its sentence encoder, not by shared words.
    expect((await getJson(`${url}/api/staff/gaps`, staffAuth)).body.grouping).toBe("meaning");
    expect(await page.locator(".summary").textContent()).not.toContain("shared words");
    await page.getByLabel("From", { exact: true }).fill("2000-01-01");
    await page.getByLabel("To", { exact: true }).fill("2000-01-31");
    await page.getByRole("button", { name: "Show" }).click();
    await page.waitForURL(`${url}/staff/gaps?from=2000-01-01&to=2000-01-31`);
    await page.getByText(/^No unanswered or rated-down questions from /).waitFor();

    await page.goto(`${url}/staff/conversations/${seeded.tattoo}`);
    await page.getByRole("link", { name: "Erase this visitor's data on request…" }).click();
    await page.waitForURL(`${url}/staff/erasure?sessionId=${seeded.tattoo}`);
    expect(await page.getByLabel("Conversation id").inputValue()).toBe(seeded.tattoo);
    await page.getByRole("button", { name: "Erase…" }).click();
    const dialog = page.getByRole("dialog", { name: "Erase this visitor's data?" });
    expect(await dialog.textContent()).toContain(`the conversation ${seeded.tattoo}`);
    await dialog.getByRole("button", { name: "Cancel" }).click();
    expect(
      (await getJson(`${url}/api/staff/conversations/${seeded.tattoo}`, staffAuth)).status,
    ).toBe(200);
    await page.getByRole("button", { name: "Erase…" }).click();
    await page.getByRole("button", { name: "Erase permanently" }).click();
    await page.getByText("Deleted 1 conversation and 0 bookings.").waitFor();
    expect(
      (await getJson(`${url}/api/staff/conversations/${seeded.tattoo}`, staffAuth)).status,
    ).toBe(404);

    // Signing out ends the session: the next load shows the sign-in form.
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("Staff token").waitFor();
    await page.goto(`${url}/staff`);
    await page.getByLabel("Staff token").waitFor();
  });

  it("files a visitor question under a section, and marks another unanswerable, from the transcript", async () => {
    const QUESTION = "how many days off work do ppl need after microneedling";
    const filed = await ask(url, QUESTION);
    const gap = await ask(url, "Do you have gift vouchers for a friend?");
    await staffSignIn(`/staff/conversations/${filed.sessionId}`);
    const visitor = page.locator(".msg.visitor").first();
    await visitor.getByRole("button", { name: "File under section…" }).click();
    const choice = visitor.getByLabel("Section of the articles");
    // The sections arrive with the transcript's section list: wait for them.
    await choice.locator("optgroup").first().waitFor({ state: "attached" });
    expect(
      await choice.locator("optgroup").evaluateAll((g) => g.map((e) => e.getAttribute("label"))),
    ).toEqual([
      "Booking and Consultations",
      "Contact and opening hours",
      "Revitalize Your Complexion: Why Microneedling Works",
    ]);
    await choice.selectOption({ label: "Minimal Downtime Required" });
    await visitor.getByRole("button", { name: "File question" }).click();
    await visitor
      .getByText(
        "Added to the questions of “Minimal Downtime Required”. It is used in answers after the next re-index.",
      )
      .waitFor();
    expect(await visitor.locator(".triage-state").textContent()).toMatch(
      /^Filed under “Minimal Downtime Required” \(microneedling-benefits\) by alex, /,
    );
    const bank = await getJson(`${url}/api/admin/questions`, adminAuth);
    const section = bank.body.bank.sections.find(
      (s: { heading: string }) => s.heading === "Minimal Downtime Required",
    );
    expect(section.questions.at(-1)).toBe(QUESTION);
    expect(await axeViolations(page)).toEqual([]);

    await page.goto(`${url}/staff/conversations/${gap.sessionId}`);
    const other = page.locator(".msg.visitor").first();
    await other.getByRole("button", { name: "Mark unanswerable" }).click();
    await other
      .getByText(
        "Marked unanswerable: it is listed among the content gaps as confirmed, and after the next re-index questions like it are told the articles do not cover them.",
      )
      .waitFor();
    await page.getByRole("link", { name: "Content gaps" }).click();
    const confirmed = page.locator(".gap", { hasText: "Do you have gift vouchers for a friend?" });
    await confirmed.waitFor();
    expect(await confirmed.textContent()).toContain("Confirmed gap");
    expect(await confirmed.textContent()).toContain("1 confirmed by staff");
    // The filed question is no longer a gap.
    expect(await page.locator(".gap", { hasText: QUESTION }).count()).toBe(0);
    const marked = await getJson(`${url}/api/admin/questions`, adminAuth);
    expect(marked.body.bank.unanswered.at(-1)).toBe("Do you have gift vouchers for a friend?");
    const audit = await getJson(`${url}/api/staff/audit`, staffAuth);
    expect(
      audit.body.items
        .filter(
          (e: { action: string }) =>
            e.action === "file_question" || e.action === "mark_unanswerable",
        )
        .map((e: { action: string; actor: string }) => [e.action, e.actor]),
    ).toEqual([
      ["mark_unanswerable", "alex"],
      ["file_question", "alex"],
    ]);
  });

  it("shows the requests sent from a conversation in its transcript, where they were sent, each linking to its page", async () => {
    const offer = await ask(url, "I'd like to book a consultation");
    expect(offer.handoff?.kind).toBe("booking");
    await ask(url, "Thank you!", offer.sessionId);
    const sent = await postJson(`${url}/api/bookings`, {
      type: "consultation",
      sessionId: offer.sessionId,
      messageId: offer.messageId,
      name: `Ada ${XSS}`,
      email: "ada@example.com",
      consent: true,
    });
    expect(sent.status).toBe(201);
    expect(sent.body.messageId).toBe(offer.messageId);
    const order = () =>
      page
        .locator(".messages > li")
        .evaluateAll((items) => items.map((li) => li.getAttribute("data-request") ?? li.className));

    // Sent without a reply's id (as every request before this release): after the last
    // message sent before it.
    await staffSignIn(`/staff/conversations/${seeded.acne}`);
    await page.locator(".msg.request").waitFor();
    expect(await order()).toEqual([
      "msg visitor",
      "msg bot",
      "msg visitor",
      "msg bot",
      seeded.booking,
    ]);
    expect(await page.locator(".msg.request .request-head").textContent()).toMatch(
      /^Booking request · (New|Contacted) · .+$/,
    );

    // Sent from the booking form of a reply: under that reply, not after what came later.
    await page.goto(`${url}/staff/conversations/${offer.sessionId}`);
    const block = page.locator(`.msg.request[data-request="${sent.body.id}"]`);
    await block.waitFor();
    expect(await order()).toEqual([
      "msg visitor",
      "msg bot",
      sent.body.id,
      "msg visitor",
      "msg bot",
    ]);
    expect(await block.locator(".request-head").textContent()).toMatch(
      /^Booking request · New · .+$/,
    );
    expect(await block.locator(".request-who").textContent()).toBe(
      `From Ada ${XSS} (ada@example.com)`,
    );
    expect(await axeViolations(page)).toEqual([]);

    await block.getByRole("link", { name: "Booking request" }).click();
    await page.waitForURL(`${url}/staff/bookings/${sent.body.id}`);
    const card = page.locator(`[data-booking="${sent.body.id}"]`);
    await card.getByRole("heading", { name: `Ada ${XSS}` }).waitFor();
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Booking request");
    // Its own URL: a reload (or a colleague's link) shows it again.
    await page.reload();
    await card.getByText("ada@example.com").waitFor();
    await card.getByLabel("Status").selectOption("booked");
    await card.getByRole("button", { name: "Update status" }).click();
    await card.getByText("Status set to Booked.").waitFor();
    expect(await axeViolations(page)).toEqual([]);

    await page.getByRole("link", { name: "Open the conversation" }).click();
    await page.waitForURL(`${url}/staff/conversations/${offer.sessionId}`);
    await expect
      .poll(() => block.locator(".request-head").textContent())
      .toMatch(/^Booking request · Booked · /);
    expect(await page.evaluate(() => document.querySelectorAll("img").length)).toBe(0);
  });

  // --- admin ------------------------------------------------------------------------------

  async function adminSignIn(): Promise<void> {
    await page.goto(`${url}/admin`);
    await page.getByLabel("Admin token").fill(ADMIN_TOKEN);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator("table.documents tbody tr").first().waitFor();
  }

  const ARTICLES = [
    "booking-and-consultations",
    "contact-and-opening-hours",
    "microneedling-benefits",
  ];
  const documentIds = () =>
    page
      .locator("table.documents tbody tr")
      .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-doc")));

  it("refuses the staff token with a clear message, and checks uploads before sending them", async () => {
    await page.goto(`${url}/admin`);
    await page.getByLabel("Admin token").fill(STAFF_TOKEN);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page
      .getByText("That is a staff token. The admin console needs the admin token (ADMIN_TOKEN).")
      .waitFor();
    // The browser reports the refused request itself; nothing else may fail.
    expectProblems(problems, /status of 403 \(Forbidden\)/, 1);

    await page.getByLabel("Admin token").fill(ADMIN_TOKEN);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(documentIds).toEqual(ARTICLES);
    // The page generated from the clinic profile can be viewed, not replaced or deleted here.
    const generated = page.locator('tr[data-doc="contact-and-opening-hours"]');
    expect(await generated.textContent()).toContain("Generated from clinic.json");
    expect(await generated.getByRole("link", { name: "View" }).count()).toBe(1);
    expect(await generated.getByRole("button").count()).toBe(0);
    await expect.poll(() => page.locator(".card .message[data-tone=info]").isHidden()).toBe(true);

    const upload = async (name: string, mimeType: string, buffer: Buffer) => {
      await page.getByLabel("File", { exact: true }).setInputFiles({ name, mimeType, buffer });
      await page.getByRole("button", { name: "Upload" }).click();
      return page.locator(".upload-form .message").first().textContent();
    };
    expect(await upload("brochure.pdf", "application/pdf", Buffer.from("%PDF-1.4"))).toMatch(
      /not a document the assistant can read/,
    );
    expect(await upload("empty.md", "text/markdown", Buffer.alloc(0))).toBe('"empty.md" is empty.');
    expect(await upload("huge.txt", "text/plain", Buffer.alloc(2 * 1024 * 1024 + 1, "a"))).toMatch(
      /is 2\.0 MB; a document may be at most 2 MB/,
    );
    expect(await documentIds()).toEqual(ARTICLES);
    expect(await axeViolations(page)).toEqual([]);
  });

  it("uploads an article, re-indexes it live while chat keeps answering, and the widget cites it until it is deleted", async () => {
    await adminSignIn();
    await page.getByLabel("File", { exact: true }).setInputFiles({
      name: "Cryotherapy Skin Tags.md",
      mimeType: "text/markdown",
      buffer: Buffer.from(CRYOTHERAPY),
    });
    expect(await page.getByLabel("Document id").first().inputValue()).toBe("cryotherapy-skin-tags");
    await page.getByRole("button", { name: "Upload" }).click();
    const row = page.locator('tr[data-doc="cryotherapy-skin-tags"]');
    await row.waitFor();
    expect(await row.textContent()).toContain("Not indexed");

    /** Re-indexes from the console, chatting all along; returns the progress lines shown. */
    const reindex = async (): Promise<string[]> => {
      await page.evaluate(() => {
        const line = document.querySelector(".job-line") as HTMLElement;
        const seen: string[] = [];
        (window as unknown as { seen: string[] }).seen = seen;
        new MutationObserver(() => seen.push(line.textContent ?? "")).observe(line, {
          childList: true,
          characterData: true,
          subtree: true,
        });
      });
      let chatting = true;
      const statuses: number[] = [];
      const chatter = (async () => {
        while (chatting) {
          const reply = await postJson(`${url}/api/chat`, { message: "Does it help acne scars?" });
          statuses.push(reply.status);
        }
      })();
      try {
        await page.getByRole("button", { name: "Re-index" }).click();
        await page.locator('.job-line[data-state="done"]').waitFor({ timeout: 30_000 });
      } finally {
        chatting = false;
        await chatter;
      }
      expect(statuses.length).toBeGreaterThan(0);
      expect(statuses.filter((s) => s !== 200)).toEqual([]);
      return page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    };

    // The clinic's phone number changes in the profile with the same re-index.
    const profilePath = path.join(corpusDir, "clinic.json");
    const profile = JSON.parse(await readFile(profilePath, "utf8")) as { phone: string };
    await writeFile(profilePath, JSON.stringify({ ...profile, phone: "+44 20 7946 0999" }));
    expect((await getJson(`${url}/api/clinic`)).body.phone).toBe(profile.phone);

    const progress = await reindex();
    // The contact details in service are the re-indexed profile's, as its page is.
    expect((await getJson(`${url}/api/clinic`)).body.phone).toBe("+44 20 7946 0999");
    const card = await postJson(`${url}/api/chat`, { message: "I'd like to book a consultation" });
    expect(card.body.handoff.message).toContain("+44 20 7946 0999");
    // Live progress from the /admin namespace: the phases with their counts, then the result.
    expect(progress).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Embedding passages: \d+ of \d+…$/),
        expect.stringMatching(/^Building the search index: \d+ of \d+…$/),
      ]),
    );
    expect(progress.at(-1)).toMatch(
      /^Done: 4 documents, \d+ passages \(\d+ embedded, \d+ reused\)/,
    );
    // No going back and forth ("Starting… → Waiting to start… → Starting…"): once the line
    // has moved on from a label, that label never comes back.
    const stages = progress.map((line) => line.replace(/: \d+ of \d+…$/, "…"));
    const runs = stages.filter((stage, i) => stage !== stages[i - 1]);
    expect(new Set(runs).size, JSON.stringify(runs)).toBe(runs.length);
    await expect.poll(() => row.textContent()).not.toContain("Not indexed");
    await expect.poll(() => page.locator(".stats").textContent()).toContain("Documents4");
    await page.getByText("Past re-index jobs").click();
    expect(await page.locator(".history-box tbody tr").first().textContent()).toMatch(/adminDone/);

    // The widget on the demo page answers from the new article, and cites it.
    const askWidget = async () => {
      await page.goto(`${url}/`);
      await page.getByRole("button", { name: "Open chat" }).click();
      await page.getByRole("textbox", { name: "Type your question" }).fill(CRYO_QUESTION);
      await page.keyboard.press("Enter");
      await page.locator("clinic-chat-widget .feedback").waitFor({ timeout: 15_000 });
      return page
        .locator("clinic-chat-widget .bot a.cite")
        .evaluateAll((links) => links.map((a) => (a as HTMLAnchorElement).href));
    };
    const cited = await askWidget();
    expect(cited.length).toBeGreaterThan(0);
    expect(cited[0]).toMatch(new RegExp(`^${url}/articles/cryotherapy-skin-tags#`));
    expect(await page.locator("clinic-chat-widget .sources").textContent()).toContain(
      "Cryotherapy for Skin Tags",
    );

    // Delete it (after a confirmation), re-index, and it is no longer cited.
    // The widget's next visitor starts afresh (the admin token in sessionStorage stays).
    await page.evaluate(() => {
      for (const storage of [localStorage, sessionStorage]) {
        for (const key of Object.keys(storage))
          if (key.startsWith("clinic-chat:")) storage.removeItem(key);
      }
    });
    await page.goto(`${url}/admin`);
    await row.waitFor();
    await page.getByRole("button", { name: "Delete Cryotherapy for Skin Tags" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Delete document" }).click();
    await expect.poll(documentIds).toEqual(ARTICLES);
    expect(await page.locator(".card .message[data-tone=info]").textContent()).toMatch(
      /1 document deleted since the last re-index/,
    );
    expect((await reindex()).at(-1)).toMatch(/^Done: 3 documents/);

    expect(await askWidget()).toEqual([]);
    const after = await ask(url, CRYO_QUESTION);
    expect(after.citations.map((c: { docId: string }) => c.docId)).not.toContain(
      "cryotherapy-skin-tags",
    );
    const index = await getJson(`${url}/api/admin/index`, adminAuth);
    expect(index.body.index.documents).toBe(3);
    expect(index.body.jobs.slice(0, 2).map((j: { state: string }) => j.state)).toEqual([
      "done",
      "done",
    ]);

    // A browser following the old citation (as from a restored chat) gets a readable page
    // with a way on, not the API's JSON error.
    const gone = await page.goto(cited[0] as string);
    expect(gone?.status()).toBe(404);
    expect(await page.locator("h1").textContent()).toBe("This article is not available");
    expect(await page.locator("body").textContent()).not.toContain('"error"');
    expect(await axeViolations(page)).toEqual([]);
    // The one 404 the browser reports is that expected one.
    await expect
      .poll(() => problems)
      .toEqual([expect.stringMatching(/status of 404 .*\/articles\/cryotherapy-skin-tags#/)]);
    problems.length = 0;
    await page.getByRole("link", { name: "See all our articles" }).click();
    await page.waitForURL(`${url}/articles`);
    const listed = await page.locator("main li a").allTextContents();
    expect(listed).toHaveLength(3);
    expect(listed).not.toContain("Cryotherapy for Skin Tags");
    expect(listed).toContain("Contact and opening hours");
    expect(await axeViolations(page)).toEqual([]);
  });

  it("edits the glossary: a malformed line is named, and a saved term answers after a re-index", async () => {
    await adminSignIn();
    const glossary = page.getByLabel("Terms");
    await expect.poll(() => glossary.inputValue()).toContain("injectables: botox, fillers");
    expect(await page.locator(".glossary .hint").last().textContent()).toMatch(
      /^\d+ terms\. The answers use them\. These are sample terms/,
    );
    expect(await axeViolations(page)).toEqual([]);

    const save = page.getByRole("button", { name: "Save glossary" });
    await glossary.fill("# my terms\nmelasma");
    await save.click();
    await expect
      .poll(() => page.locator(".glossary .message").textContent())
      .toMatch(/^Line 2: write the article's term, a colon/);

    const question = "can microneedling clear up my blotchmarks?";
    await glossary.fill("melasma: Blotchmarks");
    await save.click();
    await expect
      .poll(() => page.locator(".glossary .message").textContent())
      .toBe("Saved 1 term. Re-index to use them in answers.");
    expect(await page.locator(".glossary .hint").last().textContent()).toMatch(
      /^1 term\. The answers use \d+ terms until the next re-index\.$/,
    );
    expect((await ask(url, question)).grounded).toBe(false);

    await page.getByRole("button", { name: "Re-index" }).click();
    await page.locator('.job-line[data-state="done"]').waitFor({ timeout: 30_000 });
    // The card no longer asks for a re-index, and says the answers use the term.
    await expect
      .poll(() => page.locator(".glossary .message").textContent())
      .toBe("Saved 1 term. In use in answers since the re-index.");
    await expect
      .poll(() => page.locator(".glossary .hint").last().textContent())
      .toBe("1 term. The answers use them.");
    // "Try a question" shows what the term did: the lay word stood for the article's term.
    const tryCard = page.locator("form.try-question");
    await tryCard.getByLabel("Question").fill(question);
    await tryCard.getByRole("button", { name: "Try it" }).click();
    await tryCard.locator(".try-result").waitFor();
    expect(await tryCard.locator(".try-words").textContent()).toContain(
      "blotchmarks → melasma (glossary)",
    );
    expect(await tryCard.locator(".try-kind").textContent()).toBe("Answered from the articles");
    expect(await tryCard.locator(".try-passages tbody tr").first().textContent()).toContain(
      "Treating Acne Scars and Sun Spots",
    );
    expect(await axeViolations(page)).toEqual([]);
    const reply = await ask(url, question);
    expect(reply.grounded).toBe(true);
    expect(reply.citations[0].section).toBe("Treating Acne Scars and Sun Spots");
    const saved = await getJson(`${url}/api/admin/glossary`, adminAuth);
    expect(saved.body).toMatchObject({
      glossary: { sample: false, terms: [{ term: "melasma", also: ["blotchmarks"] }] },
      inService: 1,
    });
  });
});
