import { describe, expect, it } from "vitest";
import { chunkDocument } from "../../src/content/chunk.js";
import { loadCorpus } from "../../src/content/load-corpus.js";
import {
  createRng,
  generatePassages,
  generatePassageSentences,
  sampleQueries,
  sentencePool,
} from "../../scripts/bench/synthetic.js";
import { SHIPPED_CORPUS } from "../helpers/core-fixtures.js";

async function shippedChunks() {
  const { documents } = await loadCorpus(SHIPPED_CORPUS);
  return (await Promise.all(documents.map((doc) => chunkDocument(doc)))).flat();
}

describe("the seeded PRNG", () => {
  it("gives the same numbers in [0, 1) for the same seed, and others for another", () => {
    const a = createRng(42);
    const b = createRng(42);
    const first = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(first);
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(createRng(43)()).not.toBe(first[0]);
  });
});

describe("generated passages", () => {
  it("are reproducible from the seed", async () => {
    const pool = sentencePool(await shippedChunks());
    expect(generatePassages(pool, 50, 7)).toEqual(generatePassages(pool, 50, 7));
    expect(generatePassages(pool, 50, 8)).not.toEqual(generatePassages(pool, 50, 7));
  });

  it("mix three to five sentences from different real chunks, never the same set twice", async () => {
    const chunks = await shippedChunks();
    const pool = sentencePool(chunks);
    const chunkOf = new Map(pool.map((s) => [s.text, s.chunk]));
    const passages = generatePassages(pool, 2000, 1);
    const sets = new Set<string>();
    for (const passage of passages) {
      const used = pool.filter((s) => passage.includes(s.text));
      const fromChunks = new Set(used.map((s) => chunkOf.get(s.text)));
      expect(fromChunks.size).toBeGreaterThanOrEqual(3);
      expect(fromChunks.size).toBeLessThanOrEqual(5);
      sets.add(
        used
          .map((s) => s.text)
          .sort()
          .join("\n"),
      );
      expect(chunks.some((c) => c.text === passage)).toBe(false);
    }
    expect(sets.size).toBe(passages.length);
  });
});

describe("generated passages as sentence indexes", () => {
  it("name the same sentences, in the same order, as the passages of the same seed", async () => {
    const pool = sentencePool(await shippedChunks());
    const sentences = generatePassageSentences(pool, 200, 5);
    expect(sentences.map((picked) => picked.map((i) => pool[i]?.text).join(" "))).toEqual(
      generatePassages(pool, 200, 5),
    );
  });
});

describe("benchmark queries", () => {
  it("start from the questions and corpus sentences and are all distinct", async () => {
    const pool = sentencePool(await shippedChunks());
    const questions = ["Does microneedling hurt?", "How do I book?"];
    const queries = sampleQueries(questions, pool, 300, 3);
    expect(queries).toHaveLength(300);
    expect(new Set(queries).size).toBe(300);
    for (const q of questions) expect(queries).toContain(q);
    expect(sampleQueries(questions, pool, 300, 3)).toEqual(queries);
  });
});
