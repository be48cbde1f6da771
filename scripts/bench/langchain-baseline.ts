/**
 * The "LangChain default" baseline of the quality benchmark: what a first RAG prototype does
 * with the same articles and the same embeddings. Each document's plain text is split by
 * RecursiveCharacterTextSplitter (1000 characters, 200 overlap), embedded with the service's
 * embedding model (any LangChain `Embeddings`; the sentence encoder in the bench), searched by
 * plain top-k cosine similarity, and answered with the sentences of the first passage found
 * that are most similar to the question. No intents, no relevance threshold, no follow-ups.
 *
 * For a fair score, every baseline chunk is credited to the heading its first character
 * falls under, and cited with that heading's URL: the eval maps it to the same heading path
 * a real chunk of that section has.
 */
import type { Embeddings } from "@langchain/core/embeddings";
import { RecursiveCharacterTextSplitter } from "@langchain/textsplitters";
import type { Answerer } from "../../src/answer/answerer.js";
import { sentencesOf } from "../../src/answer/sentences.js";
import type { ChatReply, Citation } from "../../src/answer/types.js";
import type { Block, SourceDocument } from "../../src/content/types.js";
import { cosine } from "../../src/embeddings/cosine.js";

export const BASELINE_CHUNK_SIZE = 1000;
export const BASELINE_CHUNK_OVERLAP = 200;
/** LangChain's default `k` for a vector store retriever. */
export const BASELINE_K = 4;
const ANSWER_SENTENCES = 2;
const CITED = 3;

type Heading = Extract<Block, { kind: "heading" }>;

/** Where a block starts in a document's plain text, and the headings it sits under. */
interface Span {
  start: number;
  headingPath: string[];
  anchor: string;
}

export interface PlainDocument {
  text: string;
  spans: Span[];
}

/**
 * The document as plain text (what a text loader hands LangChain): headings, paragraphs
 * and "- " list items, blocks separated by blank lines and consecutive items by newlines.
 */
export function plainText(doc: SourceDocument): PlainDocument {
  const titleAnchor =
    doc.blocks.find((b): b is Heading => b.kind === "heading" && b.depth === 1)?.anchor ?? "";
  let text = "";
  let stack: Heading[] = [];
  const spans: Span[] = [];
  doc.blocks.forEach((block, i) => {
    if (block.kind === "heading") {
      stack = [...stack.filter((h) => h.depth < block.depth), block];
    }
    const headingPath = stack.map((h) => h.text);
    // The chunker's rule: a passage outside a top-level heading belongs under the title.
    if (stack[0]?.depth !== 1) headingPath.unshift(doc.title);
    if (i > 0) text += block.kind === "item" && doc.blocks[i - 1]?.kind === "item" ? "\n" : "\n\n";
    spans.push({ start: text.length, headingPath, anchor: stack.at(-1)?.anchor ?? titleAnchor });
    text += block.kind === "item" ? `- ${block.text}` : block.text;
  });
  return { text, spans };
}

/** The span a plain-text offset falls in (the last one starting at or before it). */
export function spanAt(spans: readonly Span[], offset: number): Span {
  let found = spans[0];
  for (const span of spans) {
    if (span.start > offset) break;
    found = span;
  }
  if (!found) throw new Error("a document without blocks");
  return found;
}

export interface BaselineChunk {
  docId: string;
  title: string;
  text: string;
  /** Offset of the chunk in its document's plain text. */
  start: number;
  headingPath: string[];
  url: string;
}

/** Splits every document with LangChain's defaults and locates each chunk's start. */
export async function splitCorpus(
  documents: readonly SourceDocument[],
  options: { chunkSize?: number; chunkOverlap?: number } = {},
): Promise<BaselineChunk[]> {
  const splitter = new RecursiveCharacterTextSplitter({
    chunkSize: options.chunkSize ?? BASELINE_CHUNK_SIZE,
    chunkOverlap: options.chunkOverlap ?? BASELINE_CHUNK_OVERLAP,
  });
  const chunks: BaselineChunk[] = [];
  for (const doc of documents) {
    const plain = plainText(doc);
    let from = 0;
    for (const text of await splitter.splitText(plain.text)) {
      const start = plain.text.indexOf(text, from);
      if (start < 0) throw new Error(`a baseline chunk of ${doc.docId} is not in its text`);
      from = start + 1;
      const span = spanAt(plain.spans, start);
      const base = doc.url ?? `/articles/${doc.docId}`;
      chunks.push({
        docId: doc.docId,
        title: doc.title,
        text,
        start,
        headingPath: span.headingPath,
        url: span.anchor ? `${base}#${span.anchor}` : base,
      });
    }
  }
  return chunks;
}

/** The baseline as an `Answerer`, so the eval harness scores it like every other row. */
export async function createLangChainBaseline(deps: {
  documents: readonly SourceDocument[];
  embeddings: Embeddings;
}): Promise<Answerer & { chunks: BaselineChunk[] }> {
  const { embeddings } = deps;
  const chunks = await splitCorpus(deps.documents);
  const vectors = await embeddings.embedDocuments(chunks.map((c) => c.text));
  const sentences = await Promise.all(
    chunks.map(async (chunk) => {
      const texts = chunk.text
        .split("\n")
        .flatMap((line) => sentencesOf(line.replace(/^- /, "")))
        .map((s) => s.trim())
        .filter(Boolean);
      const embedded = await embeddings.embedDocuments(texts);
      return texts.map((text, i) => ({ text, vector: embedded[i] as number[] }));
    }),
  );

  async function answerQuestion(input: { message: string }): Promise<ChatReply> {
    const query = await embeddings.embedQuery(input.message);
    const ranked = vectors
      .map((v, row) => ({ row, score: cosine(query, v) }))
      .sort((a, b) => b.score - a.score || a.row - b.row)
      .slice(0, BASELINE_K);
    const first = ranked[0]?.row ?? 0;
    const best = (sentences[first] ?? [])
      .map((s, order) => ({ ...s, order, score: cosine(query, s.vector) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, ANSWER_SENTENCES)
      .sort((a, b) => a.order - b.order);
    const citations: Citation[] = ranked.slice(0, CITED).map(({ row }, i) => {
      const chunk = chunks[row] as BaselineChunk;
      return {
        n: i + 1,
        docId: chunk.docId,
        title: chunk.title,
        section: chunk.headingPath.at(-1) ?? chunk.title,
        url: chunk.url,
        snippet: chunk.text.slice(0, 300),
      };
    });
    return {
      kind: "answer",
      answer: `${best.map((s) => s.text).join(" ")} [1]`,
      citations,
      grounded: true,
      handoff: null,
      source: "extractive",
    };
  }

  return {
    chunks,
    answerQuestion,
    async *streamAnswer(input) {
      const reply = await answerQuestion(input);
      yield { delta: reply.answer };
      yield reply;
    },
  };
}
