import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Core } from "../../src/core.js";
import type { EmbeddingModel } from "../../src/embeddings/embedding-model.js";
import { FakeWordEmbeddings } from "../../src/embeddings/fake-embeddings.js";
import { buildIndex } from "../../src/index/build-index.js";
import { loadIndex } from "../../src/index/index-store.js";
import type { SearchIndex } from "../../src/index/search-index.js";
import { type DecisionModel, probability } from "../../src/retrieval/decision.js";
import {
  createHybridRetriever,
  type HybridRetrieverDeps,
} from "../../src/retrieval/hybrid-retriever.js";
import type { Candidate, Evidence, PassageFeatures } from "../../src/retrieval/retriever.js";
import { REPO_ROOT, tempDir } from "../helpers/core-fixtures.js";
import { shippedCore } from "../helpers/shipped-core.js";

/**
 * Three small articles (five passages), a question bank for four of their sections (not the
 * moisturiser one) and a few booking examples.
 */
const FIXTURES = path.join(REPO_ROOT, "tests/fixtures/retrieval");

/** Every feature the retriever names for a candidate (PassageFeatures). */
const FEATURES = [
  "dense",
  "bank",
  "bankless",
  "denseGap",
  "bankGap",
  "lexical",
  "bm25",
  "lexicalTop",
  "coverage",
  "missing",
  "unknownShare",
  "typeMissing",
  "sentence",
  "intro",
  "followUp",
  "unanswered",
  "unansweredMargin",
] as const satisfies readonly (keyof PassageFeatures)[];

/** A hand-written decision: ranks and judges by the passage and bank similarities. */
function decision(parts: Partial<Pick<DecisionModel, "ranker" | "judge">> = {}): DecisionModel {
  return {
    version: 2,
    embeddingModel: "fake:words-64",
    ranker: { features: ["dense", "bank"], weights: [4, 4], bias: -4 },
    judge: {
      features: ["dense", "bank"],
      weights: [4, 4],
      bias: -4,
      threshold: 0.7,
      unsureBand: 0.2,
    },
    booking: { threshold: 0.6, margin: 0.02 },
    fittedOn: [],
    ...parts,
  };
}

/** A judge whose probability is sigmoid(bias) for every passage. */
const constantJudge = (bias: number, threshold: number, unsureBand: number) => ({
  features: ["dense"],
  weights: [0],
  bias,
  threshold,
  unsureBand,
});

const sections = (evidence: Evidence) => evidence.candidates.map((c) => c.chunk.section);
const top = (evidence: Evidence) => evidence.candidates[0] as Candidate;

describe("createHybridRetriever over a fixture corpus (fake embeddings, hand-written decision)", () => {
  const embeddings = new FakeWordEmbeddings();
  const model: EmbeddingModel = {
    modelId: embeddings.modelId,
    embeddings,
    wordRarity: (word) => embeddings.wordRarity(word),
  };
  let index: SearchIndex;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const temp = await tempDir();
    cleanup = temp.cleanup;
    const indexDir = path.join(temp.dir, "index");
    const summary = await buildIndex({
      corpusDir: FIXTURES,
      indexDir,
      cacheDir: path.join(temp.dir, "cache"),
      model,
    });
    expect(summary.skipped).toEqual([]);
    index = await loadIndex(indexDir, { expectModel: model.modelId });
  });
  afterAll(() => cleanup());

  const retriever = (deps: Partial<HybridRetrieverDeps> = {}) =>
    createHybridRetriever({ index, model, decision: decision(), ...deps });
  const rowOf = (section: string) => index.chunks.findIndex((c) => c.section === section);

  it("describes every candidate with named features, the passage's place and the best ones' sentences", async () => {
    const evidence = await retriever().retrieve({
      question: "how often should I reapply sunscreen?",
    });
    // Five passages: each one is a candidate.
    expect(evidence.candidates).toHaveLength(5);
    for (const c of evidence.candidates) {
      for (const name of FEATURES) expect(Number.isFinite(c.features[name])).toBe(true);
    }
    const best = top(evidence);
    expect(best.chunk).toMatchObject({
      docId: "sun-care",
      section: "Protecting healing skin",
      headingPath: ["Sun Care After Treatments", "Protecting healing skin"],
      url: "/articles/sun-care#protecting-healing-skin",
    });
    const bestDense = Math.max(...evidence.candidates.map((c) => c.features.dense));
    expect(best.features).toMatchObject({
      dense: bestDense,
      denseGap: 0,
      bank: expect.closeTo(1, 4), // the bank has this very question for this section
      bankGap: 0,
      bankless: 0,
      lexical: 1,
      typeMissing: 0,
      followUp: 0,
      intro: 0,
    });
    for (const c of evidence.candidates) {
      expect(c.features.denseGap).toBeCloseTo(c.features.dense - bestDense, 10);
    }
    // Its sentences, in reading order, scored against the question.
    expect(best.sentences.map((s) => s.lines)).toEqual([
      ["Freshly treated skin burns easily."],
      ["Wear a broad-spectrum sunscreen every morning and reapply it every two hours outdoors."],
    ]);
    const [burns, sunscreen] = best.sentences as [
      Candidate["sentences"][number],
      Candidate["sentences"][number],
    ];
    expect(sunscreen.similarity).toBeGreaterThan(burns.similarity + 0.3);
    expect(sunscreen.matched).toEqual(["reappli", "sunscreen"]);
    expect(sunscreen.overlap).toBeGreaterThan(0.5);
    expect(burns).toMatchObject({ overlap: 0, matched: [] });
    expect(best.features.sentence).toBeCloseTo(sunscreen.similarity, 5);
    // Only the best four are given their sentences.
    expect(evidence.candidates.slice(0, 4).every((c) => c.sentences.length > 0)).toBe(true);
    expect(evidence.candidates[4]?.sentences).toEqual([]);
    // And the question's telling words, for composing the answer.
    expect(evidence.words.map((w) => w.stem)).toEqual(["often", "reappli", "sunscreen"]);
  });

  it("orders candidates by the ranker's probability, whatever the ranker weighs", async () => {
    const question = { question: "how often should I reapply sunscreen?" };
    const closest = await retriever({
      decision: decision({ ranker: { features: ["dense"], weights: [10], bias: 0 } }),
    }).retrieve(question);
    const farthest = await retriever({
      decision: decision({ ranker: { features: ["dense"], weights: [-10], bias: 0 } }),
    }).retrieve(question);
    const dense = (e: Evidence) => e.candidates.map((c) => c.features.dense);
    expect(dense(closest)).toEqual([...dense(closest)].sort((a, b) => b - a));
    expect(dense(farthest)).toEqual([...dense(farthest)].sort((a, b) => a - b));
    expect(sections(farthest)).toEqual([...sections(closest)].reverse());
    const ranker = { features: ["dense"], weights: [10], bias: 0 };
    for (const c of closest.candidates) expect(c.rank).toBe(probability(ranker, c.features));
  });

  it("adds extra features to every candidate, and the ranker can weigh them", async () => {
    const moisturiser = rowOf("Choosing a moisturiser");
    const asked: string[] = [];
    const evidence = await retriever({
      decision: decision({ ranker: { features: ["alignment"], weights: [10], bias: -5 } }),
      extraFeatures: (query, row) => {
        asked.push(query.question);
        return { alignment: row === moisturiser ? 1 : 0 };
      },
    }).retrieve({ question: "how often should I reapply sunscreen?" });
    expect(top(evidence).row).toBe(moisturiser);
    expect(evidence.candidates.map((c) => c.features.alignment).sort()).toEqual([0, 0, 0, 0, 1]);
    expect(asked).toEqual(Array(5).fill("how often should I reapply sunscreen?"));
  });

  it("judges with the judge's probability for the best-ranked candidate: answer, unsure in the band, none below", async () => {
    const question = { question: "how often should I reapply sunscreen?" };
    const judged = async (threshold: number, band: number) =>
      retriever({ decision: decision({ judge: constantJudge(0, threshold, band) }) }).retrieve(
        question,
      );
    const answered = await judged(0.5, 0.1);
    expect(answered).toMatchObject({ judgement: "answer", confidence: 0.5 });
    expect(top(answered).probability).toBe(0.5);
    expect((await judged(0.6, 0.2)).judgement).toBe("unsure");
    expect((await judged(0.7, 0.2)).judgement).toBe("unsure");
    expect((await judged(0.8, 0.2)).judgement).toBe("none");

    // The confidence is the judge's on the candidate ranked first, not the judge's own best.
    const judge = { features: ["dense"], weights: [10], bias: 0, threshold: 0.5, unsureBand: 0 };
    const worstFirst = await retriever({
      decision: decision({ ranker: { features: ["dense"], weights: [-10], bias: 0 }, judge }),
    }).retrieve(question);
    expect(worstFirst.confidence).toBe(probability(judge, top(worstFirst).features));
    expect(worstFirst.confidence).toBeLessThan(
      Math.max(...worstFirst.candidates.map((c) => c.probability)),
    );
  });

  it("finds a section by its bank question though its passage shares no word with it, and answers", async () => {
    const bankJudge = {
      features: ["bank"],
      weights: [10],
      bias: -5,
      threshold: 0.9,
      unsureBand: 0.1,
    };
    const r = retriever({ decision: decision({ judge: bankJudge }) });
    const evidence = await r.retrieve({ question: "What should I put on my head outdoors?" });
    const hats = evidence.candidates.find((c) => c.chunk.section === "Hats and shade");
    expect(hats?.features.dense).toBe(
      Math.min(...evidence.candidates.map((c) => c.features.dense)),
    );
    expect(top(evidence).chunk.section).toBe("Hats and shade");
    expect(top(evidence).features.bank).toBeCloseTo(1, 4);
    expect(evidence.judgement).toBe("answer");

    const unrelated = await r.retrieve({ question: "what is the capital of Australia" });
    expect(unrelated.judgement).toBe("none");
    expect(top(unrelated).features.missing).toBeGreaterThan(0);
    expect(top(unrelated).features.unknownShare).toBe(1);
  });

  it("measures how much closer a question is to one the articles do not answer, and the veto refuses it", async () => {
    const r = retriever();
    const price = await r.retrieve({ question: "How much does a chemical peel cost?" });
    // The same wording as the question marked unanswered: closer to it than to any bank question.
    expect(top(price).features.unanswered).toBeCloseTo(1, 4);
    expect(top(price).features.unansweredMargin).toBeGreaterThan(0);
    const answerable = await r.retrieve({ question: "Will my skin flake after a chemical peel?" });
    expect(top(answerable).features.unansweredMargin).toBeLessThan(0);
    for (const e of [price, answerable]) {
      // One value per question: every candidate carries it.
      const margins = new Set(e.candidates.map((c) => c.features.unansweredMargin));
      expect(margins.size).toBe(1);
    }

    // A judge that answers everything, with and without the veto.
    const always = constantJudge(5, 0.5, 0);
    const vetoing = retriever({ decision: decision({ judge: { ...always, unansweredVeto: 0 } }) });
    expect(
      (await vetoing.retrieve({ question: "How much does a chemical peel cost?" })).judgement,
    ).toBe("none");
    expect(
      (await vetoing.retrieve({ question: "Will my skin flake after a chemical peel?" })).judgement,
    ).toBe("answer");
    const open = retriever({ decision: decision({ judge: always }) });
    expect(
      (await open.retrieve({ question: "How much does a chemical peel cost?" })).judgement,
    ).toBe("answer");

    // Without the bank there is nothing to be closer than: no margin, no veto.
    const bankless = await retriever({ withoutBank: true }).retrieve({
      question: "How much does a chemical peel cost?",
    });
    expect(top(bankless).features).toMatchObject({ unanswered: 0, unansweredMargin: 0 });
  });

  it("reads a follow-up with the question it follows", async () => {
    const r = retriever();
    const alone = await r.retrieve({ question: "and how long does that last?" });
    expect(top(alone).chunk.section).not.toBe("Peeling and flaking");
    expect(alone.candidates.every((c) => c.features.followUp === 0)).toBe(true);

    const followUp = await r.retrieve({
      question: "and how long does that last?",
      context: "Will my skin flake after a chemical peel?",
    });
    expect(top(followUp).chunk.section).toBe("Peeling and flaking");
    expect(followUp.candidates.every((c) => c.features.followUp === 1)).toBe(true);
    expect(followUp.words.map((w) => w.stem)).toEqual(expect.arrayContaining(["long", "flake"]));
  });

  it("marks the passages of sections without bank questions as bankless, and all of them without the bank", async () => {
    const question = { question: "How often should I reapply sunscreen?" };
    const withBank = await retriever().retrieve(question);
    const bankless = (e: Evidence) =>
      Object.fromEntries(e.candidates.map((c) => [c.chunk.section, c.features.bankless]));
    expect(bankless(withBank)).toEqual({
      "What a peel does": 0,
      "Peeling and flaking": 0,
      "Choosing a moisturiser": 1,
      "Protecting healing skin": 0,
      "Hats and shade": 0,
    });
    expect(
      withBank.candidates.find((c) => c.chunk.section === "Choosing a moisturiser"),
    ).toMatchObject({ features: { bank: 0 } });

    const withoutBank = await retriever({ withoutBank: true }).retrieve(question);
    for (const c of withoutBank.candidates) {
      expect(c.features).toMatchObject({ bankless: 1, bank: 0, bankGap: 0 });
    }
  });

  it("compares a message with the booking requests, and with the non-requests and bank questions", async () => {
    const r = retriever();
    const request = await r.bookingSimilarity("Please book me in for a peel next Tuesday");
    expect(request.booking).toBeCloseTo(1, 4);
    expect(request.other).toBeLessThan(0.6);

    const cancel = await r.bookingSimilarity("How do I cancel my appointment?");
    expect(cancel.other).toBeCloseTo(1, 4);
    expect(cancel.booking).toBeLessThan(cancel.other);

    // A bank question counts as what is not a request, though no example is like it.
    const question = await r.bookingSimilarity("Will my skin flake after a chemical peel?");
    expect(question.other).toBeCloseTo(1, 4);
    expect(question.booking).toBeLessThan(0.6);
  });
});

describe("createHybridRetriever over the shipped corpus (sentence encoder, shipped decision)", () => {
  let core: Core;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ core, cleanup } = await shippedCore());
  });
  afterAll(() => cleanup());

  const retrieve = (question: string) => core.retriever.retrieve({ question });

  it("puts the section that answers a plain question first, and answers", async () => {
    const scars = await retrieve("Does microneedling help with acne scars?");
    expect(top(scars).chunk.section).toBe("Treating Acne Scars and Sun Spots");
    expect(scars.judgement).toBe("answer");
    const booking = await retrieve("how do I book an appointment?");
    expect(top(booking).chunk.section).toBe("How to book");
    expect(booking.judgement).toBe("answer");
  });

  it("judges 'what is the capital of Australia' as not answered by the articles", async () => {
    const evidence = await retrieve("what is the capital of Australia");
    expect(evidence.judgement).toBe("none");
    expect(evidence.confidence).toBeLessThan(
      core.decision.judge.threshold - core.decision.judge.unsureBand,
    );
  });

  it("marks a price question against passages that state no price with typeMissing=1", async () => {
    const price = await retrieve("how much is a session?");
    expect(top(price).features.typeMissing).toBe(1);
    expect(price.judgement).not.toBe("answer");
    const plain = await retrieve("what happens during a microneedling session?");
    expect(plain.candidates.every((c) => c.features.typeMissing === 0)).toBe(true);
  });

  it("computes every feature the shipped decision weighs", async () => {
    const { features } = top(await retrieve("Does microneedling help with acne scars?"));
    const weighed = [...core.decision.ranker.features, ...core.decision.judge.features];
    for (const name of weighed.flatMap((f) => f.split("*"))) {
      expect(features, name).toHaveProperty(name);
    }
  });

  it("finds a booking request closer to the example requests, and a question closer to the rest", async () => {
    const request = await core.retriever.bookingSimilarity("book me in for tuesday");
    expect(request.booking).toBeGreaterThan(request.other);
    const question = await core.retriever.bookingSimilarity("does microneedling hurt?");
    expect(question.other).toBeGreaterThan(question.booking);
  });
});
