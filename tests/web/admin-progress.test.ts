import { describe, expect, it } from "vitest";
import type { ReindexJob } from "../../web/admin/api.js";
import { describeJob, isFinished, jobState, supersedes } from "../../web/admin/progress.js";

const job = (change: Partial<ReindexJob>): ReindexJob => ({
  id: "job1",
  state: "queued",
  requestedBy: "admin",
  createdAt: "2026-03-01T10:00:00.000Z",
  finishedAt: null,
  error: null,
  stats: null,
  progress: { phase: null, done: 0, total: 0 },
  ...change,
});

describe("re-index progress in words", () => {
  it("says what a running job is doing, with its count for the progress bar", () => {
    expect(describeJob(job({ state: "queued" }))).toEqual({
      label: "Waiting to start…",
      finished: false,
      failed: false,
    });
    expect(describeJob(job({ state: "running" })).label).toBe("Starting…");
    expect(
      describeJob(job({ state: "running", progress: { phase: "embed", done: 12, total: 40 } })),
    ).toEqual({
      label: "Embedding passages: 12 of 40…",
      progress: { done: 12, total: 40 },
      finished: false,
      failed: false,
    });
    expect(
      describeJob(job({ state: "running", progress: { phase: "save", done: 0, total: 0 } })).label,
    ).toBe("Saving the new index…");
  });

  it("says how a job ended: its figures, or its error and that the old index still serves", () => {
    const done = describeJob(
      job({
        state: "done",
        stats: {
          documents: 3,
          chunks: 22,
          embedded: 2,
          reused: 20,
          skipped: [],
          seconds: 0.042,
          embeddingModel: "local:test",
          builtAt: "2026-03-01T10:00:01.000Z",
        },
      }),
    );
    expect(done).toMatchObject({ finished: true, failed: false });
    expect(done.label).toBe(
      "Done: 3 documents, 22 passages (2 embedded, 20 reused) in 0.04 s. The new index is in service.",
    );
    expect(describeJob(job({ state: "failed", error: "No usable document" }))).toEqual({
      label: "Failed: No usable document. The previous index is still in service.",
      finished: true,
      failed: true,
    });
    expect(jobState(job({ state: "failed" }))).toBe("Failed");
  });
});

describe("which job update the console shows", () => {
  const running = job({ id: "a", state: "running", createdAt: "2026-03-01T10:00:00.000Z" });
  const done = { ...running, state: "done" as const };

  it("follows a job to its end, and never back from it", () => {
    expect(supersedes(undefined, running)).toBe(true);
    expect(supersedes(running, done)).toBe(true);
    expect(supersedes(done, running)).toBe(false);
    expect(isFinished(done)).toBe(true);
  });

  it("takes a newer job (another admin's) and ignores an older one", () => {
    const newer = job({ id: "b", state: "queued", createdAt: "2026-03-01T10:05:00.000Z" });
    expect(supersedes(done, newer)).toBe(true);
    expect(supersedes(newer, running)).toBe(false);
  });
});
