import type { Database } from "./database.js";

export type ReindexState = "queued" | "running" | "done" | "failed";

export interface ReindexStats {
  documents: number;
  chunks: number;
  embedded: number;
  reused: number;
  skipped: { file: string; reason: string }[];
  seconds: number;
  embeddingModel: string;
  builtAt: string;
}

/** A re-index job as kept in the history. */
export interface ReindexRecord {
  id: string;
  state: ReindexState;
  requestedBy: string;
  createdAt: string;
  finishedAt: string | null;
  error: string | null;
  stats: ReindexStats | null;
}

export interface ReindexJobRepository {
  save(job: ReindexRecord): void;
  get(id: string): ReindexRecord | null;
  /** Newest first. */
  list(limit: number): ReindexRecord[];
  /** Jobs a crash left queued or running are failed at start: nothing runs them any more. */
  failUnfinished(at: string): number;
}

interface Row {
  id: string;
  state: ReindexState;
  requested_by: string;
  created_at: string;
  finished_at: string | null;
  error: string | null;
  stats: string | null;
}

const toRecord = (row: Row): ReindexRecord => ({
  id: row.id,
  state: row.state,
  requestedBy: row.requested_by,
  createdAt: row.created_at,
  finishedAt: row.finished_at,
  error: row.error,
  stats: row.stats === null ? null : (JSON.parse(row.stats) as ReindexStats),
});

export function createSqliteReindexJobs(db: Database): ReindexJobRepository {
  const upsert = db.prepare(
    `INSERT INTO reindex_jobs (id, state, requested_by, created_at, finished_at, error, stats)
     VALUES (@id, @state, @requestedBy, @createdAt, @finishedAt, @error, @stats)
     ON CONFLICT (id) DO UPDATE SET state = excluded.state, finished_at = excluded.finished_at,
       error = excluded.error, stats = excluded.stats`,
  );
  const byId = db.prepare<[string], Row>("SELECT * FROM reindex_jobs WHERE id = ?");
  const newest = db.prepare<[number], Row>(
    "SELECT * FROM reindex_jobs ORDER BY created_at DESC, id DESC LIMIT ?",
  );
  const failOpen = db.prepare<[string]>(
    `UPDATE reindex_jobs SET state = 'failed', finished_at = ?,
       error = 'The service stopped while this job ran' WHERE state IN ('queued', 'running')`,
  );
  return {
    save(job) {
      upsert.run({ ...job, stats: job.stats === null ? null : JSON.stringify(job.stats) });
    },
    get(id) {
      const row = byId.get(id);
      return row ? toRecord(row) : null;
    },
    list(limit) {
      return newest.all(limit).map(toRecord);
    },
    failUnfinished(at) {
      return failOpen.run(at).changes;
    },
  };
}
