import { describe, expect, it } from "vitest";
import type { ApiResult, RestoredMessage } from "../../web/widget/api.js";
import {
  type BotEntry,
  type ConnectionState,
  createChatController,
  createDeltaAccumulator,
  type Entry,
  MAX_SEND_ATTEMPTS,
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
    retryDelayMs: 10,
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
    expect(t.socket.last().payload).toEqual({
      message: "Does it help acne scars?",
      clientMessageId: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
    });
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
    expect(t.socket.last().payload).toEqual({
      message: "hello",
      sessionId: SESSION,
      clientMessageId: expect.any(String),
    });
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

  /** The connection drops and comes back, as Socket.IO reports it. */
  function reconnect(t: ReturnType<typeof setup>) {
    t.socket.connected = false;
    t.socket.emit("disconnect", "transport close");
    t.socket.connected = true;
    t.socket.emit("connect");
  }

  it("keeps a sent message until its chat:done, and after a reconnect sends it again with the same id", async () => {
    const t = setup();
    await sendAcked(t, "Does it help acne scars?");
    t.socket.emit("connect");
    const { clientMessageId } = t.socket.last().payload;
    expect(t.session.pending()).toEqual([
      { id: clientMessageId, text: "Does it help acne scars?", attempts: 1 },
    ]);
    t.socket.emit("chat:delta", { messageId: "m1", delta: "It is eff", clientMessageId });
    // The service went away (killed before it answered) and came back.
    t.socket.connected = false;
    t.socket.emit("disconnect", "transport close");
    expect(t.connection).toEqual(["online", "reconnecting"]);
    expect(t.socket.sent).toHaveLength(1);
    t.socket.connected = true;
    t.socket.emit("connect");
    expect(t.connection).toEqual(["online", "reconnecting", "reconnected"]);
    expect(t.socket.sent).toHaveLength(2);
    expect(t.socket.last().payload).toEqual({
      message: "Does it help acne scars?",
      sessionId: SESSION,
      clientMessageId,
    });
    // The partial answer of the lost attempt is gone: the new one streams from the start.
    expect(t.bot()[0]).toMatchObject({ status: "typing", text: "" });
    t.socket.last().ack({ ok: true, sessionId: SESSION, messageId: "m2" });
    await flush();
    t.socket.emit("chat:delta", {
      messageId: "m2",
      delta: "It is effective. [1]",
      clientMessageId,
    });
    t.socket.emit(
      "chat:done",
      done("m2", "It is effective. [1]", { citations: [CITATION], clientMessageId }),
    );
    // Shown once, answered once, forgotten once answered.
    expect(t.controller.entries()).toMatchObject([
      { kind: "visitor", text: "Does it help acne scars?" },
      { kind: "bot", status: "done", messageId: "m2", text: "It is effective. [1]" },
    ]);
    expect(t.session.pending()).toEqual([]);
    expect(t.busy.at(-1)).toBe(false);
    // A later reconnect sends nothing again.
    reconnect(t);
    expect(t.socket.sent).toHaveLength(2);
  });

  it("takes a replayed chat:done by its client id, even under another message id", async () => {
    const t = setup();
    await sendAcked(t, "hello", "m1");
    const { clientMessageId } = t.socket.last().payload;
    t.socket.emit("chat:done", done("stored-id", "Hello!", { clientMessageId }));
    expect(t.bot()[0]).toMatchObject({ status: "done", messageId: "stored-id", text: "Hello!" });
    // A second chat:done for it (a repeat that followed the same answer) changes nothing.
    t.socket.emit("chat:done", done("stored-id", "Hello!", { clientMessageId }));
    expect(t.controller.entries()).toHaveLength(2);
    expect(t.busy).toEqual([true, false]);
  });

  it("keeps a message whose ack was lost with the connection, and sends it once back", async () => {
    const t = setup();
    const sending = t.controller.send("hello");
    await flush();
    t.socket.connected = false;
    t.socket.emit("disconnect", "transport close");
    t.socket.last().fail(new Error("socket has been disconnected"));
    expect(await sending).toEqual({ ok: true });
    expect(t.controller.entries()).toMatchObject([{ kind: "visitor" }, { kind: "bot" }]);
    t.socket.connected = true;
    t.socket.emit("connect");
    expect(t.socket.sent).toHaveLength(2);
    expect(t.socket.sent[1]?.payload.clientMessageId).toBe(
      t.socket.sent[0]?.payload.clientMessageId,
    );
  });

  it("after a reload, shows a kept message once and sends it again, or drops it if the service stored it", async () => {
    const storage = memoryStorage();
    const before = createSessionStore(storage, SERVER);
    before.setSessionId(SESSION);
    before.savePending({ id: "kept-message-0000001", text: "Answered while away?", attempts: 1 });
    before.savePending({ id: "kept-message-0000002", text: "Lost in a restart?", attempts: 1 });
    const messages: RestoredMessage[] = [
      {
        id: "v1",
        role: "visitor",
        text: "Answered while away?",
        citations: [],
        handoff: null,
        clientMessageId: "kept-message-0000001",
      },
      { id: "b1", role: "bot", text: "Yes.", citations: [], handoff: null },
    ];
    const { api } = fakeApi({ conversation: () => Promise.resolve({ ok: true, value: messages }) });
    const socket = new FakeSocket();
    const session = createSessionStore(storage, SERVER);
    const controller = createChatController({
      connect: () => socket,
      api,
      session,
      listener: { entry: () => {}, connection: () => {}, busy: () => {} },
    });
    await controller.start();
    expect(controller.entries()).toMatchObject([
      { kind: "visitor", text: "Answered while away?" },
      { kind: "bot", text: "Yes.", restored: true },
      { kind: "visitor", text: "Lost in a restart?" },
      { kind: "bot", status: "typing" },
    ]);
    expect(session.pending().map((p) => p.id)).toEqual(["kept-message-0000002"]);
    socket.emit("connect");
    expect(socket.sent.map((s) => s.payload)).toEqual([
      {
        message: "Lost in a restart?",
        sessionId: SESSION,
        clientMessageId: "kept-message-0000002",
      },
    ]);
    expect(session.pending()[0]?.attempts).toBe(2);
  });

  it("stops sending a message again after a few tries, and says so", async () => {
    const t = setup();
    await sendAcked(t, "hello");
    for (let i = 1; i < MAX_SEND_ATTEMPTS; i++) {
      reconnect(t);
      t.socket.last().ack({ ok: true, sessionId: SESSION, messageId: `m${i + 1}` });
      await flush();
    }
    expect(t.socket.sent).toHaveLength(MAX_SEND_ATTEMPTS);
    reconnect(t);
    expect(t.socket.sent).toHaveLength(MAX_SEND_ATTEMPTS);
    expect(t.bot()[0]).toMatchObject({ status: "failed", text: TEXT.notAnswered });
    expect(t.session.pending()).toEqual([]);
    expect(t.busy.at(-1)).toBe(false);
  });

  it("sends a message again later while the restarted service says it is starting, without counting those tries", async () => {
    const t = setup();
    await sendAcked(t, "hello");
    reconnect(t);
    t.socket.last().ack({ ok: false, error: { code: "unavailable", message: "starting" } });
    await flush();
    expect(t.bot()[0]).toMatchObject({ status: "typing" });
    expect(t.session.pending()[0]?.attempts).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(t.socket.sent).toHaveLength(3);
    expect(t.session.pending()[0]?.attempts).toBe(2);
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
