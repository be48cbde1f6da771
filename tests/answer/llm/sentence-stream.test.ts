import { describe, expect, it } from "vitest";
import {
  citedNumbers,
  SentenceStream,
  withoutMarkers,
} from "../../../src/answer/llm/sentence-stream.js";

function split(text: string, size = 3): string[] {
  const stream = new SentenceStream();
  const out: string[] = [];
  for (const piece of text.match(new RegExp(`[\\s\\S]{1,${size}}`, "g")) ?? [])
    out.push(...stream.push(piece));
  return [...out, ...stream.end()];
}

describe("SentenceStream", () => {
  it("cuts a token stream into sentences with the markers that follow them", () => {
    expect(
      split(
        "It helps acne scars, e.g. rolling scars [1]. It also helps pores. [2] Done! [1][3] Last one [2]",
      ),
    ).toEqual([
      "It helps acne scars, e.g. rolling scars [1].",
      "It also helps pores. [2]",
      "Done! [1][3]",
      "Last one [2]",
    ]);
  });

  it("waits for markers that arrive after the full stop", () => {
    const stream = new SentenceStream();
    expect(stream.push("It helps scars. ")).toEqual([]);
    expect(stream.push("[1")).toEqual([]);
    expect(stream.push("] Next")).toEqual(["It helps scars. [1]"]);
  });

  it("keeps every character of a long run of punctuation", () => {
    const out = split(".".repeat(16).concat(" ").repeat(400), 17);
    expect(out.join(" ").replace(/\s/g, "").length).toBe(16 * 400);
  });

  it("reads the cited numbers and strips the markers", () => {
    expect(citedNumbers("A [2] and B [1, 3][2].")).toEqual([2, 1, 3]);
    expect(withoutMarkers("It helps scars [1] .")).toBe("It helps scars.");
  });
});
