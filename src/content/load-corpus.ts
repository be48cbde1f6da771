import { GLOSSARY_FILE } from "./glossary.js";
import { QUESTION_BANK_FILE } from "./question-bank.js";
import { BOOKING_EXAMPLES_FILE } from "./booking-examples.js";
import { createHash } from "node:crypto";
import type { Dirent } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { AppError } from "../errors.js";
import { docIdFromFileName } from "./doc-id.js";
import { parseHtml } from "./html.js";
import { parseDocumentOffThread } from "./parse-off-thread.js";
import { parseMarkdown } from "./markdown.js";
import { parseText } from "./text.js";
import type { DocumentFormat, SkippedFile, SourceDocument } from "./types.js";

type Parser = (
  file: string,
  source: string,
) => Pick<SourceDocument, "title" | "url" | "updated" | "sample" | "blocks">;

const FORMATS: Record<string, { format: DocumentFormat; parse: Parser }> = {
  ".md": { format: "md", parse: parseMarkdown },
  ".markdown": { format: "md", parse: parseMarkdown },
  ".html": { format: "html", parse: parseHtml },
  ".htm": { format: "html", parse: parseHtml },
  ".txt": { format: "txt", parse: parseText },
};

function formatOf(file: string): { format: DocumentFormat; parse: Parser } | undefined {
  return FORMATS[path.extname(file).toLowerCase()];
}

function unsupportedReason(file: string): string {
  const ext = path.extname(file).toLowerCase() || "(none)";
  return `unsupported file type "${ext}": use .md, .markdown, .html, .htm or .txt`;
}

/** Files in the corpus directory that are not articles and are not worth a "skipped" line. */
const NOT_ARTICLES = new Set([
  "clinic.json",
  GLOSSARY_FILE,
  QUESTION_BANK_FILE,
  BOOKING_EXAMPLES_FILE,
]);

/** Default size limit per file: far above any article, low enough to keep a stray dump out. */
export const DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024;

/**
 * Parses one corpus file into a document. The format comes from the extension (`.md`/`.markdown`,
 * `.html`/`.htm`, `.txt`), the id from the file name.
 *
 * @param file the file name relative to the corpus directory (kept as `SourceDocument.file`).
 * @param bytes the file's content; a string is taken as already-decoded text.
 * @throws AppError `invalid` with a reason a clinic can act on: unsupported type, a name that
 *   gives no id, binary content, invalid UTF-8, an empty file, malformed front matter, no text,
 *   elements or lists nested too deeply (`MAX_NESTING_DEPTH` in nesting.ts).
 */
export function parseDocument(file: string, bytes: Buffer | string): SourceDocument {
  const handler = formatOf(file);
  if (handler === undefined) throw new AppError("invalid", unsupportedReason(file));
  const docId = docIdFromFileName(file);
  if (docId === null) {
    throw new AppError(
      "invalid",
      "the file name gives no usable document id: use letters and digits, at most 64 characters",
    );
  }

  const buffer = typeof bytes === "string" ? Buffer.from(bytes, "utf8") : bytes;
  if (buffer.length === 0) throw new AppError("invalid", "the file is empty");
  if ((buffer[0] === 0xff && buffer[1] === 0xfe) || (buffer[0] === 0xfe && buffer[1] === 0xff)) {
    // Notepad's "Unicode" encoding: a common way for a clinic to end up with a non-UTF-8 file.
    throw new AppError("invalid", "the file is UTF-16 text; save it as UTF-8");
  }
  if (buffer.includes(0)) {
    throw new AppError("invalid", "the file is binary (it contains NUL bytes), not text");
  }
  let source: string;
  try {
    // `fatal` makes bad bytes an error instead of silently becoming U+FFFD in citations.
    source = new TextDecoder("utf-8", { fatal: true }).decode(buffer);
  } catch (error) {
    throw new AppError("invalid", "the file is not valid UTF-8 text; save it as UTF-8", {
      cause: error,
    });
  }
  // TextDecoder drops a byte-order mark; do the same for text handed over as a string.
  if (source.startsWith("\uFEFF")) source = source.slice(1);
  if (source.trim() === "") throw new AppError("invalid", "the file has only whitespace");

  let parsed: ReturnType<Parser>;
  try {
    parsed = handler.parse(file, source);
  } catch (error) {
    if (error instanceof AppError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new AppError("invalid", `the file could not be parsed: ${reason}`, { cause: error });
  }
  if (!parsed.blocks.some((block) => block.kind !== "heading")) {
    throw new AppError("invalid", "the file has no readable text (no paragraphs or list items)");
  }

  return {
    docId,
    title: parsed.title,
    ...(parsed.url !== undefined && { url: parsed.url }),
    ...(parsed.updated !== undefined && { updated: parsed.updated }),
    sample: parsed.sample,
    format: handler.format,
    file,
    source,
    blocks: parsed.blocks,
    contentHash: createHash("sha256").update(buffer).digest("hex"),
  };
}

/**
 * Loads every article in a corpus directory (not its subdirectories). Dotfiles, `clinic.json`
 * and `glossary.json` are ignored; every other file that cannot be used is listed in `skipped` with the reason, and
 * when two files give the same id (`faq.md`, `faq.txt`) the first by file name wins.
 * A bad file never makes this throw.
 *
 * Files are parsed in a worker thread, each within a time limit (parse-off-thread.ts); one that
 * is nested too deeply or takes too long is skipped with that reason.
 *
 * @param options.maxFileBytes files larger than this are skipped ({@link DEFAULT_MAX_FILE_BYTES}).
 * @returns the documents sorted by id, and the skipped files sorted by name.
 * @throws AppError `index_missing` when the directory itself cannot be read, `unavailable`
 *   when the parse worker cannot start.
 */
export async function loadCorpus(
  dir: string,
  options: { maxFileBytes?: number } = {},
): Promise<{ documents: SourceDocument[]; skipped: SkippedFile[] }> {
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    throw new AppError("index_missing", `cannot read the corpus directory ${dir}`, {
      cause: error,
    });
  }

  const documents: SourceDocument[] = [];
  const skipped: SkippedFile[] = [];
  const owners = new Map<string, string>();
  // Plain code-unit order, so which duplicate wins does not depend on the machine's locale.
  const candidates = entries.filter((entry) => isArticleCandidate(entry.name));
  for (const entry of candidates.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const name = entry.name;
    const reason = entry.isDirectory()
      ? FOLDER_REASON
      : await loadOne(dir, name, maxFileBytes, owners, documents);
    if (reason !== null) skipped.push({ file: name, reason });
  }
  documents.sort((a, b) => (a.docId < b.docId ? -1 : a.docId > b.docId ? 1 : 0));
  return { documents, skipped };
}

const FOLDER_REASON = "it is a folder; only files directly in the corpus folder are read";

/** Whether a corpus file name can hold an article (not a dotfile, the profile or the glossary). */
export function isArticleCandidate(name: string): boolean {
  return !name.startsWith(".") && !NOT_ARTICLES.has(name);
}

/** Loads one file into `documents`; returns why it was skipped, or null. */
async function loadOne(
  dir: string,
  name: string,
  maxFileBytes: number,
  owners: Map<string, string>,
  documents: SourceDocument[],
): Promise<string | null> {
  // Checked before reading, so a large PDF is reported as a PDF, not as too large.
  if (formatOf(name) === undefined) return unsupportedReason(name);
  const full = path.join(dir, name);
  let bytes: Buffer;
  try {
    const info = await stat(full);
    if (info.isDirectory()) return FOLDER_REASON;
    if (!info.isFile()) return "not a regular file";
    if (info.size > maxFileBytes) {
      return `the file is too large (${info.size} bytes; the limit is ${maxFileBytes})`;
    }
    bytes = await readFile(full);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return `the file could not be read${code ? ` (${code})` : ""}`;
  }

  let doc: SourceDocument;
  try {
    // In a worker thread with a time limit: a file made to be slow must not hold up chat.
    doc = await parseDocumentOffThread(name, bytes);
  } catch (error) {
    // A parser that cannot start is no fault of the file.
    if (error instanceof AppError && error.code === "unavailable") throw error;
    // parseDocument reports bad content as AppError; anything else is a parser bug, and one odd
    // file must still not take the whole corpus down with it.
    if (error instanceof AppError) return error.message;
    return `the file could not be parsed: ${error instanceof Error ? error.message : String(error)}`;
  }
  const owner = owners.get(doc.docId);
  if (owner !== undefined) {
    return `duplicate document id "${doc.docId}": ${owner} already uses it`;
  }
  owners.set(doc.docId, name);
  documents.push(doc);
  return null;
}
