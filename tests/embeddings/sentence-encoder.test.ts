import { beforeAll, describe, expect, it, vi } from "vitest";
import { loadEmbeddingModel } from "../../src/embeddings/embedding-model.js";
import {
  SENTENCE_ENCODER_ID,
  SentenceEncoderEmbeddings,
} from "../../src/embeddings/sentence-encoder.js";
import { AppError } from "../../src/errors.js";

const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * (b[i] as number), 0);

/** Enough texts for several model calls (batches of 16), to keep the queue busy for a while. */
const MANY = Array.from({ length: 48 }, (_, i) => `Passage number ${i} about skin and sunscreen.`);

describe("SentenceEncoderEmbeddings", () => {
  let encoder: SentenceEncoderEmbeddings;
  beforeAll(async () => {
    encoder = await SentenceEncoderEmbeddings.load();
  });

  it("embeds texts as 512-dimensional unit vectors, the same every time", async () => {
    const [a, b] = await encoder.embedDocuments([
      "Collagen keeps skin firm.",
      "Collagen keeps skin firm.",
    ]);
    expect(a).toHaveLength(512);
    expect(encoder.dimensions).toBe(512);
    expect(dot(a as number[], a as number[])).toBeCloseTo(1, 4);
    expect(b).toEqual(a);
    expect(await encoder.embedQuery("Collagen keeps skin firm.")).toEqual(
      (a as number[]).map((x) => expect.closeTo(x, 5)),
    );
    expect(encoder.modelId).toBe(SENTENCE_ENCODER_ID);
  });

  it("places a paraphrase nearer than an unrelated sentence", async () => {
    const passage = await encoder.embedQuery("fine lines and deep wrinkles around the eyes");
    const paraphrase = await encoder.embedQuery("creases near my eyes");
    const unrelated = await encoder.embedQuery("football results from the weekend");
    expect(dot(passage, paraphrase)).toBeGreaterThan(dot(passage, unrelated) + 0.2);
  });

  it("serves a repeated query from its cache without calling the model", async () => {
    const own = await SentenceEncoderEmbeddings.load({ maxQueued: 1 });
    const first = await own.embedQuery("does microneedling hurt?");
    // A document batch holds the only queue place: any query that needs the model is refused.
    // Both queries are asked while the batch is still queued: each decides at once.
    const busy = own.embedDocuments(MANY);
    const fresh = own.embedQuery("something never asked before");
    const repeated = own.embedQuery("does microneedling hurt?");
    await expect(fresh).rejects.toMatchObject({ code: "unavailable" });
    // The repeated query still answers, so it did not go to the model.
    expect(await repeated).toBe(first);
    await busy;
  });

  it("refuses with AppError 'unavailable' beyond maxQueued waiting calls, and recovers once they finish", async () => {
    const own = await SentenceEncoderEmbeddings.load({ maxQueued: 2 });
    const busy = own.embedDocuments(MANY);
    const waiting = own.embedQuery("how long does redness last?");
    const refused = await own.embedQuery("is a peel safe?").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe("unavailable");
    // Those already queued are served, one after another, and the queue takes new calls again.
    expect(await busy).toHaveLength(MANY.length);
    expect(await waiting).toHaveLength(512);
    expect(await own.embedQuery("is a peel safe?")).toHaveLength(512);
  });

  it("embeds queries waiting together in one model call, each as if asked alone", async () => {
    const own = await SentenceEncoderEmbeddings.load();
    const questions = Array.from({ length: 8 }, (_, i) => `how long does redness last, case ${i}?`);
    const alone = await encoder.embedDocuments(questions);
    const model = (own as unknown as { model: { embed(texts: string[]): Promise<number[][]> } })
      .model;
    const embed = vi.spyOn(model, "embed");
    const together = await Promise.all(questions.map((q) => own.embedQuery(q)));
    // The first query finds the model idle; the seven asked meanwhile share the next call.
    expect(embed.mock.calls.map(([texts]) => texts.length)).toEqual([1, 7]);
    together.forEach((v, i) => expect(v).toEqual(alone[i]?.map((x) => expect.closeTo(x, 5))));
  });

  it("embeds the same query asked twice at once only once", async () => {
    const own = await SentenceEncoderEmbeddings.load();
    const model = (own as unknown as { model: { embed(texts: string[]): Promise<number[][]> } })
      .model;
    const embed = vi.spyOn(model, "embed");
    const [a, b] = await Promise.all([
      own.embedQuery("is it sore?"),
      own.embedQuery("is it sore?"),
    ]);
    expect(a).toBe(b);
    expect(embed).toHaveBeenCalledTimes(1);
  });

  it("embeds a text with no words as the zero vector instead of failing", async () => {
    const zero = new Array<number>(512).fill(0);
    expect(await encoder.embedQuery("  ")).toEqual(zero);
    const [empty, text] = await encoder.embedDocuments(["", "acne scars"]);
    expect(empty).toEqual(zero);
    expect(Math.hypot(...(text as number[]))).toBeCloseTo(1, 3);
  });

  it("rates a rare word as more telling than an everyday one", () => {
    expect(encoder.wordRarity("collagen")).toBeGreaterThan(encoder.wordRarity("skin"));
    expect(encoder.wordRarity("skin")).toBeGreaterThan(encoder.wordRarity("the"));
  });
});

describe("loadEmbeddingModel", () => {
  it("gives the offline sentence encoder, with its id and its word rarity, for the local provider", async () => {
    const model = await loadEmbeddingModel({ embeddings: { provider: "local" } });
    expect(model.modelId).toBe(SENTENCE_ENCODER_ID);
    expect(model.embeddings).toBeInstanceOf(SentenceEncoderEmbeddings);
    expect(model.wordRarity("collagen")).toBeGreaterThan(model.wordRarity("the") + 10);
  });

  it("names an OpenAI-compatible model by host and model, and estimates rarity from length", async () => {
    const model = await loadEmbeddingModel({
      embeddings: {
        provider: "openai",
        model: "nomic-embed-text",
        apiKey: undefined,
        baseUrl: "http://localhost:11434/v1",
      },
    });
    expect(model.modelId).toBe("openai:localhost:11434:nomic-embed-text");
    expect(model.wordRarity("microneedling")).toBeGreaterThan(model.wordRarity("face"));
  });
});
