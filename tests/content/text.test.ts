import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseText } from "../../src/content/text.js";
import type { Block } from "../../src/content/types.js";

const seed = readFileSync(
  new URL("../fixtures/content/microneedling-benefits.txt", import.meta.url),
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

function headings(blocks: Block[]): string[] {
  return blocks.flatMap((block) =>
    block.kind === "heading" ? [`h${block.depth} ${block.text}`] : [],
  );
}

describe("parseText", () => {
  it("parses the seed article into a title, its sections and their paragraphs", () => {
    const doc = parseText("microneedling-benefits.txt", seed);
    expect(doc.title).toBe("Revitalize Your Complexion: Why Microneedling Works");
    expect(headings(doc.blocks)).toEqual([
      "h1 Revitalize Your Complexion: Why Microneedling Works",
      "h2 Understanding the Mechanism of Action",
      "h2 Collagen Induction Therapy Explained",
      "h2 Combating the Signs of Aging",
      "h2 A Natural Lift for Lax Skin",
      "h2 Minimizing Scars and Hyperpigmentation",
      "h2 Treating Acne Scars and Sun Spots",
      "h2 Refining Pore Size and Texture",
      "h2 Achieving a Smoother Canvas",
      "h2 Enhancing Product Absorption",
      "h2 Creating Micro-Channels for Delivery",
      "h2 Safety Profile and Recovery",
      "h2 Minimal Downtime Required",
      "h2 Your Path to Renewed Confidence",
    ]);
    expect(doc.blocks.filter((block) => block.kind === "paragraph")).toHaveLength(25);
  });

  it("drops the trailing byline instead of making it a heading with nothing under it", () => {
    const doc = parseText("microneedling-benefits.txt", seed);
    expect(doc.blocks.some((block) => block.text.includes("About author"))).toBe(false);
    expect(doc.blocks.at(-1)?.text).toMatch(/^They can create a tailored treatment plan/);
  });

  it("turns bullet lines into items with the bullet stripped", () => {
    const doc = parseText("microneedling-benefits.txt", seed);
    const items = doc.blocks.filter((block) => block.kind === "item").map((block) => block.text);
    expect(items).toEqual([
      "Sunspots and age spots",
      "Melasma",
      "Post-inflammatory hyperpigmentation",
      "Surgical scars",
      "Redness resembling a mild sunburn",
      "Minor swelling or sensitivity",
      "Dryness or flaking as the skin renews",
    ]);
  });

  it("gives every block offsets that cover its text in the source", () => {
    const doc = parseText("microneedling-benefits.txt", seed);
    for (const block of doc.blocks) {
      const span = seed.slice(block.start, block.end);
      expectWordsInOrder(block.text, span);
      expect(span).toBe(span.trim());
    }
    const melasma = doc.blocks.find((block) => block.text === "Melasma");
    expect(seed.slice(melasma?.start, melasma?.end)).toBe("• Melasma");
  });

  it("accepts -, * and – bullets, indented or not, and joins wrapped lines", () => {
    const source =
      "Aftercare\n\nDo this:\n- cleanse\n  * moisturise gently\n    every evening\n– protect\n\n-5 degrees is too cold for outdoor sessions.";
    expect(summary(parseText("a.txt", source).blocks)).toEqual([
      "h1 Aftercare",
      "paragraph Do this:",
      "item cleanse",
      "item moisturise gently every evening",
      "item protect",
      "paragraph -5 degrees is too cold for outdoor sessions.",
    ]);
  });

  it("takes the title from the file name when the first line reads like a sentence", () => {
    const doc = parseText("opening-hours.txt", "We are open every weekday.\n\nCall to book.");
    expect(doc.title).toBe("opening-hours");
    expect(headings(doc.blocks)).toEqual([]);
  });

  it("only makes short, unpunctuated one-line paragraphs with text after them headings", () => {
    const source = [
      "Title",
      "A sentence that ends properly.",
      "A heading\nthat wraps onto two lines",
      "Real heading",
      "Body text.",
      "x".repeat(81),
      "More body text.",
    ].join("\n\n");
    expect(summary(parseText("a.txt", source).blocks)).toEqual([
      "h1 Title",
      "paragraph A sentence that ends properly.",
      "paragraph A heading that wraps onto two lines",
      "h2 Real heading",
      "paragraph Body text.",
      `paragraph ${"x".repeat(81)}`,
      "paragraph More body text.",
    ]);
  });

  it("keeps a short last line when it is the only text there is", () => {
    const doc = parseText("hours.txt", "Opening hours\n\nMonday to Friday 9 to 5");
    expect(summary(doc.blocks)).toEqual(["h1 Opening hours", "paragraph Monday to Friday 9 to 5"]);
  });

  it("does not make a lone line the title of nothing", () => {
    const doc = parseText("note.txt", "Open on bank holidays");
    expect(doc.title).toBe("note");
    expect(summary(doc.blocks)).toEqual(["paragraph Open on bank holidays"]);
  });

  it("keeps offsets exact with Windows line endings", () => {
    const source = "Title\r\n\r\nFirst line\r\nsecond line.\r\n\r\n• item\r\n";
    const doc = parseText("a.txt", source);
    expect(doc.blocks.map((block) => source.slice(block.start, block.end))).toEqual([
      "Title",
      "First line\r\nsecond line.",
      "• item",
    ]);
  });

  it("gives repeated headings unique anchors", () => {
    const source = "Guide\n\nRisks\n\nSome.\n\nRisks\n\nMore.";
    const anchors = parseText("a.txt", source).blocks.flatMap((block) =>
      block.kind === "heading" ? [block.anchor] : [],
    );
    expect(anchors).toEqual(["guide", "risks", "risks-1"]);
  });
});
