import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { ChatReply } from "../../src/answer/types.js";
import { closeDatabase, type Database, openDatabase } from "../../src/store/database.js";

/** A real database file in a fresh temporary folder, with a function to close and remove it. */
export async function tempDatabase(): Promise<{
  dir: string;
  file: string;
  db: Database;
  cleanup: () => Promise<void>;
}> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "skin-faq-store-"));
  const file = path.join(dir, "data", "app.db");
  const db = openDatabase(file);
  return {
    dir,
    file,
    db,
    cleanup: async () => {
      closeDatabase(db);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A clock that starts at `start` and moves on by `stepMs` each time it is read. */
export function steppingClock(start = "2026-03-01T09:00:00.000Z", stepMs = 1000): () => Date {
  let t = Date.parse(start);
  return () => {
    const now = new Date(t);
    t += stepMs;
    return now;
  };
}

/** A grounded reply with one citation, changed by `overrides`. */
export function reply(overrides: Partial<ChatReply> = {}): ChatReply {
  return {
    kind: "answer",
    answer: "A chemical peel takes about 30 minutes [1].",
    citations: [
      {
        n: 1,
        docId: "chemical-peels",
        title: "Chemical peels",
        section: "How long does it take?",
        url: "/articles/chemical-peels#how-long-does-it-take",
        snippet: "Most peels take about 30 minutes.",
      },
    ],
    grounded: true,
    handoff: null,
    source: "extractive",
    ...overrides,
  };
}
