import { describe, expect, it } from "vitest";
import type { ApiResult, RestoredMessage } from "../../web/widget/api.js";
import {
  type BotEntry,
  type ConnectionState,
  createChatController,
  createDeltaAccumulator,
  type Entry,
} from "../../web/widget/chat-controller.js";
import { politeError, TEXT } from "../../web/widget/messages.js";
import { createSessionStore } from "../../web/widget/session.js";
import { CITATION, done, fakeApi, FakeSocket, flush, memoryStorage, SESSION } from "./fakes.js";

const SERVER = "https://chat.clinic.example";

function setup(options: { api?: ReturnType<typeof fakeApi>["api"]; stored?: string } = {}) {
  const socket = new FakeSocket();
  const storage = memoryStorage();
  const session = createSessionStore(storage, SERVER);
  if (options.stored) session.setSessionId(options.stored);
  const changes: { entry: Entry; change: string; snapshot: Entry }[] = [];
  const connection: ConnectionState[] = [];
  const busy: boolean[] = [];
  const controller = createChatController({
    connect: () => socket,
    api: options.api ?? fakeApi().api,
    session,
    listener: {
      entry: (entry, change) => changes.push({ entry, change, snapshot: { ...entry } }),
      connection: (state) => connection.push(state),
      busy: (value) => busy.push(value),
    },
    ackTimeoutMs: 1000,
  });
  const bot = () => controller.entries().filter((e): e is BotEntry => e.kind === "bot");
  return { socket, session, storage, controller, changes, connection, busy, bot };
}

/** Sends a message and acknowledges it as the server would. */
async function sendAcked(t: ReturnType<typeof setup>, message: string, messageId = "m1") {
  const sending = t.controller.send(message);
  await flush();
  t.socket.last().ack({ ok: true, sessionId: SESSION, messageId });
  return sending;
}

describe("delta accumulator", () => {
  it("adds pieces up per message, exactly", () => {
    const deltas = createDeltaAccumulator();
    expect(deltas.add("a", "Micro")).toBe("Micro");
    deltas.add("b", "Other");
    expect(deltas.add("a", "needling [")).toBe("Microneedling [");
    expect(deltas.add("a", "1]")).toBe("Microneedling [1]");
    expect(deltas.text("b")).toBe("Other");
    deltas.drop("a");
    expect(deltas.text("a")).toBe("");
  });
});

describe("chat controller", () => {
  it("shows typing, then streams pieces, then the finished reply with citations", async () => {
    const t = setup();
    expect(await sendAcked(t, "  Does it help acne scars?  ")).toEqual({ ok: true });
    expect(t.socket.last().payload).toEqual({ message: "Does it help acne scars?" });
    const [visitor] = t.controller.entries();
    expect(visitor).toMatchObject({ kind: "visitor", text: "Does it help acne scars?" });
    expect(t.bot()[0]).toMatchObject({ status: "typing", messageId: "m1", text: "" });
    expect(t.busy).toEqual([true]);

    t.socket.emit("chat:delta", { messageId: "m1", delta: "It is effective " });
    expect(t.bot()[0]).toMatchObject({ status: "streaming", text: "It is effective " });
    t.socket.emit("chat:delta", { messageId: "m1", delta: "for scars. [1]" });
    expect(t.bot()[0]?.text).toBe("It is effective for scars. [1]");

    t.socket.emit(
      "chat:done",
      done("m1", "It is effective for scars. [1]", { citations: [CITATION] }),
    );
    expect(t.bot()[0]).toMatchObject({ status: "done", citations: [CITATION], handoff: null });
    expect(t.busy).toEqual([true, false]);
    expect(t.session.sessionId()).toBe(SESSION);
    // Each state change was reported for the same entry key.
    const states = t.changes.filter((c) => c.entry.kind === "bot").map((c) => c.snapshot);
    expect(states.map((s) => (s as BotEntry).status)).toEqual([
      "typing",
      "streaming",
      "streaming",
      "done",
    ]);
  });

  it("sends the stored session id with the next message", async () => {
    const t = setup({ stored: SESSION });
    await sendAcked(t, "hello");
    expect(t.socket.last().payload).toEqual({ message: "hello", sessionId: SESSION });
  });

  it("keeps pieces and the reply that arrive before the acknowledgement", async () => {
    const t = setup();
    const sending = t.controller.send("hi");
    await flush();
    t.socket.emit("chat:delta", { messageId: "m9", delta: "Early " });
    t.socket.emit("chat:delta", { messageId: "m9", delta: "words" });
    t.socket.emit("chat:done", done("m9", "Early words"));
    t.socket.last().ack({ ok: true, sessionId: SESSION, messageId: "m9" });
    await sending;
    expect(t.bot()[0]).toMatchObject({ status: "done", text: "Early words" });
  });

  it.each([
    ["rate_limited", "Too many messages; please wait a moment"],
    ["invalid", "message must not contain control characters"],
    ["internal", "SECRET stack trace"],
  ])(
    "turns a refused message (%s) into a polite notice, never the server's text",
    async (code, raw) => {
      const t = setup();
      const sending = t.controller.send("hello");
      await flush();
      t.socket.last().ack({ ok: false, error: { code, message: raw } });
      expect(await sending).toEqual({ ok: false, code });
      const entries = t.controller.entries();
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ kind: "notice", text: politeError(code) });
      expect(JSON.stringify(entries)).not.toContain(raw);
      expect(t.busy).toEqual([true, false]);
      // The visitor's bubble and the typing indicator were taken back.
      expect(t.changes.filter((c) => c.change === "remove").map((c) => c.entry.kind)).toEqual([
        "bot",
        "visitor",
      ]);
    },
  );

  it("says so politely when the acknowledgement never comes", async () => {
    const t = setup();
    const sending = t.controller.send("hello");
    await flush();
    t.socket.last().fail(new Error("operation has timed out"));
    expect(await sending).toEqual({ ok: false, code: "timeout" });
    expect(t.controller.entries()[0]).toMatchObject({ text: politeError("timeout") });
  });

  it("shows a failure after the acknowledgement as a polite reply", async () => {
    const t = setup();
    await sendAcked(t, "hello");
    t.socket.emit("chat:error", {
      messageId: "m1",
      error: { code: "internal", message: "Something went wrong on our side." },
    });
    expect(t.bot()[0]).toMatchObject({ status: "failed", text: politeError("internal") });
  });

  it("ignores empty messages and refuses over-long ones before sending", async () => {
    const t = setup();
    expect(await t.controller.send("   \n")).toEqual({ ok: false, code: "empty" });
    expect(await t.controller.send("a".repeat(2001))).toEqual({ ok: false, code: "too_large" });
    expect(t.socket.sent).toHaveLength(0);
  });

  it("restores the stored conversation before connecting", async () => {
    const messages: RestoredMessage[] = [
      { id: "v1", role: "visitor", text: "Does it hurt?", citations: [], handoff: null },
      { id: "b1", role: "bot", text: "It is effective. [1]", citations: [CITATION], handoff: null },
    ];
    const { api } = fakeApi({
      conversation: () => Promise.resolve({ ok: true, value: messages }),
    });
    const t = setup({ api, stored: SESSION });
    await t.controller.start();
    expect(t.controller.entries()).toMatchObject([
      { kind: "visitor", text: "Does it hurt?" },
      { kind: "bot", messageId: "b1", status: "done", citations: [CITATION], restored: true },
    ]);
  });

  it("forgets a conversation the server no longer knows", async () => {
    const { api } = fakeApi({
      conversation: (): Promise<ApiResult<RestoredMessage[]>> =>
        Promise.resolve({ ok: false, status: 404, code: "not_found" }),
    });
    const t = setup({ api, stored: SESSION });
    await t.controller.start();
    expect(t.session.sessionId()).toBeUndefined();
    expect(t.controller.entries()).toEqual([]);
  });

  it("says politely when the earlier conversation cannot be loaded", async () => {
    const { api } = fakeApi({
      conversation: (): Promise<ApiResult<RestoredMessage[]>> =>
        Promise.resolve({ ok: false, status: 0, code: "network" }),
    });
    const t = setup({ api, stored: SESSION });
    await t.controller.start();
    expect(t.session.sessionId()).toBe(SESSION);
    expect(t.controller.entries()).toMatchObject([{ kind: "notice", text: TEXT.restoreFailed }]);
  });

  it("reports a dropped connection and, once back, fetches the reply that finished meanwhile", async () => {
    let stored: RestoredMessage[] = [];
    const { api } = fakeApi({
      conversation: () => Promise.resolve({ ok: true, value: stored }),
    });
    const t = setup({ api });
    await sendAcked(t, "Does it help acne scars?");
    t.socket.emit("connect");
    t.socket.emit("chat:delta", { messageId: "m1", delta: "It is eff" });
    t.socket.emit("disconnect", "transport close");
    expect(t.connection).toEqual(["online", "reconnecting"]);

    stored = [
      { id: "v", role: "visitor", text: "Does it help acne scars?", citations: [], handoff: null },
      { id: "m1", role: "bot", text: "It is effective. [1]", citations: [CITATION], handoff: null },
    ];
    t.socket.emit("connect");
    await flush();
    expect(t.connection).toEqual(["online", "reconnecting", "reconnected"]);
    expect(t.bot()[0]).toMatchObject({ status: "done", text: "It is effective. [1]" });
    expect(t.busy.at(-1)).toBe(false);
  });

  it("marks a reply lost in a dropped connection as interrupted", async () => {
    const t = setup();
    await sendAcked(t, "hello");
    t.socket.emit("disconnect", "transport close");
    t.socket.emit("connect");
    await flush();
    expect(t.bot()[0]).toMatchObject({ status: "failed", text: TEXT.interrupted });
  });

  it("keeps saying it is reconnecting while retries after a drop fail", async () => {
    const t = setup();
    await t.controller.start();
    t.socket.emit("connect");
    t.socket.emit("disconnect", "transport close");
    t.socket.emit("connect_error");
    expect(t.connection).toEqual(["online", "reconnecting", "reconnecting"]);
  });

  it("reports an unreachable service without treating our own close as a drop", async () => {
    const t = setup();
    await t.controller.start();
    t.socket.emit("connect_error");
    t.socket.emit("disconnect", "io client disconnect");
    expect(t.connection).toEqual(["unreachable"]);
    t.controller.close();
    expect(t.socket.closed).toBe(true);
  });
});
