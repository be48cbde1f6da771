/**
 * Turns an answer's `[n]` markers into links to the cited section, and builds the list of
 * sources under an answer. The answer is split into text and marker parts first, so its text
 * only ever becomes text nodes.
 */
import type { Citation } from "../../src/answer/types.js";
import { h, uid } from "./dom.js";

export type AnswerPart =
  { kind: "text"; text: string } | { kind: "cite"; n: number; citation: Citation };

const MARKER = /\[(\d{1,3})\]/g;

/** Splits an answer into text and citation markers; markers without a citation stay text. */
export function splitAnswer(answer: string, citations: readonly Citation[]): AnswerPart[] {
  const parts: AnswerPart[] = [];
  let text = "";
  let last = 0;
  for (const match of answer.matchAll(MARKER)) {
    const citation = citations.find((c) => c.n === Number(match[1]));
    if (!citation) continue;
    text += answer.slice(last, match.index);
    if (text) parts.push({ kind: "text", text });
    text = "";
    parts.push({ kind: "cite", n: citation.n, citation });
    last = match.index + match[0].length;
  }
  text += answer.slice(last);
  if (text) parts.push({ kind: "text", text });
  return parts;
}

/**
 * One marker per run of sentences quoted from the same passage: a marker followed, with only
 * text between, by the same marker is dropped, so "A. [1] B. [1] C. [2]" reads "A. B. [1] C.
 * [2]". The answer's text keeps every `[n]` (the staff console shows them all); this is how a
 * visitor reads it.
 */
export function mergeRuns<P extends { kind: "text"; text: string } | { kind: "cite"; n: number }>(
  parts: readonly P[],
): P[] {
  const out: P[] = [];
  parts.forEach((part, i) => {
    if (part.kind === "cite") {
      const next = parts.slice(i + 1).find((p) => p.kind === "cite");
      if (next?.kind === "cite" && next.n === part.n) return;
      out.push(part);
      return;
    }
    const previous = out[out.length - 1];
    if (previous?.kind === "text" && part.kind === "text") {
      // The dropped marker's two spaces become one: "A. " + " B." reads "A. B.".
      const joined = previous.text.endsWith(" ") && part.text.startsWith(" ");
      previous.text += joined ? part.text.slice(1) : part.text;
    } else {
      out.push({ ...part });
    }
  });
  return out;
}

/**
 * A citation URL the widget may link to: relative ones (`/articles/...`) resolve against the
 * service's origin, and only http(s) links are allowed, without whitespace or control
 * characters.
 */
export function citationHref(url: string, server: string): string | undefined {
  // The URL parser drops tabs and newlines: "/\t/evil.example" would resolve to evil.example.
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f-\u009f]/.test(url)) return undefined;
  try {
    const resolved = new URL(url, `${server}/`);
    return resolved.protocol === "http:" || resolved.protocol === "https:"
      ? resolved.href
      : undefined;
  } catch {
    return undefined;
  }
}

/** "Title › Section", or the title alone when the section repeats it. */
export function sourceLabel(citation: Citation): string {
  const section = citation.section.trim();
  return section && section !== citation.title.trim()
    ? `${citation.title} › ${section}`
    : citation.title;
}

/** The section as the link's main text, with its document's title beneath when they differ. */
function sourceText(citation: Citation): HTMLElement {
  const section = citation.section.trim();
  const title = citation.title.trim();
  if (!section || section === title) return h("span", { class: "source-text" }, title);
  return h(
    "span",
    { class: "source-text" },
    h("span", { class: "source-section" }, section),
    " ",
    h("span", { class: "source-doc" }, title),
  );
}

function link(
  href: string | undefined,
  attributes: Record<string, string>,
  ...children: (Node | string)[]
) {
  // Without a safe URL the marker is still shown, just not as a link.
  return href
    ? h("a", { href, target: "_blank", rel: "noopener noreferrer", ...attributes }, ...children)
    : h("span", attributes, ...children);
}

/**
 * The answer as nodes: text, and a small link to the cited section at the end of each run of
 * sentences from it.
 */
export function renderAnswer(
  answer: string,
  citations: readonly Citation[],
  server: string,
): DocumentFragment {
  const fragment = document.createDocumentFragment();
  for (const part of mergeRuns(splitAnswer(answer, citations))) {
    if (part.kind === "text") {
      fragment.appendChild(document.createTextNode(part.text));
    } else {
      fragment.appendChild(
        link(
          citationHref(part.citation.url, server),
          { class: "cite", "aria-label": `Source ${part.n}: ${sourceLabel(part.citation)}` },
          String(part.n),
        ),
      );
    }
  }
  return fragment;
}

/**
 * An answer still streaming: its sources arrive with the finished reply, so each `[n]` that
 * ends a run of sentences from one passage is shown as the same small marker, not yet a link.
 */
export function renderStreaming(streamed: string): DocumentFragment {
  // A marker cut in two ("… [1") waits for the rest of it.
  const text = streamed.replace(/\[\d{0,3}$/, "");
  const parts: ({ kind: "text"; text: string } | { kind: "cite"; n: number })[] = [];
  let last = 0;
  for (const match of text.matchAll(MARKER)) {
    if (match.index > last) parts.push({ kind: "text", text: text.slice(last, match.index) });
    parts.push({ kind: "cite", n: Number(match[1]) });
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push({ kind: "text", text: text.slice(last) });
  // Whether the last marker ends a run is known only at the next one: until then it, and the
  // text after it, wait, so what is shown is always the beginning of the finished answer.
  const merged = mergeRuns(parts);
  const lastMarker = merged.findLastIndex((p) => p.kind === "cite");
  const fragment = document.createDocumentFragment();
  for (const part of lastMarker >= 0 ? merged.slice(0, lastMarker) : merged) {
    fragment.appendChild(
      part.kind === "text"
        ? document.createTextNode(part.text)
        : h("span", { class: "cite" }, String(part.n)),
    );
  }
  return fragment;
}

/** The sources under an answer: each title links to its section; its snippet shows on hover or focus. */
export function renderSources(citations: readonly Citation[], server: string): HTMLElement {
  const headingId = uid("sources");
  const list = h("ol", { class: "sources-list", "aria-labelledby": headingId });
  for (const citation of [...citations].sort((a, b) => a.n - b.n)) {
    const snippetId = uid("snippet");
    list.appendChild(
      h(
        "li",
        {},
        link(
          citationHref(citation.url, server),
          { class: "source", "aria-describedby": snippetId },
          h("span", { class: "source-n", "aria-hidden": "true" }, String(citation.n)),
          sourceText(citation),
        ),
        h("span", { class: "snippet", id: snippetId, role: "tooltip" }, citation.snippet),
      ),
    );
  }
  return h(
    "div",
    { class: "sources" },
    h("p", { class: "sources-heading", id: headingId }, "Sources"),
    list,
  );
}
