// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Result } from "../../web/console/http.js";
import type {
  AuditEntry,
  Booking,
  StaffApi,
  Transcript,
  TranscriptMessage,
  TriageRequest,
} from "../../web/staff/api.js";
import type { Handoff } from "../../src/answer/types.js";
import { formatDateTime } from "../../web/console/format.js";
import { startStaffConsole } from "../../web/staff/app.js";
import type { LiveHandlers } from "../../web/staff/live.js";
import type { BookingFilters } from "../../web/staff/routes.js";
import { flush, memoryStorage } from "./fakes.js";

const ID = "ltu4KTISk0ehY9u0j_YjtQ";
const XSS = "<img src=x onerror=alert(1)> <script>alert(1)</script>";
const AT = "2026-03-01T10:00:00.000Z";
const FUTURE = new Date(Date.now() + 60 * 60 * 1000).toISOString();

const ok = <T>(value: T): Promise<Result<T>> => Promise.resolve({ ok: true, value });

/** A call-back request from Kim, new, with no chat; `overrides` for the rest. */
const callback = (id: string, overrides: Partial<Booking> = {}): Booking => ({
  id,
  type: "callback",
  sessionId: null,
  messageId: null,
  name: "Kim",
  email: null,
  phone: "07700 900123",
  treatment: null,
  preferredTime: null,
  notes: null,
  status: "new",
  createdAt: AT,
  ...overrides,
});

const TRANSCRIPT: Transcript = {
  id: ID,
  bookings: [],
  startedAt: AT,
  lastAt: AT,
  reviewed: false,
  reviewedBy: null,
  reviewedAt: null,
  note: null,
  noteBy: null,
  noteAt: null,
  messages: [
    {
      id: "v1",
      role: "visitor",
      kind: null,
      text: XSS,
      citations: [],
      grounded: null,
      handoff: null,
      source: null,
      rating: null,
      latencyMs: null,
      usage: null,
      verified: null,
      triage: null,
      createdAt: AT,
    },
    {
      id: "b1",
      role: "bot",
      kind: "answer",
      text: "Peels remove dead cells. [1] Also [2]. Not [7].",
      citations: [
        {
          n: 1,
          docId: "peels",
          title: "Peels",
          section: "What a peel does",
          url: "/articles/peels#what-a-peel-does",
          snippet: `A peel removes dead cells. ${XSS}`,
        },
        {
          n: 2,
          docId: "evil",
          title: "Evil",
          section: "Link",
          url: "javascript:alert(1)",
          snippet: "x",
        },
      ],
      grounded: true,
      handoff: null,
      source: "llm",
      rating: "down",
      latencyMs: 812,
      usage: { inputTokens: 900, outputTokens: 60 },
      verified: { kept: 2, dropped: 1 },
      triage: null,
      createdAt: AT,
    },
  ],
};

const SECTIONS = [
  { docId: "peels", title: "Peels", heading: "Peels" },
  { docId: "peels", title: "Peels", heading: "What a peel does" },
  { docId: "laser", title: "Laser <b>hair</b> removal", heading: "Aftercare" },
];

function fakeApi(
  calls: string[],
  triaged: TriageRequest[] = [],
  overrides: Partial<StaffApi> = {},
): StaffApi {
  const record = (name: string) => calls.push(name);
  return {
    signIn: () => (record("signIn"), ok(null)),
    signOut: () => (record("signOut"), ok(null)),
    me: () => (record("me"), ok({ name: "alex", via: "cookie" as const, expiresAt: FUTURE })),
    conversations: () => (record("conversations"), ok({ items: [], nextCursor: null })),
    conversation: () => (record("conversation"), ok(TRANSCRIPT)),
    review: () => (
      record("review"),
      ok({ ...TRANSCRIPT, reviewed: true, reviewedBy: "alex", reviewedAt: AT })
    ),
    bookings: () => (record("bookings"), ok({ items: [], nextCursor: null })),
    booking: () => Promise.reject(new Error("not used")),
    setBookingStatus: () => Promise.reject(new Error("not used")),
    gaps: () => Promise.reject(new Error("not used")),
    erase: () => Promise.reject(new Error("not used")),
    sections: () => (record("sections"), ok({ sections: SECTIONS })),
    triage: (conversationId, messageId, request) => {
      record(`triage ${conversationId} ${messageId}`);
      triaged.push(request);
      return ok({
        triage:
          request.action === "file"
            ? { ...request, action: "filed" as const, by: "alex", at: AT }
            : { action: "unanswerable" as const, by: "alex", at: AT },
        added: true,
      });
    },
    audit: () => (record("audit"), ok({ items: [], nextCursor: null })),
    ...overrides,
  };
}

const realFetch = globalThis.fetch;
let root: HTMLElement;
let calls: string[];
let live: LiveHandlers | undefined;
const connect = (handlers: LiveHandlers) => {
  live = handlers;
  return { close: () => undefined };
};

beforeEach(() => {
  root = document.createElement("div");
  document.body.replaceChildren(root);
  calls = [];
  live = undefined;
  // The clinic's name in the header; not what these tests look at.
  globalThis.fetch = () => Promise.resolve(new Response("{}", { status: 404 }));
});
afterEach(() => {
  document.body.replaceChildren();
  globalThis.fetch = realFetch;
});

describe("staff console in the DOM", () => {
  it("shows the sign-in form at once when this browser holds no session, without a 401", async () => {
    history.replaceState(null, "", "/staff");
    startStaffConsole({ root, api: fakeApi(calls), persistent: memoryStorage(), connect });
    await flush();
    expect(root.querySelector("input[type=password]")).not.toBeNull();
    expect(calls).toEqual([]);

    (root.querySelector("input[type=password]") as HTMLInputElement).value = "token";
    root.querySelector("form")?.dispatchEvent(new Event("submit", { cancelable: true }));
    await flush();
    expect(calls).toEqual(["signIn", "me", "conversations"]);
    expect(root.querySelector(".who")?.textContent).toBe("Signed in as alex");
  });

  it("counts live bookings, call-backs and clinician handoffs as unread, in the tab title too", async () => {
    history.replaceState(null, "", "/staff");
    const persistent = memoryStorage({ "staff-console:session-until": FUTURE });
    startStaffConsole({ root, api: fakeApi(calls), persistent, storage: memoryStorage(), connect });
    await flush();
    expect(calls[0]).toBe("me");
    const count = () => root.querySelector(".notices-button .count") as HTMLElement;
    expect(count().hidden).toBe(true);
    live?.state("live");
    live?.["booking:new"]({ id: "b1", type: "callback", createdAt: AT });
    live?.["handoff:new"]({ conversationId: ID, messageId: "m1", kind: "staff", at: AT });
    live?.["handoff:new"]({ conversationId: ID, messageId: "m2", kind: "clinician", at: AT });
    expect(count().hidden).toBe(false);
    expect(count().textContent).toBe("2");
    expect(document.title).toBe("(2) Staff console");
    expect(root.querySelector(".live-state")?.textContent).toBe("Live");
  });

  it("tags a conversation in the list with every kind of handoff it had, not only the latest", async () => {
    history.replaceState(null, "", "/staff/conversations");
    const persistent = memoryStorage({ "staff-console:session-until": FUTURE });
    const summary = {
      id: ID,
      startedAt: AT,
      lastAt: AT,
      messages: 4,
      firstQuestion: "Can I book? I'm also on isotretinoin",
      handoff: "booking" as const,
      handoffs: ["clinician" as const, "booking" as const],
      grounded: true,
      rating: null,
      reviewed: false,
    };
    const api = fakeApi(calls, [], {
      conversations: () => ok({ items: [summary], nextCursor: null }),
    });
    startStaffConsole({ root, api, persistent, connect });
    await flush();
    await flush();
    const badges = [...root.querySelectorAll(".conv-link .badge")].map((b) => b.textContent);
    expect(badges).toEqual(["Clinician", "Booking"]);
  });

  it("renders a transcript's text as text, its facts, and only http(s) citation links", async () => {
    history.replaceState(null, "", `/staff/conversations/${ID}`);
    const persistent = memoryStorage({ "staff-console:session-until": FUTURE });
    startStaffConsole({ root, api: fakeApi(calls), persistent, connect });
    await flush();
    await flush();
    const transcript = root.querySelector("article.transcript") as HTMLElement;
    expect(transcript.querySelector(".msg.visitor .msg-text")?.textContent).toBe(XSS);
    expect(root.querySelectorAll("img, script")).toHaveLength(0);
    const bot = transcript.querySelector(".msg.bot") as HTMLElement;
    expect([...bot.querySelectorAll(".cite-mark")].map((m) => m.textContent)).toEqual([
      "[1]",
      "[2]",
    ]);
    expect(bot.querySelector(".msg-text")?.textContent).toBe(
      "Peels remove dead cells. [1] Also [2]. Not [7].",
    );
    const passages = [...bot.querySelectorAll(".passage")];
    expect(passages[0]?.querySelector("a")?.getAttribute("href")).toMatch(
      /\/articles\/peels#what-a-peel-does$/,
    );
    expect(passages[0]?.querySelector(".snippet")?.textContent).toContain(XSS);
    // A javascript: URL is shown as text, not as a link.
    expect(passages[1]?.querySelector("a")).toBeNull();
    const facts = bot.querySelector(".facts")?.textContent ?? "";
    expect(facts).toContain("SourceLLM");
    expect(facts).toContain("Tokens900 in · 60 out");
    expect(facts).toContain("Verified2 sentences kept · 1 dropped");
    expect(facts).toContain("Latency812 ms");
    expect(facts).toContain("FeedbackThumbs down");

    (root.querySelector(".review button") as HTMLButtonElement).click();
    await flush();
    expect(calls).toContain("review");
    expect(root.querySelector(".review-state")?.textContent).toMatch(/^Reviewed by alex, /);
  });

  it("labels each bot message by what it is, and fixed messages as not from the articles", async () => {
    const [visitor, answer] = TRANSCRIPT.messages as [TranscriptMessage, TranscriptMessage];
    const fixed = (id: string, kind: TranscriptMessage["kind"], handoff: Handoff | null) => ({
      ...answer,
      id,
      kind,
      text: "A fixed message.",
      citations: [],
      grounded: false,
      handoff,
      source: "extractive",
      usage: null,
      verified: null,
    });
    const messages = [
      visitor,
      answer,
      visitor,
      fixed("b2", "booking", { kind: "booking", message: "Leave your details" }),
      visitor,
      fixed("b3", "urgent", { kind: "clinician", message: "Call us" }),
      visitor,
      fixed("b4", "greeting", null),
      visitor,
      fixed("b5", "no-answer", { kind: "staff", message: "Contact us" }),
    ];
    history.replaceState(null, "", `/staff/conversations/${ID}`);
    const persistent = memoryStorage({ "staff-console:session-until": FUTURE });
    const api = fakeApi(calls, [], { conversation: () => ok({ ...TRANSCRIPT, messages }) });
    startStaffConsole({ root, api, persistent, connect });
    await flush();
    await flush();
    const facts = [...root.querySelectorAll(".msg.bot .facts")].map((f) => f.textContent ?? "");
    expect(facts).toHaveLength(5);
    expect(facts[0]).toContain("ReplyAnswer, cited");
    expect(facts[0]).toContain("SourceLLM");
    for (const [i, label] of [
      [1, "Booking handoff"],
      [2, "Urgent-care advice"],
      [3, "Greeting"],
      [4, "No answer found"],
    ] as const) {
      expect(facts[i]).toContain(`Reply${label}`);
      expect(facts[i]).toContain("SourceFixed message (not from the articles)");
      expect(facts[i]).not.toContain("Extractive");
    }
  });

  it("shows each request sent from the conversation in place, with its status and a link to it, as text", async () => {
    const [visitor, answer] = TRANSCRIPT.messages as [TranscriptMessage, TranscriptMessage];
    const at = (minute: number) => `2026-03-01T10:${String(minute).padStart(2, "0")}:00.000Z`;
    const offer: TranscriptMessage = {
      ...answer,
      id: "b2",
      kind: "booking",
      text: "Of course.",
      citations: [],
      grounded: false,
      handoff: { kind: "booking", message: "Leave your details in the booking form." },
      source: "extractive",
      createdAt: at(5),
    };
    const messages = [
      visitor,
      answer,
      { ...visitor, id: "v2", text: "Can I book?", createdAt: at(4) },
      offer,
      { ...visitor, id: "v3", text: "Thanks", createdAt: at(10) },
      { ...answer, id: "b3", createdAt: at(10) },
    ];
    const request = (id: string, overrides: Partial<Booking>): Booking =>
      callback(id, { sessionId: ID, createdAt: at(7), ...overrides });
    const bookings = [
      // Sent from the offer's form, after the rest of the conversation.
      request("linked", {
        type: "consultation",
        messageId: "b2",
        name: `Jane ${XSS}`,
        email: "jane@example.com",
        phone: null,
        status: "contacted",
        createdAt: at(20),
      }),
      // Sent without a reply's id (before requests named one): after the message before it.
      request("unlinked", {}),
      request("first", { createdAt: "2026-03-01T09:00:00.000Z" }),
    ];
    history.replaceState(null, "", `/staff/conversations/${ID}`);
    const persistent = memoryStorage({ "staff-console:session-until": FUTURE });
    const api = fakeApi(calls, [], {
      conversation: () => ok({ ...TRANSCRIPT, messages, bookings }),
      booking: (id) => {
        calls.push(`booking ${id}`);
        const booking = bookings.find((b) => b.id === id) as Booking;
        return ok({ ...booking, history: [] });
      },
    });
    startStaffConsole({ root, api, persistent, connect });
    await flush();
    await flush();

    const items = [...root.querySelectorAll(".messages > li")] as HTMLElement[];
    expect(items.map((li) => li.dataset.request ?? li.className)).toEqual([
      "first",
      "msg visitor",
      "msg bot",
      "msg visitor",
      "msg bot",
      "unlinked",
      "linked",
      "msg visitor",
      "msg bot",
    ]);
    const block = root.querySelector('[data-request="linked"]') as HTMLElement;
    const head = block.querySelector(".request-head") as HTMLElement;
    expect(head.textContent).toBe(`Booking request · Contacted · ${formatDateTime(at(20))}`);
    expect(head.querySelector("time")?.getAttribute("datetime")).toBe(at(20));
    expect(head.querySelector(".badge")?.className).toBe("badge status-contacted");
    const link = head.querySelector("a") as HTMLAnchorElement;
    expect(link.getAttribute("href")).toBe("/staff/bookings/linked");
    expect(block.querySelector(".request-who")?.textContent).toBe(
      `From Jane ${XSS} (jane@example.com)`,
    );
    expect(root.querySelector('[data-request="unlinked"] .request-head')?.textContent).toMatch(
      /^Call-back request · New · /,
    );
    expect(root.querySelectorAll("img, script")).toHaveLength(0);

    // The link's page shows that request. (A console of its own: the earlier tests' consoles
    // hear Back and Forward too, and their APIs have no bookings.)
    history.replaceState(null, "", link.getAttribute("href"));
    root.replaceChildren();
    startStaffConsole({ root, api, persistent, connect });
    await flush();
    await flush();
    expect(calls).toContain("booking linked");
    expect(root.querySelector("h1")?.textContent).toBe("Booking request");
    const card = root.querySelector('.booking[data-booking="linked"]') as HTMLElement;
    expect(card.querySelector("h2")?.textContent).toBe(`Jane ${XSS}`);
    expect(card.querySelector('a[href^="mailto:"]')?.textContent).toBe("jane@example.com");
    expect(root.querySelector(".back-link")?.getAttribute("href")).toBe("/staff/bookings");
    const nav = [...root.querySelectorAll(".sections a")].find((a) => a.textContent === "Bookings");
    expect(nav?.getAttribute("aria-current")).toBe("page");
    expect(root.querySelectorAll("img, script")).toHaveLength(0);
  });

  it("says so when a linked request no longer exists", async () => {
    history.replaceState(null, "", "/staff/bookings/gone");
    const persistent = memoryStorage({ "staff-console:session-until": FUTURE });
    const api = fakeApi(calls, [], {
      booking: () =>
        Promise.resolve({
          ok: false as const,
          status: 404,
          code: "not_found",
          message: "No such booking",
        }),
    });
    startStaffConsole({ root, api, persistent, connect });
    await flush();
    await flush();
    expect(root.querySelector(".page .message")?.textContent).toBe(
      "This request no longer exists: it may have been erased, or closed and removed by retention.",
    );
    // Not the list: one request was asked for.
    expect(calls).not.toContain("bookings");
  });

  it("files a visitor question under a chosen section, and marks one unanswerable", async () => {
    history.replaceState(null, "", `/staff/conversations/${ID}`);
    const persistent = memoryStorage({ "staff-console:session-until": FUTURE });
    const triaged: TriageRequest[] = [];
    startStaffConsole({ root, api: fakeApi(calls, triaged), persistent, connect });
    await flush();
    await flush();
    const visitor = root.querySelector(".msg.visitor") as HTMLElement;
    const bot = root.querySelector(".msg.bot") as HTMLElement;
    // Only the visitor's question can be filed or marked.
    expect(bot.querySelector(".triage")).toBeNull();
    const button = (name: string) =>
      [...visitor.querySelectorAll("button")].find((b) => b.textContent === name) as
        HTMLButtonElement | undefined;

    button("File under section…")?.click();
    await flush();
    const select = visitor.querySelector("select") as HTMLSelectElement;
    const form = visitor.querySelector(".file-form") as HTMLFormElement;
    expect(form.hidden).toBe(false);
    expect([...select.querySelectorAll("optgroup")].map((g) => g.label)).toEqual([
      "Peels",
      "Laser <b>hair</b> removal",
    ]);
    expect([...select.options].map((o) => o.textContent)).toEqual([
      "Choose a section…",
      "Peels (introduction)",
      "What a peel does",
      "Aftercare",
    ]);
    expect(root.querySelectorAll("b")).toHaveLength(0);

    // Without a choice: said, nothing sent.
    form.dispatchEvent(new Event("submit", { cancelable: true }));
    await flush();
    expect(visitor.querySelector(".message")?.textContent).toBe(
      "Choose the section that answers this question.",
    );
    expect(triaged).toEqual([]);

    select.selectedIndex = 2;
    form.dispatchEvent(new Event("submit", { cancelable: true }));
    await flush();
    expect(calls).toContain(`triage ${ID} v1`);
    expect(triaged).toEqual([{ action: "file", docId: "peels", heading: "What a peel does" }]);
    expect(form.hidden).toBe(true);
    expect(visitor.querySelector(".triage-state")?.textContent).toMatch(
      /^Filed under “What a peel does” \(peels\) by alex, /,
    );
    expect(visitor.querySelector(".message")?.textContent).toBe(
      "Added to the questions of “What a peel does”. It is used in answers after the next re-index.",
    );

    button("Mark unanswerable")?.click();
    await flush();
    expect(triaged.at(-1)).toEqual({ action: "unanswerable" });
    expect(visitor.querySelector(".triage-state")?.textContent).toMatch(
      /^Unanswerable confirmed as a content gap by alex, /,
    );
    expect(button("Mark unanswerable")?.hidden).toBe(true);
    // The visitor's text is still text.
    expect(visitor.querySelector(".msg-text")?.textContent).toBe(XSS);
    expect(root.querySelectorAll("img, script")).toHaveLength(0);
  });

  it("adds a live request that fits the filters to the bookings list, keeping the filters and the cards shown", async () => {
    history.replaceState(null, "", "/staff/bookings?type=callback");
    const booking = (id: string, minute: number, name: string): Booking =>
      callback(id, { name, createdAt: `2026-03-01T10:${String(minute).padStart(2, "0")}:00.000Z` });
    // The server's bookings, newest first: the test adds to it as visitors book.
    let stored = [booking("old", 0, "Kim")];
    const asked: BookingFilters[] = [];
    const api = fakeApi(calls, [], {
      bookings: (filters) => {
        asked.push(filters);
        return ok({
          items: stored.filter((b) => !filters.type || b.type === filters.type),
          nextCursor: null,
        });
      },
      booking: (id) => ok({ ...booking(id, 0, "Kim"), history: [] }),
    });
    const persistent = memoryStorage({ "staff-console:session-until": FUTURE });
    startStaffConsole({ root, api, persistent, storage: memoryStorage(), connect });
    await flush();
    await flush();
    const names = () => [...root.querySelectorAll(".booking h2")].map((e) => e.textContent);
    expect(names()).toEqual(["Kim"]);

    // Staff are in the middle of something on the card shown.
    const card = root.querySelector('[data-booking="old"]') as HTMLElement;
    const historyBox = card.querySelector("details") as HTMLDetailsElement;
    historyBox.open = true;
    historyBox.dispatchEvent(new Event("toggle"));
    const status = card.querySelector("select") as HTMLSelectElement;
    status.value = "booked";
    status.focus();
    const typeFilter = root.querySelector('.filters select[name="type"]') as HTMLSelectElement;
    await flush();

    // A consultation does not fit "call-backs only": the list is not asked again.
    stored = [{ ...booking("c1", 1, "Ola"), type: "consultation" }, ...stored];
    live?.["booking:new"]({ id: "c1", type: "consultation", createdAt: AT });
    await flush();
    expect(asked).toHaveLength(1);

    stored = [booking("new1", 2, `Sam ${XSS}`), ...stored];
    live?.["booking:new"]({ id: "new1", type: "callback", createdAt: AT });
    // Two events at once ask once more, not twice.
    stored = [booking("new2", 3, "Jo"), ...stored];
    live?.["booking:new"]({ id: "new2", type: "callback", createdAt: AT });
    await flush();
    await flush();
    expect(asked).toEqual([{ type: "callback" }, { type: "callback" }]);
    expect(names()).toEqual(["Jo", `Sam ${XSS}`, "Kim"]);
    expect(root.querySelectorAll("img, script")).toHaveLength(0);
    // The same card, as it was: history open, the status being chosen, focus on it.
    expect(root.querySelector('[data-booking="old"]')).toBe(card);
    expect(historyBox.open).toBe(true);
    expect(status.value).toBe("booked");
    expect(document.activeElement).toBe(status);
    expect(root.querySelector('.filters select[name="type"]')).toBe(typeFilter);
    expect(location.pathname + location.search).toBe("/staff/bookings?type=callback");
    expect(root.querySelector(".summary")?.textContent).toBe("Showing 3 requests.");
    // In the list in front of staff: not unread; the one the filters hide still is.
    expect((root.querySelector(".notices-button .count") as HTMLElement).textContent).toBe("1");

    // Another view does not hear the bookings' events.
    history.pushState(null, "", "/staff/audit");
    window.dispatchEvent(new PopStateEvent("popstate"));
    live?.["booking:new"]({ id: "new3", type: "callback", createdAt: AT });
    await flush();
    expect(asked).toHaveLength(2);
  });

  it("pages the audit log with the API's cursor, in words and as text, from the navigation", async () => {
    history.replaceState(null, "", "/staff");
    const entry = (id: string, action: string, details: AuditEntry["details"], actor = "alex") =>
      ({ id, at: AT, actor, action, details }) as AuditEntry;
    const cursors: (string | undefined)[] = [];
    const api = fakeApi(calls, [], {
      audit: (cursor) => {
        cursors.push(cursor);
        return cursor === undefined
          ? ok({
              items: [
                entry("1", "booking_status", { from: "new", to: "contacted", type: "callback" }),
                entry("2", "review", { reviewed: true, note: "saved" }),
                entry("3", "file_question", { docId: "peels", heading: XSS, added: true }, XSS),
                entry("4", "erasure", {
                  conversations: 1,
                  bookings: 2,
                  matchedBy: ["email", "phone"],
                }),
              ],
              nextCursor: "page-2",
            })
          : ok({
              items: [
                entry("5", "export", { format: "csv", filters: ["grounded", "q"] }),
                entry("6", "retention", { conversations: 3, bookings: 0, cutoff: AT }, "system"),
                entry("7", "sign_in", {}),
                entry("8", "something_new", { note: XSS }),
              ],
              nextCursor: null,
            });
      },
    });
    const persistent = memoryStorage({ "staff-console:session-until": FUTURE });
    startStaffConsole({ root, api, persistent, connect });
    await flush();
    const link = [...root.querySelectorAll(".sections a")].find(
      (a) => a.textContent === "Audit log",
    ) as HTMLAnchorElement;
    expect(link.getAttribute("href")).toBe("/staff/audit");
    // As a click on it does (the earlier tests' consoles hear clicks on the document too).
    history.pushState(null, "", link.getAttribute("href"));
    window.dispatchEvent(new PopStateEvent("popstate"));
    await flush();
    expect(location.pathname).toBe("/staff/audit");
    expect(link.getAttribute("aria-current")).toBe("page");
    expect(document.activeElement?.textContent).toBe("Audit log");

    const rows = () =>
      [...root.querySelectorAll("table.audit tbody tr")].map((tr) =>
        [...tr.querySelectorAll("td")].slice(1).map((td) => td.textContent),
      );
    expect(rows()).toEqual([
      ["alex", "Changed a booking's status", "Call-back: New → Contacted"],
      ["alex", "Reviewed a conversation", "Marked reviewed and note saved"],
      [XSS, "Filed a visitor question", `Under “${XSS}” (peels)`],
      [
        "alex",
        "Erased a visitor's data on request",
        "1 conversation and 2 bookings deleted, found by email address and phone number",
      ],
    ]);
    expect(root.querySelector("table.audit time")?.getAttribute("datetime")).toBe(AT);
    expect(root.querySelector(".summary")?.textContent).toBe("Showing 4 entries.");

    const more = [...root.querySelectorAll("button")].find(
      (b) => b.textContent === "Load more",
    ) as HTMLButtonElement;
    expect(more.hidden).toBe(false);
    more.click();
    await flush();
    expect(cursors).toEqual([undefined, "page-2"]);
    expect(rows().slice(4)).toEqual([
      ["alex", "Exported conversations", "CSV, filtered by answers and search"],
      [
        "The service (scheduled)",
        "Deleted old data (retention)",
        expect.stringMatching(/^3 conversations and 0 bookings from before /),
      ],
      ["alex", "Signed in", "—"],
      ["alex", "something_new", `note: ${XSS}`],
    ]);
    expect(more.hidden).toBe(true);
    expect(root.querySelector(".summary")?.textContent).toBe("Showing 8 entries, all there are.");
    // Focus goes on to the first new entry, not lost with the button.
    expect(document.activeElement).toBe(root.querySelectorAll("table.audit tbody tr")[4]);
    expect(root.querySelectorAll("img, script")).toHaveLength(0);
  });
});
