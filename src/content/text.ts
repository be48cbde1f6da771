import path from "node:path";
import GithubSlugger from "github-slugger";
import type { Block, SourceDocument } from "./types.js";

/** What a format parser contributes; the loader adds the id, file, format, hash and source. */
type ParsedText = Pick<SourceDocument, "title" | "url" | "updated" | "sample" | "blocks">;

/** Trims and turns every run of whitespace (including newlines and no-break spaces) into one space. */
export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/**
 * True when the text ends like a sentence or clause (`. ! ? : ;` or an ellipsis), ignoring closing
 * quotes and brackets, so `He said "yes."` counts as punctuated.
 */
export function endsWithTerminalPunctuation(text: string): boolean {
  return /[.!?:;…]["'”’)\]]*$/u.test(text.trimEnd());
}

/** The file's base name without its extension: the title of last resort. */
export function titleFromFileName(file: string): string {
  const base = path.basename(file);
  const ext = path.extname(base);
  return ext === "" ? base : base.slice(0, -ext.length);
}

const WORD = /[\p{L}\p{N}]+/gu;
const WORD_CHAR = /[\p{L}\p{N}]/u;

/** The words (letter and digit runs) of a text, in order. */
export function wordsOf(text: string): string[] {
  return text.match(WORD) ?? [];
}

/** Index of `word` in `source[from, to)` as a whole word (not inside a longer word), or -1. */
function findWord(source: string, word: string, from: number, to: number): number {
  let at = source.indexOf(word, from);
  while (at !== -1 && at + word.length <= to) {
    const before = at > 0 ? source.charAt(at - 1) : "";
    const after = source.charAt(at + word.length);
    if (!WORD_CHAR.test(before) && !WORD_CHAR.test(after)) return at;
    at = source.indexOf(word, at + 1);
  }
  return -1;
}

/**
 * Finds where a plain-text rendering of some markup sits in the raw source between `from` and `to`.
 * Plain text and source differ by markup, entities and whitespace, but their words agree, so the
 * words are matched in order; a word that only exists encoded in the source (`caf&eacute;`) is
 * skipped. The span runs from the first matched word to the last one, extended over trailing
 * punctuation or markup up to the next whitespace.
 *
 * @returns the span, or `null` when no word of `text` could be found.
 */
export function locateText(
  source: string,
  from: number,
  to: number,
  text: string,
): { start: number; end: number } | null {
  let cursor = from;
  let start = -1;
  let end = -1;
  for (const word of wordsOf(text)) {
    const at = findWord(source, word, cursor, to);
    if (at === -1) continue;
    if (start === -1) start = at;
    end = at + word.length;
    cursor = end;
  }
  if (start === -1) return null;
  while (end < to && !/\s/.test(source.charAt(end))) end += 1;
  return { start, end };
}

interface Line {
  text: string;
  start: number;
}

/** A blank-line separated group of lines turned into paragraphs and items. */
interface Segment {
  kind: "paragraph" | "item";
  text: string;
  start: number;
  end: number;
  /** True when the segment is a whole one-line group: the only shape a heading can take. */
  loneLine: boolean;
}

// Bullets people type or paste from word processors; dashes and `*` need a space after them so
// that "-5 degrees" or "*conditions apply" stay text.
const BULLET = /^(\s*)(?:[•◦▪●‣]\s*|[-*–]\s+)(?=\S)/u;
const MAX_TITLE_CHARS = 120;
const MAX_HEADING_CHARS = 80;

function splitLines(source: string): Line[] {
  const lines: Line[] = [];
  const breaks = /\r\n|\r|\n/g;
  let start = 0;
  for (const match of source.matchAll(breaks)) {
    lines.push({ text: source.slice(start, match.index), start });
    start = match.index + match[0].length;
  }
  lines.push({ text: source.slice(start), start });
  return lines;
}

function groupLines(lines: Line[]): Line[][] {
  const groups: Line[][] = [];
  let current: Line[] = [];
  for (const line of lines) {
    if (line.text.trim() === "") {
      if (current.length > 0) groups.push(current);
      current = [];
    } else {
      current.push(line);
    }
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** Offsets of a run of lines with the outer whitespace left out. */
function spanOf(lines: Line[], skipChars = 0): { start: number; end: number } {
  const first = lines[0];
  const last = lines[lines.length - 1];
  if (first === undefined || last === undefined) throw new Error("spanOf needs at least one line");
  const lead = first.text.slice(skipChars).length - first.text.slice(skipChars).trimStart().length;
  return {
    start: first.start + skipChars + lead,
    end: last.start + last.text.trimEnd().length,
  };
}

function segmentGroup(group: Line[]): Segment[] {
  const segments: Segment[] = [];
  let paragraph: Line[] = [];
  let item: { lines: Line[]; skip: number } | null = null;

  const flushParagraph = (): void => {
    if (paragraph.length === 0) return;
    const span = spanOf(paragraph);
    segments.push({
      kind: "paragraph",
      text: collapseWhitespace(paragraph.map((line) => line.text).join(" ")),
      ...span,
      loneLine: paragraph.length === group.length && paragraph.length === 1,
    });
    paragraph = [];
  };
  const flushItem = (): void => {
    if (item === null) return;
    const [first, ...rest] = item.lines;
    if (first !== undefined) {
      const text = [first.text.slice(item.skip), ...rest.map((line) => line.text)].join(" ");
      segments.push({
        kind: "item",
        text: collapseWhitespace(text),
        ...spanOf(item.lines),
        loneLine: false,
      });
    }
    item = null;
  };

  for (const line of group) {
    const bullet = BULLET.exec(line.text);
    if (bullet !== null) {
      flushParagraph();
      flushItem();
      item = { lines: [line], skip: bullet[0].length };
    } else if (item !== null && /^\s/.test(line.text)) {
      // An indented line under a bullet continues that item (a wrapped line).
      item.lines.push(line);
    } else {
      flushItem();
      paragraph.push(line);
    }
  }
  flushParagraph();
  flushItem();
  return segments;
}

/**
 * Parses a plain-text article. Blank lines separate paragraphs; lines starting with a bullet are
 * list items. The first line is the title (a depth-1 heading) when it is at most 120 characters,
 * does not end with sentence punctuation and more text follows. A paragraph made of one short line (at most 80
 * characters, no terminal punctuation) with more text after it is a depth-2 heading; such a line
 * at the very end (an "About the author" byline) is dropped, as it heads nothing.
 *
 * @param file the file name, used for the title when the text has none.
 * @param source the whole file text; every block offset points into it.
 */
export function parseText(file: string, source: string): ParsedText {
  const groups = groupLines(splitLines(source));
  const slugger = new GithubSlugger();
  const blocks: Block[] = [];
  let title: string | undefined;

  const firstGroup = groups[0];
  const firstLine = firstGroup?.[0];
  // A lone line is the text itself, not the title of nothing.
  const moreFollows = groups.length > 1 || (firstGroup?.length ?? 0) > 1;
  if (
    firstLine !== undefined &&
    firstGroup &&
    moreFollows &&
    BULLET.exec(firstLine.text) === null
  ) {
    const text = collapseWhitespace(firstLine.text);
    if (text.length <= MAX_TITLE_CHARS && !endsWithTerminalPunctuation(text)) {
      title = text;
      blocks.push({
        kind: "heading",
        depth: 1,
        text,
        anchor: slugger.slug(text),
        ...spanOf([firstLine]),
      });
      groups[0] = firstGroup.slice(1);
    }
  }

  const segments = groups.flatMap((group) => (group.length === 0 ? [] : segmentGroup(group)));
  const isHeadingLike = (segment: Segment): boolean =>
    segment.kind === "paragraph" &&
    segment.loneLine &&
    segment.text.length <= MAX_HEADING_CHARS &&
    !endsWithTerminalPunctuation(segment.text);
  // A short unpunctuated last line ("About the author", "Share this article") is page furniture
  // with nothing under it; it is dropped unless it is the only text there is.
  const last = segments[segments.length - 1];
  if (last !== undefined && isHeadingLike(last) && segments.some((s) => !isHeadingLike(s))) {
    segments.pop();
  }

  segments.forEach((segment, index) => {
    if (isHeadingLike(segment) && index < segments.length - 1) {
      blocks.push({
        kind: "heading",
        depth: 2,
        text: segment.text,
        anchor: slugger.slug(segment.text),
        start: segment.start,
        end: segment.end,
      });
    } else {
      blocks.push({
        kind: segment.kind,
        text: segment.text,
        start: segment.start,
        end: segment.end,
      });
    }
  });

  return { title: title ?? titleFromFileName(file), sample: false, blocks };
}
