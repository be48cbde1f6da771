import type { Chunk } from "../content/types.js";
import type { RetrievedPassage } from "../retrieval/hybrid-retriever.js";
import type { PassageTerms, QueryTerms, WordAligner } from "../retrieval/word-alignment.js";
import { sentencesOf } from "./sentences.js";
import type { Citation } from "./types.js";

/** A sentence (or a list with its lead-in) that can be quoted on its own. */
export interface Unit {
  /** Lines exactly as they stand in the passage. */
  lines: string[];
  /** Position within the passage, to keep quoted sentences in reading order. */
  order: number;
}

const MAX_UNITS = 3;
const MAX_ANSWER_CHARS = 480;
/** Other sentences are quoted only if they are nearly as relevant as the best one. */
const RELATIVE_FLOOR = 0.75;
const SNIPPET_CHARS = 300;

/**
 * Splits a passage into quotable units: sentences of its paragraphs, and a lead-in ending in
 * ":" together with the list items under it (a list is meaningless without its lead-in).
 */
export function passageUnits(text: string): Unit[] {
  const units: Unit[] = [];
  for (const paragraph of text.split(/\n{2,}/)) {
    const [first = "", ...items] = paragraph.split("\n").map((l) => l.trim());
    const sentences = sentencesOf(first)
      .map((s) => s.trim())
      .filter(Boolean);
    if (items.length > 0 && sentences.length > 0) {
      const lead = sentences.pop() as string;
      for (const s of sentences) units.push({ lines: [s], order: units.length });
      units.push({ lines: [lead, ...items.filter(Boolean)], order: units.length });
    } else {
      for (const s of sentences) units.push({ lines: [s], order: units.length });
      for (const item of items.filter(Boolean)) units.push({ lines: [item], order: units.length });
    }
  }
  return units;
}

/** The passage cut to about 300 characters at a word boundary. */
export function snippetOf(text: string): string {
  const flat = text.replace(/\s*\n+\s*/g, " ");
  if (flat.length <= SNIPPET_CHARS) return flat;
  const cut = flat.slice(0, SNIPPET_CHARS);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(" "), SNIPPET_CHARS - 40)).trimEnd()}…`;
}

function citationFor(chunk: Chunk, n: number): Citation {
  return {
    n,
    docId: chunk.docId,
    title: chunk.title,
    section: chunk.section,
    url: chunk.url,
    snippet: snippetOf(chunk.text),
  };
}

function renderUnit(unit: Unit, n: number): string {
  const [lead = "", ...items] = unit.lines;
  if (items.length === 0) return `${lead} [${n}]`;
  return `${lead}\n${items.map((item) => `• ${item}`).join("\n")} [${n}]`;
}

/**
 * Builds a short answer (one to three units) from the best-supported sentences of the top
 * passages, each followed by the `[n]` of the passage it is quoted from. Returns null when
 * no sentence supports the question at all.
 */
/** A passage's units with their words, worked out once per passage, not per question. */
export type UnitSource = (chunk: Chunk) => { unit: Unit; terms: PassageTerms }[];

export function createUnitSource(aligner: WordAligner): UnitSource {
  const cache = new Map<string, { unit: Unit; terms: PassageTerms }[]>();
  return (chunk) => {
    let units = cache.get(chunk.chunkId);
    if (!units) {
      units = passageUnits(chunk.text).map((unit) => ({
        unit,
        terms: aligner.passage(unit.lines.join(" ")),
      }));
      cache.set(chunk.chunkId, units);
    }
    return units;
  };
}

export function composeExtractiveAnswer(
  passages: RetrievedPassage[],
  query: QueryTerms,
  aligner: WordAligner,
  units: UnitSource = createUnitSource(aligner),
): { answer: string; citations: Citation[] } | null {
  const scored = passages.flatMap((passage, rank) =>
    units(passage.chunk).map(({ unit, terms }) => ({
      unit,
      rank,
      passage,
      // The passage's own relevance counts too: its headings carry meaning its sentences lack.
      score: 0.7 * aligner.score(query, terms) + 0.3 * passage.score,
    })),
  );
  if (scored.length === 0) return null;
  // The best sentence of the best passage leads; others must come close to it.
  const lead = scored
    .filter((s) => s.rank === 0)
    .reduce((best, s) => (s.score > best.score ? s : best));
  const chosen = [lead];
  let length = lead.unit.lines.join(" ").length;
  const others = scored.filter((s) => s !== lead).sort((a, b) => b.score - a.score);
  for (const candidate of others) {
    if (chosen.length >= MAX_UNITS) break;
    if (candidate.score < RELATIVE_FLOOR * lead.score) break;
    const size = candidate.unit.lines.join(" ").length;
    if (length + size > MAX_ANSWER_CHARS) continue;
    chosen.push(candidate);
    length += size;
  }
  chosen.sort((a, b) => a.rank - b.rank || a.unit.order - b.unit.order);

  const numbers = new Map<string, number>();
  const citations: Citation[] = [];
  const parts = chosen.map(({ unit, passage }) => {
    let n = numbers.get(passage.chunk.chunkId);
    if (n === undefined) {
      n = citations.length + 1;
      numbers.set(passage.chunk.chunkId, n);
      citations.push(citationFor(passage.chunk, n));
    }
    return renderUnit(unit, n);
  });
  return { answer: parts.join(" "), citations };
}
