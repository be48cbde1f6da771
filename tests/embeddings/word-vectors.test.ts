import { describe, expect, it } from "vitest";
import { createWordVectors } from "../../src/embeddings/word-vectors.js";
import { testVectors } from "../helpers/core-fixtures.js";

describe("word vectors", () => {
  it("finds a word's first (most frequent) row, and -1 for an unknown word", () => {
    const words = ["skin", "acne", "skin", "zinc", "ác"];
    const vectors = createWordVectors("test", words, new Float32Array(words.length * 2), 2);
    expect(words.map((w) => vectors.lookup(w))).toEqual([0, 1, 0, 3, 4]);
    for (const missing of ["", "a", "skins", "zzz", "Skin"])
      expect(vectors.lookup(missing)).toBe(-1);
    expect(vectors.word(3)).toBe("zinc");
  });

  it("reads the shared cache with every word at its own row", async () => {
    const vectors = await testVectors();
    expect(vectors.lookup("the")).toBe(0);
    for (const row of [1, 100, 5_000, 123_456, vectors.size - 1]) {
      const word = vectors.word(row);
      // A word listed twice keeps its first row.
      expect(vectors.lookup(word)).toBeLessThanOrEqual(row);
      expect(vectors.word(vectors.lookup(word))).toBe(word);
    }
  });
});
