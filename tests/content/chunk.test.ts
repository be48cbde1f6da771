import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { AppError } from "../../src/errors.js";
import { chunkDocument, DEFAULT_CHUNK_CHARS } from "../../src/content/chunk.js";
import { parseDocument } from "../../src/content/load-corpus.js";
import type { Chunk, SourceDocument } from "../../src/content/types.js";

function fixture(name: string): SourceDocument {
  return parseDocument(name, readFileSync(new URL(`../fixtures/content/${name}`, import.meta.url)));
}

const seed = fixture("microneedling-benefits.txt");
const fixtures = [seed, fixture("chemical-peel-aftercare.md"), fixture("laser-hair-removal.html")];
const seedTitle = "Revitalize Your Complexion: Why Microneedling Works";

/** Asserts that every word of `text` occurs in `span`, in the same order. */
function expectWordsInOrder(text: string, span: string): void {
  let cursor = 0;
  for (const word of text.match(/[\p{L}\p{N}]+/gu) ?? []) {
    const at = span.indexOf(word, cursor);
    expect(at, `"${word}" of "${text}" in "${span}"`).toBeGreaterThanOrEqual(0);
    cursor = at + word.length;
  }
}

async function chunkWith(text: string): Promise<Chunk | undefined> {
  return (await chunkDocument(seed)).find((chunk) => chunk.text.includes(text));
}

describe("chunkDocument", () => {
  it("splits the seed article into passages no longer than the default size", async () => {
    const chunks = await chunkDocument(seed);
    expect(DEFAULT_CHUNK_CHARS).toBe(700);
    // 13 sections with text, plus an introduction long enough to need two chunks.
    expect(chunks).toHaveLength(15);
    for (const chunk of chunks) expect(chunk.text.length).toBeLessThanOrEqual(700);
    expect(chunks.map((chunk) => chunk.chunkId)).toEqual(
      chunks.map((_, index) => `microneedling-benefits:${index}`),
    );
  });

  it("covers every word of every chunk with its source offsets, in order", async () => {
    for (const doc of fixtures) {
      for (const maxChars of [DEFAULT_CHUNK_CHARS, 150, 60]) {
        const chunks = await chunkDocument(doc, { maxChars });
        let previousEnd = 0;
        for (const chunk of chunks) {
          expectWordsInOrder(chunk.text, doc.source.slice(chunk.start, chunk.end));
          expect(chunk.start).toBeGreaterThanOrEqual(previousEnd);
          previousEnd = chunk.end;
        }
      }
    }
  });

  it("never lets a chunk span two headings, nor include heading text", async () => {
    for (const doc of fixtures) {
      const headings = doc.blocks.filter((block) => block.kind === "heading");
      for (const chunk of await chunkDocument(doc, { maxChars: 2000 })) {
        const inside = headings.filter((h) => h.start >= chunk.start && h.start < chunk.end);
        expect(inside, chunk.text).toEqual([]);
      }
    }
    expect(
      (await chunkDocument(seed)).some((chunk) =>
        chunk.text.includes("Understanding the Mechanism"),
      ),
    ).toBe(false);
  });

  it("packs paragraphs under one heading together, joined by a blank line", async () => {
    const chunk = await chunkWith("To appreciate the results");
    expect(chunk?.text).toBe(
      "To appreciate the results, one must first understand the physiology behind the treatment. Microneedling involves the use of a device equipped with fine, sterile needles to puncture the skin.\n\nThese punctures are superficial and controlled, designed not to cause lasting damage but to trigger a biological response.",
    );
  });

  it("keeps a list with the paragraph that introduces it, items on their own lines", async () => {
    expect((await chunkWith("reducing the appearance of:"))?.text).toMatch(
      /reducing the appearance of:\nSunspots and age spots\nMelasma\nPost-inflammatory hyperpigmentation\nSurgical scars$/,
    );
  });

  it("moves a list's introduction to the next chunk rather than leave it without its items", async () => {
    const doc = parseDocument(
      "care.md",
      [
        "## Care",
        "Keep the area clean and dry and do not touch it too often.",
        "Avoid these for two days:",
        "- Hot showers, saunas and steam rooms\n- Scrubs",
      ].join("\n\n"),
    );
    // The first paragraph and the introduction fit in 100 characters, but not with an item.
    expect((await chunkDocument(doc, { maxChars: 100 })).map((chunk) => chunk.text)).toEqual([
      "Keep the area clean and dry and do not touch it too often.",
      "Avoid these for two days:\nHot showers, saunas and steam rooms\nScrubs",
    ]);
  });

  it("splits a block longer than maxChars at sentence ends and locates each piece", async () => {
    const sentences = [
      "Peels remove the outer layer of **dead skin** cells.",
      "Most people see brighter skin within a week.",
      "**Mild peels** need no downtime at all, e.g. a lunchtime peel.",
      "Deeper peels can need up to ten days of recovery.",
      "Your practitioner will choose the depth with you.",
    ];
    const source = `## Peels\n\n${sentences.join(" ")}\n`;
    const doc = parseDocument("peels.md", source);
    const chunks = await chunkDocument(doc, { maxChars: 100 });
    const plain = sentences.map((sentence) => sentence.replace(/\*\*/g, ""));
    expect(chunks.map((chunk) => chunk.text)).toEqual([
      `${plain[0]} ${plain[1]}`,
      plain[2],
      `${plain[3]} ${plain[4]}`,
    ]);
    expect(chunks.map((chunk) => source.slice(chunk.start, chunk.end))).toEqual([
      `${sentences[0]} ${sentences[1]}`,
      sentences[2],
      `${sentences[3]} ${sentences[4]}`,
    ]);
  });

  it("splits a 3000-character paragraph into whole sentences, each piece within maxChars and located exactly", async () => {
    const sentences = Array.from(
      { length: 40 },
      (_, i) =>
        `Step ${i + 1} of the aftercare, e.g. ${"cooling, ".repeat(i % 5)}keeps the treated skin calm.`,
    );
    const paragraph = sentences.join(" ");
    expect(paragraph.length).toBeGreaterThanOrEqual(3000);
    const source = `# Aftercare\n\n${paragraph}\n`;
    const chunks = await chunkDocument(parseDocument("aftercare.md", source));

    expect(chunks.length).toBeGreaterThan(3);
    let next = 0;
    for (const chunk of chunks) {
      expect(chunk.text.length).toBeLessThanOrEqual(DEFAULT_CHUNK_CHARS);
      expect(source.slice(chunk.start, chunk.end)).toBe(chunk.text);
      // Whole consecutive sentences, packed until the next one would not fit.
      let end = next + 1;
      while (end < sentences.length && sentences.slice(next, end).join(" ") !== chunk.text)
        end += 1;
      expect(chunk.text).toBe(sentences.slice(next, end).join(" "));
      const withNext = sentences.slice(next, end + 1).join(" ");
      if (end < sentences.length) expect(withNext.length).toBeGreaterThan(DEFAULT_CHUNK_CHARS);
      next = end;
    }
    expect(next).toBe(sentences.length);
  });

  it("cuts a single over-long sentence between words", async () => {
    const words = Array.from({ length: 60 }, (_, i) => `word${i}`);
    const doc = parseDocument("long.txt", `Long\n\n${words.join(" ")}`);
    const chunks = await chunkDocument(doc, { maxChars: 80 });
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(chunk.text.length).toBeLessThanOrEqual(80);
    expect(chunks.flatMap((chunk) => chunk.text.split(" "))).toEqual(words);
  });

  it("gives each chunk its heading path, section, anchor and url", async () => {
    const intro = (await chunkDocument(seed))[0];
    expect(intro).toMatchObject({
      docId: "microneedling-benefits",
      title: seedTitle,
      headingPath: [seedTitle],
      section: seedTitle,
      anchor: "revitalize-your-complexion-why-microneedling-works",
      url: "/articles/microneedling-benefits#revitalize-your-complexion-why-microneedling-works",
    });
    expect(await chunkWith("Melasma")).toMatchObject({
      headingPath: [seedTitle, "Treating Acne Scars and Sun Spots"],
      section: "Treating Acne Scars and Sun Spots",
      anchor: "treating-acne-scars-and-sun-spots",
      url: "/articles/microneedling-benefits#treating-acne-scars-and-sun-spots",
    });
  });

  it("uses the document's own url and nested headings from the title down", async () => {
    const chunks = await chunkDocument(fixture("chemical-peel-aftercare.md"));
    expect(chunks[1]).toMatchObject({
      headingPath: ["Caring for your skin after a peel", "The first 48 hours"],
      url: "https://clinic.example/treatments/chemical-peel/aftercare#the-first-48-hours",
    });
    expect(chunks.at(-1)?.anchor).toBe("products-to-use-1");
  });

  it("starts heading paths with the document title when there is no top-level heading", async () => {
    const doc = parseDocument(
      "botox.md",
      "---\ntitle: Botox explained\n---\nAn introduction.\n\n## Risks\n\nBruising.\n\n### Rare risks\n\nDrooping.\n\n## Cost\n\nFrom £200.",
    );
    expect(
      (await chunkDocument(doc)).map((chunk) => [
        chunk.headingPath.join(" > "),
        chunk.section,
        chunk.url,
      ]),
    ).toEqual([
      ["Botox explained", "Botox explained", "/articles/botox"],
      ["Botox explained > Risks", "Risks", "/articles/botox#risks"],
      ["Botox explained > Risks > Rare risks", "Rare risks", "/articles/botox#rare-risks"],
      ["Botox explained > Cost", "Cost", "/articles/botox#cost"],
    ]);
  });

  it("rejects a maxChars that is not a positive integer", async () => {
    await expect(chunkDocument(seed, { maxChars: 0 })).rejects.toThrow(AppError);
    await expect(chunkDocument(seed, { maxChars: 12.5 })).rejects.toThrow(/maxChars/);
  });
});
