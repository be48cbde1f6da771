/**
 * The document model shared by the loaders (md, html, txt), the chunker and the article pages.
 * Every format is parsed into the same list of blocks, so chunking and rendering never care
 * where a document came from.
 */

/** A heading, a paragraph or a list item, with character offsets into the document's source. */
export type Block =
  | {
      kind: "heading";
      /** 1 for the title, 2 for a section, 3 for a subsection, ... */
      depth: number;
      text: string;
      /** GitHub-style slug, unique within the document (github-slugger). */
      anchor: string;
      start: number;
      end: number;
    }
  | { kind: "paragraph" | "item"; text: string; start: number; end: number };

export type DocumentFormat = "md" | "html" | "txt";

/** A corpus file, parsed. `source` is the file's text; every offset refers to it. */
export interface SourceDocument {
  /** `[a-z0-9][a-z0-9-]{0,63}`, derived from the file name. */
  docId: string;
  title: string;
  /** The document's own public URL (front matter `url`), if it has one. */
  url?: string;
  /** Front matter `updated`, as written (ISO date). */
  updated?: string;
  /** True when the front matter marks the page as sample content for the clinic to replace. */
  sample: boolean;
  format: DocumentFormat;
  /** File name relative to the corpus directory. */
  file: string;
  source: string;
  blocks: Block[];
  /** sha256 (hex) of the file's bytes. */
  contentHash: string;
}

/** A file the loader could not use, and why. */
export interface SkippedFile {
  file: string;
  reason: string;
}

/** One retrievable, citable passage. */
export interface Chunk {
  /** Stable within one index build: `${docId}:${ordinal}`. */
  chunkId: string;
  docId: string;
  title: string;
  /** Headings from the document title down to the passage's own heading. */
  headingPath: string[];
  /** The deepest heading above the passage (the title for an introduction). */
  section: string;
  /** Anchor of that heading on the article page. */
  anchor: string;
  /** The document's url (or `/articles/:docId`) plus `#anchor`. */
  url: string;
  /** Plain text of the passage: paragraphs joined by blank lines, list items by newlines. */
  text: string;
  /** Offsets of the passage in the document's source. */
  start: number;
  end: number;
}
