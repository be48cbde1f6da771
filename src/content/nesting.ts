import { AppError } from "../errors.js";

/**
 * How deeply an article's elements (HTML) or lists and quotes (Markdown) may nest. Real articles
 * stay under 10 levels; 200 is far above any of them and low enough that parsing stays fast.
 * Beyond it the parsers get slow with the square of the depth or worse (htmlparser2 moves its
 * whole element stack at every tag, our HTML walker looks through it, marked re-reads a list
 * item's content at every level), so 200,000 nested `<div>` held the service for minutes.
 */
export const MAX_NESTING_DEPTH = 200;

function tooDeep(what: string, depth: number | string): AppError {
  return new AppError(
    "invalid",
    `${what} nested ${depth} levels deep; the limit is ${MAX_NESTING_DEPTH}`,
  );
}

/** Refuses HTML whose elements nest deeper than {@link MAX_NESTING_DEPTH}, in linear time. */
export function assertHtmlNesting(source: string): void {
  const depth = htmlNestingDepth(source);
  if (depth > MAX_NESTING_DEPTH) throw tooDeep("the HTML is", depth);
}

/** Refuses Markdown whose lists and block quotes nest deeper than {@link MAX_NESTING_DEPTH}. */
export function assertMarkdownNesting(body: string): void {
  const depth = markdownNestingDepth(body);
  if (depth > MAX_NESTING_DEPTH) throw tooDeep("the Markdown lists and quotes are", depth);
}

/** The refusal of an element stack that grew past the limit while parsing (a backstop). */
export function htmlTooDeep(): AppError {
  return tooDeep("the HTML is", `more than ${MAX_NESTING_DEPTH}`);
}

// The element rules below follow htmlparser2 (the parser html.ts uses), so the depth found is
// the depth of its element stack: unclosed <p> and <li> do not add up, void elements and
// foreign (SVG, MathML) self-closing tags do not nest, script and style content is not markup.

const VOID_ELEMENTS = new Set(
  "area base basefont br col command embed frame hr img input isindex keygen link meta param source track wbr".split(
    " ",
  ),
);
/** Elements whose content is text up to their end tag (outside SVG and MathML). */
const RAW_TEXT_ELEMENTS = new Set(
  "script style title textarea xmp iframe noembed noframes plaintext".split(" "),
);
/** Where SVG or MathML allow HTML inside (htmlparser2's integration points; and SVG's foreignObject). */
const INTEGRATION_ELEMENTS = new Set("mi mo mn ms mtext annotation-xml desc title".split(" "));
const P_ONLY = new Set(["p"]);
const HEADINGS = new Set(["h1", "h2", "h3", "h4", "h5", "h6", "p"]);
const FORM_CONTROLS = new Set("input option optgroup select button datalist textarea".split(" "));
/** Open tags that close the listed elements when those are the innermost open ones. */
const OPEN_IMPLIES_CLOSE = new Map<string, Set<string>>([
  ["tr", new Set(["tr", "th", "td"])],
  ["th", new Set(["th"])],
  ["td", new Set(["thead", "th", "td"])],
  ["body", new Set(["head", "link", "script"])],
  ["a", new Set(["a"])],
  ["li", new Set(["li"])],
  ["p", P_ONLY],
  ...["h1", "h2", "h3", "h4", "h5", "h6"].map((h) => [h, HEADINGS] as [string, Set<string>]),
  ...["select", "input", "output", "button", "datalist", "textarea"].map(
    (name) => [name, FORM_CONTROLS] as [string, Set<string>],
  ),
  ["option", new Set(["option"])],
  ["optgroup", new Set(["optgroup", "option"])],
  ["dd", new Set(["dd", "dt"])],
  ["dt", new Set(["dd", "dt"])],
  ...(
    "address article aside blockquote details div dl fieldset figcaption figure footer form " +
    "header hr main nav ol pre section table ul"
  )
    .split(" ")
    .map((name) => [name, P_ONLY] as [string, Set<string>]),
  ["rt", new Set(["rt", "rp"])],
  ["rp", new Set(["rt", "rp"])],
  ["tbody", new Set(["thead", "tbody"])],
  ["tfoot", new Set(["thead", "tbody"])],
]);

const isNameStart = (code: number): boolean =>
  (code >= 97 && code <= 122) || (code >= 65 && code <= 90);
/** Whitespace, `/` or `>`: what ends a tag name. */
const endsName = (code: number): boolean =>
  code === 32 ||
  code === 9 ||
  code === 10 ||
  code === 12 ||
  code === 13 ||
  code === 47 ||
  code === 62;

/**
 * The deepest element nesting of an HTML text, found in one pass: each tag is looked at once
 * and each element pushed and popped once, whatever the depth.
 */
export function htmlNestingDepth(source: string): number {
  const html = source.toLowerCase();
  const stack: string[] = [];
  /** How many of each element are open, so an end tag finds its element without a search. */
  const open = new Map<string, number>();
  /** The namespace content is in (SVG and MathML read `<x/>` as complete), innermost last. */
  const context: ("html" | "svg" | "math")[] = ["html"];
  /** Per open element, whether it entered a namespace (and leaving it leaves that). */
  const entered: boolean[] = [];
  let max = 0;

  const push = (name: string): void => {
    const current = context[context.length - 1];
    const enters =
      name === "svg" || name === "math"
        ? name
        : INTEGRATION_ELEMENTS.has(name) || (name === "foreignobject" && current === "svg")
          ? "html"
          : undefined;
    stack.push(name);
    entered.push(enters !== undefined);
    if (enters !== undefined) context.push(enters);
    open.set(name, (open.get(name) ?? 0) + 1);
    if (stack.length > max) max = stack.length;
  };
  const pop = (): string | undefined => {
    const name = stack.pop();
    if (name === undefined) return undefined;
    if (entered.pop() === true) context.pop();
    open.set(name, (open.get(name) ?? 1) - 1);
    return name;
  };
  const inForeign = (): boolean => context[context.length - 1] !== "html";

  let at = html.indexOf("<");
  while (at !== -1 && at < html.length - 1) {
    const next = html.charCodeAt(at + 1);
    if (next === 33 /* ! */) {
      // A comment ends at -->, a doctype or CDATA section at the next >.
      const end = html.startsWith("<!--", at)
        ? html.indexOf("-->", at + 2) // `<!-->` is a whole (empty) comment
        : html.indexOf(">", at + 2);
      if (end === -1) break;
      at = html.indexOf("<", end + 1);
      continue;
    }
    if (next === 63 /* ? */) {
      const end = html.indexOf(">", at + 2);
      if (end === -1) break;
      at = html.indexOf("<", end + 1);
      continue;
    }
    const closing = next === 47; /* / */
    const nameStart = at + (closing ? 2 : 1);
    if (!isNameStart(html.charCodeAt(nameStart))) {
      // `</3>` and the like are bogus comments; a lone `<` is text.
      if (closing) {
        const end = html.indexOf(">", nameStart);
        if (end === -1) break;
        at = html.indexOf("<", end + 1);
      } else {
        at = html.indexOf("<", at + 1);
      }
      continue;
    }
    let nameEnd = nameStart + 1;
    while (nameEnd < html.length && !endsName(html.charCodeAt(nameEnd))) nameEnd += 1;
    const tagName = html.slice(nameStart, nameEnd);
    // Outside SVG and MathML, htmlparser2 reads `<image>` as `<img>`.
    const name = tagName === "image" && !inForeign() ? "img" : tagName;
    const tagEnd = endOfTag(html, nameEnd);
    if (tagEnd === -1) break;

    if (closing) {
      if (!VOID_ELEMENTS.has(name) && (open.get(name) ?? 0) > 0) {
        while (pop() !== name);
      } else if (name === "p") {
        // A `</p>` with no paragraph open is an empty paragraph, there and then.
        max = Math.max(max, stack.length + 1);
      }
      at = html.indexOf("<", tagEnd + 1);
      continue;
    }

    if (name === "form" && (open.get("form") ?? 0) > 0) {
      // A form inside a form is ignored, as browsers do.
      at = html.indexOf("<", tagEnd + 1);
      continue;
    }
    const closes = OPEN_IMPLIES_CLOSE.get(name);
    if (closes) {
      while (stack.length > 0 && closes.has(stack[stack.length - 1] as string)) pop();
    }
    const foreignBefore = inForeign();
    if (!VOID_ELEMENTS.has(name)) {
      push(name);
      // In SVG and MathML `<path/>` is complete; in HTML the slash is ignored (`<div/>` opens).
      if (html.charCodeAt(tagEnd - 1) === 47 && inForeign()) pop();
    }
    if (RAW_TEXT_ELEMENTS.has(name) && !foreignBefore && stack[stack.length - 1] === name) {
      if (name === "plaintext") break;
      // Its text ends at `</name` then a space, `/` or `>` (`</scriptx>` is still text).
      let end = html.indexOf(`</${name}`, tagEnd + 1);
      while (end !== -1 && !endsName(html.charCodeAt(end + name.length + 2))) {
        end = html.indexOf(`</${name}`, end + 1);
      }
      if (end === -1) break;
      at = end;
      continue;
    }
    at = html.indexOf("<", tagEnd + 1);
  }
  return max;
}

/** Index of the `>` that ends a tag whose name ends at `from`; quoted values may hold `>`. */
function endOfTag(html: string, from: number): number {
  let i = from;
  while (i < html.length) {
    const code = html.charCodeAt(i);
    if (code === 62 /* > */) return i;
    if (code === 61 /* = */) {
      let j = i + 1;
      while (j < html.length && /\s/.test(html.charAt(j))) j += 1;
      const quote = html.charAt(j);
      if (quote === '"' || quote === "'") {
        const close = html.indexOf(quote, j + 1);
        if (close === -1) return -1;
        i = close + 1;
        continue;
      }
      i = j;
      continue;
    }
    i += 1;
  }
  return -1;
}

/** `***`, `- - -`, `___`: a thematic break, not a list item. */
const THEMATIC_BREAK = /^[ \t]*([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const ORDERED_MARKER = /^\d{1,9}[.)]/;

/**
 * The deepest nesting of lists and block quotes in a Markdown text, in one pass over its lines.
 * A list item or quote lasts while later lines are indented into its content (or repeat its
 * `>`), and a line that starts another one at or left of it ends it. It follows lists as marked
 * does and errs on the deep side for them; on quotes whose `>` some lines leave out it may
 * count a few levels short, which the limit's margin and the parse time limit allow for.
 */
export function markdownNestingDepth(body: string): number {
  /** Each open list item or quote: where its marker is and where its content starts. */
  const open: { marker: number; content: number; quote: boolean }[] = [];
  /** How many open quotes have their `>` at each column: a `>` there continues one of them. */
  const quotesAt = new Map<number, number>();
  const closeFrom = (column: number): void => {
    for (let top = open.at(-1); top !== undefined && top.content > column; top = open.at(-1)) {
      open.pop();
      if (top.quote) quotesAt.set(top.marker, (quotesAt.get(top.marker) ?? 1) - 1);
    }
  };
  let max = 0;
  let previousBlank = true;
  let lineStart = 0;
  while (lineStart <= body.length) {
    let lineEnd = body.indexOf("\n", lineStart);
    if (lineEnd === -1) lineEnd = body.length;
    const line = body.slice(lineStart, lineEnd);
    lineStart = lineEnd + 1;
    if (line.trim() === "") {
      previousBlank = true;
      continue;
    }

    let i = 0;
    let column = 0;
    let markers = 0;
    const breakLine = THEMATIC_BREAK.test(line);
    for (;;) {
      while (i < line.length && (line[i] === " " || line[i] === "\t")) {
        column = line[i] === "\t" ? column + 4 - (column % 4) : column + 1;
        i += 1;
      }
      const char = line.charAt(i);
      const markerLength =
        char === ">"
          ? 1
          : (char === "-" || char === "*" || char === "+") && !breakLine
            ? 1
            : (ORDERED_MARKER.exec(line.slice(i, i + 11))?.[0].length ?? 0);
      const after = line.charAt(i + markerLength);
      if (markerLength === 0) break;
      if (char !== ">" && after !== "" && after !== " " && after !== "\t") break;
      markers += 1;
      const marker = column;
      i += markerLength;
      column += markerLength;
      // A `>` under an open quote's continues it; another marker ends what it is not inside.
      if (char === ">" && (quotesAt.get(marker) ?? 0) > 0) continue;
      closeFrom(marker);
      open.push({ marker, content: column + 1, quote: char === ">" });
      if (char === ">") quotesAt.set(marker, (quotesAt.get(marker) ?? 0) + 1);
    }
    // Other text, after a blank line, ends the items and quotes it is not indented into.
    if (markers === 0 && previousBlank) closeFrom(column);
    max = Math.max(max, open.length);
    previousBlank = false;
  }
  return max;
}
