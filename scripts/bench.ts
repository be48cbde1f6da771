/**
 * `npm run bench [-- --quick]`: the service under load, measured as ratios within one run
 * (the machine is shared; absolute times drift). Starts the real service in a child
 * process with rate limiting off, drives it from a separate load-generator process on
 * loopback, and prints a Markdown report. Exits non-zero only if the bench itself breaks.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { loadEvalCases } from "../src/eval/eval-cases.js";
import type { LoadResult } from "./bench/load-generator.js";
import { runScript } from "./run-script.js";

const ROOT = path.resolve(import.meta.dirname, "..");

interface Service {
  url: string;
  child: ChildProcess;
  readyMs: number;
}

async function startService(dataDir: string): Promise<Service> {
  const started = performance.now();
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: "0",
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      RATE_LIMIT_PER_MIN: "0",
      LOG_LEVEL: "warn",
      NODE_ENV: "development",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(
      () => reject(new Error("the service did not start within 120 s")),
      120_000,
    );
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /Ready on http:\/\/localhost:(\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${match[1]}`);
      }
    });
    child.once("exit", (code) =>
      reject(new Error(`the service exited (${code}) before it was ready`)),
    );
  });
  return { url, child, readyMs: performance.now() - started };
}

async function stopService(service: Service): Promise<void> {
  const exited = new Promise((resolve) => service.child.once("exit", resolve));
  service.child.kill("SIGTERM");
  await exited;
}

function load(args: Record<string, unknown>): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "scripts/bench/load-generator.ts", JSON.stringify(args)],
      {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.once("exit", (code) =>
      code === 0
        ? resolve(JSON.parse(out) as LoadResult)
        : reject(new Error(`load generator exited ${code}`)),
    );
  });
}

const ms = (x: number) => x.toFixed(x < 10 ? 2 : 1);

await runScript(async () => {
  const { values } = parseArgs({ options: { quick: { type: "boolean", default: false } } });
  const seconds = values.quick ? 1 : 5;
  const questions = (await loadEvalCases(path.join(ROOT, "tests/eval/cases.jsonl")))
    .filter((c) => c.category === "in-scope")
    .map((c) => c.turns.at(-1) as string);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "skin-faq-bench-"));
  try {
    const cold = await startService(dataDir);
    await stopService(cold);
    const service = await startService(dataDir);
    try {
      const common = { url: service.url, seconds, questions };
      const ceiling = await load({ ...common, kind: "healthz", concurrency: 32 });
      const httpChat = await load({ ...common, kind: "http-chat", concurrency: 32 });
      const sockets: LoadResult[] = [];
      for (const concurrency of values.quick ? [1, 32] : [1, 32, 256]) {
        sockets.push(await load({ ...common, kind: "socket-chat", concurrency }));
      }
      const lines = [
        `# Service benchmark (${values.quick ? "quick" : "full"})`,
        "",
        `${new Date().toISOString()} · ${os.cpus().length} × ${os.cpus()[0]?.model ?? "CPU"} · Node ${process.version} · extractive mode, rate limit off`,
        "",
        "| load | visitors | requests/s | vs /healthz | p50 ms | p95 ms | p99 ms | first delta p50 / p95 ms | errors |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ...[ceiling, httpChat, ...sockets].map(
          (r) =>
            `| ${r.kind} | ${r.concurrency} | ${r.perSecond.toFixed(0)} | ${((100 * r.perSecond) / ceiling.perSecond).toFixed(0)}% | ${ms(r.latencyMs.p50)} | ${ms(r.latencyMs.p95)} | ${ms(r.latencyMs.p99)} | ${r.firstDeltaMs ? `${ms(r.firstDeltaMs.p50)} / ${ms(r.firstDeltaMs.p95)}` : "–"} | ${r.errors} |`,
        ),
        "",
        `Cold start to ready: ${(cold.readyMs / 1000).toFixed(2)} s without an index (builds it), ${(service.readyMs / 1000).toFixed(2)} s with one (process start included).`,
      ];
      console.log(lines.join("\n"));
    } finally {
      await stopService(service);
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
