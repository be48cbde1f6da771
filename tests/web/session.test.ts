import { describe, expect, it } from "vitest";
import { createSessionStore } from "../../web/widget/session.js";
import { memoryStorage, SESSION } from "./fakes.js";

const SERVER = "https://chat.clinic.example";

describe("session store", () => {
  it("keeps the session id and ratings across page views", () => {
    const storage = memoryStorage();
    const first = createSessionStore(storage, SERVER);
    expect(first.sessionId()).toBeUndefined();
    first.setSessionId(SESSION);
    first.setRating("m1", "up");

    const next = createSessionStore(storage, SERVER);
    expect(next.sessionId()).toBe(SESSION);
    expect(next.rating("m1")).toBe("up");
    expect(next.rating("m2")).toBeUndefined();
  });

  it("reads an entry of an earlier version, which also listed the forms sent", () => {
    const raw = JSON.stringify({ sessionId: SESSION, ratings: { m1: "down" }, sent: ["m2"] });
    const storage = memoryStorage({ [`clinic-chat:v1:${SERVER}`]: raw });
    const store = createSessionStore(storage, SERVER);
    expect(store.sessionId()).toBe(SESSION);
    expect(store.rating("m1")).toBe("down");
    store.setRating("m3", "up");
    expect(JSON.parse(storage.data.get(`clinic-chat:v1:${SERVER}`) ?? "{}")).not.toHaveProperty(
      "sent",
    );
  });

  it("keeps one entry per service", () => {
    const storage = memoryStorage();
    createSessionStore(storage, SERVER).setSessionId(SESSION);
    expect(createSessionStore(storage, "https://other.example").sessionId()).toBeUndefined();
  });

  it("starts afresh, without old ratings, when the conversation changes or is cleared", () => {
    const storage = memoryStorage();
    const store = createSessionStore(storage, SERVER);
    store.setSessionId(SESSION);
    store.setRating("m1", "down");
    store.setSessionId("T".repeat(22));
    expect(store.rating("m1")).toBeUndefined();
    store.clear();
    expect(store.sessionId()).toBeUndefined();
    expect(storage.data.size).toBe(0);
  });

  it.each([
    ["not JSON", "{"],
    ["a malformed id", JSON.stringify({ sessionId: "<script>", ratings: {}, sent: [] })],
    ["wrong shapes", JSON.stringify({ sessionId: 42, ratings: { m: "meh" }, sent: "x" })],
  ])("ignores a stored entry with %s", (_name, raw) => {
    const storage = memoryStorage({ [`clinic-chat:v1:${SERVER}`]: raw });
    const store = createSessionStore(storage, SERVER);
    expect(store.sessionId()).toBeUndefined();
    expect(store.rating("m")).toBeUndefined();
  });

  it("keeps messages waiting for their answer across page views, new sessions and clear", () => {
    const storage = memoryStorage();
    const store = createSessionStore(storage, SERVER);
    // Before the service named a session: still kept.
    store.savePending({ id: "kept-message-0000001", text: "Does it hurt?", attempts: 1 });
    expect(createSessionStore(storage, SERVER).pending()).toEqual([
      { id: "kept-message-0000001", text: "Does it hurt?", attempts: 1 },
    ]);
    store.setSessionId(SESSION);
    store.savePending({ id: "kept-message-0000001", text: "Does it hurt?", attempts: 2 });
    store.setSessionId("T".repeat(22));
    store.clear();
    const later = createSessionStore(storage, SERVER);
    expect(later.pending()).toEqual([
      { id: "kept-message-0000001", text: "Does it hurt?", attempts: 2 },
    ]);
    later.removePending("kept-message-0000001");
    expect(storage.data.size).toBe(0);
    // Malformed entries are dropped.
    const raw = JSON.stringify({
      pending: [
        { id: "short", text: "x", attempts: 1 },
        { id: "kept-message-0000002", text: "", attempts: 1 },
        { id: "kept-message-0000003", text: "ok", attempts: "1" },
        { id: "kept-message-0000004", text: "ok", attempts: 0 },
      ],
    });
    const parsed = createSessionStore(memoryStorage({ [`clinic-chat:v1:${SERVER}`]: raw }), SERVER);
    expect(parsed.pending().map((p) => p.id)).toEqual(["kept-message-0000004"]);
  });

  it("works from memory when storage throws or is missing", () => {
    const throwing = {
      getItem: () => {
        throw new Error("SecurityError");
      },
      setItem: () => {
        throw new Error("QuotaExceededError");
      },
      removeItem: () => {
        throw new Error("SecurityError");
      },
    };
    for (const storage of [throwing, undefined]) {
      const store = createSessionStore(storage, SERVER);
      store.setSessionId(SESSION);
      expect(store.sessionId()).toBe(SESSION);
    }
  });
});
