import { Worker } from "node:worker_threads";
import { AppError, type ErrorCode } from "../errors.js";
import type { SourceDocument } from "./types.js";

/**
 * How long one file may take to parse. A real article parses in milliseconds and 2 MB of
 * ordinary text in well under a second; what takes longer is made to be slow (marked, for one,
 * slows with the square of a list item's line count: one item of 16,000 lines took 10 s).
 */
export const PARSE_TIME_LIMIT_MS = 10_000;

/** The worker's heap limit: a file that needs more is refused rather than let grow. */
const WORKER_HEAP_MB = 1024;

/** @internal What the service sends the parse worker. */
export interface ParseRequest {
  id: number;
  file: string;
  bytes: Uint8Array | string;
}

/** @internal What the parse worker answers: ready once loaded, then one reply per request. */
export type ParseReply =
  | { ready: true }
  | { id: number; doc: SourceDocument }
  | { id: number; error: { code: ErrorCode; message: string } };

interface Job {
  id: number;
  file: string;
  bytes: Buffer | string;
  timeLimitMs: number;
  resolve: (doc: SourceDocument) => void;
  reject: (error: AppError) => void;
  timer?: NodeJS.Timeout;
}

interface ParseThread {
  worker: Worker;
  ready: boolean;
}

let thread: ParseThread | undefined;
let running: Job | undefined;
const queue: Job[] = [];
let nextId = 1;

/**
 * Parses a corpus file as {@link parseDocument} does, in a worker thread, so that a slow file
 * never holds up chat: the service's own thread only waits. Files are parsed one at a time, in
 * the order asked; a file that takes longer than the time limit is refused, and its worker
 * replaced by a fresh one for the next file.
 *
 * @throws AppError `invalid` for what parseDocument refuses, for a file that took too long
 *   to read and for one that needed too much memory; `unavailable` if the worker cannot start.
 */
export function parseDocumentOffThread(
  file: string,
  bytes: Buffer | string,
  options: { timeLimitMs?: number } = {},
): Promise<SourceDocument> {
  return new Promise((resolve, reject) => {
    const timeLimitMs = options.timeLimitMs ?? PARSE_TIME_LIMIT_MS;
    queue.push({ id: nextId++, file, bytes, timeLimitMs, resolve, reject });
    next();
  });
}

/** Stops the parse worker, if one is running (the next parse starts a new one). */
export async function stopParseWorker(): Promise<void> {
  const current = thread;
  thread = undefined;
  if (running) settle(running, new AppError("unavailable", "the document parser was stopped"));
  if (current) await current.worker.terminate();
}

function next(): void {
  if (running !== undefined) return;
  const job = queue.shift();
  if (job === undefined) return;
  running = job;
  const current = (thread ??= startThread());
  // The timer also keeps the process alive while the (unref'd) worker works.
  job.timer = setTimeout(() => {
    discard(current);
    settle(
      job,
      new AppError(
        "invalid",
        `the file took too long to read (over ${formatSeconds(job.timeLimitMs)}): split it, or simplify its lists and nesting`,
      ),
    );
  }, job.timeLimitMs);
  current.worker.postMessage({
    id: job.id,
    file: job.file,
    bytes: job.bytes,
  } satisfies ParseRequest);
}

function settle(job: Job, outcome: SourceDocument | AppError): void {
  if (running !== job) return;
  clearTimeout(job.timer);
  running = undefined;
  if (outcome instanceof AppError) job.reject(outcome);
  else job.resolve(outcome);
  next();
}

function discard(current: ParseThread): void {
  if (thread === current) thread = undefined;
  void current.worker.terminate();
}

function startThread(): ParseThread {
  const worker = new Worker(new URL("./parse-worker-entry.mjs", import.meta.url), {
    resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
  });
  const current: ParseThread = { worker, ready: false };
  worker.on("message", (reply: ParseReply) => {
    if ("ready" in reply) {
      current.ready = true;
      return;
    }
    const job = running;
    if (job === undefined || job.id !== reply.id || thread !== current) return;
    settle(job, "doc" in reply ? reply.doc : new AppError(reply.error.code, reply.error.message));
  });
  worker.on("error", (error: Error & { code?: string }) => {
    // A worker already replaced (after a time-out) has nothing left to report.
    if (thread !== current) return;
    const ready = current.ready;
    discard(current);
    if (running === undefined) return;
    if (!ready) {
      settle(
        running,
        new AppError("unavailable", `the document parser could not start: ${error.message}`, {
          cause: error,
        }),
      );
    } else if (error.code === "ERR_WORKER_OUT_OF_MEMORY") {
      settle(
        running,
        new AppError("invalid", "the file needs too much memory to read", { cause: error }),
      );
    } else {
      settle(
        running,
        new AppError("invalid", `the file could not be parsed: ${error.message}`, { cause: error }),
      );
    }
  });
  worker.on("exit", () => {
    if (thread !== current) return;
    thread = undefined;
    if (running)
      settle(running, new AppError("invalid", "the file could not be parsed: the parser stopped"));
  });
  // An idle worker must not keep a script from exiting. After the listeners: adding a
  // "message" listener refs the worker again.
  worker.unref();
  return current;
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}
