import { describe, expect, it } from "vitest";
import { FakeWordEmbeddings } from "../../src/embeddings/fake-embeddings.js";

const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * (b[i] as number), 0);

describe("FakeWordEmbeddings", () => {
  it("gives the same unit vector for a text every time, in any instance", async () => {
    const one = new FakeWordEmbeddings();
    const other = new FakeWordEmbeddings();
    const a = await one.embedQuery("Collagen keeps skin firm.");
    expect(a).toHaveLength(64);
    expect(dot(a, a)).toBeCloseTo(1, 10);
    expect(await other.embedQuery("Collagen keeps skin firm.")).toEqual(a);
    expect(one.modelId).toBe("fake:words-64");
  });

  it("has the dimensions it is given, and names them in its model id", async () => {
    const embeddings = new FakeWordEmbeddings(16);
    expect(await embeddings.embedQuery("sunscreen")).toHaveLength(16);
    expect(embeddings.modelId).toBe("fake:words-16");
  });

  it("makes texts that share words similar and texts that share none nearly orthogonal", async () => {
    const embeddings = new FakeWordEmbeddings(256);
    const passage = await embeddings.embedQuery("reapply sunscreen every two hours outdoors");
    const question = await embeddings.embedQuery("how often should I reapply sunscreen?");
    const unrelated = await embeddings.embedQuery("football results from the weekend");
    expect(dot(passage, question)).toBeGreaterThan(0.5);
    expect(Math.abs(dot(passage, unrelated))).toBeLessThan(0.3);
  });

  it("reads words by their stems and ignores stop words, unless there is nothing else", async () => {
    const embeddings = new FakeWordEmbeddings();
    expect(await embeddings.embedQuery("the scars")).toEqual(await embeddings.embedQuery("scar"));
    // "where r u" is a question; only a text with no words at all is the zero vector.
    const stopWords = await embeddings.embedQuery("where r u");
    expect(stopWords.some((x) => x !== 0)).toBe(true);
    const reordered = await embeddings.embedQuery("u r where");
    stopWords.forEach((x, i) => expect(x).toBeCloseTo(reordered[i] as number, 9));
    expect((await embeddings.embedQuery("?!")).every((x) => x === 0)).toBe(true);
  });

  it("records the texts sent with embedDocuments, and not queries", async () => {
    const embeddings = new FakeWordEmbeddings();
    await embeddings.embedDocuments(["one passage", "another passage"]);
    await embeddings.embedQuery("a question");
    await embeddings.embedDocuments(["a third"]);
    expect(embeddings.calls).toEqual([["one passage", "another passage"], ["a third"]]);
  });

  it("rates longer words as more telling", () => {
    const embeddings = new FakeWordEmbeddings();
    expect(embeddings.wordRarity("microneedling")).toBeGreaterThan(embeddings.wordRarity("face"));
  });
});
