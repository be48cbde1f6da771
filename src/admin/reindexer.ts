import { randomBytes } from "node:crypto";
import { AppError } from "../errors.js";
import type { BuildProgress, BuildSummary } from "../index/build-index.js";
import type { ReindexJobRepository, ReindexRecord } from "../store/reindex-jobs.js";

/** A job as the API shows it: the stored record plus live progress while it runs. */
export interface ReindexJob extends ReindexRecord {
  progress: { phase: BuildProgress["phase"] | null; done: number; total: number };
}

export interface ReindexerDeps {
  jobs: ReindexJobRepository;
  /** Builds a new index from the corpus (the ingestion code, incremental embedding included). */
  build: (onProgress: (progress: BuildProgress) => void) => Promise<BuildSummary>;
  /** Loads the new build and puts it in service with one swap. */
  activate: () => Promise<void>;
  /** Told of every change of a job, for the admin console's live progress. */
  onUpdate?: (job: ReindexJob) => void;
  /** Where a failed job's cause is logged (the job itself keeps only a safe message). */
  logError?: (error: unknown, jobId: string) => void;
  now?: () => Date;
}

export interface Reindexer {
  /** Starts a job, or returns the one already queued or running: one at a time. */
  start(requestedBy: string): ReindexJob;
  get(id: string): ReindexJob | null;
  history(limit?: number): ReindexJob[];
  /** Resolves when the running job, if any, has finished. */
  idle(): Promise<void>;
}

/**
 * Re-indexes in the background while visitors keep chatting: the new index is built into
 * its own folder, loaded, and swapped in at once; a failed job leaves the old index in
 * service and records why.
 */
export function createReindexer(deps: ReindexerDeps): Reindexer {
  const now = deps.now ?? (() => new Date());
  let active: { job: ReindexJob; done: Promise<void> } | undefined;
  deps.jobs.failUnfinished(now().toISOString());

  const update = (job: ReindexJob, persist = true) => {
    try {
      if (persist) deps.jobs.save(job);
    } catch (error) {
      // The history is a record, not the job: a busy database must not stop or crash it.
      deps.logError?.(error, job.id);
    }
    deps.onUpdate?.({ ...job, progress: { ...job.progress } });
  };

  async function run(job: ReindexJob): Promise<void> {
    job.state = "running";
    update(job);
    try {
      const summary = await deps.build((p) => {
        job.progress = { phase: p.phase, done: p.done, total: p.total };
        update(job, false);
      });
      await deps.activate();
      job.stats = {
        documents: summary.documents,
        chunks: summary.chunks,
        embedded: summary.embedded,
        reused: summary.reused,
        skipped: summary.skipped,
        seconds: summary.seconds,
        embeddingModel: summary.manifest.embeddingModel,
        builtAt: summary.manifest.builtAt,
      };
      job.state = "done";
    } catch (error) {
      deps.logError?.(error, job.id);
      job.state = "failed";
      // Our own errors say what to fix (e.g. "no usable document"); others stay in the log.
      job.error =
        error instanceof AppError ? error.message : "The re-index failed; see the service log";
    }
    job.finishedAt = now().toISOString();
    update(job);
  }

  return {
    start(requestedBy) {
      if (active) return active.job;
      const job: ReindexJob = {
        id: randomBytes(9).toString("base64url"),
        state: "queued",
        requestedBy,
        createdAt: now().toISOString(),
        finishedAt: null,
        error: null,
        stats: null,
        progress: { phase: null, done: 0, total: 0 },
      };
      update(job);
      const done = new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => run(job))
        .finally(() => {
          active = undefined;
        });
      active = { job, done };
      return job;
    },
    get(id) {
      if (active?.job.id === id) return active.job;
      const record = deps.jobs.get(id);
      return record ? { ...record, progress: { phase: null, done: 0, total: 0 } } : null;
    },
    history(limit = 20) {
      return deps.jobs
        .list(limit)
        .map((r) =>
          active?.job.id === r.id
            ? active.job
            : { ...r, progress: { phase: null, done: 0, total: 0 } },
        );
    },
    async idle() {
      await active?.done;
    },
  };
}
