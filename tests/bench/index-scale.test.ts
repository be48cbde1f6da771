import { describe, expect, it } from "vitest";
import { chunkDocument } from "../../src/content/chunk.js";
import { loadCorpus } from "../../src/content/load-corpus.js";
import { FakeWordEmbeddings } from "../../src/embeddings/fake-embeddings.js";
import { embeddingText } from "../../src/index/search-index.js";
import { meanVector, measureIndexScale, recallAtK } from "../../scripts/bench/index-scale.js";
import { sampleQueries, sentencePool } from "../../scripts/bench/synthetic.js";
import { SHIPPED_CORPUS } from "../helpers/core-fixtures.js";

describe("recallAtK", () => {
  it("counts the neighbours no farther than the exact k-th one", () => {
    expect(recallAtK([0.1, 0.2, 0.3], [0.1, 0.2, 0.3], 3)).toBe(1);
    expect(recallAtK([0.1, 0.2, 0.3], [0.1, 0.2, 0.4], 3)).toBeCloseTo(2 / 3);
  });

  it("takes a tie within the tolerance as a hit, whichever neighbour was returned", () => {
    // Another point at the k-th distance (+ rounding) is as right as the one brute force chose.
    expect(recallAtK([0.1, 0.2, 0.3], [0.1, 0.2, 0.3 + 5e-7], 3)).toBe(1);
    expect(recallAtK([0.1, 0.2, 0.3], [0.1, 0.2, 0.3 + 1e-4], 3)).toBeCloseTo(2 / 3);
  });

  it("scores against fewer than k points when the index holds fewer", () => {
    expect(recallAtK([0.1, 0.2], [0.1, 0.2], 10)).toBe(1);
  });
});

describe("meanVector", () => {
  it("is the unit-length mean of the vectors, whatever their order", () => {
    const mean = meanVector([
      [1, 0, 0],
      [0, 1, 0],
    ]);
    expect(mean[0]).toBeCloseTo(Math.SQRT1_2);
    expect(mean[1]).toBeCloseTo(Math.SQRT1_2);
    expect(mean[2]).toBe(0);
    expect(
      meanVector([
        [0, 1, 0],
        [1, 0, 0],
      ]),
    ).toEqual(mean);
  });
});

describe("measureIndexScale", () => {
  it("compares hnswlib with exact search over the grown corpus", async () => {
    const embeddings = new FakeWordEmbeddings(64);
    const { documents } = await loadCorpus(SHIPPED_CORPUS);
    const chunks = (await Promise.all(documents.map((doc) => chunkDocument(doc)))).flat();
    const pool = sentencePool(chunks);
    const result = await measureIndexScale({
      factor: 5,
      realTexts: chunks.map(embeddingText),
      pool,
      queries: sampleQueries(["Does microneedling hurt?"], pool, 40, 1),
      embeddings,
      ef: 100,
      efSweep: [10, 100],
      seed: 1,
    });
    expect(result.vectors).toBe(chunks.length * 5);
    expect(result.dimensions).toBe(64);
    // The model embeds the real passages, the sentence pool and the queries, nothing else:
    // the generated passages are means of the pool's vectors.
    expect(embeddings.calls.map((texts) => texts.length)).toEqual([chunks.length, pool.length, 40]);
    expect(result.queries).toBe(40);
    expect(result.hnsw.recall).toBeGreaterThan(0.9);
    expect(result.hnsw.recall).toBeLessThanOrEqual(1);
    expect(result.hnsw.diskBytes).toBeGreaterThan(0);
    expect(result.efSweep.map((p) => p.ef)).toEqual([10, 100]);
    // The same ef gives the same results, whether in the sweep or not.
    expect(result.efSweep[1]?.recall).toBe(result.hnsw.recall);
  });
});
