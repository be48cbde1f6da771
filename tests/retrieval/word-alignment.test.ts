import { describe, expect, it } from "vitest";
import { createWordAligner, sameWordForm } from "../../src/retrieval/word-alignment.js";
import { contentWords } from "../../src/embeddings/text.js";
import { testLexicon, testVectors } from "../helpers/core-fixtures.js";

const PASSAGE =
  "Fine lines and deep wrinkles begin to form, particularly around the eyes, leading to sagging skin.";

describe("sameWordForm", () => {
  it("pairs forms of one word and keeps different words apart", () => {
    expect(sameWordForm("saggy", "sagging")).toBe(true);
    expect(sameWordForm("risk", "riskier")).toBe(true);
    expect(sameWordForm("face", "facelift")).toBe(false);
    expect(sameWordForm("skin", "skinny")).toBe(false);
  });
});

describe("createWordAligner", () => {
  it("scores a paraphrase well above an unrelated question", async () => {
    const aligner = createWordAligner(await testVectors(), { vocabulary: contentWords(PASSAGE) });
    const passage = aligner.passage(PASSAGE);
    const paraphrase = aligner.score(aligner.query("creases near my eyes and saggy skin"), passage);
    const unrelated = aligner.score(aligner.query("which football team won the league"), passage);
    expect(paraphrase).toBeGreaterThan(0.4);
    expect(unrelated).toBeLessThan(0.15);
  });

  it("reads a misspelt corpus word as that word", async () => {
    const aligner = createWordAligner(await testVectors(), {
      vocabulary: ["microneedling", "collagen"],
    });
    expect(aligner.query("does microneedlin hurt").words).toContain("microneedling");
    // Two edits away is another word, not a misspelling: "botox" is not "book".
    const booking = createWordAligner(await testVectors(), { vocabulary: ["book"] });
    expect(booking.query("do you offer botox").words).toContain("botox");
  });

  it("spells an unknown word as the everyday English word one edit away", async () => {
    const aligner = createWordAligner(await testVectors(), { vocabulary: ["collagen"] });
    expect(aligner.query("my cheeks are swolen").words).toContain("swollen");
    expect(aligner.query("can u recomend a serum").words).toContain("recommend");
    // A rare word the vectors know is left alone, however close another word is.
    expect(aligner.query("my saggy skin").words).toContain("saggy");
  });

  it("adds the articles' term when a question uses the clinic's lay phrase for it", async () => {
    const vocabulary = contentWords("Unlike injectables that fill space or freeze muscles.");
    const glossary = {
      sample: false,
      terms: [{ term: "injectables", also: ["botox", "wrinkle jabs"] }],
    };
    const vectors = await testVectors();
    const withGlossary = createWordAligner(vectors, { vocabulary, glossary });
    const without = createWordAligner(vectors, { vocabulary });
    const passage = withGlossary.passage(vocabulary.join(" "));
    expect(withGlossary.query("is it like Botox?").words).toContain("injectables");
    expect(withGlossary.query("what about wrinkle-jabs").words).toContain("injectables");
    expect(without.query("is it like Botox?").words).not.toContain("injectables");
    expect(withGlossary.score(withGlossary.query("is it like Botox?"), passage)).toBeGreaterThan(
      without.score(without.query("is it like Botox?"), without.passage(vocabulary.join(" "))),
    );
  });

  it("ignores glossary phrases of everyday words, and finds one at the end of a question", async () => {
    const vocabulary = contentWords("Topical products penetrate deeper into the dermis.");
    const glossary = {
      sample: false,
      terms: [{ term: "penetrate", also: ["in", "get in", "soak in"] }],
    };
    const aligner = createWordAligner(await testVectors(), { vocabulary, glossary });
    expect(aligner.query("is it safe in winter, can I get in early").words).not.toContain(
      "penetrate",
    );
    const query = aligner.query("why do my creams never soak in");
    expect(query.words).toContain("penetrate");
    const soak = query.words.indexOf("soak");
    expect(query.standsFor[soak]).toEqual(["penetrate"]);
    expect(query.origins[query.words.indexOf("penetrate")]).toBe("glossary");
    // The question's own words are what is checked; the term stands in for "soak".
    const [match] = aligner
      .questionWords(query, aligner.passage(vocabulary.join(" ")))
      .filter((m) => m.word === "soak");
    expect(match?.termMatch).toBe(1);
    expect(
      createWordAligner(await testVectors(), { vocabulary }).query("creams never soak in").words,
    ).not.toContain("penetrate");
  });

  it("says how well a passage matches each rare question word", async () => {
    const aligner = createWordAligner(await testVectors(), { vocabulary: contentWords(PASSAGE) });
    const passage = aligner.passage(PASSAGE);
    const rare = aligner.questionWords(
      aligner.query("do you use numbing cream on wrinkles"),
      passage,
    );
    const match = (word: string) => rare.find((m) => m.word === word)?.match;
    expect(match("numbing")).toBeLessThan(0.5);
    expect(match("wrinkles")).toBe(1);
    expect(rare.every((m) => m.weight > 0)).toBe(true);
  });

  it("relates words through WordNet that the word vectors keep apart", async () => {
    const vocabulary = contentWords(
      "Punctures in the skin, invasive surgeries, and serums that penetrate deeply.",
    );
    const vectors = await testVectors();
    const plain = createWordAligner(vectors, { vocabulary });
    const related = createWordAligner(vectors, { vocabulary, lexicon: await testLexicon() });
    const passage = (a: typeof plain) => a.passage(vocabulary.join(" "));
    const best = (a: typeof plain, question: string, word: string) =>
      a.questionWords(a.query(question), passage(a)).find((m) => m.word === word)?.match ?? 0;
    // A facelift is a kind of surgery, a puncture a kind of hole, "sink in" means "penetrate".
    expect(best(related, "is it like a facelift", "facelift")).toBeGreaterThanOrEqual(0.6);
    expect(best(related, "poking holes in my face", "holes")).toBeGreaterThanOrEqual(0.6);
    expect(best(related, "my serums never sink in", "sink")).toBeGreaterThanOrEqual(0.6);
    expect(best(plain, "is it like a facelift", "facelift")).toBeLessThan(0.5);
    expect(best(plain, "my serums never sink in", "sink")).toBeLessThan(0.5);
    // Not a relation: words that merely share a broad class.
    expect(best(related, "symptoms of diabetes", "diabetes")).toBeLessThan(0.72);
  });

  it("tells a question that shares the corpus's topic from everyday small talk", async () => {
    const aligner = createWordAligner(await testVectors(), { vocabulary: contentWords(PASSAGE) });
    const passage = aligner.passage(PASSAGE);
    expect(aligner.sharesTopic(aligner.query("what about my wrinkles"), passage)).toBe(true);
    expect(aligner.sharesTopic(aligner.query("is it going to rain tomorrow"), passage)).toBe(false);
  });
});
