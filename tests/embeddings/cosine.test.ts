import { describe, expect, it } from "vitest";
import { cosine, dot, unit } from "../../src/embeddings/cosine.js";

describe("vector arithmetic", () => {
  it("cosine is 1 for parallel vectors, 0 for orthogonal ones and for the zero vector", () => {
    expect(cosine([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 6);
    expect(cosine([1, 0], [0, 5])).toBe(0);
    expect(cosine([0, 0], [1, 1])).toBe(0);
  });

  it("unit scales to length 1 and leaves the zero vector zero", () => {
    const u = unit([3, 4]);
    expect(Array.from(u)).toEqual([expect.closeTo(0.6, 6), expect.closeTo(0.8, 6)]);
    expect(Array.from(unit([0, 0, 0]))).toEqual([0, 0, 0]);
  });

  it("dot matches the plain sum for every length, including the remainder after four", () => {
    for (const n of [0, 1, 3, 4, 5, 7, 8, 513]) {
      const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i + 1));
      const y = Float32Array.from({ length: n }, (_, i) => Math.cos(i * 0.5));
      let expected = 0;
      for (let i = 0; i < n; i++) expected += (x[i] as number) * (y[i] as number);
      expect(dot(x, y)).toBeCloseTo(expected, 4);
    }
  });

  it("dot of two unit vectors is their cosine; a shorter vector counts only its length", () => {
    const a = [0.3, -1.2, 2, 0.7, 5];
    const b = [1, 1, -0.5, 2, 0.1];
    expect(dot(unit(a), unit(b))).toBeCloseTo(cosine(a, b), 5);
    expect(dot(Float32Array.from([1, 2, 3]), Float32Array.from([1, 1]))).toBe(3);
  });
});
