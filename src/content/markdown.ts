import GithubSlugger from "github-slugger";
import matter from "gray-matter";
import { Lexer, type MarkedToken, type Token, type Tokens } from "marked";
import { z } from "zod";
import { AppError } from "../errors.js";
import { decodeHtmlEntities, htmlFragmentText, publicUrl } from "./html.js";
import { assertMarkdownNesting } from "./nesting.js";
import { collapseWhitespace, locateText, titleFromFileName } from "./text.js";
import type { Block, SourceDocument } from "./types.js";

/** What a format parser contributes; the loader adds the id, file, format, hash and source. */
type ParsedMarkdown = Pick<SourceDocument, "title" | "url" | "updated" | "sample" | "blocks">;

/** Front matter keys we read; others are allowed and ignored. An empty value counts as absent. */
const frontMatterSchema = z.object({
  title: z.string().nullish(),
  url: z.string().nullish(),
  updated: z.union([z.string(), z.date()]).nullish(),
  sample: z.boolean().nullish(),
  status: z.string().nullish(),
});

interface FrontMatter {
  title?: string;
  url?: string;
  updated?: string;
  sample: boolean;
  /** Where the markdown body starts in the source. */
  bodyOffset: number;
  body: string;
}

// gray-matter's own test for an opening delimiter: `---` not followed by another `-`, then the
// optional language name (`---yaml`) up to the end of the line.
const OPENING_DELIMITER = /^\uFEFF?---(?!-)([^\r\n]*)/;

function refuseEngine(): never {
  throw new Error("only YAML front matter is supported");
}

function readFrontMatter(source: string): FrontMatter {
  const opening = OPENING_DELIMITER.exec(source);
  if (opening) {
    const language = (opening[1] ?? "").trim().toLowerCase();
    // gray-matter would run `---js` front matter through eval(): corpus files are data, not code.
    if (language !== "" && language !== "yaml" && language !== "yml") {
      throw new AppError("invalid", "malformed front matter: only YAML front matter is supported");
    }
    if (!/\r?\n---/.test(source.slice(opening[0].length))) {
      throw new AppError("invalid", "malformed front matter: no closing --- line");
    }
  }
  let parsed: matter.GrayMatterFile<string>;
  try {
    // Passing options turns off gray-matter's module-level cache, which would otherwise remember
    // a file whose YAML failed to parse and hand it back as if it were fine. The engines are
    // replaced as a second guard against evaluating front matter as code.
    parsed = matter(source, {
      engines: { javascript: refuseEngine, coffee: refuseEngine, json: refuseEngine },
    });
  } catch (error) {
    // js-yaml puts a code excerpt after the first line; the first line says what and where.
    const firstLine = (error instanceof Error ? error.message : String(error)).split("\n")[0];
    const reason = (firstLine ?? "").replace(/:\s*$/, "");
    throw new AppError("invalid", `malformed front matter: ${reason}`, { cause: error });
  }

  const result = frontMatterSchema.safeParse(parsed.data);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
    throw new AppError(
      "invalid",
      `malformed front matter: ${where}${issue?.message ?? "expected key: value pairs"}`,
      { cause: result.error },
    );
  }
  const data = result.data;

  let url: string | undefined;
  if (data.url != null && data.url.trim() !== "") {
    url = publicUrl(data.url);
    if (url === undefined) {
      throw new AppError(
        "invalid",
        `malformed front matter: url must be an http(s) URL or a path starting with /, got "${data.url}"`,
      );
    }
  }

  // gray-matter only ever cuts the front matter off the start, so the body is a suffix.
  const body = parsed.content;
  if (!source.endsWith(body)) {
    throw new AppError("internal", "front matter parser changed the markdown body");
  }
  const title = data.title?.trim();
  const updated = data.updated == null ? undefined : dateText(data.updated);
  return {
    ...(title && { title }),
    ...(url !== undefined && { url }),
    ...(updated && { updated }),
    sample: data.sample === true || data.status?.trim().toLowerCase() === "sample",
    bodyOffset: source.length - body.length,
    body,
  };
}

/** YAML turns `2024-05-01` into a Date; give back the date as written. */
function dateText(value: string | Date): string | undefined {
  if (typeof value === "string") return value.trim() || undefined;
  if (Number.isNaN(value.getTime())) return undefined;
  const iso = value.toISOString();
  return iso.endsWith("T00:00:00.000Z") ? iso.slice(0, 10) : iso;
}

/**
 * marked turns CRLF and CR into LF before lexing, so its `raw` strings come from the normalised
 * text. Offsets found there are mapped back through this table.
 */
function normalizeNewlines(text: string): { text: string; toOriginal: (index: number) => number } {
  if (!text.includes("\r")) return { text, toOriginal: (index) => index };
  const map: number[] = [];
  let normalized = "";
  for (let i = 0; i < text.length; i += 1) {
    const char = text.charAt(i);
    // The "\n" standing for a CRLF maps to its "\r", so a span ending before it excludes both.
    map.push(i);
    if (char === "\r") {
      normalized += "\n";
      if (text.charAt(i + 1) === "\n") i += 1;
    } else {
      normalized += char;
    }
  }
  map.push(text.length);
  return { text: normalized, toOriginal: (index) => map[index] ?? text.length };
}

/** marked only yields its own token types unless extensions are registered, and we register none. */
function known(token: Token): MarkedToken {
  return token as MarkedToken;
}

/** Plain text of inline tokens: markup dropped, link and emphasis text kept, images dropped. */
function inlineText(tokens: Token[] | undefined): string {
  if (!tokens) return "";
  return tokens.map((token) => inlineTokenText(known(token))).join("");
}

function inlineTokenText(token: MarkedToken): string {
  switch (token.type) {
    case "text":
      return token.tokens ? inlineText(token.tokens) : decodeHtmlEntities(token.text);
    case "escape":
    case "codespan":
      // Code spans show their content literally; entities in them are not decoded.
      return token.text;
    case "br":
      return " ";
    case "html":
      return /^<br\b/i.test(token.raw) ? " " : "";
    case "image":
    case "checkbox":
      return "";
    case "strong":
    case "em":
    case "del":
    case "link":
      return inlineText(token.tokens);
    default:
      return "";
  }
}

/** Plain text of any block token and everything inside it, on one line. */
function blockText(token: MarkedToken): string {
  switch (token.type) {
    case "heading":
    case "paragraph":
    case "text":
      return token.tokens ? inlineText(token.tokens) : decodeHtmlEntities(token.text);
    case "code":
      return token.text;
    case "blockquote":
      return token.tokens.map((child) => blockText(known(child))).join(" ");
    case "list":
      return token.items.map((item) => blockText(item)).join(" ");
    case "list_item":
      return token.tokens.map((child) => blockText(known(child))).join(" ");
    case "table":
      return [token.header, ...token.rows].map((row) => cellsText(row)).join(" ");
    case "html":
      return htmlFragmentText(token.raw);
    default:
      return "";
  }
}

function cellsText(cells: Tokens.TableCell[]): string {
  return cells.map((cell) => collapseWhitespace(inlineText(cell.tokens))).join(" ");
}

/** Emits blocks with offsets into the (newline-normalised) markdown body. */
class BlockCollector {
  readonly blocks: Block[] = [];
  private readonly slugger = new GithubSlugger();

  constructor(
    private readonly body: string,
    private readonly toSource: (index: number) => number,
  ) {}

  heading(depth: number, text: string, start: number, end: number): void {
    const clean = collapseWhitespace(text);
    if (clean === "") return;
    this.blocks.push({
      kind: "heading",
      depth,
      text: clean,
      anchor: this.slugger.slug(clean),
      ...this.span(start, end),
    });
  }

  text(kind: "paragraph" | "item", text: string, start: number, end: number): void {
    const clean = collapseWhitespace(text);
    if (clean === "") return;
    this.blocks.push({ kind, text: clean, ...this.span(start, end) });
  }

  private span(start: number, end: number): { start: number; end: number } {
    const trimmedEnd = start + this.body.slice(start, end).trimEnd().length;
    return { start: this.toSource(start), end: this.toSource(trimmedEnd) };
  }
}

function collectToken(token: MarkedToken, start: number, out: BlockCollector, body: string): void {
  const end = start + token.raw.length;
  switch (token.type) {
    case "heading":
      out.heading(token.depth, inlineText(token.tokens), start, end);
      return;
    case "list":
      collectList(token, start, end, out, body);
      return;
    case "table":
      collectTable(token, start, out);
      return;
    case "space":
    case "hr":
    case "def":
      return;
    default:
      out.text("paragraph", blockText(token), start, end);
  }
}

/** One item block per list item (nested lists flattened after their parent item). */
function collectList(
  list: Tokens.List,
  start: number,
  end: number,
  out: BlockCollector,
  body: string,
): void {
  let cursor = start;
  for (const item of list.items) {
    // A nested item's raw text has its indentation removed, so only its first line is sure to
    // appear verbatim in the body.
    const firstLine = item.raw.split("\n", 1)[0] ?? "";
    const found = body.indexOf(firstLine, cursor);
    const itemStart = found === -1 || found >= end ? cursor : found;
    const ownText = item.tokens
      .map((child) => known(child))
      .filter((child) => child.type !== "list")
      .map((child) => blockText(child))
      .join(" ");
    const located = locateText(body, itemStart, end, ownText);
    const itemEnd = located?.end ?? itemStart + firstLine.length;
    out.text("item", ownText, itemStart, itemEnd);
    cursor = itemStart + firstLine.length;
    for (const child of item.tokens) {
      const nested = known(child);
      if (nested.type !== "list") continue;
      const nestedFirst = nested.raw.split("\n", 1)[0] ?? "";
      const at = body.indexOf(nestedFirst, cursor);
      const nestedStart = at === -1 || at >= end ? cursor : at;
      collectList(nested, nestedStart, end, out, body);
    }
  }
}

/** One paragraph per table row (the header row included), spanning that row's line. */
function collectTable(table: Tokens.Table, start: number, out: BlockCollector): void {
  const rows = [table.header, ...table.rows];
  const lines: { start: number; end: number }[] = [];
  let at = start;
  for (const line of table.raw.split("\n")) {
    lines.push({ start: at, end: at + line.length });
    at += line.length + 1;
  }
  // Line 1 is the `|---|---|` delimiter row.
  const rowLines = [lines[0], ...lines.slice(2)];
  rows.forEach((row, index) => {
    const line = rowLines[index] ?? { start, end: start + table.raw.length };
    out.text("paragraph", cellsText(row), line.start, line.end);
  });
}

/**
 * Parses a markdown article. Front matter (YAML between `---` lines) may set `title`, `url`,
 * `updated` and mark the page as sample content with either `sample: true` or `status: sample`.
 * Headings become heading blocks, paragraphs paragraphs, each list item an item; blockquotes,
 * code blocks, table rows and HTML blocks become paragraphs of their plain text. Offsets span each
 * token's markdown (`## ` and `- ` included). The title is the front matter title, else the first
 * `#` heading, else the file name.
 *
 * @param file the file name, used for the title when the article has none.
 * @param source the whole file text, front matter included; every block offset points into it.
 * @throws AppError `invalid` when the front matter is malformed.
 */
export function parseMarkdown(file: string, source: string): ParsedMarkdown {
  const front = readFrontMatter(source);
  const { text: body, toOriginal } = normalizeNewlines(front.body);
  const out = new BlockCollector(body, (index) => front.bodyOffset + toOriginal(index));
  // marked re-reads a list item's content at every level of nesting: refuse deep ones first.
  assertMarkdownNesting(body);

  // A fresh options object per call: marked's Lexer writes into the options it is given, and
  // the shared defaults could have been changed by anyone calling `marked.use`.
  const tokens = new Lexer({ gfm: true, breaks: false, pedantic: false }).lex(body);
  let cursor = 0;
  for (const raw of tokens) {
    const token = known(raw);
    const found = body.indexOf(token.raw, cursor);
    const start = found === -1 ? cursor : found;
    collectToken(token, start, out, body);
    cursor = start + token.raw.length;
  }

  const firstH1 = out.blocks.find((block) => block.kind === "heading" && block.depth === 1);
  return {
    title: front.title ?? firstH1?.text ?? titleFromFileName(file),
    ...(front.url !== undefined && { url: front.url }),
    ...(front.updated !== undefined && { updated: front.updated }),
    sample: front.sample,
    blocks: out.blocks,
  };
}
