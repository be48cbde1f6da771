import { describe, expect, it } from "vitest";
import {
  composeExtractiveAnswer,
  sentencesToQuote,
  snippetOf,
} from "../../src/answer/extractive.js";
import { questionParts } from "../../src/answer/question-parts.js";
import type { Chunk } from "../../src/content/types.js";
import type { Candidate, Evidence, ScoredSentence } from "../../src/retrieval/retriever.js";

/** A sentence with the scores retrieval would give it. */
function sentence(
  order: number,
  text: string | string[],
  similarity: number,
  matched: string[] = [],
): ScoredSentence {
  return {
    lines: Array.isArray(text) ? text : [text],
    order,
    similarity,
    overlap: matched.length > 0 ? 0.5 : 0,
    matched,
  };
}

function chunk(id: string, section: string): Chunk {
  return {
    chunkId: id,
    docId: "doc",
    title: "Doc",
    headingPath: ["Doc", section],
    section,
    anchor: section.toLowerCase(),
    url: `/articles/doc#${section.toLowerCase()}`,
    text: `${section} text`,
    start: 0,
    end: 10,
  };
}

function evidence(
  candidates: { id: string; section: string; sentences: ScoredSentence[] }[],
): Evidence {
  return {
    judgement: "answer",
    confidence: 0.9,
    words: [{ stem: "effect", weight: 3 }],
    candidates: candidates.map((c, row): Candidate => ({
      row,
      chunk: chunk(c.id, c.section),
      features: {} as Candidate["features"],
      rank: 1 - row / 10,
      probability: 0.9,
      sentences: c.sentences,
    })),
  };
}

/** Recovery passage of the article, as retrieval scores it for "what side effects should I expect?". */
const RECOVERY = [
  sentence(0, "While recovery varies, most patients experience only minor side effects.", 0.7, [
    "side",
    "effect",
  ]),
  sentence(1, "These typically resolve within a few days.", 0.4),
  sentence(2, ["Common post-treatment effects include:", "Redness", "Minor swelling"], 0.55, [
    "effect",
  ]),
  sentence(3, "It is crucial to follow aftercare instructions strictly.", 0.3),
];

describe("sentencesToQuote", () => {
  it("quotes the best sentence, a list after it that shares the question's words, and what lies between", () => {
    const quoted = sentencesToQuote(RECOVERY).map((s) => s.order);
    expect(quoted).toEqual([0, 1, 2]);
  });

  it("never adds a sentence that shares nothing with the question", () => {
    const quoted = sentencesToQuote([
      sentence(0, "In this article, we will explore the benefits.", 0.6),
      sentence(1, "It is crucial to skip makeup for at least 24 hours.", 0.62, ["makeup"]),
      sentence(2, "Investing in your skin is a long-term commitment.", 0.55),
    ]);
    expect(quoted.map((s) => s.order)).toEqual([1]);
  });

  it("brings along the sentence a chosen one leans on", () => {
    const quoted = sentencesToQuote([
      sentence(0, "Most patients experience only minor side effects.", 0.3, ["side"]),
      sentence(1, "These typically resolve within a few days.", 0.8, ["day"]),
    ]);
    expect(quoted.map((s) => s.order)).toEqual([0, 1]);
  });
});

it("does not bring along the sentence before an additive connective, which reads on its own", () => {
  const quoted = sentencesToQuote([
    sentence(0, "This method is particularly effective for depressed acne scars.", 0.3),
    sentence(1, "Furthermore, it can help regulate melanocyte activity.", 0.8, ["melanocyt"]),
    sentence(2, "Moreover, the results last.", 0.2),
  ]);
  expect(quoted.map((s) => s.order)).toEqual([1]);
});

describe("composeExtractiveAnswer", () => {
  it("quotes the best passage verbatim, a [n] after every sentence, and a list whole with its lead-in", () => {
    const found = composeExtractiveAnswer([
      evidence([{ id: "a", section: "Recovery", sentences: RECOVERY }]),
    ]);
    expect(found?.answer).toBe(
      "While recovery varies, most patients experience only minor side effects. [1] " +
        "These typically resolve within a few days. [1] " +
        "Common post-treatment effects include:\n• Redness\n• Minor swelling [1]",
    );
    expect(found?.citations).toMatchObject([
      { n: 1, section: "Recovery", url: "/articles/doc#recovery" },
    ]);
  });

  it("quotes no second passage for a question of one part", () => {
    const found = composeExtractiveAnswer([
      evidence([
        { id: "a", section: "Recovery", sentences: RECOVERY },
        {
          id: "b",
          section: "Other",
          sentences: [sentence(0, "Another passage.", 0.9, ["effect"])],
        },
      ]),
    ]);
    expect(found?.citations.map((c) => c.section)).toEqual(["Recovery"]);
  });

  it("quotes one passage per part of a two-part question, numbered in order, once each", () => {
    const scars = [
      sentence(0, "It is particularly effective for depressed acne scars.", 0.8, ["scar"]),
    ];
    const found = composeExtractiveAnswer([
      evidence([{ id: "s", section: "Scars", sentences: scars }]),
      evidence([{ id: "a", section: "Recovery", sentences: RECOVERY }]),
      evidence([{ id: "s", section: "Scars", sentences: scars }]),
    ]);
    expect(found?.citations.map((c) => [c.n, c.section])).toEqual([
      [1, "Scars"],
      [2, "Recovery"],
    ]);
    expect(
      found?.answer.startsWith("It is particularly effective for depressed acne scars. [1] While"),
    ).toBe(true);
  });

  it("quotes a sentence once when two parts are answered by it", () => {
    const aftercare = () => [sentence(0, "Skip makeup for at least 24 hours.", 0.8, ["makeup"])];
    const found = composeExtractiveAnswer([
      evidence([{ id: "a", section: "Recovery", sentences: aftercare() }]),
      evidence([{ id: "a", section: "Recovery", sentences: aftercare() }]),
    ]);
    expect(found?.answer).toBe("Skip makeup for at least 24 hours. [1]");
  });

  it("is null when no part has a passage to quote", () => {
    expect(composeExtractiveAnswer([evidence([])])).toBeNull();
  });
});

describe("snippetOf", () => {
  it("cuts a long passage at a word boundary, under about 300 characters", () => {
    const snippet = snippetOf("word ".repeat(200));
    expect(snippet.length).toBeLessThanOrEqual(301);
    expect(snippet.endsWith("word…")).toBe(true);
  });
});

describe("questionParts", () => {
  it.each([
    ["does it help acne scars? and how long does the redness last?", 2],
    ["Does it help acne scars?", 1],
    ["what is it? why?", 1],
    ["I have dry skin. Will microneedling make it flake more?", 1],
    ["Is it safe for dark skin? Also, does it help with pores", 2],
    ["will it help pitted scars? the deep boxcar looking ones", 1],
    ["how long does redness last? thanks", 1],
  ])("%s has %i part(s)", (message, count) => {
    expect(questionParts(message)).toHaveLength(count);
  });
});
