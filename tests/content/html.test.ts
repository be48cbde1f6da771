import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  decodeHtmlEntities,
  htmlFragmentText,
  parseHtml,
  publicUrl,
} from "../../src/content/html.js";
import type { Block } from "../../src/content/types.js";

const fixture = readFileSync(
  new URL("../fixtures/content/laser-hair-removal.html", import.meta.url),
  "utf8",
);

/** Asserts that every word of `text` occurs in `span`, in the same order. */
function expectWordsInOrder(text: string, span: string): void {
  let cursor = 0;
  for (const word of text.match(/[\p{L}\p{N}]+/gu) ?? []) {
    const at = span.indexOf(word, cursor);
    expect(at, `"${word}" of "${text}" in "${span}"`).toBeGreaterThanOrEqual(0);
    cursor = at + word.length;
  }
}

function summary(blocks: Block[]): string[] {
  return blocks.map((block) =>
    block.kind === "heading" ? `h${block.depth} ${block.text}` : `${block.kind} ${block.text}`,
  );
}

describe("parseHtml", () => {
  it("never lets script, style, noscript, template, svg, iframe, nav or hidden text into blocks", () => {
    const doc = parseHtml("laser-hair-removal.html", fixture);
    // Every piece of invisible text in the fixture contains "Secret".
    expect(fixture.match(/\w+Secret/g)?.length).toBeGreaterThanOrEqual(10);
    const all = doc.blocks.map((block) => block.text).join("\n");
    expect(all).not.toMatch(/Secret|tracking|font-family|enable JavaScript|Home/);
    expect(doc.title).not.toMatch(/Secret/);
  });

  it("maps headings, paragraphs, list items, quotes, table rows and captions in document order", () => {
    expect(summary(parseHtml("laser-hair-removal.html", fixture).blocks)).toEqual([
      "h1 Laser hair removal",
      "paragraph Smooth skin, fewer ingrown hairs.",
      "paragraph Laser light targets the pigment in the hair follicle – the surrounding skin is left alone. Most people need six to eight sessions.",
      "h2 Who is it for?",
      "paragraph It works best on dark hair. Before booking, check that:",
      "item you have not had a tan in the last four weeks",
      "item you are not taking medication that causes photosensitivity",
      "paragraph “I wish I had done it years ago.”",
      "h2 Prices",
      "paragraph Area Per session",
      "paragraph Upper lip £45",
      "paragraph Our Soprano laser",
      "h2 Who is it for?",
      "paragraph See the consultation notes above.",
    ]);
  });

  it("reads the title, canonical url and updated date from the head", () => {
    const doc = parseHtml("laser-hair-removal.html", fixture);
    expect(doc.title).toBe("Laser hair removal & you");
    expect(doc.url).toBe("https://clinic.example/treatments/laser-hair-removal");
    expect(doc.updated).toBe("2024-03-15");
    expect(doc.sample).toBe(false);
  });

  it("takes the title from the first h1 without <title>, else from the file name", () => {
    expect(parseHtml("a.html", "<p>Intro</p><h1>Peels</h1><p>Text</p>").title).toBe("Peels");
    expect(parseHtml("skin-types.html", "<h2>Sub</h2><p>Text</p>").title).toBe("skin-types");
  });

  it("ignores a canonical link that is not http(s)", () => {
    const doc = parseHtml("a.html", '<link rel="canonical" href="javascript:alert(1)"><p>Text</p>');
    expect(doc.url).toBeUndefined();
  });

  it("gives every block offsets that span its element in the source", () => {
    const doc = parseHtml("laser-hair-removal.html", fixture);
    for (const block of doc.blocks)
      expectWordsInOrder(block.text, fixture.slice(block.start, block.end));
    const paragraph = doc.blocks.find((block) => block.text.startsWith("Laser light"));
    expect(fixture.slice(paragraph?.start, paragraph?.end)).toMatch(/^<p>Laser light[\s\S]*<\/p>$/);
    const loose = doc.blocks.find((block) => block.text.startsWith("Smooth skin"));
    expect(fixture.slice(loose?.start, loose?.end)).toBe(
      "Smooth skin, <em>fewer</em>   ingrown hairs.",
    );
  });

  it("makes loose text in layout elements separate paragraphs", () => {
    const doc = parseHtml(
      "a.html",
      "<body>Before<div>Inside <b>bold</b></div>After<section>Last</section></body>",
    );
    expect(summary(doc.blocks)).toEqual([
      "paragraph Before",
      "paragraph Inside bold",
      "paragraph After",
      "paragraph Last",
    ]);
  });

  it("closes unclosed p and li tags where the next one starts", () => {
    const source = "<p>One<p>Two<ul><li>First<li>Second</ul>";
    const doc = parseHtml("a.html", source);
    expect(summary(doc.blocks)).toEqual([
      "paragraph One",
      "paragraph Two",
      "item First",
      "item Second",
    ]);
    expect(doc.blocks.map((block) => source.slice(block.start, block.end))).toEqual([
      "<p>One",
      "<p>Two",
      "<li>First",
      "<li>Second",
    ]);
  });

  it("keeps a paragraph inside a list item as an item, and a nested list's items separate", () => {
    const doc = parseHtml(
      "a.html",
      "<ul><li><p>Clean daily</p></li><li>Protect<ul><li>SPF 50</li></ul></li></ul>",
    );
    expect(summary(doc.blocks)).toEqual(["item Clean daily", "item Protect", "item SPF 50"]);
  });

  it("gives repeated headings unique anchors", () => {
    const anchors = parseHtml("laser-hair-removal.html", fixture).blocks.flatMap((block) =>
      block.kind === "heading" ? [block.anchor] : [],
    );
    expect(anchors).toEqual(["laser-hair-removal", "who-is-it-for", "prices", "who-is-it-for-1"]);
  });

  it("separates words at line breaks and table cells", () => {
    const doc = parseHtml(
      "a.html",
      "<p>Line one<br>line two</p><table><tr><td>A</td><td>B</td></tr></table>",
    );
    expect(summary(doc.blocks)).toEqual(["paragraph Line one line two", "paragraph A B"]);
  });
});

describe("decodeHtmlEntities", () => {
  it("decodes named and numeric references but leaves tags as text", () => {
    expect(decodeHtmlEntities("a <b> &amp; &eacute; &#39;x&#x27; AT&T")).toBe("a <b> & é 'x' AT&T");
  });
});

describe("htmlFragmentText", () => {
  it("returns the visible text of a fragment without script content", () => {
    expect(htmlFragmentText('<div>Call <b>us</b><script>alert("x")</script></div>')).toBe(
      "Call us",
    );
  });
});

describe("publicUrl", () => {
  it("accepts http(s) URLs and site paths only", () => {
    expect(publicUrl(" https://clinic.example/a ")).toBe("https://clinic.example/a");
    expect(publicUrl("/articles/a")).toBe("/articles/a");
    expect(publicUrl("//evil.example/a")).toBeUndefined();
    expect(publicUrl("javascript:alert(1)")).toBeUndefined();
    expect(publicUrl("data:text/html,hi")).toBeUndefined();
    expect(publicUrl("relative/page")).toBeUndefined();
  });

  it.each([
    "/\t/evil.example/x",
    "/\n/evil.example/x",
    "https://clinic.example/a b",
    "/a\u0000b",
    "/a\u0085b",
  ])("refuses a URL with whitespace or a control character inside: %j", (url) => {
    expect(publicUrl(url)).toBeUndefined();
  });
});
