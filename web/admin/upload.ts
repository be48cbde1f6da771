/**
 * Checks an upload before it is sent, with the same rules as the service: Markdown, HTML or
 * plain text, not empty, at most 2 MB. The service checks again (and parses the document);
 * this only saves a round trip and says what is wrong in words.
 */

/** The service's limit (`MAX_DOCUMENT_BYTES`). */
export const MAX_DOCUMENT_BYTES = 2 * 1024 * 1024;

/** What ingestion accepts for a document id (`DOC_ID_PATTERN` in src/content/doc-id.ts). */
export const DOC_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;

const TYPE_BY_EXTENSION: Record<string, string> = {
  ".md": "text/markdown",
  ".markdown": "text/markdown",
  ".html": "text/html",
  ".htm": "text/html",
  ".txt": "text/plain",
};

/** The accept attribute of the file input. */
export const ACCEPT = Object.keys(TYPE_BY_EXTENSION).join(",");

function extension(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot).toLowerCase() : "";
}

/** The content type a file is sent with, from its name (browsers disagree on `.md`). */
export function contentTypeFor(name: string): string | undefined {
  return TYPE_BY_EXTENSION[extension(name)];
}

/**
 * The document id a file name gives, as ingestion derives it (src/content/doc-id.ts):
 * `Chemical Peels.md` → `chemical-peels`. Empty when nothing usable is left.
 */
export function docIdFromName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? "";
  const ext = extension(base);
  const stem = ext ? base.slice(0, -ext.length) : base;
  const id = stem
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return DOC_ID_PATTERN.test(id) ? id : "";
}

/** A document id from a title: `What a Peel Does` → `what-a-peel-does` (at most 64). */
export function docIdFromTitle(title: string): string {
  return title
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+/, "")
    .slice(0, 64)
    .replace(/-+$/, "");
}

export type FileCheck = { ok: true; contentType: string } | { ok: false; message: string };

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** Whether a chosen file can be uploaded, and with which content type. */
export function checkFile(file: { name: string; size: number }): FileCheck {
  const contentType = contentTypeFor(file.name);
  if (!contentType) {
    return {
      ok: false,
      message: `"${file.name}" is not a document the assistant can read. Upload Markdown (.md), HTML (.html) or plain text (.txt).`,
    };
  }
  if (file.size === 0) return { ok: false, message: `"${file.name}" is empty.` };
  if (file.size > MAX_DOCUMENT_BYTES) {
    return {
      ok: false,
      message: `"${file.name}" is ${megabytes(file.size)}; a document may be at most 2 MB.`,
    };
  }
  return { ok: true, contentType };
}

export function checkDocId(docId: string): string | undefined {
  if (!docId) return "Give the document an id.";
  return DOC_ID_PATTERN.test(docId)
    ? undefined
    : "A document id is lower-case letters, digits and dashes (at most 64), starting with a letter or digit.";
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:";
  } catch {
    return false;
  }
}

/** The Markdown form: a title, an optional http(s) URL, and text within the size limit. */
export function checkMarkdown(input: {
  title: string;
  url: string;
  markdown: string;
}): Partial<Record<"title" | "url" | "markdown", string>> {
  const problems: Partial<Record<"title" | "url" | "markdown", string>> = {};
  if (!input.title.trim()) problems.title = "Give the document a title.";
  else if (input.title.trim().length > 200) problems.title = "A title is at most 200 characters.";
  if (input.url.trim()) {
    if (!isHttpUrl(input.url.trim()))
      problems.url = "The URL must be an http(s) address, e.g. https://clinic.example/peels.";
  }
  if (!input.markdown.trim()) problems.markdown = "The document is empty.";
  else if (new TextEncoder().encode(input.markdown).byteLength > MAX_DOCUMENT_BYTES) {
    problems.markdown = "A document may be at most 2 MB.";
  }
  return problems;
}
