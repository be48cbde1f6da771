import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";

const cacheFileSchema = z.record(z.string(), z.array(z.number()));

/**
 * Embeddings already computed, keyed by model id and the sha256 of the embedded text, so a
 * re-index embeds only what changed (what costs money with a hosted model).
 */
export interface EmbeddingCache {
  get(text: string): number[] | undefined;
  set(text: string, vector: number[]): void;
  /** Writes the entries used since loading (dropping stale ones), atomically. */
  save(): Promise<void>;
}

export function textHash(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Opens the cache for one model under `dir`; a missing or unreadable file starts empty. */
export async function openEmbeddingCache(dir: string, modelId: string): Promise<EmbeddingCache> {
  const file = path.join(dir, `${modelId.replace(/[^a-zA-Z0-9._-]+/g, "_")}.json`);
  let stored: Record<string, number[]> = {};
  try {
    stored = cacheFileSchema.parse(JSON.parse(await readFile(file, "utf8")));
  } catch {
    // A missing or damaged cache only costs re-embedding; never a reason to fail a build.
  }
  const used = new Map<string, number[]>();
  return {
    get(text) {
      const key = textHash(text);
      const hit = used.get(key) ?? stored[key];
      if (hit) used.set(key, hit);
      return hit;
    },
    set(text, vector) {
      used.set(textHash(text), vector);
    },
    async save() {
      await mkdir(dir, { recursive: true });
      const tmp = `${file}.tmp-${process.pid}`;
      await writeFile(tmp, JSON.stringify(Object.fromEntries(used)));
      await rename(tmp, file);
    },
  };
}
