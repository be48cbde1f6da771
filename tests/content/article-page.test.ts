import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  renderArticleList,
  renderArticleNotFound,
  renderArticlePage,
} from "../../src/content/article-page.js";
import { chunkDocument } from "../../src/content/chunk.js";
import { escapeHtml } from "../../src/content/escape-html.js";
import { parseDocument } from "../../src/content/load-corpus.js";
import type { SourceDocument } from "../../src/content/types.js";

function fixture(name: string): SourceDocument {
  return parseDocument(name, readFileSync(new URL(`../fixtures/content/${name}`, import.meta.url)));
}

const fixtures = [
  fixture("microneedling-benefits.txt"),
  fixture("chemical-peel-aftercare.md"),
  fixture("laser-hair-removal.html"),
];
const attack = "<img src=x onerror=alert(1)>";

function ids(html: string): string[] {
  return [...html.matchAll(/\sid="([^"]*)"/g)].map((match) => match[1] ?? "");
}

describe("escapeHtml", () => {
  it("escapes the five characters that matter in content and attributes", () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe(
      "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;",
    );
  });
});

describe("renderArticlePage", () => {
  it("renders a complete, self-contained HTML5 page", () => {
    const html = renderArticlePage(fixtures[1] as SourceDocument, {
      siteName: "Example Skin Clinic",
    });
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toContain("<title>Chemical peel aftercare · Example Skin Clinic</title>");
    expect(html).toMatch(/max-width/);
    expect(html).toMatch(/<\/html>\n$/);
    // No scripts, stylesheets, images or fonts from anywhere.
    expect(html).not.toMatch(/<script|<link|<img|src=|@import|url\(/i);
  });

  it("escapes markup in the title, the site name and every kind of block", () => {
    const doc: SourceDocument = {
      docId: "x",
      title: attack,
      sample: false,
      format: "md",
      file: "x.md",
      source: "",
      contentHash: "",
      blocks: [
        { kind: "heading", depth: 2, text: attack, anchor: "img-src-x", start: 0, end: 0 },
        { kind: "paragraph", text: `Before ${attack} after`, start: 0, end: 0 },
        { kind: "item", text: attack, start: 0, end: 0 },
      ],
    };
    const html = renderArticlePage(doc, { siteName: attack });
    expect(html).not.toContain("<img");
    // <title> (title and site name), the site header, the h1 made from the title, h2, p and li.
    expect(html.match(/&lt;img src=x onerror=alert\(1\)&gt;/g)).toHaveLength(7);
  });

  it("escapes attribute values and never links a non-http url", () => {
    const base: SourceDocument = {
      docId: "x",
      title: "T",
      sample: false,
      format: "md",
      file: "x.md",
      source: "",
      contentHash: "",
      blocks: [
        {
          kind: "heading",
          depth: 1,
          text: "T",
          anchor: 'a" onmouseover="alert(1)',
          start: 0,
          end: 0,
        },
      ],
    };
    const withQuotes = renderArticlePage(
      { ...base, url: 'https://clinic.example/?q="><script>alert(1)</script>' },
      { siteName: "S" },
    );
    expect(withQuotes).toContain('id="a&quot; onmouseover=&quot;alert(1)"');
    expect(withQuotes).toContain('href="https://clinic.example/?q=&quot;&gt;&lt;script&gt;');
    expect(withQuotes).not.toContain("<script>");
    const scripted = renderArticlePage({ ...base, url: "javascript:alert(1)" }, { siteName: "S" });
    expect(scripted).not.toContain("javascript:");
  });

  it("gives headings the ids that chunk anchors point to", async () => {
    for (const doc of fixtures) {
      const pageIds = ids(renderArticlePage(doc, { siteName: "Clinic" }));
      expect(new Set(pageIds).size).toBe(pageIds.length);
      const anchors = (await chunkDocument(doc)).map((chunk) => chunk.anchor);
      expect(anchors.length).toBeGreaterThan(0);
      for (const anchor of anchors) expect(pageIds).toContain(anchor);
    }
  });

  it("renders headings at their depth and consecutive items as one list", () => {
    const html = renderArticlePage(fixtures[0] as SourceDocument, { siteName: "Clinic" });
    expect(html).toContain(
      '<h1 id="revitalize-your-complexion-why-microneedling-works">Revitalize Your Complexion: Why Microneedling Works</h1>',
    );
    expect(html).toContain('<h2 id="minimal-downtime-required">Minimal Downtime Required</h2>');
    expect(html.match(/<ul>/g)).toHaveLength(2);
    expect(html.match(/<li>/g)).toHaveLength(7);
    expect(html).toMatch(
      /reducing the appearance of:<\/p>\n<ul>\n<li>Sunspots and age spots<\/li>/,
    );
    expect(html.match(/<h1/g)).toHaveLength(1);
  });

  it("shows the updated date, the sample notice and a link to the original page when known", () => {
    const html = renderArticlePage(fixtures[1] as SourceDocument, { siteName: "Clinic" });
    expect(html).toContain('Updated <time datetime="2024-05-01">2024-05-01</time>');
    expect(html).toContain('<a href="https://clinic.example/treatments/chemical-peel/aftercare">');
    expect(html).toMatch(/Sample content/);

    const plain = renderArticlePage(fixtures[0] as SourceDocument, { siteName: "Clinic" });
    expect(plain).not.toMatch(/Updated|<a |Sample content/);
  });

  it("adds the title as the page heading when the document has no top-level heading", () => {
    const doc = parseDocument(
      "botox.md",
      "---\ntitle: Botox <explained>\n---\n## Risks\n\nBruising.",
    );
    const html = renderArticlePage(doc, { siteName: "Clinic" });
    expect(html).toMatch(
      /<article>\n<h1>Botox &lt;explained&gt;<\/h1>\n<h2 id="risks">Risks<\/h2>/,
    );
  });
});

describe("renderArticleList and renderArticleNotFound", () => {
  it("lists every document by title, escaped, each linking to its page", () => {
    const docs = [...fixtures, { ...(fixtures[0] as SourceDocument), docId: "x y", title: attack }];
    const html = renderArticleList(docs, { siteName: "Example Skin Clinic" });
    expect(html).toContain("<title>Articles · Example Skin Clinic</title>");
    for (const doc of fixtures) {
      expect(html).toContain(`<a href="/articles/${doc.docId}">${escapeHtml(doc.title)}</a>`);
    }
    expect(html).toContain(`<a href="/articles/x%20y">${escapeHtml(attack)}</a>`);
    expect(html).not.toContain(attack);
    // In alphabetical order.
    const titles = [...html.matchAll(/<li><a [^>]*>([^<]*)<\/a>/g)].map((m) => m[1]);
    expect(titles).toEqual([...titles].sort((a, b) => (a ?? "").localeCompare(b ?? "")));
    expect(renderArticleList([], { siteName: "C" })).toContain("There are no articles yet.");
  });

  it("tells a browser the article is gone, in the clinic's style, with a way to the list", () => {
    const html = renderArticleNotFound({ siteName: attack });
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).toContain("<h1>This article is not available</h1>");
    expect(html).toContain('<a href="/articles">See all our articles</a>');
    expect(html).not.toContain(attack);
    expect(html).not.toMatch(/<script|<link|<img/i);
  });
});
