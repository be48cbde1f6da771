import path from "node:path";

/** What a document id must look like: it appears in URLs, chunk ids and index files. */
export const DOC_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;

/**
 * Derives a document id from a corpus file name: the base name without its extension, lowercased,
 * with every run of characters outside `[a-z0-9]` turned into one `-` and the ends trimmed.
 *
 * @returns the id, or `null` when the name yields nothing that matches {@link DOC_ID_PATTERN}
 *   (for example `---.md`, or a name longer than 64 characters).
 */
export function docIdFromFileName(file: string): string | null {
  const base = path.basename(file);
  const ext = path.extname(base);
  const stem = ext === "" ? base : base.slice(0, -ext.length);
  const id = stem
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return DOC_ID_PATTERN.test(id) ? id : null;
}
