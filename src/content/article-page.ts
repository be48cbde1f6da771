import { escapeHtml } from "./escape-html.js";
import { publicUrl } from "./html.js";
import type { Block, SourceDocument } from "./types.js";

const STYLE = `
  :root { color-scheme: light; }
  body { margin: 0; font: 1.0625rem/1.6 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
    color: #1f2328; background: #fff; }
  .site { border-bottom: 1px solid #d8dee4; padding: 0.75rem 1rem; font-weight: 600; }
  main { max-width: 42rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
  h1, h2, h3, h4, h5, h6 { line-height: 1.25; margin: 1.75em 0 0.5em; }
  h1 { margin-top: 0.5em; font-size: 2rem; }
  .meta, .source { color: #57606a; font-size: 0.9375rem; }
  .note { background: #fff8c5; border: 1px solid #d4a72c; padding: 0.5rem 0.75rem; }
  a { color: #0a58ca; }
  li + li { margin-top: 0.25em; }
`;

/** A complete, self-contained HTML5 page in the articles' style (no external resources). */
function page(title: string, siteName: string, main: string[]): string {
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)} · ${escapeHtml(siteName)}</title>`,
    `<style>${STYLE}</style>`,
    "</head>",
    "<body>",
    `<header class="site">${escapeHtml(siteName)}</header>`,
    "<main>",
    ...main,
    "</main>",
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

/**
 * Renders a document as a complete, self-contained HTML5 article page (no external resources):
 * headings keep their anchors as `id`s, so chunk citations (`url#anchor`) land on them; runs of
 * items become one list. All document text and attributes are HTML-escaped.
 *
 * @param options.siteName shown above the article and in the page title.
 */
export function renderArticlePage(doc: SourceDocument, options: { siteName: string }): string {
  const blocks = doc.blocks;
  const hasTitleHeading = blocks.some((block) => block.kind === "heading" && block.depth === 1);
  const leadsWithTitle = blocks[0]?.kind === "heading" && blocks[0].depth === 1;

  const head: string[] = [];
  if (!hasTitleHeading) head.push(`<h1>${escapeHtml(doc.title)}</h1>`);
  const meta = metaLines(doc);
  const body = renderBlocks(leadsWithTitle ? blocks.slice(1) : blocks);
  const title = leadsWithTitle ? renderBlocks(blocks.slice(0, 1)) : [];
  const link = doc.url === undefined ? undefined : publicUrl(doc.url);

  return page(doc.title, options.siteName, [
    "<article>",
    ...head,
    ...title,
    ...meta,
    ...body,
    ...(link === undefined
      ? []
      : [`<p class="source"><a href="${escapeHtml(link)}">View the original page</a></p>`]),
    "</article>",
  ]);
}

/** The page at `/articles`: every document of the index in service, by title. */
export function renderArticleList(
  docs: readonly SourceDocument[],
  options: { siteName: string },
): string {
  const sorted = [...docs].sort((a, b) => a.title.localeCompare(b.title));
  return page("Articles", options.siteName, [
    "<h1>Articles</h1>",
    ...(sorted.length === 0
      ? ["<p>There are no articles yet.</p>"]
      : [
          "<ul>",
          ...sorted.map(
            (d) =>
              `<li><a href="/articles/${encodeURIComponent(d.docId)}">${escapeHtml(d.title)}</a></li>`,
          ),
          "</ul>",
        ]),
  ]);
}

/**
 * What a browser gets for an article that is not (or no longer) in the index, such as an old
 * citation in a restored chat: a readable page pointing to the articles there are.
 */
export function renderArticleNotFound(options: { siteName: string }): string {
  return page("Article not found", options.siteName, [
    "<h1>This article is not available</h1>",
    "<p>It may have been removed or replaced since the answer that linked to it.</p>",
    '<p><a href="/articles">See all our articles</a></p>',
  ]);
}

function metaLines(doc: SourceDocument): string[] {
  const lines: string[] = [];
  if (doc.updated !== undefined) {
    const date = escapeHtml(doc.updated);
    // Only a machine-readable date belongs in `datetime`.
    const time = /^\d{4}-\d{2}-\d{2}/.test(doc.updated)
      ? `<time datetime="${date}">${date}</time>`
      : date;
    lines.push(`<p class="meta">Updated ${time}</p>`);
  }
  if (doc.sample) {
    lines.push('<p class="note">Sample content: the clinic has not reviewed this page yet.</p>');
  }
  return lines;
}

function renderBlocks(blocks: Block[]): string[] {
  const html: string[] = [];
  let inList = false;
  for (const block of blocks) {
    if (block.kind !== "item" && inList) {
      html.push("</ul>");
      inList = false;
    }
    if (block.kind === "heading") {
      const level = Math.min(6, Math.max(1, Math.round(block.depth)));
      // A heading of only punctuation slugs to "", and an empty id is invalid HTML.
      const id = block.anchor === "" ? "" : ` id="${escapeHtml(block.anchor)}"`;
      html.push(`<h${level}${id}>${escapeHtml(block.text)}</h${level}>`);
    } else if (block.kind === "item") {
      if (!inList) html.push("<ul>");
      inList = true;
      html.push(`<li>${escapeHtml(block.text)}</li>`);
    } else {
      html.push(`<p>${escapeHtml(block.text)}</p>`);
    }
  }
  if (inList) html.push("</ul>");
  return html;
}
