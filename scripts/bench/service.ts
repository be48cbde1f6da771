/**
 * The service and the load generator as child processes of the bench: the service is the
 * real `src/main.ts` (extractive mode, rate limit off) on a loopback port, and each load
 * run is its own process, so neither shares an event loop with the other or with the bench.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { runJsonScript } from "./child.js";
import type { LoadArgs, LoadResult } from "./load-generator.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const START_TIMEOUT_MS = 120_000;
/** A load run may overrun its duration by this much (connecting, the last replies) before it is killed. */
const LOAD_GRACE_MS = 60_000;

export interface Service {
  url: string;
  child: ChildProcess;
  /** From spawning the process to "Ready on …". */
  readyMs: number;
}

export async function startService(dataDir: string): Promise<Service> {
  const started = performance.now();
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: "0",
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      ANSWER_MODE: "extractive",
      EMBEDDINGS: "local",
      RATE_LIMIT_PER_MIN: "0",
      LOG_LEVEL: "warn",
      NODE_ENV: "development",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(
        () => reject(new Error(`the service did not start within ${START_TIMEOUT_MS / 1000} s`)),
        START_TIMEOUT_MS,
      );
      child.stdout?.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const match = /Ready on http:\/\/localhost:(\d+)/.exec(out);
        if (match) {
          clearTimeout(timer);
          resolve(`http://127.0.0.1:${match[1]}`);
        }
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the service exited (${code}) before it was ready:\n${stderr}`));
      });
    });
    return { url, child, readyMs: performance.now() - started };
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
}

export interface ProcessMemory {
  /** Resident set now. */
  rssBytes: number;
  /** The highest resident set since the process started. */
  peakRssBytes: number;
}

/**
 * The service's resident memory, from /proc (Linux); undefined elsewhere. The service is the
 * spawned Node process itself (no shell in between), so its pid is the child's.
 */
export async function serviceMemory(service: Service): Promise<ProcessMemory | undefined> {
  const pid = service.child.pid;
  if (pid === undefined) return undefined;
  let status: string;
  try {
    status = await readFile(`/proc/${pid}/status`, "utf8");
  } catch {
    return undefined;
  }
  const kb = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  };
  const rss = kb("VmRSS");
  const peak = kb("VmHWM");
  return rss === undefined || peak === undefined
    ? undefined
    : { rssBytes: rss, peakRssBytes: peak };
}

export async function stopService(service: Service): Promise<void> {
  if (service.child.exitCode !== null || service.child.signalCode !== null) return;
  const exited = new Promise((resolve) => service.child.once("exit", resolve));
  service.child.kill("SIGTERM");
  await exited;
}

/** One closed-loop load run in a separate process; rejects if the generator itself fails. */
export function runLoad(args: LoadArgs): Promise<LoadResult> {
  return runJsonScript<LoadResult>("scripts/bench/load-generator.ts", args, {
    timeoutMs: args.seconds * 1000 + LOAD_GRACE_MS,
  });
}
