/**
 * The sections of the clinic's articles, as the question bank names them: a section is a
 * document's (docId, heading), where heading is its passages' `section` (the deepest heading
 * above them; the title for the introduction). Read from the corpus folder, so a document
 * added since the last re-index already has its sections.
 */
import { createHash } from "node:crypto";
import { chunkDocument } from "./chunk.js";
import { addClinicPage } from "./clinic-page.js";
import { loadCorpus } from "./load-corpus.js";
import type { Chunk } from "./types.js";

export interface CorpusSection {
  docId: string;
  /** The document's title. */
  title: string;
  /** The section's own heading, as the question bank keys it. */
  heading: string;
  /** The heading's anchor on the article page. */
  anchor: string;
  /** The section's passages, in order, separated by blank lines. */
  text: string;
  /** sha256 (hex) of `text`: drafts carry it to tell which text they were written from. */
  contentHash: string;
}

/** One key per section: headings may repeat across documents, never within a key. */
export function sectionKey(docId: string, heading: string): string {
  return `${docId}\u0000${heading}`;
}

export function sectionHash(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/**
 * Groups passages into sections, in document order. Two headings of the same text in one
 * document are one section, as the question bank cannot tell them apart.
 */
export function sectionsOfChunks(chunks: readonly Chunk[]): CorpusSection[] {
  const sections = new Map<string, { first: Chunk; texts: string[] }>();
  for (const chunk of chunks) {
    const key = sectionKey(chunk.docId, chunk.section);
    const section = sections.get(key);
    if (section) section.texts.push(chunk.text);
    else sections.set(key, { first: chunk, texts: [chunk.text] });
  }
  return [...sections.values()].map(({ first, texts }) => {
    const text = texts.join("\n\n");
    return {
      docId: first.docId,
      title: first.title,
      heading: first.section,
      anchor: first.anchor,
      text,
      contentHash: sectionHash(text),
    };
  });
}

/**
 * Every section of the usable documents in the corpus folder, with the page generated from
 * the clinic profile when one is given, documents sorted by id.
 */
export async function listCorpusSections(
  corpusDir: string,
  clinicProfilePath?: string,
): Promise<CorpusSection[]> {
  const corpus = await loadCorpus(corpusDir);
  if (clinicProfilePath && corpus.documents.length > 0) {
    await addClinicPage(clinicProfilePath, corpus);
  }
  const { documents } = corpus;
  const chunks = await Promise.all(documents.map((doc) => chunkDocument(doc)));
  return sectionsOfChunks(chunks.flat());
}
