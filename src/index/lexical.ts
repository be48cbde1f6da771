import MiniSearch, { type Options } from "minisearch";
import type { Chunk } from "../content/types.js";
import { STOP_WORDS, stem } from "../embeddings/text.js";

/** What the lexical index stores per passage: its row in the index, and the text fields. */
export interface LexicalDocument {
  id: number;
  text: string;
  headings: string;
  /** The question bank's questions for the passage's section. */
  questions: string;
}

/**
 * One definition of the BM25 index's options, used to build it and to load it again:
 * MiniSearch needs the same options on both sides. Terms are lower-cased, stop words
 * dropped and Porter-stemmed, so "scars" finds "scar".
 */
export function lexicalOptions(): Options<LexicalDocument> {
  return {
    fields: ["text", "headings", "questions"],
    idField: "id",
    processTerm: (term) => {
      const word = term
        .toLowerCase()
        .replace(/[\u2018\u2019']/g, "")
        .replace(/[^\p{L}\p{N}]+/gu, "");
      if (word.length < 2 || STOP_WORDS.has(word)) return null;
      return stem(word);
    },
    // Bank questions help find a passage but are not its words: they count for half.
    searchOptions: { boost: { headings: 1.5, questions: 0.5 }, combineWith: "OR" },
  };
}

/** The text of a passage's headings below the document title, for lexical and dense matching. */
export function headingText(chunk: Chunk): string {
  return chunk.headingPath.slice(1).join(" / ");
}

/**
 * Builds the BM25 index over passages, each with the bank questions of its section;
 * row `i` is `chunks[i]`.
 */
export function buildLexicalIndex(
  chunks: Chunk[],
  questionsOf: (row: number) => string[] = () => [],
): MiniSearch<LexicalDocument> {
  const index = new MiniSearch<LexicalDocument>(lexicalOptions());
  index.addAll(
    chunks.map((c, id) => ({
      id,
      text: c.text,
      headings: headingText(c),
      questions: questionsOf(id).join("\n"),
    })),
  );
  return index;
}

/** Loads a BM25 index saved with `JSON.stringify(index)`. */
export function loadLexicalIndex(json: string): MiniSearch<LexicalDocument> {
  return MiniSearch.loadJSON<LexicalDocument>(json, lexicalOptions());
}
