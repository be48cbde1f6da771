/**
 * The clinic's JSON content files beside the articles (glossary, question bank, booking
 * examples): read with a schema, where a missing file is the empty value and a broken one is
 * reported as a `problem` (the build goes on without it, like a bad article), and written
 * atomically so that a reader never sees half of one.
 */
import { createHash, randomUUID } from "node:crypto";
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { z } from "zod";

/** A content file's value, and why it could not be used when it could not. */
export interface LoadedContent<T> {
  value: T;
  problem?: string;
  /** sha256 (hex) of the file as read; absent when there is no file. */
  version?: string;
}

export async function loadContentFile<S extends z.ZodType>(
  corpusDir: string,
  file: string,
  schema: S,
  empty: z.infer<S>,
): Promise<LoadedContent<z.infer<S>>> {
  let raw: string;
  try {
    raw = await readFile(path.join(corpusDir, file), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { value: empty };
    return { value: empty, problem: "the file could not be read" };
  }
  const version = createHash("sha256").update(raw, "utf8").digest("hex");
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { value: empty, problem: "the file is not valid JSON", version };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    return {
      value: empty,
      problem: `invalid ${file.replace(/\.json$/, "")} (${issues.join("; ")})`,
      version,
    };
  }
  return { value: parsed.data as z.infer<S>, version };
}

/** Writes a validated value as `file` in the corpus folder (temporary file, then rename). */
export async function saveContentFile(corpusDir: string, file: string, value: unknown) {
  const target = path.join(corpusDir, file);
  const tmp = path.join(corpusDir, `.${file}.tmp-${randomUUID()}`);
  try {
    await writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`);
    await rename(tmp, target);
  } finally {
    await rm(tmp, { force: true });
  }
}
