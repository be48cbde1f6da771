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

  it("keeps each vector within a rounding of the original: 8-bit codes with a scale per row", () => {
    const dims = 100;
    const words = Array.from({ length: 50 }, (_, i) => `w${i}`);
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
    const data = new Float32Array(words.length * dims).map(random);
    for (let row = 0; row < words.length; row++) {
      const v = data.subarray(row * dims, row * dims + dims);
      const norm = Math.hypot(...v);
      v.forEach((x, i) => (v[i] = x / norm));
    }
    const vectors = createWordVectors("test", words, data, dims);
    for (let row = 0; row < words.length; row++) {
      const original = data.subarray(row * dims, row * dims + dims);
      const decoded = vectors.vector(row);
      const dot = decoded.reduce((sum, x, i) => sum + x * (original[i] as number), 0);
      expect(dot / Math.hypot(...decoded)).toBeGreaterThan(0.9999);
    }
  });
});
