import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseMarkdown } from "../../src/content/markdown.js";
import type { Block } from "../../src/content/types.js";
import { invalidReason } from "../helpers/errors.js";

const fixture = readFileSync(
  new URL("../fixtures/content/chemical-peel-aftercare.md", import.meta.url),
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

describe("parseMarkdown", () => {
  it("reads title, url, updated date and the sample status from the front matter", () => {
    const doc = parseMarkdown("chemical-peel-aftercare.md", fixture);
    expect(doc.title).toBe("Chemical peel aftercare");
    expect(doc.url).toBe("https://clinic.example/treatments/chemical-peel/aftercare");
    // YAML reads 2024-05-01 as a Date; the document keeps the date as written.
    expect(doc.updated).toBe("2024-05-01");
    expect(doc.sample).toBe(true);
  });

  it("marks a page as sample with `sample: true` and not without a sample marker", () => {
    expect(parseMarkdown("a.md", "---\nsample: true\n---\nText.").sample).toBe(true);
    expect(parseMarkdown("a.md", "---\nstatus: published\n---\nText.").sample).toBe(false);
    expect(parseMarkdown("a.md", "Text.").sample).toBe(false);
  });

  it("turns headings, paragraphs, list items, quotes, tables, code and HTML into blocks in order", () => {
    expect(summary(parseMarkdown("chemical-peel-aftercare.md", fixture).blocks)).toEqual([
      "h1 Caring for your skin after a peel",
      "paragraph Your skin is more sensitive for a few days after a chemical peel, so treat it gently. Read our full guide & ask us if anything is unclear.",
      "h2 The first 48 hours",
      "paragraph In the first two days, please avoid:",
      "item Hot showers, saunas & steam rooms",
      "item Exfoliating scrubs or retinol creams",
      "item Direct sun exposure",
      "item even on cloudy days",
      "paragraph Mild stinging is normal and usually fades within an hour.",
      "h2 Products to use",
      "paragraph Product When",
      "paragraph Gentle cleanser Morning and night",
      "paragraph SPF 50 sunscreen Every morning",
      "paragraph Apply a pea-sized amount.",
      "paragraph Call us on 0123 456 789 if you notice blistering.",
      "h2 Products to use",
      "paragraph Pick fragrance-free products while your skin recovers.",
    ]);
  });

  it("strips inline markup, drops images and decodes entities", () => {
    const doc = parseMarkdown(
      "a.md",
      "Some **bold**, _em_, `x &lt; y` and [a link](/x) &eacute;![alt](i.png)\\*",
    );
    expect(doc.blocks.map((block) => block.text)).toEqual([
      // Entities are decoded in text but, as in rendered markdown, not inside code spans.
      "Some bold, em, x &lt; y and a link é*",
    ]);
  });

  it("gives every block offsets into the full source, front matter included", () => {
    const doc = parseMarkdown("chemical-peel-aftercare.md", fixture);
    const bodyStart = fixture.indexOf("# Caring");
    for (const block of doc.blocks) {
      expect(block.start).toBeGreaterThanOrEqual(bodyStart);
      expectWordsInOrder(block.text, fixture.slice(block.start, block.end));
    }
    const [title, , section, , firstItem] = doc.blocks;
    expect(fixture.slice(title?.start, title?.end)).toBe("# Caring for your skin after a peel");
    expect(fixture.slice(section?.start, section?.end)).toBe("## The first 48 hours");
    expect(fixture.slice(firstItem?.start, firstItem?.end)).toBe(
      "- Hot showers, saunas &amp; steam rooms",
    );
  });

  it("keeps offsets exact in a file with Windows line endings", () => {
    const source =
      "---\r\ntitle: T\r\n---\r\n\r\n## Section one\r\n\r\nFirst line\r\nsecond line.\r\n\r\n- an item\r\n- another item\r\n";
    const doc = parseMarkdown("crlf.md", source);
    expect(doc.blocks.map((block) => source.slice(block.start, block.end))).toEqual([
      "## Section one",
      "First line\r\nsecond line.",
      "- an item",
      "- another item",
    ]);
    expect(doc.blocks[1]?.text).toBe("First line second line.");
  });

  it("gives repeated headings unique anchors, numbered in document order", () => {
    const anchors = parseMarkdown("chemical-peel-aftercare.md", fixture).blocks.flatMap((block) =>
      block.kind === "heading" ? [block.anchor] : [],
    );
    expect(anchors).toEqual([
      "caring-for-your-skin-after-a-peel",
      "the-first-48-hours",
      "products-to-use",
      "products-to-use-1",
    ]);
  });

  it("takes the title from the first # heading, else from the file name", () => {
    expect(parseMarkdown("a.md", "Intro.\n\n## Sub\n\n# Real title\n\nText.").title).toBe(
      "Real title",
    );
    expect(parseMarkdown("botox-faq.md", "## Only a section\n\nText.").title).toBe("botox-faq");
  });

  it("drops HTML comments, rules and link definitions", () => {
    const doc = parseMarkdown(
      "a.md",
      "<!-- editor note -->\n\nText.\n\n---\n\n[ref]: https://x.example\n",
    );
    expect(summary(doc.blocks)).toEqual(["paragraph Text."]);
  });

  it("rejects malformed YAML front matter, every time it is parsed", () => {
    const source = "---\ntitle: [unclosed\n---\n\nBody.";
    expect(invalidReason(() => parseMarkdown("a.md", source))).toMatch(/^malformed front matter: /);
    // gray-matter caches by content; a cached failure must not come back as a success.
    expect(invalidReason(() => parseMarkdown("a.md", source))).toMatch(/^malformed front matter: /);
  });

  it("rejects front matter that is never closed, or is not key: value pairs", () => {
    expect(invalidReason(() => parseMarkdown("a.md", "---\ntitle: T\n\nBody."))).toMatch(
      /no closing ---/,
    );
    expect(invalidReason(() => parseMarkdown("a.md", "---\njust a sentence\n---\nBody."))).toMatch(
      /^malformed front matter/,
    );
    expect(invalidReason(() => parseMarkdown("a.md", "---\ntitle: [1, 2]\n---\nBody."))).toMatch(
      /title/,
    );
  });

  it("never evaluates JavaScript front matter", () => {
    const source = '---js\n{ title: (globalThis.pwnedByFrontMatter = "yes") }\n---\nText.';
    expect(invalidReason(() => parseMarkdown("a.md", source))).toMatch(/only YAML/);
    expect(
      invalidReason(() => parseMarkdown("a.md", source.replace("---js", "---JavaScript"))),
    ).toMatch(/only YAML/);
    expect(Reflect.get(globalThis, "pwnedByFrontMatter")).toBeUndefined();
  });

  it("rejects a front matter url that is not http(s) or a site path", () => {
    expect(
      invalidReason(() => parseMarkdown("a.md", "---\nurl: javascript:alert(1)\n---\nText.")),
    ).toMatch(/url/);
    expect(parseMarkdown("a.md", "---\nurl: /treatments/peel\n---\nText.").url).toBe(
      "/treatments/peel",
    );
  });
});
