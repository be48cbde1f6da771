// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from "vitest";
import type { AdminApi, QuestionExplanation } from "../../web/admin/api.js";
import { decisionText, tryQuestionCard, wordText } from "../../web/admin/try-question-card.js";
import { flush } from "./fakes.js";

const XSS = "<img src=x onerror=alert(1)>";

const EXPLAINED: QuestionExplanation = {
  reply: { kind: "answer", answer: `Dark marks fade. [1] ${XSS}`, citations: [] },
  decision: {
    judgement: "answer",
    confidence: 0.91,
    threshold: 0.77,
    unsureFrom: 0.46,
    vetoed: false,
  },
  words: [
    { word: "dark", stem: "dark", weight: 2, terms: ["hyperpigmentation"], known: true },
    { word: XSS, stem: "x", weight: 1, terms: [], known: false },
  ],
  passages: [
    {
      title: "Microneedling",
      section: "Treating Acne Scars and Sun Spots",
      rank: 0.93,
      probability: 0.91,
      matched: ["dark"],
      similarity: { passage: 0.4, bankQuestion: 0.8, closerToUnanswered: -0.2 },
    },
  ],
};

function card(tryQuestion: AdminApi["tryQuestion"]) {
  const calls: string[] = [];
  const element = tryQuestionCard({
    tryQuestion: (q: string) => {
      calls.push(q);
      return tryQuestion(q);
    },
  } as unknown as AdminApi);
  document.body.appendChild(element);
  const input = element.querySelector("input") as HTMLInputElement;
  const submit = () =>
    (element as HTMLFormElement).dispatchEvent(new Event("submit", { cancelable: true }));
  return { element, input, submit, calls };
}

afterEach(() => document.body.replaceChildren());

describe("try a question", () => {
  it("shows the answer, the decision, the words with their glossary terms and the passages, as text", async () => {
    const c = card(() => Promise.resolve({ ok: true, value: EXPLAINED }));
    c.input.value = "  can it fade dark marks?  ";
    c.submit();
    await flush();
    expect(c.calls).toEqual(["can it fade dark marks?"]);
    const text = c.element.textContent ?? "";
    expect(text).toContain("Answered from the articles");
    expect(text).toContain("The articles answer it (confidence 91%, answered from 77%).");
    expect(text).toContain("dark → hyperpigmentation (glossary)");
    expect(text).toContain(`${XSS} · not in the articles`);
    expect(c.element.querySelector(".try-passages tbody tr")?.textContent).toBe(
      "Microneedling › Treating Acne Scars and Sun Spots93%91%dark80%",
    );
    expect(c.element.querySelectorAll("img")).toHaveLength(0);
  });

  it("asks for a question, and shows the service's error without an old result", async () => {
    let fail = false;
    const c = card(() =>
      Promise.resolve(
        fail
          ? {
              ok: false,
              status: 503,
              code: "index_missing",
              message: "The answerer is not ready yet",
            }
          : { ok: true, value: EXPLAINED },
      ),
    );
    c.submit();
    await flush();
    expect(c.calls).toEqual([]);
    expect(c.element.textContent).toContain("Write a question to try.");
    c.input.value = "side effects?";
    c.submit();
    await flush();
    fail = true;
    c.submit();
    await flush();
    expect(c.element.querySelector(".try-result")).toBeNull();
    expect(c.element.textContent).toContain("The answerer is not ready yet");
  });

  it("says why in words: vetoed, unsure, or not answered", () => {
    const d = EXPLAINED.decision;
    expect(decisionText({ ...d, vetoed: true })).toMatch(/^Refused: the question is much closer/);
    expect(decisionText({ ...d, judgement: "unsure", confidence: 0.6 })).toBe(
      "Unsure (confidence 60%, answered from 77%; from 46% a configured chat model may judge, offline it refuses).",
    );
    expect(decisionText({ ...d, judgement: "none", confidence: 0.2 })).toBe(
      "The articles do not answer it (confidence 20%, answered from 77%).",
    );
    expect(wordText({ word: "peel", stem: "peel", weight: 1, terms: [], known: true })).toBe(
      "peel",
    );
  });
});
