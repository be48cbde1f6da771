import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatDone } from "../../../src/chat/events.js";
import type { Core } from "../../../src/core.js";
import {
  type FakeOpenAI,
  passageNumber,
  startFakeOpenAI,
  tokens,
} from "../../fakes/fake-openai-server.js";
import { tempDir } from "../../helpers/core-fixtures.js";
import {
  getJson,
  postJson,
  STAFF_TOKEN,
  startTestService,
  type TestService,
} from "../../helpers/service.js";
import { llmAnswererFor } from "../../helpers/llm-answerer.js";
import { shippedCore } from "../../helpers/shipped-core.js";

let core: Core;
let fake: FakeOpenAI;
let service: TestService;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  const shipped = await shippedCore();
  core = shipped.core;
  cleanups.push(shipped.cleanup);
  fake = await startFakeOpenAI();
  const temp = await tempDir();
  cleanups.push(temp.cleanup);
  const answerer = llmAnswererFor(core, fake.baseUrl, { retryBaseMs: 5 });
  service = await startTestService({ core, dataDir: temp.dir, answerer });
});
afterAll(async () => {
  await service.close();
  await fake.close();
  for (const cleanup of cleanups) await cleanup();
});

describe("the service in generative mode", () => {
  it("streams verified sentences over Socket.IO and stores the reply's source, tokens and counts", async () => {
    fake.respond = (request) => ({
      kind: "stream",
      pieces: tokens(
        `It is particularly effective for rolling or boxcar acne scars [${passageNumber(request, "boxcar")}]. It is made of unicorn dust [1].`,
      ),
      usage: { prompt: 700, completion: 30 },
    });
    const socket = service.socket();
    const deltas: string[] = [];
    socket.on("chat:delta", (event) => deltas.push(event.delta));
    const done = new Promise<ChatDone>((resolve) => socket.once("chat:done", resolve));
    const ack = await socket.emitWithAck("chat:send", { message: "Does it help acne scars?" });
    expect(ack.ok).toBe(true);
    const reply = await done;
    expect(reply).toMatchObject({
      source: "llm",
      verified: { kept: 1, dropped: 1 },
      grounded: true,
    });
    expect(deltas.join("")).toBe(reply.answer);
    expect(reply.answer).not.toMatch(/unicorn/);
    const detail = await getJson(`${service.url}/api/staff/conversations/${reply.sessionId}`, {
      authorization: `Bearer ${STAFF_TOKEN}`,
    });
    expect(detail.body.messages[1]).toMatchObject({
      source: "llm",
      usage: { inputTokens: 700, outputTokens: 30 },
      verified: { kept: 1, dropped: 1 },
    });
  });

  it("answers over HTTP with the extractive fallback, never a 5xx, when the model fails", async () => {
    fake.respond = () => ({ kind: "error", status: 502 });
    const response = await postJson(`${service.url}/api/chat`, {
      message: "Does it help acne scars?",
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ source: "fallback", grounded: true });
  });
});
