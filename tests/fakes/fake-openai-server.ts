import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** What the fake server received: the parsed body of one chat completion request. */
export interface ReceivedRequest {
  model: string;
  stream: boolean;
  messages: { role: string; content: string }[];
  body: Record<string, unknown>;
}

/** How the fake answers one request. */
export type Plan =
  | {
      kind: "stream";
      pieces: string[];
      /** Before the first piece, as a model's time to first token. */
      firstDelayMs?: number;
      /** Between pieces. */
      delayMs?: number;
      usage?: { prompt: number; completion: number };
    }
  | { kind: "error"; status: number; message?: string }
  | { kind: "drop"; pieces: string[] }
  | { kind: "garbage" }
  | { kind: "hang" };

export interface FakeOpenAI {
  /** Base URL for OPENAI_BASE_URL, e.g. http://127.0.0.1:1234/v1 */
  baseUrl: string;
  requests: ReceivedRequest[];
  /** Decides each answer; the default streams a fixed sentence. */
  respond: (request: ReceivedRequest) => Plan;
  close(): Promise<void>;
}

function chunk(content: string | null, extra: Record<string, unknown> = {}): string {
  const body = {
    id: "chatcmpl-fake",
    object: "chat.completion.chunk",
    created: 0,
    model: "fake-model",
    choices: content === null ? [] : [{ index: 0, delta: { content }, finish_reason: null }],
    ...extra,
  };
  return `data: ${JSON.stringify(body)}\n\n`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * An OpenAI-compatible chat completions server on a free loopback port: real HTTP and
 * server-sent events, answering as each test scripts it, and recording what it was sent.
 */
export async function startFakeOpenAI(): Promise<FakeOpenAI> {
  const fake: FakeOpenAI = {
    baseUrl: "",
    requests: [],
    respond: () => ({ kind: "stream", pieces: ["No answer scripted."] }),
    close: async () => {},
  };
  const sockets = new Set<Socket>();
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    let raw = "";
    for await (const part of req) raw += part;
    if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) {
      res.writeHead(404).end();
      return;
    }
    const body = JSON.parse(raw) as Record<string, unknown>;
    const request: ReceivedRequest = {
      model: String(body.model),
      stream: body.stream === true,
      messages: (body.messages as { role: string; content: string }[]) ?? [],
      body,
    };
    fake.requests.push(request);
    const plan = fake.respond(request);
    if (plan.kind === "hang") return; // never answers; the client's timeout must act
    if (plan.kind === "error") {
      res.writeHead(plan.status, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          error: { message: plan.message ?? "fake failure", type: "server_error" },
        }),
      );
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    if (plan.kind === "garbage") {
      res.end("data: {this is not json\n\ndata: ]]]\n\n");
      return;
    }
    if (plan.kind === "stream" && plan.firstDelayMs) await sleep(plan.firstDelayMs);
    for (const piece of plan.pieces) {
      res.write(chunk(piece));
      if (plan.kind === "stream" && plan.delayMs) await sleep(plan.delayMs);
    }
    if (plan.kind === "drop") {
      // Let the pieces reach the client first, then cut the connection mid-answer.
      await sleep(50);
      req.socket.destroy();
      return;
    }
    res.write(
      `data: ${JSON.stringify({
        id: "chatcmpl-fake",
        object: "chat.completion.chunk",
        created: 0,
        model: "fake-model",
        choices: [{ index: 0, delta: {}, finish_reason: "stop" }],
      })}\n\n`,
    );
    if (plan.usage) {
      res.write(
        chunk(null, {
          usage: {
            prompt_tokens: plan.usage.prompt,
            completion_tokens: plan.usage.completion,
            total_tokens: plan.usage.prompt + plan.usage.completion,
          },
        }),
      );
    }
    res.end("data: [DONE]\n\n");
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  fake.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  fake.close = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  };
  return fake;
}

/** The number the prompt gave the passage containing `text`, or 0. */
export function passageNumber(request: ReceivedRequest, text: string): number {
  const system = request.messages.find((m) => m.role === "system")?.content ?? "";
  for (const match of system.matchAll(/<passage number="(\d+)"[^>]*>\n([\s\S]*?)\n<\/passage>/g)) {
    if ((match[2] as string).includes(text)) return Number(match[1]);
  }
  return 0;
}

/** Splits text into stream pieces of a few characters, as a model streams tokens. */
export function tokens(text: string, size = 7): string[] {
  return text.match(new RegExp(`[\\s\\S]{1,${size}}`, "g")) ?? [];
}
