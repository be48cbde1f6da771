import { randomUUID } from "node:crypto";
import { readdir, rename, stat, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { DOC_ID_PATTERN, docIdFromFileName } from "../content/doc-id.js";
import { addClinicPage } from "../content/clinic-page.js";
import { isArticleCandidate, loadCorpus } from "../content/load-corpus.js";
import { parseDocumentOffThread } from "../content/parse-off-thread.js";
import type { SourceDocument } from "../content/types.js";
import { AppError } from "../errors.js";
import type { SearchIndex } from "../index/search-index.js";

/** The largest article the admin console accepts. */
export const MAX_DOCUMENT_BYTES = 2 * 1024 * 1024;

/** A corpus document as the admin console lists it. */
export interface DocumentListing {
  docId: string;
  title: string;
  file: string;
  url: string | null;
  updated: string | null;
  sample: boolean;
  bytes: number;
  /** Passages in the index in service; null when the document is not indexed yet. */
  chunks: number | null;
  /** Generated at each re-index from another file (the clinic profile): edit that file instead. */
  generated: boolean;
}

export type DocumentUpload =
  | { kind: "markdown"; title: string; url?: string | undefined; markdown: string }
  | { kind: "file"; contentType: string; bytes: Buffer };

const EXTENSION_BY_TYPE: Record<string, string> = {
  "text/markdown": ".md",
  "text/x-markdown": ".md",
  "text/html": ".html",
  "text/plain": ".txt",
};

/** The corpus files (one per document) whose name gives this document id. */
async function filesOf(corpusDir: string, docId: string): Promise<string[]> {
  const names = await readdir(corpusDir).catch(() => [] as string[]);
  return names.filter((name) => isArticleCandidate(name) && docIdFromFileName(name) === docId);
}

/**
 * The corpus documents (and the page generated from the clinic profile), with their size and
 * how many passages the index in service has of each.
 */
export async function listDocuments(
  corpusDir: string,
  index: SearchIndex | undefined,
  /** The clinic profile, whose generated page is listed too. */
  clinicProfilePath?: string,
): Promise<{ documents: DocumentListing[]; skipped: { file: string; reason: string }[] }> {
  const corpus = await loadCorpus(corpusDir);
  if (clinicProfilePath && corpus.documents.length > 0) {
    await addClinicPage(clinicProfilePath, corpus);
  }
  const { documents, skipped } = corpus;
  // The corpus folder holds no file of the profile's name that is an article.
  const generated = (doc: SourceDocument) =>
    clinicProfilePath !== undefined && doc.file === path.basename(clinicProfilePath);
  const chunks = new Map<string, number>();
  for (const chunk of index?.chunks ?? [])
    chunks.set(chunk.docId, (chunks.get(chunk.docId) ?? 0) + 1);
  const indexed = new Set(index?.documents.map((d) => `${d.docId}\0${d.contentHash}`) ?? []);
  const listed = await Promise.all(
    documents.map(async (doc) => ({
      docId: doc.docId,
      title: doc.title,
      file: doc.file,
      url: doc.url ?? null,
      updated: doc.updated ?? null,
      sample: doc.sample,
      bytes: generated(doc)
        ? Buffer.byteLength(doc.source)
        : (await stat(path.join(corpusDir, doc.file))).size,
      generated: generated(doc),
      // A changed file is not what the index holds: show it as waiting for a re-index.
      chunks: indexed.has(`${doc.docId}\0${doc.contentHash}`) ? (chunks.get(doc.docId) ?? 0) : null,
    })),
  );
  return { documents: listed, skipped };
}

function frontMatter(title: string, url: string | undefined): string {
  // JSON strings are valid YAML scalars: quoting is then never a question.
  const lines = [
    `title: ${JSON.stringify(title)}`,
    `updated: ${new Date().toISOString().slice(0, 10)}`,
  ];
  if (url) lines.push(`url: ${JSON.stringify(url)}`);
  return `---\n${lines.join("\n")}\n---\n\n`;
}

/**
 * Adds or replaces a document in the corpus, after checking it parses exactly as ingestion
 * will read it. Written to a temporary file and renamed into place; a file of the same
 * document in another format is removed. Returns whether the document is new.
 */
export async function putDocument(
  corpusDir: string,
  docId: string,
  upload: DocumentUpload,
): Promise<{ created: boolean; file: string }> {
  if (!DOC_ID_PATTERN.test(docId)) {
    throw new AppError(
      "invalid",
      "The document id must be lower-case letters, digits and dashes (at most 64)",
    );
  }
  let file: string;
  let bytes: Buffer;
  if (upload.kind === "markdown") {
    file = `${docId}.md`;
    bytes = Buffer.from(frontMatter(upload.title, upload.url) + upload.markdown, "utf8");
  } else {
    const type = upload.contentType.split(";")[0]?.trim().toLowerCase() ?? "";
    const extension = EXTENSION_BY_TYPE[type];
    if (!extension) {
      throw new AppError(
        "unsupported_media_type",
        "Upload Markdown (text/markdown), HTML (text/html) or text (text/plain)",
      );
    }
    file = `${docId}${extension}`;
    bytes = upload.bytes;
  }
  if (bytes.byteLength > MAX_DOCUMENT_BYTES)
    throw new AppError("too_large", "A document may be at most 2 MB");
  // Throws AppError("invalid") naming the problem: empty, binary, not UTF-8, malformed, no text,
  // nested too deeply, too slow to read. Off the event loop, so chat keeps answering meanwhile.
  await parseDocumentOffThread(file, bytes);
  const existing = await filesOf(corpusDir, docId);
  // Unique per request: two uploads of one document at once must not share a temp file.
  const tmp = path.join(corpusDir, `.${file}.tmp-${randomUUID()}`);
  await writeFile(tmp, bytes);
  await rename(tmp, path.join(corpusDir, file));
  for (const other of existing.filter((name) => name !== file))
    await unlink(path.join(corpusDir, other));
  return { created: existing.length === 0, file };
}

/** Removes a document's file(s) from the corpus; false if there was none. */
export async function deleteDocument(corpusDir: string, docId: string): Promise<boolean> {
  const files = await filesOf(corpusDir, docId);
  for (const name of files) await unlink(path.join(corpusDir, name));
  return files.length > 0;
}
