/** A re-index job in words, for the progress line and the history. */
import { formatSeconds, plural } from "../console/format.js";
import type { ReindexJob } from "./api.js";

const PHASE: Record<string, string> = {
  load: "Reading the documents",
  embed: "Embedding passages",
  index: "Building the search index",
  save: "Saving the new index",
};

export interface JobView {
  /** One line: what is happening, or how it ended. */
  label: string;
  /** `done` of `total` for a progress bar; undefined when not measurable (yet). */
  progress?: { done: number; total: number };
  finished: boolean;
  failed: boolean;
}

/** A job accepted and not running yet; also what the line says the moment one is asked for. */
export const QUEUED_LABEL = "Waiting to start…";

export function describeJob(job: ReindexJob): JobView {
  switch (job.state) {
    case "queued":
      return { label: QUEUED_LABEL, finished: false, failed: false };
    case "running": {
      const { phase, done, total } = job.progress;
      const name = phase ? (PHASE[phase] ?? phase) : "Starting";
      const counted = total > 0 ? `: ${done} of ${total}` : "";
      return {
        label: `${name}${counted}…`,
        ...(total > 0 ? { progress: { done: Math.min(done, total), total } } : {}),
        finished: false,
        failed: false,
      };
    }
    case "done": {
      const stats = job.stats;
      return {
        label: stats
          ? `Done: ${plural(stats.documents, "document")}, ${plural(stats.chunks, "passage")} (${stats.embedded} embedded, ${stats.reused} reused) in ${formatSeconds(stats.seconds)}. The new index is in service.`
          : "Done. The new index is in service.",
        finished: true,
        failed: false,
      };
    }
    case "failed":
      return {
        label: `Failed: ${job.error ?? "unknown error"}. The previous index is still in service.`,
        finished: true,
        failed: true,
      };
  }
}

/** The state of a job in the history table. */
export function jobState(job: ReindexJob): string {
  return { queued: "Queued", running: "Running", done: "Done", failed: "Failed" }[job.state];
}

export function isFinished(job: ReindexJob | undefined): boolean {
  return job?.state === "done" || job?.state === "failed";
}

/**
 * Whether an update (live, or a poll's answer) replaces the job shown: a newer job does (only
 * one runs at a time, so it may be another admin's); a finished job never goes back to running
 * because of a late answer; an older job's update is ignored.
 */
export function supersedes(shown: ReindexJob | undefined, update: ReindexJob): boolean {
  if (!shown) return true;
  if (shown.id !== update.id) return update.createdAt >= shown.createdAt;
  return !isFinished(shown);
}
