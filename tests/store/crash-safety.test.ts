import { spawn } from "node:child_process";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { closeDatabase, openDatabase } from "../../src/store/database.js";
import { createSqliteTranscripts } from "../../src/store/transcripts.js";
import { reply, tempDatabase } from "./store-fixtures.js";

const REPO_ROOT = path.resolve(import.meta.dirname, "../..");
const WRITER = path.join(import.meta.dirname, "fixtures", "crash-writer.ts");
/** Exchanges the child must report before it is killed. */
const COMMITS_BEFORE_KILL = 150;
/** Upper bound on the child's run, in case it writes slowly on a loaded machine. */
const MAX_WAIT_MS = 15_000;

let env: Awaited<ReturnType<typeof tempDatabase>>;
beforeEach(async () => {
  env = await tempDatabase();
});
afterEach(async () => {
  await env.cleanup();
});

describe("crash safety", () => {
  it("keeps every reported exchange whole after the writer is killed with SIGKILL", async () => {
    // Another connection writing to a conversation the child also writes, so the two
    // processes contend for the write lock and the next seq.
    const parent = createSqliteTranscripts(env.db);
    const child = spawn(process.execPath, ["--import", "tsx", WRITER, env.file, "20"], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let parentWrites = 0;
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on("exit", (_code, signal) => resolve(signal)),
    );

    const reported = await new Promise<number>((resolve) => {
      const lastReported = () => Number(stdout.trim().split("\n").at(-1) ?? 0);
      const timer = setTimeout(() => resolve(lastReported()), MAX_WAIT_MS);
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        if (parentWrites < 20) {
          parentWrites += 1;
          parent.appendExchange({
            conversationId: "c0",
            visitor: { id: `pv${parentWrites}`, text: "parent", createdAt: new Date() },
            bot: { id: `pb${parentWrites}`, reply: reply(), latencyMs: 1, createdAt: new Date() },
          });
        }
        if (lastReported() >= COMMITS_BEFORE_KILL) {
          clearTimeout(timer);
          child.kill("SIGKILL");
          resolve(lastReported());
        }
      });
      child.on("exit", () => {
        clearTimeout(timer);
        resolve(lastReported());
      });
    });
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    expect(await exited, stderr).toBe("SIGKILL");
    expect(reported).toBeGreaterThan(0);

    closeDatabase(env.db);
    env.db = openDatabase(env.file);
    const db = env.db;
    expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
    expect(() =>
      db.prepare("INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')").run(),
    ).not.toThrow();

    // Every exchange the child reported is there with both messages.
    const stored = new Set(db.prepare<[], string>("SELECT id FROM messages").pluck().all());
    const missing: string[] = [];
    for (let n = 1; n <= reported; n++) {
      if (!stored.has(`v${n}`)) missing.push(`v${n}`);
      if (!stored.has(`b${n}`)) missing.push(`b${n}`);
    }
    expect(missing).toEqual([]);

    // No half exchange anywhere, including one committed but not yet reported: every visitor
    // message is followed by a bot message, in every conversation.
    const rows = db
      .prepare<[], { conversation_id: string; seq: number; role: string }>(
        "SELECT conversation_id, seq, role FROM messages ORDER BY conversation_id, seq",
      )
      .all();
    expect(rows.length % 2).toBe(0);
    for (let i = 0; i < rows.length; i += 2) {
      const [visitor, bot] = [rows[i], rows[i + 1]];
      expect(visitor?.role).toBe("visitor");
      expect(bot).toMatchObject({
        conversation_id: visitor?.conversation_id,
        seq: (visitor?.seq ?? 0) + 1,
        role: "bot",
      });
    }
    expect(stored.has("pv1") && stored.has("pb1")).toBe(true);
  });
});
