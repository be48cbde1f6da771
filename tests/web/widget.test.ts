// @vitest-environment happy-dom
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createApi, type RestoredMessage } from "../../web/widget/api.js";
import { DEFAULTS, type WidgetConfig } from "../../web/widget/config.js";
import { formatSentAt, requestSentText, TEXT } from "../../web/widget/messages.js";
import { type MountedWidget, mountWidget } from "../../web/widget/view.js";
import { CITATION, done, fakeApi, FakeSocket, flush, memoryStorage, SESSION } from "./fakes.js";

const CONFIG: WidgetConfig = { ...DEFAULTS, server: "http://127.0.0.1:3000" };

let widget: MountedWidget | undefined;
afterEach(() => {
  widget?.destroy();
  widget = undefined;
});

function mount(
  options: { api?: ReturnType<typeof fakeApi>; storage?: ReturnType<typeof memoryStorage> } = {},
) {
  const socket = new FakeSocket();
  const api = options.api ?? fakeApi();
  const storage = options.storage ?? memoryStorage();
  widget = mountWidget({ config: CONFIG, connect: () => socket, api: api.api, storage });
  const root = widget.root;
  const $ = <T extends Element = HTMLElement>(selector: string) =>
    root.querySelector(selector) as T | null;
  const $$ = (selector: string) => [...root.querySelectorAll(selector)] as HTMLElement[];
  const button = (name: string) =>
    $$("button").find(
      (b) => b.getAttribute("aria-label") === name || b.textContent?.trim() === name,
    ) as HTMLButtonElement | undefined;
  const textarea = () => $<HTMLTextAreaElement>("textarea") as HTMLTextAreaElement;
  const press = (key: string, init: KeyboardEventInit = {}) =>
    textarea().dispatchEvent(
      new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true, ...init }),
    );
  const ask = async (text: string) => {
    textarea().value = text;
    press("Enter");
    await flush();
  };
  return { socket, api, storage, root, $, $$, button, textarea, press, ask, widget };
}

describe("widget", () => {
  it("mounts in a shadow root with a launcher named Open chat", () => {
    const w = mount();
    expect(w.widget.host.tagName.toLowerCase()).toBe("clinic-chat-widget");
    expect(w.widget.host.shadowRoot).toBe(w.root);
    const launcher = w.button("Open chat");
    expect(launcher?.getAttribute("aria-expanded")).toBe("false");
    expect(w.$(".panel")?.hidden).toBe(true);
  });

  it("opens a panel with the notice, privacy link, greeting, suggestions, log and labelled box", async () => {
    const w = mount();
    w.button("Open chat")?.click();
    await flush();
    const panel = w.$(".panel");
    expect(panel?.hidden).toBe(false);
    expect(panel?.getAttribute("role")).toBe("dialog");
    expect(w.$(".notice")?.textContent).toContain("automated assistant");
    expect(w.$<HTMLAnchorElement>(".notice a")?.href).toBe("https://clinic.example/privacy");
    expect(w.$(".subtitle")?.textContent).toBe("Lumen Skin Clinic");
    expect(w.$(".greeting")?.textContent).toBe(DEFAULTS.greeting);
    expect(w.$$(".suggestions button")).toHaveLength(4);
    const log = w.$(".log");
    expect(log?.getAttribute("role")).toBe("log");
    expect(log?.getAttribute("aria-live")).toBe("polite");
    const label = w.$$("label").find((l) => l.textContent === "Type your question");
    expect(label?.getAttribute("for")).toBe(w.textarea().id);
    expect(w.button("Send")).toBeTruthy();
    expect(w.root.activeElement).toBe(w.textarea());
    // The launcher, now "Close chat" too, follows the panel: Tab from Send reaches it.
    const launcher = w.$(".launcher");
    expect(launcher?.getAttribute("aria-label")).toBe("Close chat");
    expect(launcher?.getAttribute("aria-expanded")).toBe("true");
    expect(panel?.nextElementSibling).toBe(launcher);
  });

  it("closes on Escape and gives focus back to the launcher", async () => {
    const w = mount();
    w.button("Open chat")?.click();
    w.press("Escape");
    expect(w.$(".panel")?.hidden).toBe(true);
    expect(w.root.activeElement).toBe(w.button("Open chat"));
  });

  it("sends on Enter but not on Shift+Enter, then streams the answer after a typing indicator", async () => {
    const w = mount();
    w.button("Open chat")?.click();
    w.textarea().value = "Does it help\nacne scars?";
    w.press("Enter", { shiftKey: true });
    await flush();
    expect(w.socket.sent).toHaveLength(0);
    w.press("Enter");
    await flush();
    expect(w.socket.last().payload.message).toBe("Does it help\nacne scars?");
    expect(w.textarea().value).toBe("");
    expect(w.$(".visitor")?.textContent).toBe("You: Does it help\nacne scars?");
    expect(w.$$(".suggestions")).toHaveLength(0);

    w.socket.last().ack({ ok: true, sessionId: SESSION, messageId: "m1" });
    await flush();
    expect(w.$(".bot .typing")).toBeTruthy();
    expect(w.button("Send")?.getAttribute("aria-disabled")).toBe("true");

    w.socket.emit("chat:delta", { messageId: "m1", delta: "It is effective " });
    expect(w.$(".bot .typing")).toBeNull();
    expect(w.$(".bot .bubble")?.getAttribute("aria-busy")).toBe("true");
    expect(w.$(".bot .bubble")?.textContent).toBe("Assistant: It is effective ");
    w.socket.emit("chat:delta", { messageId: "m1", delta: "for scars. [1]" });
    w.socket.emit(
      "chat:done",
      done("m1", "It is effective for scars. [1]", { citations: [CITATION] }),
    );

    const bubble = w.$(".bot .bubble");
    expect(bubble?.getAttribute("aria-busy")).toBeNull();
    expect(w.$<HTMLAnchorElement>(".bot a.cite")?.href).toBe(
      "http://127.0.0.1:3000/articles/microneedling-benefits#treating-acne-scars",
    );
    expect(w.$(".sources")?.textContent).toContain("Treating Acne Scars");
    expect(w.button("Helpful")).toBeTruthy();
    expect(w.button("Send")?.getAttribute("aria-disabled")).toBeNull();
  });

  it("renders hostile text from the visitor and the bot as text", async () => {
    const w = mount();
    w.button("Open chat")?.click();
    const hostile = '<img src=x onerror="window.pwned=1"><script>window.pwned=1</script>';
    await w.ask(hostile);
    w.socket.last().ack({ ok: true, sessionId: SESSION, messageId: "m1" });
    await flush();
    w.socket.emit("chat:delta", { messageId: "m1", delta: hostile });
    w.socket.emit(
      "chat:done",
      done("m1", `${hostile} [1]`, {
        citations: [{ ...CITATION, title: hostile, snippet: hostile }],
      }),
    );
    expect(w.root.querySelector(".log img, .log script")).toBeNull();
    expect(w.$(".visitor")?.textContent).toContain(hostile);
    expect(w.$(".bot .bubble")?.textContent).toContain(hostile);
  });

  it("rates an answer through the feedback API", async () => {
    const w = mount();
    w.button("Open chat")?.click();
    await w.ask("hello");
    w.socket.last().ack({ ok: true, sessionId: SESSION, messageId: "m1" });
    await flush();
    w.socket.emit("chat:done", done("m1", "Hello!"));
    w.button("Not helpful")?.click();
    await flush();
    expect(w.api.calls.find((c) => c.name === "feedback")?.body).toEqual({
      sessionId: SESSION,
      messageId: "m1",
      rating: "down",
    });
    expect(w.button("Not helpful")?.getAttribute("aria-pressed")).toBe("true");
    expect(w.button("Helpful")?.getAttribute("aria-pressed")).toBe("false");
    expect(w.$(".feedback .thanks")?.textContent).toBe(TEXT.feedbackThanks);
  });

  it("offers the booking form and a Book online link on a booking handoff", async () => {
    const w = mount();
    w.button("Open chat")?.click();
    await w.ask("I'd like to book");
    w.socket.last().ack({ ok: true, sessionId: SESSION, messageId: "m1" });
    await flush();
    w.socket.emit(
      "chat:done",
      done("m1", "Of course.", {
        grounded: false,
        handoff: {
          kind: "booking",
          message: "Leave your details in the booking form.",
          bookingUrl: "https://clinic.example/book",
        },
      }),
    );
    await flush();
    expect(w.$(".handoff")?.textContent).toContain("Leave your details in the booking form.");
    const online = w.$$("a").find((a) => a.textContent === "Book online") as HTMLAnchorElement;
    expect(online.href).toBe("https://clinic.example/book");
    expect(w.$(".handoff form")).toBeTruthy();
    expect(w.button("Send booking request")).toBeTruthy();
  });

  it("shows the clinic's contact details and a call-back form on a clinician handoff", async () => {
    const w = mount();
    w.button("Open chat")?.click();
    await w.ask("I'm pregnant, is it safe?");
    w.socket.last().ack({ ok: true, sessionId: SESSION, messageId: "m1" });
    await flush();
    w.socket.emit(
      "chat:done",
      done("m1", "That needs a clinician.", {
        grounded: false,
        handoff: { kind: "clinician", message: "Please contact the clinic." },
      }),
    );
    await flush();
    const handoff = w.$(".handoff");
    expect(handoff?.textContent).toContain("+44 20 7946 0000");
    expect(w.$<HTMLAnchorElement>('.handoff a[href^="tel:"]')?.getAttribute("href")).toBe(
      "tel:+442079460000",
    );
    expect(w.$<HTMLAnchorElement>('.handoff a[href^="mailto:"]')?.textContent).toBe(
      "hello@clinic.example",
    );
    expect(handoff?.textContent).toContain("1 Example Street");
    w.button("Request a call back")?.click();
    const inputs = w.$$(".handoff form input") as HTMLInputElement[];
    expect(inputs.map((i) => i.name)).toEqual(["name", "email", "phone", "consent"]);
    const [name, , phone, consent] = inputs as [
      HTMLInputElement,
      HTMLInputElement,
      HTMLInputElement,
      HTMLInputElement,
    ];
    name.value = "Sam";
    phone.value = "+44 20 7946 0000";
    consent.checked = true;
    w.$(".handoff form")?.dispatchEvent(new Event("submit", { cancelable: true }));
    await flush();
    expect(w.api.calls.find((c) => c.name === "booking")?.body).toEqual({
      type: "callback",
      sessionId: SESSION,
      // The reply that offered the form: the service remembers that it was sent from it.
      messageId: "m1",
      name: "Sam",
      phone: "+44 20 7946 0000",
      consent: true,
    });
    expect(w.$(".handoff .confirmation")).toBeTruthy();
  });

  it("shows a dropped connection and the reconnection", async () => {
    const w = mount();
    w.button("Open chat")?.click();
    await flush();
    w.socket.emit("connect");
    w.socket.emit("disconnect", "transport close");
    const status = w.$('[role="status"].status');
    expect(status?.textContent).toBe(TEXT.reconnecting);
    expect(status?.hidden).toBe(false);
    w.socket.emit("connect");
    expect(status?.textContent).toBe(TEXT.reconnected);
  });

  it("restores the conversation on the next page view, with the last handoff still actionable", async () => {
    const storage = memoryStorage();
    const messages: RestoredMessage[] = [
      { id: "v1", role: "visitor", text: "Does it help?", citations: [], handoff: null },
      { id: "b1", role: "bot", text: "Yes. [1]", citations: [CITATION], handoff: null },
      { id: "v2", role: "visitor", text: "Book me in", citations: [], handoff: null },
      {
        id: "b2",
        role: "bot",
        text: "Of course.",
        citations: [],
        handoff: { kind: "booking", message: "Leave your details." },
      },
    ];
    const api = fakeApi({ conversation: () => Promise.resolve({ ok: true, value: messages }) });
    const first = mount({ storage, api });
    first.widget.destroy();
    // The previous page view had a conversation.
    storage.setItem(
      `clinic-chat:v1:${CONFIG.server}`,
      JSON.stringify({ sessionId: SESSION, ratings: { b1: "up" }, sent: [] }),
    );
    const w = mount({ storage, api });
    w.button("Open chat")?.click();
    await flush();
    await flush();
    expect(w.$$(".visitor").map((e) => e.textContent)).toEqual([
      "You: Does it help?",
      "You: Book me in",
    ]);
    expect(w.$(".bot a.cite")).toBeTruthy();
    expect(w.$$(".suggestions")).toHaveLength(0);
    expect(w.$$(".handoff form")).toHaveLength(1);
    expect(w.button("Helpful")?.getAttribute("aria-pressed")).toBe("true");
  });
});

describe("widget after a reload, with requests sent", () => {
  const SENT_AT = "2026-03-03T10:02:00.000Z";
  const messages: RestoredMessage[] = [
    { id: "v1", role: "visitor", text: "Book me in", citations: [], handoff: null },
    {
      id: "b1",
      role: "bot",
      text: "Of course.",
      citations: [],
      handoff: {
        kind: "booking",
        message: "Leave your details in the booking form.",
        bookingUrl: "https://clinic.example/book",
      },
      request: { kind: "consultation", sentAt: SENT_AT },
    },
    { id: "v2", role: "visitor", text: "I'm pregnant, is it safe?", citations: [], handoff: null },
    {
      id: "b2",
      role: "bot",
      text: "That needs a clinician.",
      citations: [],
      handoff: { kind: "clinician", message: "Please contact the clinic." },
      request: { kind: "callback", sentAt: SENT_AT },
    },
  ];

  async function reload(restored: RestoredMessage[]) {
    const storage = memoryStorage({
      [`clinic-chat:v1:${CONFIG.server}`]: JSON.stringify({ sessionId: SESSION, ratings: {} }),
    });
    const api = fakeApi({ conversation: () => Promise.resolve({ ok: true, value: restored }) });
    const w = mount({ storage, api });
    w.button("Open chat")?.click();
    await flush();
    await flush();
    return w;
  }

  it("shows in each handoff card when its request was sent, instead of the form, and no form again", async () => {
    const w = await reload(messages);
    const [booking, callback] = w.$$(".handoff");
    const when = formatSentAt(SENT_AT);
    expect(booking?.querySelector(".confirmation")?.textContent).toBe(
      `Your booking request was sent on ${when}. Our team will contact you to confirm a time.`,
    );
    expect(callback?.querySelector(".confirmation")?.textContent).toBe(
      `Your call-back request was sent on ${when}. A member of our team will get back to you soon.`,
    );
    // What was sent, never who sent it: the service does not give the details back.
    expect(w.$$("form.request-form")).toHaveLength(0);
    expect(w.button("Request a call back")).toBeUndefined();
    expect(w.button("Send booking request")).toBeUndefined();
    // The rest of the cards stays: the clinic's contact details, the booking page.
    expect(callback?.textContent).toContain("+44 20 7946 0000");
    expect(w.$$("a").some((a) => a.textContent === "Book online")).toBe(true);
    // Nothing is announced: it is the conversation as it was.
    expect(w.$$(".confirmation[role]")).toHaveLength(0);
  });

  it("still offers the form of the last reply when nothing was sent from it", async () => {
    const unsent = messages.map((m) => {
      const copy = { ...m };
      delete copy.request;
      return copy;
    });
    const w = await reload(unsent);
    expect(w.$$(".confirmation")).toHaveLength(0);
    expect(w.button("Request a call back")).toBeTruthy();
  });

  it("reads a reply's request from the restore, and ignores one it cannot read", async () => {
    const bot = (id: string, request: unknown) => ({
      id,
      role: "bot",
      text: "Of course.",
      citations: [],
      handoff: { kind: "booking", message: "Leave your details." },
      request,
    });
    const body = {
      sessionId: SESSION,
      messages: [
        { id: "v1", role: "visitor", text: "Hi", citations: [], handoff: null, request: {} },
        bot("b1", { kind: "consultation", sentAt: SENT_AT, name: "Jane" }),
        bot("b2", { kind: "haircut", sentAt: SENT_AT }),
        bot("b3", { kind: "callback", sentAt: "yesterday" }),
        bot("b4", "sent"),
      ],
    };
    const api = createApi(CONFIG.server, () =>
      Promise.resolve(new Response(JSON.stringify(body), { status: 200 })),
    );
    const result = await api.conversation(SESSION);
    if (!result.ok) throw new Error(result.code);
    expect(result.value.map((m) => m.request)).toEqual([
      undefined,
      { kind: "consultation", sentAt: SENT_AT },
      undefined,
      undefined,
      undefined,
    ]);
    expect(requestSentText("callback", SENT_AT)).toMatch(/^Your call-back request was sent on /);
  });
});

describe("widget source", () => {
  it("never parses HTML: no innerHTML, outerHTML, insertAdjacentHTML or document.write", async () => {
    const dir = path.resolve(import.meta.dirname, "../../web/widget");
    for (const file of await readdir(dir)) {
      const source = await readFile(path.join(dir, file), "utf8");
      expect(source, file).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    }
  });
});
