import GithubSlugger from "github-slugger";
import { Parser } from "htmlparser2";
import { assertHtmlNesting, htmlTooDeep, MAX_NESTING_DEPTH } from "./nesting.js";
import { collapseWhitespace, titleFromFileName } from "./text.js";
import type { Block, SourceDocument } from "./types.js";

/** What a format parser contributes; the loader adds the id, file, format, hash and source. */
type ParsedHtml = Pick<SourceDocument, "title" | "url" | "updated" | "sample" | "blocks">;

/** A block before it gets its heading anchor. */
type RawBlock =
  | { kind: "heading"; depth: number; text: string; start: number; end: number }
  | { kind: "paragraph" | "item"; text: string; start: number; end: number };

/**
 * Elements whose content is not article text: never shown (script, style, head...), or site
 * navigation, which repeats on every page and answers no question.
 */
const HIDDEN_ELEMENTS = new Set([
  "script",
  "style",
  "noscript",
  "template",
  "head",
  "title",
  "svg",
  "iframe",
  "object",
  "nav",
]);

const HEADING = /^h([1-6])$/;
/** A table row is one paragraph, so a price stays next to what it is the price of. */
const PARAGRAPH_ELEMENTS = new Set([
  "p",
  "blockquote",
  "tr",
  "dt",
  "dd",
  "figcaption",
  "pre",
  "caption",
  "summary",
]);

/**
 * Layout elements: text directly inside them is "loose" and becomes its own paragraph, and they end
 * any loose text before them, so `<div>a</div><div>b</div>` gives two paragraphs, not "ab".
 */
const LAYOUT_ELEMENTS = new Set([
  "html",
  "body",
  "div",
  "section",
  "article",
  "main",
  "header",
  "footer",
  "aside",
  "ul",
  "ol",
  "dl",
  "table",
  "thead",
  "tbody",
  "tfoot",
  "form",
  "fieldset",
  "figure",
  "details",
  "address",
  "hr",
  "hgroup",
  "menu",
]);

interface PendingBlock {
  kind: "heading" | "paragraph" | "item";
  depth: number;
  parts: string[];
  /** Where the block's source starts; null until it has text (loose text, resumed blocks). */
  start: number | null;
  end: number;
}

interface Frame {
  name: string;
  hidden: boolean;
  block: PendingBlock | null;
}

interface ExtractedHtml {
  blocks: RawBlock[];
  title?: string;
  url?: string;
  updated?: string;
}

/** Whitespace and control characters, which have no place inside a URL. */
// eslint-disable-next-line no-control-regex
const UNSAFE_IN_URL = /[\s\u0000-\u001f\u007f-\u009f]/;

/**
 * Returns a public URL unchanged (trimmed) when it is an absolute http(s) URL or a site path
 * starting with `/`, else `undefined`. Document URLs end up in links and citations, so anything
 * like `javascript:` must never get through, nor whitespace or control characters anywhere.
 */
export function publicUrl(value: string): string | undefined {
  const url = value.trim();
  // Browsers drop tabs and newlines inside a URL: "/\t/evil.example" would open evil.example.
  if (UNSAFE_IN_URL.test(url)) return undefined;
  if (url.startsWith("/") && !url.startsWith("//") && !url.includes("\\")) return url;
  if (!/^https?:\/\//i.test(url)) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? url : undefined;
  } catch {
    return undefined;
  }
}

/** Decodes HTML character references (`&amp;`, `&eacute;`, `&#39;`) the way a browser would. */
export function decodeHtmlEntities(text: string): string {
  if (!text.includes("&")) return text;
  const parts: string[] = [];
  // Escaping `<` first means the parser can only see text, so this never drops anything as a tag.
  const parser = new Parser({ ontext: (data) => parts.push(data) }, { decodeEntities: true });
  parser.end(text.replace(/</g, "&lt;"));
  return parts.join("");
}

/** The visible text of an HTML fragment (script, style and the like dropped), on one line. */
export function htmlFragmentText(fragment: string): string {
  return extractHtml(fragment)
    .blocks.map((block) => block.text)
    .join(" ");
}

function extractHtml(source: string): ExtractedHtml {
  // Before htmlparser2 and the stack walks below, whose cost grows with the depth at every tag.
  assertHtmlNesting(source);
  const blocks: RawBlock[] = [];
  const stack: Frame[] = [];
  const titleParts: string[] = [];
  let titleState: "none" | "reading" | "done" = "none";
  let url: string | undefined;
  let updated: string | undefined;
  const loose: PendingBlock = newPending("paragraph", 0, null);

  const hidden = (): boolean => stack.some((frame) => frame.hidden);
  const openBlock = (): PendingBlock | null => {
    for (let i = stack.length - 1; i >= 0; i -= 1) {
      const block = stack[i]?.block;
      if (block) return block;
    }
    return null;
  };

  const emit = (pending: PendingBlock): void => {
    const text = collapseWhitespace(pending.parts.join(""));
    if (text !== "" && pending.start !== null) {
      const span = { start: pending.start, end: Math.max(pending.end, pending.start) };
      blocks.push(
        pending.kind === "heading"
          ? { kind: "heading", depth: pending.depth, text, ...span }
          : { kind: pending.kind, text, ...span },
      );
    }
    pending.parts = [];
    pending.start = null;
  };
  const flushLoose = (): void => {
    if (openBlock() === null) emit(loose);
  };

  const parser = new Parser(
    {
      onopentag(name, attribs) {
        // The stack mirrors the parser's (a void element adds one for a moment); should it
        // ever outgrow the scan above, stop here.
        if (stack.length > MAX_NESTING_DEPTH) throw htmlTooDeep();
        if (name === "link" && url === undefined) {
          const rel = (attribs.rel ?? "").toLowerCase().split(/\s+/);
          if (rel.includes("canonical") && attribs.href) url = publicUrl(attribs.href);
        }
        if (name === "meta" && updated === undefined) {
          const key = (attribs.name ?? attribs.property ?? "").toLowerCase();
          const content = attribs.content?.trim();
          if (
            (key === "updated" || key === "last-modified" || key === "article:modified_time") &&
            content
          ) {
            updated = content;
          }
        }
        const isTitle = name === "title" && titleState === "none" && !stack.some(isSvg);
        if (isTitle) titleState = "reading";

        const isHidden =
          HIDDEN_ELEMENTS.has(name) || "hidden" in attribs || attribs["aria-hidden"] === "true";
        if (hidden() || isHidden) {
          stack.push({ name, hidden: isHidden, block: null });
          return;
        }

        const heading = HEADING.exec(name);
        const kind = heading
          ? "heading"
          : name === "li"
            ? "item"
            : PARAGRAPH_ELEMENTS.has(name)
              ? "paragraph"
              : null;
        if (kind !== null) {
          // Text of an enclosing block before this one is its own block; the rest resumes later.
          const outer = openBlock();
          emit(outer ?? loose);
          const insideItem = stack.some((frame) => frame.block?.kind === "item");
          const pending = newPending(
            kind === "paragraph" && insideItem ? "item" : kind,
            heading ? Number(heading[1]) : 0,
            parser.startIndex,
          );
          stack.push({ name, hidden: false, block: pending });
          return;
        }
        if (LAYOUT_ELEMENTS.has(name)) flushLoose();
        // Cells and line breaks separate words even when the markup has no whitespace.
        if (name === "br" || name === "td" || name === "th") addText(" ", null);
        stack.push({ name, hidden: false, block: null });
      },

      onclosetag(name, isImplied) {
        if (name === "title" && titleState === "reading") titleState = "done";
        const frame = stack.pop();
        if (frame === undefined || frame.hidden || hidden()) return;
        if (frame.block) {
          // An implied close tag's indexes point at whatever token closed it, not at the block.
          if (!isImplied) frame.block.end = parser.endIndex + 1;
          emit(frame.block);
          return;
        }
        if (LAYOUT_ELEMENTS.has(name)) flushLoose();
      },

      ontext(data) {
        if (titleState === "reading") titleParts.push(data);
        if (hidden()) return;
        addText(data, { start: parser.startIndex, end: parser.endIndex + 1 });
      },
    },
    { decodeEntities: true },
  );

  function addText(data: string, span: { start: number; end: number } | null): void {
    const target = openBlock() ?? loose;
    target.parts.push(data);
    if (span === null || data.trim() === "") return;
    const raw = source.slice(span.start, span.end);
    const lead = raw.length - raw.trimStart().length;
    const trail = raw.length - raw.trimEnd().length;
    if (target.start === null) target.start = span.start + lead;
    target.end = span.end - trail;
  }

  parser.end(source);
  emit(loose);

  const title = collapseWhitespace(titleParts.join(""));
  return {
    blocks,
    ...(title !== "" && { title }),
    ...(url !== undefined && { url }),
    ...(updated !== undefined && { updated }),
  };
}

function newPending(kind: PendingBlock["kind"], depth: number, start: number | null): PendingBlock {
  return { kind, depth, parts: [], start, end: start ?? 0 };
}

function isSvg(frame: Frame): boolean {
  return frame.name === "svg";
}

/**
 * Parses an HTML page into visible-text blocks. Script, style, noscript, template, head, svg,
 * iframe, `nav` and `hidden` elements are dropped. `h1`–`h6` become headings; `li` becomes an
 * item; `p`, `blockquote`, table rows (`tr`, cells separated by a space), `dt`/`dd`,
 * `figcaption`, `pre` and the like become paragraphs, and so does text sitting loose in layout
 * elements such as `div` or `section`.
 * The title is `<title>`, else the first `h1`, else the file name; `url` comes from
 * `<link rel="canonical">` (http(s) or a site path only) and `updated` from
 * `<meta name="updated">`.
 *
 * @param file the file name, used for the title when the page has none.
 * @param source the whole file text; every block offset points into it.
 */
export function parseHtml(file: string, source: string): ParsedHtml {
  const extracted = extractHtml(source);
  const slugger = new GithubSlugger();
  const blocks: Block[] = extracted.blocks.map((block) =>
    block.kind === "heading" ? { ...block, anchor: slugger.slug(block.text) } : block,
  );
  const firstH1 = blocks.find((block) => block.kind === "heading" && block.depth === 1);
  return {
    title: extracted.title ?? firstH1?.text ?? titleFromFileName(file),
    ...(extracted.url !== undefined && { url: extracted.url }),
    ...(extracted.updated !== undefined && { updated: extracted.updated }),
    sample: false,
    blocks,
  };
}
