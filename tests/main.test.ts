import { type ChildProcess, spawn } from "node:child_process";
import { copyFile, mkdir, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, SHIPPED_CORPUS, tempDir } from "./helpers/core-fixtures.js";
import { getJson, postJson } from "./helpers/service.js";

/** The first start loads the word vectors and builds the index: give it room, but not forever. */
const READY_MS = 60_000;
/** main.ts waits up to 10 s for replies in flight before it closes. */
const EXIT_MS = 20_000;
const START_TEST_MS = READY_MS + 30_000;

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface RunningService {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** The JSON log lines written to stdout. */
  logs: () => Record<string, unknown>[];
  /** The base URL, once the process has printed its "Ready on" line. */
  ready: Promise<string>;
  exited: Promise<Exit>;
}

const running = new Set<ChildProcess>();
afterAll(() => {
  // Only the processes this file started, by their own handle.
  for (const child of running) child.kill("SIGKILL");
});

let undo: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of undo.reverse()) await step();
  undo = [];
});

/** The environment of one run: nothing from a developer's .env or shell changes what is tested. */
function serviceEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PORT: "0",
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    CORPUS_DIR: SHIPPED_CORPUS,
    LOG_LEVEL: "info",
    NODE_ENV: "development",
    // Set but empty, so that a .env in the repository cannot fill them in: loadEnvFile leaves
    // variables that are already set alone, and the config reads "" as unset.
    STAFF_TOKEN: "",
    STAFF_TOKENS: "",
    ADMIN_TOKEN: "",
    ALLOWED_ORIGINS: "",
    CLINIC_PROFILE: "",
    EMBEDDINGS: "",
    ANSWER_MODE: "",
    RATE_LIMIT_PER_MIN: "",
    TRUST_PROXY: "",
    BOOKING_WEBHOOK_URL: "",
    ...extra,
  };
}

/** Starts `node --import tsx src/main.ts` from the repository root. */
function startService(env: NodeJS.ProcessEnv): RunningService {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: REPO_ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  let out = "";
  let err = "";
  const onOutput = new Set<() => void>();
  child.stdout?.setEncoding("utf8").on("data", (text: string) => {
    out += text;
    for (const listener of [...onOutput]) listener();
  });
  child.stderr?.setEncoding("utf8").on("data", (text: string) => (err += text));
  // "close", not "exit": by then everything the process wrote has been read.
  const exited = new Promise<Exit>((resolve) => {
    child.once("close", (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
      for (const listener of [...onOutput]) listener();
    });
  });

  // Complete lines only: the last one may still be on its way.
  const logs = () =>
    out
      .slice(0, out.lastIndexOf("\n") + 1)
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  const ready = new Promise<string>((resolve, reject) => {
    const settle = (error: Error | null, url?: string) => {
      clearTimeout(timer);
      onOutput.delete(check);
      if (error) reject(error);
      else resolve(url as string);
    };
    // The plain line and the "ready" log line: pino writes asynchronously, so either can come
    // first, and once both are in, so are the start-up log lines before them.
    function check() {
      const port = /^Ready on http:\/\/localhost:(\d+)\n/m.exec(out)?.[1];
      if (port && logs().some((l) => l.msg === "ready")) {
        return settle(null, `http://127.0.0.1:${port}`);
      }
      if (!running.has(child)) {
        settle(new Error(`exited before it was ready\nstderr:\n${err}`));
      }
    }
    const timer = setTimeout(() => {
      settle(new Error(`not ready after ${READY_MS} ms\nstdout:\n${out}\nstderr:\n${err}`));
    }, READY_MS);
    onOutput.add(check);
  });
  // A test that expects a failed start never awaits `ready`.
  ready.catch(() => {});
  return { child, stdout: () => out, stderr: () => err, logs, ready, exited };
}

/** Resolves to how the process ended, or fails after `ms`. */
function exitWithin(service: RunningService, ms = EXIT_MS): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still running after ${ms} ms`)), ms);
    void service.exited.then((exit) => {
      clearTimeout(timer);
      resolve(exit);
    });
  });
}

/** Stops the service after a test unless it has ended already. */
function stopAfterTest(service: RunningService): void {
  undo.push(() => (running.has(service.child) ? stop(service) : undefined));
}

async function stop(service: RunningService): Promise<Exit> {
  service.child.kill("SIGTERM");
  return exitWithin(service);
}

const messages = (logs: Record<string, unknown>[]) => logs.map((l) => l.msg);

describe("the service from src/main.ts, through one data folder's life", () => {
  let dataDir: string;
  let service: RunningService;
  let url: string;
  let conversation: { sessionId: string; answer: string };
  beforeAll(async () => {
    const temp = await tempDir();
    dataDir = temp.dir;
    return temp.cleanup;
  });

  it(
    "starts on an empty data folder, building the index, and answers health checks and chat",
    async () => {
      service = startService(serviceEnv(dataDir));
      url = await service.ready;
      expect(messages(service.logs())).toContain("built the index");

      const health = await getJson(`${url}/healthz`);
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({ status: "ok", index: { documents: 3 } });
      const chat = await postJson(`${url}/api/chat`, { message: "Does it help acne scars?" });
      expect(chat.status).toBe(200);
      expect(chat.body).toMatchObject({ grounded: true, source: "extractive" });
      expect(chat.body.citations[0]).toMatchObject({ docId: "microneedling-benefits" });
      conversation = { sessionId: chat.body.sessionId, answer: chat.body.answer };
    },
    START_TEST_MS,
  );

  it("prints generated tokens once on stderr in development, and the staff token opens the staff API", async () => {
    const staff = [...service.stderr().matchAll(/\bSTAFF_TOKEN=(\S+)/g)];
    const admin = [...service.stderr().matchAll(/\bADMIN_TOKEN=(\S+)/g)];
    expect(staff).toHaveLength(1);
    expect(admin).toHaveLength(1);
    const token = staff[0]?.[1] as string;
    expect(service.stdout()).not.toContain(token);

    const allowed = await getJson(`${url}/api/staff/bookings`, {
      authorization: `Bearer ${token}`,
    });
    expect(allowed.status).toBe(200);
    expect(allowed.body.items).toEqual([]);
    const wrong = await getJson(`${url}/api/staff/bookings`, {
      authorization: `Bearer ${token}x`,
    });
    expect(wrong.status).toBe(401);
    expect((await getJson(`${url}/api/staff/bookings`)).status).toBe(401);
  });

  it("shuts down on SIGTERM with exit code 0, leaving a consistent database that holds the conversation", async () => {
    expect(await stop(service)).toEqual({ code: 0, signal: null });
    expect(messages(service.logs())).toEqual(expect.arrayContaining(["shutting down", "stopped"]));

    const file = path.join(dataDir, "app.db");
    // A clean close folds the write-ahead log back into the database file.
    const wal = await stat(`${file}-wal`).catch(() => null);
    expect(wal?.size ?? 0).toBe(0);
    const db = new BetterSqlite3(file, { readonly: true });
    try {
      expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
      const rows = db
        .prepare("SELECT role, text FROM messages WHERE conversation_id = ? ORDER BY seq")
        .all(conversation.sessionId);
      expect(rows).toEqual([
        { role: "visitor", text: "Does it help acne scars?" },
        { role: "bot", text: conversation.answer },
      ]);
    } finally {
      db.close();
    }
  });

  it(
    "reuses the index on a second start and serves the earlier conversation",
    async () => {
      const again = startService(serviceEnv(dataDir));
      stopAfterTest(again);
      const againUrl = await again.ready;
      expect(messages(again.logs())).toContain("ready");
      expect(messages(again.logs())).not.toContain("built the index");

      const history = await getJson(`${againUrl}/api/chat/${conversation.sessionId}`);
      expect(history.status).toBe(200);
      expect(history.body.messages.map((m: { text: string }) => m.text)).toEqual([
        "Does it help acne scars?",
        conversation.answer,
      ]);
      expect(await stop(again)).toEqual({ code: 0, signal: null });
    },
    START_TEST_MS,
  );
});

describe("starting src/main.ts", () => {
  it("refuses to start in production without staff and admin tokens, naming them, before listening", async () => {
    const temp = await tempDir();
    undo.push(temp.cleanup);
    const service = startService(serviceEnv(temp.dir, { NODE_ENV: "production" }));
    const exit = await exitWithin(service);
    expect(exit.code).not.toBe(0);
    expect(exit.code).not.toBeNull();
    expect(service.stderr()).toMatch(/STAFF_TOKEN/);
    expect(service.stderr()).toMatch(/ADMIN_TOKEN/);
    expect(service.stderr()).not.toMatch(/Generated for this run/);
    expect(service.stdout()).not.toMatch(/listening|Ready on/);
  });

  it(
    "starts with a corpus holding a broken file, and logs the file it skipped",
    async () => {
      const temp = await tempDir();
      undo.push(temp.cleanup);
      const corpus = path.join(temp.dir, "corpus");
      await mkdir(corpus);
      await copyFile(path.join(SHIPPED_CORPUS, "clinic.json"), path.join(corpus, "clinic.json"));
      await copyFile(
        path.join(SHIPPED_CORPUS, "microneedling-benefits.md"),
        path.join(corpus, "microneedling-benefits.md"),
      );
      await writeFile(path.join(corpus, "empty.md"), "");

      const service = startService(serviceEnv(path.join(temp.dir, "data"), { CORPUS_DIR: corpus }));
      stopAfterTest(service);
      const url = await service.ready;
      const built = service.logs().find((l) => l.msg === "built the index");
      expect(built?.skipped).toEqual([
        { file: "empty.md", reason: expect.stringMatching(/empty/) },
      ]);
      const health = await getJson(`${url}/healthz`);
      expect(health.body.index.documents).toBe(2);
      expect(await stop(service)).toEqual({ code: 0, signal: null });
    },
    START_TEST_MS,
  );
});
