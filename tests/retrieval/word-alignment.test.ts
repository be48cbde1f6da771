import { describe, expect, it } from "vitest";
import { createWordAligner, sameWordForm } from "../../src/retrieval/word-alignment.js";
import { contentWords } from "../../src/embeddings/text.js";
import { testVectors } from "../helpers/core-fixtures.js";

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
  });

  it("names the rare question words no passage addresses", async () => {
    const aligner = createWordAligner(await testVectors(), { vocabulary: contentWords(PASSAGE) });
    const passage = aligner.passage(PASSAGE);
    expect(
      aligner.unmatchedRareWords(aligner.query("do you use numbing cream on wrinkles"), passage),
    ).toContain("numbing");
    expect(aligner.unmatchedRareWords(aligner.query("does it help wrinkles"), passage)).toEqual([]);
  });

  it("tells a question that shares the corpus's topic from everyday small talk", async () => {
    const aligner = createWordAligner(await testVectors(), { vocabulary: contentWords(PASSAGE) });
    const passage = aligner.passage(PASSAGE);
    expect(aligner.sharesTopic(aligner.query("what about my wrinkles"), passage)).toBe(true);
    expect(aligner.sharesTopic(aligner.query("is it going to rain tomorrow"), passage)).toBe(false);
  });
});
