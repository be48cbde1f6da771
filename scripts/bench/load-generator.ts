/**
 * The load generator of `npm run bench`, run as its own process so it does not share an
 * event loop with the service. Closed loop: each virtual visitor sends its next request
 * when the last answer is complete. Bounded by a duration and a request cap; loopback only.
 *
 *   tsx scripts/bench/load-generator.ts '{"url":"http://127.0.0.1:3000","kind":"socket","concurrency":32,"seconds":5}'
 * prints one JSON line of results.
 */
import http from "node:http";
import { io } from "socket.io-client";
import { z } from "zod";

const argsSchema = z.object({
  url: z
    .url()
    .refine(
      (u) => ["127.0.0.1", "localhost", "[::1]"].includes(new URL(u).hostname),
      "loopback only",
    ),
  kind: z.enum(["healthz", "http-chat", "socket-chat"]),
  concurrency: z.number().int().min(1).max(1024),
  seconds: z.number().min(0.5).max(120),
  maxRequests: z.number().int().min(1).default(1_000_000),
  questions: z.array(z.string()).default(["Does microneedling help with acne scars?"]),
});

type Args = z.infer<typeof argsSchema>;

export interface LoadResult {
  kind: Args["kind"];
  concurrency: number;
  requests: number;
  errors: number;
  seconds: number;
  perSecond: number;
  latencyMs: { p50: number; p95: number; p99: number };
  firstDeltaMs?: { p50: number; p95: number; p99: number };
}

function percentiles(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}

async function run(args: Args): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: args.concurrency });
  const latencies: number[] = [];
  const firstDeltas: number[] = [];
  let errors = 0;
  let sent = 0;
  const deadline = performance.now() + args.seconds * 1000;
  const more = () => performance.now() < deadline && sent < args.maxRequests;
  const question = (i: number) => args.questions[i % args.questions.length] as string;

  const request = (path: string, body?: string) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request(
        `${args.url}${path}`,
        {
          agent,
          method: body ? "POST" : "GET",
          headers: body
            ? { "content-type": "application/json", "content-length": Buffer.byteLength(body) }
            : {},
        },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        },
      );
      req.on("error", reject);
      req.end(body);
    });

  async function httpVisitor(path: string, chat: boolean) {
    while (more()) {
      const i = sent++;
      const started = performance.now();
      try {
        const status = await request(
          path,
          chat ? JSON.stringify({ message: question(i) }) : undefined,
        );
        if (status !== 200) errors++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - started);
    }
  }

  async function socketVisitor() {
    const socket = io(args.url, { transports: ["websocket"], forceNew: true, reconnection: false });
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("connect_error", reject);
    });
    let sessionId: string | undefined;
    try {
      while (more()) {
        const i = sent++;
        const started = performance.now();
        let first = 0;
        try {
          const done = new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error("timeout")), 10_000);
            socket.on("chat:delta", () => {
              if (!first) first = performance.now() - started;
            });
            socket.once("chat:done", () => {
              clearTimeout(timer);
              resolve();
            });
            socket.once("chat:error", () => {
              clearTimeout(timer);
              reject(new Error("chat:error"));
            });
          });
          const ack = await socket.emitWithAck("chat:send", {
            message: question(i),
            ...(sessionId ? { sessionId } : {}),
          });
          if (!ack.ok) throw new Error(ack.error.code);
          sessionId = ack.sessionId;
          await done;
          latencies.push(performance.now() - started);
          if (first) firstDeltas.push(first);
        } catch {
          errors++;
        } finally {
          socket.off("chat:delta");
        }
      }
    } finally {
      socket.disconnect();
    }
  }

  const started = performance.now();
  const visitors = Array.from({ length: args.concurrency }, () =>
    args.kind === "healthz"
      ? httpVisitor("/healthz", false)
      : args.kind === "http-chat"
        ? httpVisitor("/api/chat", true)
        : socketVisitor(),
  );
  await Promise.all(visitors);
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return {
    kind: args.kind,
    concurrency: args.concurrency,
    requests: latencies.length,
    errors,
    seconds,
    perSecond: latencies.length / seconds,
    latencyMs: percentiles(latencies),
    ...(firstDeltas.length ? { firstDeltaMs: percentiles(firstDeltas) } : {}),
  };
}

const args = argsSchema.parse(JSON.parse(process.argv[2] ?? "{}"));
process.stdout.write(`${JSON.stringify(await run(args))}\n`);
process.exit(0);
