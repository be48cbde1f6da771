import { io as connect } from "socket.io-client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Answerer } from "../../src/answer/answerer.js";
import type { ChatDone, ChatSendAck, ChatSendPayload, ErrorBody } from "../../src/chat/events.js";
import type { Core } from "../../src/core.js";
import { tempDir } from "../helpers/core-fixtures.js";
import {
  getJson,
  postJson,
  startTestService,
  type TestService,
  type TestServiceOptions,
} from "../helpers/service.js";
import { shippedCore } from "../helpers/shipped-core.js";

type ClientSocket = ReturnType<TestService["socket"]>;

/** Every wait on the server is bounded, so a broken feature fails instead of hanging. */
const WAIT_MS = 10_000;

let core: Core;
let removeCore: () => Promise<void>;
beforeAll(async () => {
  ({ core, cleanup: removeCore } = await shippedCore());
});
afterAll(() => removeCore());

/** Undone in reverse order after each test: services, sockets, temp folders. */
let undo: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of undo.reverse()) await step();
  undo = [];
});

async function service(options: Partial<TestServiceOptions> = {}): Promise<TestService> {
  const temp = await tempDir();
  undo.push(temp.cleanup);
  const started = await startTestService({ core, dataDir: temp.dir, ...options });
  undo.push(() => started.close());
  return started;
}

/** Resolves once `check` finds something, re-checking whenever `subscribe` says so. */
function until<T>(
  subscribe: (listener: () => void) => () => void,
  check: () => T | undefined,
  what: string,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const found = check();
    if (found !== undefined) return resolve(found);
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`timed out waiting for ${what}`));
    }, WAIT_MS);
    const unsubscribe = subscribe(() => {
      const value = check();
      if (value === undefined) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(value);
    });
  });
}

type ServerEvent =
  | { type: "chat:delta"; messageId: string; delta: string }
  | { type: "chat:done"; messageId: string; done: ChatDone }
  | { type: "chat:error"; messageId: string; error: ErrorBody };

/**
 * A visitor's socket that records every server event from the moment it is created (events
 * can arrive in the same tick as the ack, before an `await` after it would listen).
 */
function visitor(socket: ClientSocket) {
  const events: ServerEvent[] = [];
  const listeners = new Set<() => void>();
  const push = (event: ServerEvent) => {
    events.push(event);
    for (const listener of [...listeners]) listener();
  };
  socket.on("chat:delta", (e) => push({ type: "chat:delta", ...e }));
  socket.on("chat:done", (done) => push({ type: "chat:done", messageId: done.messageId, done }));
  socket.on("chat:error", (e) => push({ type: "chat:error", ...e }));
  const subscribe = (listener: () => void) => {
    listeners.add(listener);
    return () => void listeners.delete(listener);
  };

  /** Emits `chat:send` (any payload: the server must cope) and returns the ack. */
  const send = (payload: unknown): Promise<ChatSendAck> =>
    socket.timeout(WAIT_MS).emitWithAck("chat:send", payload as ChatSendPayload);

  /** The events of one reply, once its `chat:done` or `chat:error` has come. */
  async function reply(messageId: string) {
    const end = await until(
      subscribe,
      () =>
        events.find(
          (e) => e.messageId === messageId && (e.type === "chat:done" || e.type === "chat:error"),
        ),
      `the end of reply ${messageId}`,
    );
    const mine = events.filter((e) => e.messageId === messageId);
    return {
      end,
      order: mine.map((e) => e.type),
      deltas: mine.flatMap((e) => (e.type === "chat:delta" ? [e.delta] : [])),
    };
  }

  /** Sends a message that must be taken, and waits for its full reply. */
  async function ask(message: string, sessionId?: string): Promise<ChatDone> {
    const ack = await send(sessionId ? { message, sessionId } : { message });
    if (!ack.ok) throw new Error(`message refused: ${JSON.stringify(ack.error)}`);
    const { end } = await reply(ack.messageId);
    if (end.type !== "chat:done") throw new Error(`reply failed: ${JSON.stringify(end)}`);
    return end.done;
  }

  return { socket, events, send, reply, ask };
}

/** Waits for the socket to connect; rejects with the connect_error. */
function connected(socket: ClientSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timed out connecting")), WAIT_MS);
    socket.once("connect", () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once("connect_error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** A socket from another loopback address, so that per-address limits count it apart. */
async function socketFrom(target: TestService, localAddress: string): Promise<ClientSocket> {
  // `localAddress` reaches the `ws` transport but is not in socket.io-client's option types.
  const options = {
    transports: ["websocket"],
    forceNew: true,
    reconnection: false,
    localAddress,
  };
  const socket: ClientSocket = connect(target.url, options);
  undo.push(() => void socket.disconnect());
  await connected(socket);
  return socket;
}

const ROLLING_OR_BOXCAR = /rolling or boxcar/;

describe("chat:send", () => {
  it("acks with the session and message ids, then streams deltas that add up to the answer of chat:done", async () => {
    const target = await service();
    const client = visitor(target.socket());
    const message = "Does it help acne scars?";

    const ack = await client.send({ message });
    expect(ack).toEqual({
      ok: true,
      sessionId: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      messageId: expect.any(String),
    });
    if (!ack.ok) return;
    const { end, order, deltas } = await client.reply(ack.messageId);
    expect(end.type).toBe("chat:done");
    if (end.type !== "chat:done") return;

    expect(deltas.length).toBeGreaterThan(1);
    expect(order).toEqual([...deltas.map(() => "chat:delta"), "chat:done"]);
    expect(deltas.join("")).toBe(end.done.answer);
    const expected = await core.answerer.answerQuestion({ message, history: [] });
    expect(expected.grounded).toBe(true);
    expect(end.done).toEqual({
      ...expected,
      sessionId: ack.sessionId,
      messageId: ack.messageId,
    });
  });

  it("resolves a follow-up with the earlier messages of the same session", async () => {
    const target = await service();
    const client = visitor(target.socket());

    const first = await client.ask("Can it treat acne scars?");
    const followUp = await client.ask("which kinds respond best?", first.sessionId);
    expect(followUp.sessionId).toBe(first.sessionId);
    expect(followUp.answer).toMatch(ROLLING_OR_BOXCAR);
    // The same words in a new conversation do not know what "kinds" refers to.
    const alone = await client.ask("which kinds respond best?");
    expect(alone.sessionId).not.toBe(first.sessionId);
    expect(alone.answer).not.toMatch(ROLLING_OR_BOXCAR);
  });

  it("keeps a conversation across a restart on the same data folder", async () => {
    const temp = await tempDir();
    undo.push(temp.cleanup);
    const before = await startTestService({ core, dataDir: temp.dir });
    const first = await visitor(before.socket()).ask("Can it treat acne scars?");
    await before.close();

    const after = await startTestService({ core, dataDir: temp.dir });
    undo.push(() => after.close());
    const followUp = await visitor(after.socket()).ask(
      "which kinds respond best?",
      first.sessionId,
    );
    expect(followUp.sessionId).toBe(first.sessionId);
    expect(followUp.answer).toMatch(ROLLING_OR_BOXCAR);

    const history = await getJson(`${after.url}/api/chat/${first.sessionId}`);
    expect(history.status).toBe(200);
    expect(
      history.body.messages.map((m: { role: string; text: string }) => [m.role, m.text]),
    ).toEqual([
      ["visitor", "Can it treat acne scars?"],
      ["bot", first.answer],
      ["visitor", "which kinds respond best?"],
      ["bot", followUp.answer],
    ]);
    expect(history.body.messages[3].id).toBe(followUp.messageId);
  });

  it("refuses invalid payloads in the ack with the codes and fields of the HTTP API, and streams nothing for them", async () => {
    const target = await service();
    const client = visitor(target.socket());
    const objects: Record<string, unknown>[] = [
      { message: "" },
      { message: "   \n " },
      { message: "a".repeat(2001) },
      { message: "hi\u0007there" },
      { message: 42 },
      {},
      { message: "hi", admin: true },
      { message: "hi", sessionId: "short" },
      { message: "hi", sessionId: "A".repeat(21) + "!" },
    ];
    for (const payload of objects) {
      const ack = await client.send(payload);
      const http = await postJson(`${target.url}/api/chat`, payload);
      expect(http.status, JSON.stringify(payload)).toBe(400);
      expect(ack, JSON.stringify(payload)).toEqual({
        ok: false,
        error: {
          code: "invalid",
          message: expect.any(String),
          fields: http.body.error.fields,
        },
      });
      expect(Object.keys(http.body.error.fields).length).toBeGreaterThan(0);
    }
    for (const payload of ["hello", 42, null, ["hello"], true]) {
      const ack = await client.send(payload);
      expect(ack, JSON.stringify(payload)).toMatchObject({
        ok: false,
        error: { code: "invalid", message: expect.any(String) },
      });
    }

    // Events on one socket arrive in order: once this reply is done, anything the refused
    // messages had caused would have arrived before it.
    const ok = await client.ask("Does it help pores?");
    expect(client.events.map((e) => e.messageId)).toEqual(client.events.map(() => ok.messageId));
  });

  it("accepts newlines and tabs in a message", async () => {
    const target = await service();
    const client = visitor(target.socket());
    expect(await client.send({ message: "does it\n\thurt?" })).toMatchObject({ ok: true });
  });
});

describe("rate limits", () => {
  it("refuses the third message in a minute of one session with rate_limited", async () => {
    const target = await service({ rateLimitPerMin: 2 });
    const client = visitor(target.socket());
    const acks: ChatSendAck[] = [await client.send({ message: "hello" })];
    const sessionId = acks[0]?.ok ? acks[0].sessionId : undefined;
    for (let i = 0; i < 3; i++) acks.push(await client.send({ message: "hello", sessionId }));
    // The message that opens a conversation counts against the address only.
    expect(acks.map((a) => a.ok)).toEqual([true, true, true, false]);
    expect(acks[3]).toEqual({
      ok: false,
      error: { code: "rate_limited", message: expect.any(String) },
    });
  });

  it("counts a session's messages across sockets, even from different addresses", async () => {
    const target = await service({ rateLimitPerMin: 2 });
    const first = visitor(await socketFrom(target, "127.0.0.2"));
    const second = visitor(await socketFrom(target, "127.0.0.3"));

    const opened = await first.send({ message: "hello" });
    if (!opened.ok) throw new Error("the first message was refused");
    const { sessionId } = opened;
    expect(await first.send({ message: "hello again", sessionId })).toMatchObject({ ok: true });
    expect(await second.send({ message: "still me", sessionId })).toMatchObject({ ok: true });
    // The second address has sent one message of its two: only the session is over its limit.
    expect(await second.send({ message: "and me", sessionId })).toEqual({
      ok: false,
      error: { code: "rate_limited", message: expect.any(String) },
    });
  });
});

describe("connection limits", () => {
  it("disconnects a socket that sends more than 16 KB, and keeps serving others", async () => {
    const target = await service();
    const socket = target.socket();
    await connected(socket);
    const acks: ChatSendAck[] = [];
    const disconnected = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("the socket stayed connected")), WAIT_MS);
      socket.once("disconnect", (reason) => {
        clearTimeout(timer);
        resolve(reason);
      });
    });
    socket.emit("chat:send", { message: "a".repeat(17_000) }, (ack) => acks.push(ack));
    expect(await disconnected).toBe("transport close");
    expect(acks).toEqual([]);

    expect((await getJson(`${target.url}/healthz`)).status).toBe(200);
    const done = await visitor(target.socket()).ask("Does it help pores?");
    expect(done.grounded).toBe(true);
  });

  it("refuses a connection from an origin that is not allowed, and accepts a listed one and its own", async () => {
    const target = await service({ allowedOrigins: ["https://clinic.example"] });

    await expect(connected(target.socket({ origin: "https://evil.example" }))).rejects.toThrow();
    await connected(target.socket({ origin: "https://clinic.example" }));
    const own = target.socket({ origin: `http://127.0.0.1:${target.port}` });
    await connected(own);
    expect(await visitor(own).send({ message: "hello" })).toMatchObject({ ok: true });
  });
});

/**
 * The shipped answerer, held after its first piece until `open()`: a reply that is still being
 * written while a repeat arrives. Records each message it was asked to answer.
 */
function heldAnswerer() {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const calls: string[] = [];
  const answerer: Answerer = {
    answerQuestion: (input) => core.answerer.answerQuestion(input),
    async *streamAnswer(input) {
      calls.push(input.message);
      let first = true;
      for await (const item of core.answerer.streamAnswer(input)) {
        yield item;
        if (first) await gate;
        first = false;
      }
    },
  };
  return { answerer, calls, open: () => open() };
}

/** Resolves once `check()` holds, polling; rejects after WAIT_MS. */
async function eventually(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The stored messages of a conversation, as [role, text]. */
async function stored(target: TestService, sessionId: string): Promise<[string, string][]> {
  const history = await getJson(`${target.url}/api/chat/${sessionId}`);
  expect(history.status).toBe(200);
  return history.body.messages.map((m: { role: string; text: string }) => [m.role, m.text]);
}

describe("a repeated clientMessageId", () => {
  const QUESTION = "Does it help acne scars?";
  const CLIENT_ID = "widget-msg-0123456789";

  it("is the same message: the repeat replays the stored reply, and one copy is stored", async () => {
    const calls: string[] = [];
    const answerer: Answerer = {
      answerQuestion: (input) => core.answerer.answerQuestion(input),
      streamAnswer(input) {
        calls.push(input.message);
        return core.answerer.streamAnswer(input);
      },
    };
    const target = await service({ answerer });
    const client = visitor(target.socket());
    const ack = await client.send({ message: QUESTION, clientMessageId: CLIENT_ID });
    if (!ack.ok) throw new Error("refused");
    const { end } = await client.reply(ack.messageId);
    if (end.type !== "chat:done") throw new Error("failed");
    expect(end.done.clientMessageId).toBe(CLIENT_ID);

    // Sent again from another socket (as after a reconnect), with the session the ack named.
    const again = visitor(target.socket());
    const repeat = { message: QUESTION, sessionId: ack.sessionId, clientMessageId: CLIENT_ID };
    const ack2 = await again.send(repeat);
    expect(ack2).toEqual({ ok: true, sessionId: ack.sessionId, messageId: ack.messageId });
    const replayed = await again.reply(ack.messageId);
    expect(replayed.end).toEqual(end);
    expect(replayed.deltas.join("")).toBe(end.done.answer);
    // And once more, on the first socket.
    expect(await client.send(repeat)).toEqual(ack2);

    expect(calls).toEqual([QUESTION]);
    expect(await stored(target, ack.sessionId)).toEqual([
      ["visitor", QUESTION],
      ["bot", end.done.answer],
    ]);
    const history = await getJson(`${target.url}/api/chat/${ack.sessionId}`);
    expect(history.body.messages[0].clientMessageId).toBe(CLIENT_ID);
    // Another message with another id is a new message.
    const next = await client.send({
      message: "Does it help pores?",
      sessionId: ack.sessionId,
      clientMessageId: "widget-msg-9876543210",
    });
    if (!next.ok) throw new Error("refused");
    await client.reply(next.messageId);
    expect(await stored(target, ack.sessionId)).toHaveLength(4);
  });

  it("sent again while the first is being answered, follows that answer instead of starting another", async () => {
    const held = heldAnswerer();
    const target = await service({ answerer: held.answerer });
    const first = visitor(target.socket());
    const ack = await first.send({ message: QUESTION, clientMessageId: CLIENT_ID });
    if (!ack.ok) throw new Error("refused");
    await eventually(() => first.events.some((e) => e.type === "chat:delta"), "the first piece");

    // A new conversation not stored yet: the repeat names the session the ack gave.
    const second = visitor(target.socket());
    const repeats = await Promise.all(
      [1, 2].map(() =>
        second.send({ message: QUESTION, sessionId: ack.sessionId, clientMessageId: CLIENT_ID }),
      ),
    );
    expect(repeats).toEqual([ack, ack]);
    held.open();
    const [a, b] = await Promise.all([first.reply(ack.messageId), second.reply(ack.messageId)]);
    expect(a.end.type).toBe("chat:done");
    // Each repeat sees the whole answer: the pieces so far, then the rest.
    expect(b.end).toEqual(a.end);
    expect(second.events.filter((e) => e.type === "chat:done")).toHaveLength(2);
    if (a.end.type !== "chat:done") return;
    expect(a.deltas.join("")).toBe(a.end.done.answer);

    expect(held.calls).toEqual([QUESTION]);
    expect(await stored(target, ack.sessionId)).toEqual([
      ["visitor", QUESTION],
      ["bot", a.end.done.answer],
    ]);
  });

  it("answered by two instances at once on one database, is stored once and both give the stored reply", async () => {
    const temp = await tempDir();
    undo.push(temp.cleanup);
    const a = await startTestService({ core, dataDir: temp.dir });
    undo.push(() => a.close());
    const heldB = heldAnswerer();
    const b = await startTestService({ core, dataDir: temp.dir, answerer: heldB.answerer });
    undo.push(() => b.close());
    const opening = await visitor(a.socket()).ask("Can it treat acne scars?");
    const sessionId = opening.sessionId;

    // B starts answering it; then A, which knows nothing of B's answer, answers and stores it.
    const onA = visitor(a.socket());
    const onB = visitor(b.socket());
    const payload = { message: QUESTION, sessionId, clientMessageId: CLIENT_ID };
    const ackB = await onB.send(payload);
    if (!ackB.ok) throw new Error("refused");
    await eventually(() => heldB.calls.length === 1, "B's answer");
    const ackA = await onA.send(payload);
    if (!ackA.ok) throw new Error("refused");
    expect(ackA.messageId).not.toBe(ackB.messageId);
    const doneA = await onA.reply(ackA.messageId);
    heldB.open();
    // Its chat:done names the stored reply's id, not the ack's: the widget goes by clientMessageId.
    await eventually(() => onB.events.some((e) => e.type === "chat:done"), "B's chat:done");
    const endB = onB.events.find((e) => e.type === "chat:done");
    if (doneA.end.type !== "chat:done" || endB?.type !== "chat:done") {
      throw new Error(`a reply failed: ${JSON.stringify([doneA.end, endB])}`);
    }
    expect(onB.events.some((e) => e.type === "chat:error")).toBe(false);
    // B lost the race: the unique index refused its copy, and it gives A's stored reply.
    expect(endB.done).toEqual(doneA.end.done);
    expect(endB.done.messageId).toBe(ackA.messageId);
    expect(await stored(b, sessionId)).toEqual([
      ["visitor", "Can it treat acne scars?"],
      ["bot", opening.answer],
      ["visitor", QUESTION],
      ["bot", doneA.end.done.answer],
    ]);
  });
});

describe("failures after the ack", () => {
  it("sends chat:error without internal text, logs the cause and keeps answering", async () => {
    // Fails half-way through one reply; answers everything else as the real core does.
    const answerer: Answerer = {
      answerQuestion: (input) => core.answerer.answerQuestion(input),
      async *streamAnswer(input) {
        if (!input.message.includes("explode")) {
          yield* core.answerer.streamAnswer(input);
          return;
        }
        yield { delta: "Microneedling " };
        throw new Error("SECRET internal detail at /srv/app/answer.ts:42");
      },
    };
    const target = await service({ answerer });
    const client = visitor(target.socket());

    const ack = await client.send({ message: "please explode" });
    expect(ack).toMatchObject({ ok: true });
    if (!ack.ok) return;
    const { end, order } = await client.reply(ack.messageId);
    expect(order).toEqual(["chat:delta", "chat:error"]);
    expect(end).toEqual({
      type: "chat:error",
      messageId: ack.messageId,
      error: { code: "internal", message: expect.any(String) },
    });
    expect(JSON.stringify(end)).not.toMatch(/SECRET|\.ts|at \//);
    expect(JSON.stringify(target.logs)).toContain("SECRET internal detail");

    const other = await visitor(target.socket()).ask("Does it help acne scars?");
    expect(other.grounded).toBe(true);
    const again = await client.ask("Does it help pores?");
    expect(again.grounded).toBe(true);
    expect((await getJson(`${target.url}/healthz`)).status).toBe(200);
  });
});
