import { RecursiveCharacterTextSplitter } from "@langchain/textsplitters";
import { AppError } from "../errors.js";
import { locateText } from "./text.js";
import type { Block, Chunk, SourceDocument } from "./types.js";

/**
 * Default longest passage, in characters. About a short paragraph or a handful of list items:
 * long enough to answer a question on its own, short enough to cite precisely.
 */
export const DEFAULT_CHUNK_CHARS = 700;

type Heading = Extract<Block, { kind: "heading" }>;
type TextBlock = Extract<Block, { kind: "paragraph" | "item" }>;

/** A paragraph or item (or a piece of one that was too long), ready to be packed into chunks. */
interface Atom {
  kind: "paragraph" | "item";
  text: string;
  start: number;
  end: number;
  /** A paragraph directly followed by list items: it is packed together with the first item. */
  introducesList: boolean;
}

/** The passage blocks between two headings, with the headings above them. */
interface Section {
  headings: Heading[];
  blocks: TextBlock[];
}

/**
 * Splits a document into retrievable passages that follow its heading structure: a chunk never
 * spans two headings; paragraphs and items under one heading are packed together up to `maxChars`;
 * a paragraph that introduces a list stays with its first items; a block longer than `maxChars` is
 * cut at sentence boundaries (at word boundaries for a sentence that is too long by itself) and
 * each piece is located in the source again, so every chunk's `start`/`end` still covers its text.
 *
 * @param options.maxChars longest chunk text, {@link DEFAULT_CHUNK_CHARS} by default.
 * @throws AppError `config` (as a rejection) when `maxChars` is not a positive integer.
 */
export async function chunkDocument(
  doc: SourceDocument,
  options: { maxChars?: number } = {},
): Promise<Chunk[]> {
  const maxChars = options.maxChars ?? DEFAULT_CHUNK_CHARS;
  if (!Number.isInteger(maxChars) || maxChars < 1) {
    throw new AppError("config", `chunk maxChars must be a positive integer, got ${maxChars}`);
  }
  const titleAnchor =
    doc.blocks.find((block): block is Heading => block.kind === "heading" && block.depth === 1)
      ?.anchor ?? "";
  const baseUrl = doc.url ?? `/articles/${doc.docId}`;
  const splitter = createSplitter(maxChars);

  const chunks: Chunk[] = [];
  for (const section of sectionsOf(doc.blocks)) {
    if (section.blocks.length === 0) continue;
    const atoms = await atomsOf(section.blocks, doc.source, maxChars, splitter);
    const deepest = section.headings[section.headings.length - 1];
    const headingPath = section.headings.map((heading) => heading.text);
    if (section.headings[0]?.depth !== 1) headingPath.unshift(doc.title);
    const anchor = deepest?.anchor ?? titleAnchor;
    for (const packed of pack(atoms, maxChars)) {
      const first = packed[0];
      const last = packed[packed.length - 1];
      if (first === undefined || last === undefined) continue;
      chunks.push({
        chunkId: `${doc.docId}:${chunks.length}`,
        docId: doc.docId,
        title: doc.title,
        headingPath: [...headingPath],
        section: deepest?.text ?? doc.title,
        anchor,
        url: anchor === "" ? baseUrl : `${baseUrl}#${anchor}`,
        text: joinAtoms(packed),
        start: first.start,
        end: last.end,
      });
    }
  }
  return chunks;
}

/** Cuts the block list at every heading, keeping the stack of headings each part sits under. */
function sectionsOf(blocks: Block[]): Section[] {
  const sections: Section[] = [];
  let current: Section = { headings: [], blocks: [] };
  for (const block of blocks) {
    if (block.kind === "heading") {
      sections.push(current);
      const headings = current.headings.filter((heading) => heading.depth < block.depth);
      current = { headings: [...headings, block], blocks: [] };
    } else {
      current.blocks.push(block);
    }
  }
  sections.push(current);
  return sections;
}

async function atomsOf(
  blocks: TextBlock[],
  source: string,
  maxChars: number,
  splitter: RecursiveCharacterTextSplitter,
): Promise<Atom[]> {
  const atoms: Atom[] = [];
  for (const [index, block] of blocks.entries()) {
    const introducesList = block.kind === "paragraph" && blocks[index + 1]?.kind === "item";
    if (block.text.length <= maxChars) {
      atoms.push({ ...block, introducesList });
      continue;
    }
    const pieces = await splitLongText(block, source, splitter);
    pieces.forEach((piece, pieceIndex) => {
      atoms.push({
        kind: block.kind,
        ...piece,
        // Only the piece right before the list leads into it.
        introducesList: introducesList && pieceIndex === pieces.length - 1,
      });
    });
  }
  return atoms;
}

// A sentence ends at . ! ? or … (perhaps followed by closing quotes or brackets), then a space
// and a capital letter or digit: this keeps "e.g. redness" and "approx. 5" together.
const SENTENCE_END = /(?<![.!?…])([.!?…]+["'”’)\]]*) (?=["'“‘([]?[\p{Lu}\p{N}])/gu;

/**
 * LangChain's recursive splitter for a sentence too long for one chunk: it cuts between words, or
 * anywhere within a word longer than `maxChars`, and packs the pieces without overlap.
 */
function createSplitter(maxChars: number): RecursiveCharacterTextSplitter {
  return new RecursiveCharacterTextSplitter({
    chunkSize: maxChars,
    chunkOverlap: 0,
    separators: [" ", ""],
    keepSeparator: false,
  });
}

/**
 * Cuts text into pieces of at most `maxChars`: whole sentences packed greedily, a sentence that is
 * too long by itself cut between words. Every piece is exact text, its parts joined by one space.
 */
async function splitSentences(
  splitter: RecursiveCharacterTextSplitter,
  text: string,
): Promise<string[]> {
  // Sentence ends are found here rather than with ". " style separators: those would cut "e.g. a",
  // and with keepSeparator the splitter moves each full stop to the start of the next piece.
  const sentences = text.replace(SENTENCE_END, "$1\n").split("\n");
  const units = await Promise.all(
    sentences.map((sentence) =>
      sentence.length <= splitter.chunkSize ? [sentence] : splitter.splitText(sentence),
    ),
  );
  // One packing pass over all units (not the splitter's recursion, which always cuts after an
  // over-long sentence) lets the end of a long sentence share a piece with the next sentence.
  return splitter.mergeSplits(units.flat(), " ");
}

/** Splits one long block into sentence pieces and finds each piece's offsets in the source. */
async function splitLongText(
  block: TextBlock,
  source: string,
  splitter: RecursiveCharacterTextSplitter,
): Promise<{ text: string; start: number; end: number }[]> {
  const texts = await splitSentences(splitter, block.text);

  // Each piece starts where its first word is found; the previous piece ends just before that.
  const starts: number[] = [];
  let cursor = block.start;
  for (const text of texts) {
    const located = locateText(source, cursor, block.end, text);
    let start = located?.start ?? cursor;
    // Take in markup glued to the first word (`**Bold`), so it is not left to the previous piece.
    while (start > cursor && !/\s/.test(source.charAt(start - 1))) start -= 1;
    starts.push(start);
    if (located) cursor = located.end;
  }
  return texts.map((text, index) => {
    const start = index === 0 ? block.start : (starts[index] ?? block.start);
    const next = starts[index + 1];
    const end = next === undefined ? block.end : start + source.slice(start, next).trimEnd().length;
    return { text, start, end };
  });
}

/** Greedy packing under the size limit, never leaving a list's introduction alone at a chunk end. */
function pack(atoms: Atom[], maxChars: number): Atom[][] {
  const chunks: Atom[][] = [];
  let current: Atom[] = [];
  let length = 0;
  atoms.forEach((atom, index) => {
    const separator = current.length === 0 ? 0 : separatorBefore(atom).length;
    let needed = separator + atom.text.length;
    const firstItem = atoms[index + 1];
    if (atom.introducesList && firstItem !== undefined) {
      const withItem = atom.text.length + 1 + firstItem.text.length;
      // When even the pair alone is too long, they have to part; otherwise keep them together.
      if (withItem <= maxChars) needed += 1 + firstItem.text.length;
    }
    if (current.length > 0 && length + needed > maxChars) {
      chunks.push(current);
      current = [];
      length = 0;
    }
    length += (current.length === 0 ? 0 : separator) + atom.text.length;
    current.push(atom);
  });
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** Items follow their introduction or the previous item on the next line; paragraphs get a gap. */
function separatorBefore(atom: Atom): string {
  return atom.kind === "item" ? "\n" : "\n\n";
}

function joinAtoms(atoms: Atom[]): string {
  return atoms
    .map((atom, index) => (index === 0 ? atom.text : separatorBefore(atom) + atom.text))
    .join("");
}
