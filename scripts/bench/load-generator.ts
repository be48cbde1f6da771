/**
 * The load generator of `npm run bench`, run as its own process so it does not share an
 * event loop with the service. Closed loop: each virtual visitor sends its next request
 * when the last answer is complete. Bounded by a duration and a request cap; loopback only.
 *
 *   tsx scripts/bench/load-generator.ts '{"url":"http://127.0.0.1:3000","kind":"socket-chat","concurrency":32,"seconds":5}'
 * prints one JSON line of results.
 */
import http from "node:http";
import { io, type Socket } from "socket.io-client";
import { z } from "zod";
import type { ClientToServerEvents, ServerToClientEvents } from "../../src/chat/events.js";
import { percentiles, type Percentiles } from "./stats.js";

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
  maxRequests: z.number().int().min(1).max(1_000_000).default(100_000),
  questions: z.array(z.string()).default(["Does microneedling help with acne scars?"]),
  /** Sent once before the clock starts and not counted: the service's first answer warms it up. */
  warmUp: z.string().optional(),
});

type Args = z.infer<typeof argsSchema>;
/** What the bench passes on the command line. */
export type LoadArgs = z.input<typeof argsSchema>;

/** A request that takes longer than this counts as an error. */
const REQUEST_TIMEOUT_MS = 10_000;

export interface LoadResult {
  kind: Args["kind"];
  concurrency: number;
  /** Completed requests (errors not included). */
  requests: number;
  /** Failed or timed-out requests and visitors that could not connect. */
  errors: number;
  seconds: number;
  /** Completed requests per second. */
  perSecond: number;
  latencyMs: Percentiles;
  /** Socket.IO only: from sending to the first `chat:delta`. */
  firstDeltaMs?: Percentiles;
  /** CPU the generator itself used, in cores: near 1 means it may be the bottleneck. */
  generatorCores: number;
}

async function run(args: Args): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: args.concurrency });
  const latencies: number[] = [];
  const firstDeltas: number[] = [];
  let errors = 0;
  let sent = 0;
  // Set once every visitor is connected: connecting is not part of the measured window.
  let deadline = Infinity;
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
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error("timeout")));
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
        if (status === 200) latencies.push(performance.now() - started);
        else errors++;
      } catch {
        errors++;
      }
    }
  }

  type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

  async function connect(): Promise<ChatSocket | null> {
    const socket: ChatSocket = io(args.url, {
      transports: ["websocket"],
      forceNew: true,
      reconnection: false,
      timeout: REQUEST_TIMEOUT_MS,
    });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once("connect", resolve);
        socket.once("connect_error", reject);
      });
    } catch {
      errors++;
      socket.disconnect();
      return null;
    }
    return socket;
  }

  async function socketVisitor(socket: ChatSocket) {
    // Events are matched to requests by message id, so a late reply to a timed-out request
    // is never taken for the next one's.
    const firstDeltaAt = new Map<string, number>();
    const settled = new Map<string, boolean>();
    const waiting = new Map<string, (ok: boolean) => void>();
    const settle = (messageId: string, ok: boolean) => {
      const waiter = waiting.get(messageId);
      if (waiter) waiter(ok);
      else settled.set(messageId, ok);
    };
    socket.on("chat:delta", ({ messageId }) => {
      if (!firstDeltaAt.has(messageId)) firstDeltaAt.set(messageId, performance.now());
    });
    socket.on("chat:done", ({ messageId }) => settle(messageId, true));
    socket.on("chat:error", ({ messageId }) => settle(messageId, false));
    const finished = (messageId: string) =>
      new Promise<boolean>((resolve) => {
        const early = settled.get(messageId);
        if (early !== undefined) return resolve(early);
        const timer = setTimeout(() => waiting.get(messageId)?.(false), REQUEST_TIMEOUT_MS);
        waiting.set(messageId, (ok) => {
          clearTimeout(timer);
          waiting.delete(messageId);
          resolve(ok);
        });
      });

    let sessionId: string | undefined;
    try {
      while (more()) {
        const i = sent++;
        const started = performance.now();
        try {
          const ack = await socket.timeout(REQUEST_TIMEOUT_MS).emitWithAck("chat:send", {
            message: question(i),
            ...(sessionId ? { sessionId } : {}),
          });
          if (!ack.ok) {
            errors++;
            continue;
          }
          sessionId = ack.sessionId;
          const ok = await finished(ack.messageId);
          const first = firstDeltaAt.get(ack.messageId);
          firstDeltaAt.delete(ack.messageId);
          settled.delete(ack.messageId);
          if (!ok) {
            errors++;
            continue;
          }
          latencies.push(performance.now() - started);
          if (first !== undefined) firstDeltas.push(first - started);
        } catch {
          errors++;
        }
      }
    } finally {
      socket.disconnect();
    }
  }

  const sockets =
    args.kind === "socket-chat"
      ? await Promise.all(Array.from({ length: args.concurrency }, connect))
      : [];
  if (args.warmUp !== undefined) {
    const first = sockets.find((s) => s !== null);
    if (first) {
      // Listening before sending: the reply may arrive in the same read as the ack.
      const finished = new Set<string>();
      let wanted: string | undefined;
      let wake = () => {};
      const done = ({ messageId }: { messageId: string }) => {
        finished.add(messageId);
        if (messageId === wanted) wake();
      };
      first.on("chat:done", done);
      first.on("chat:error", done);
      try {
        const ack = await first
          .timeout(REQUEST_TIMEOUT_MS)
          .emitWithAck("chat:send", { message: args.warmUp });
        if (ack.ok && !finished.has(ack.messageId)) {
          wanted = ack.messageId;
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, REQUEST_TIMEOUT_MS);
          });
        }
      } catch {
        // A failed warm-up is not a measured request; the measured ones will show the fault.
      } finally {
        first.off("chat:done", done);
        first.off("chat:error", done);
      }
    } else if (args.kind === "http-chat") {
      await request("/api/chat", JSON.stringify({ message: args.warmUp })).catch(() => 0);
    }
  }
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  deadline = started + args.seconds * 1000;
  const visitors =
    args.kind === "socket-chat"
      ? sockets.flatMap((socket) => (socket ? [socketVisitor(socket)] : []))
      : Array.from({ length: args.concurrency }, () =>
          httpVisitor(
            args.kind === "healthz" ? "/healthz" : "/api/chat",
            args.kind === "http-chat",
          ),
        );
  await Promise.all(visitors);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
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
    generatorCores: (cpu.user + cpu.system) / 1e6 / seconds,
  };
}

const args = argsSchema.parse(JSON.parse(process.argv[2] ?? "{}"));
process.stdout.write(`${JSON.stringify(await run(args))}\n`);
process.exit(0);
