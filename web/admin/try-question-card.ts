/**
 * "Try a question": asks the answerer in service a question, as a visitor would, and shows
 * why it answered as it did: the question's telling words (and the glossary terms a lay phrase
 * stood for, or that the articles have no such word), the passages it weighed, and the
 * decision's confidence against its threshold. Everything the service returns is set as text.
 */
import { isBusy, field, h, messageArea, setBusy } from "../console/ui.js";
import type { AdminApi, QuestionExplanation } from "./api.js";

const KIND: Record<QuestionExplanation["reply"]["kind"], string> = {
  answer: "Answered from the articles",
  "no-answer": "Not answered: the articles do not cover it",
  refusal: "Refused (an attempt to steer the bot)",
  booking: "Handed to booking",
  clinician: "Handed to a clinician (the visitor's own health)",
  urgent: "Urgent-care advice",
  greeting: "Greeting",
  closing: "Closing reply",
};

const pct = (x: number) => `${Math.round(x * 100)}%`;

/** The decision in one sentence. */
export function decisionText(d: QuestionExplanation["decision"]): string {
  if (d.vetoed) {
    return "Refused: the question is much closer to one the question bank lists as not answered by the articles than to any it answers.";
  }
  const versus = `confidence ${pct(d.confidence)}, answered from ${pct(d.threshold)}`;
  switch (d.judgement) {
    case "answer":
      return `The articles answer it (${versus}).`;
    case "unsure":
      return `Unsure (${versus}; from ${pct(d.unsureFrom)} a configured chat model may judge, offline it refuses).`;
    case "none":
      return `The articles do not answer it (${versus}).`;
  }
}

/** One question word: as typed, and what stood in for it or that nothing in the articles has it. */
export function wordText(w: QuestionExplanation["words"][number]): string {
  const via = w.terms.length > 0 ? ` → ${w.terms.join(", ")} (glossary)` : "";
  return `${w.word}${via}${w.known ? "" : " · not in the articles"}`;
}

function explanationView(e: QuestionExplanation): HTMLElement {
  const passages = h(
    "table",
    { class: "try-passages" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ...["Passage", "Ranked", "Answers", "Words it has", "Similar to a bank question"].map(
          (label) => h("th", { scope: "col" }, label),
        ),
      ),
    ),
    h(
      "tbody",
      {},
      ...e.passages.map((p) =>
        h(
          "tr",
          {},
          h("td", {}, p.title === p.section ? p.title : `${p.title} › ${p.section}`),
          h("td", {}, pct(p.rank)),
          h("td", {}, pct(p.probability)),
          h("td", {}, p.matched.length > 0 ? p.matched.join(", ") : "—"),
          h("td", {}, pct(p.similarity.bankQuestion)),
        ),
      ),
    ),
  );
  return h(
    "div",
    { class: "try-result" },
    h("p", { class: "try-kind" }, h("strong", {}, KIND[e.reply.kind])),
    h("blockquote", { class: "try-answer" }, e.reply.answer),
    h("p", { class: "try-decision" }, decisionText(e.decision)),
    h("h3", {}, "Words it looked for"),
    e.words.length > 0
      ? h("ul", { class: "try-words" }, ...e.words.map((w) => h("li", {}, wordText(w))))
      : h("p", { class: "muted" }, "None: the question has no telling words."),
    h("h3", {}, "Passages it weighed"),
    e.passages.length > 0
      ? h("div", { class: "table-wrap" }, passages)
      : h("p", { class: "muted" }, "None: the message never reached the articles."),
  );
}

export function tryQuestionCard(api: AdminApi): HTMLElement {
  const input = h("input", {
    type: "text",
    name: "question",
    maxlength: 2000,
    autocomplete: "off",
  });
  const ask = h("button", { type: "submit", class: "button" }, "Try it");
  const message = messageArea();
  const result = h("div", { class: "try-output", "aria-live": "polite" });
  const form = h(
    "form",
    { class: "card try-question", novalidate: true, "aria-labelledby": "try-heading" },
    h("h2", { id: "try-heading" }, "Try a question"),
    h(
      "p",
      {},
      "Ask what a visitor would, and see the answer the bot gives now with the index in service, and why: the words it looked for (with the glossary terms they stand for), the passages it weighed and how sure it was. Nothing is stored.",
    ),
    field("Question", input),
    h("div", { class: "actions" }, ask),
    message.element,
    result,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (isBusy(ask)) return;
    message.clear();
    const question = input.value.trim();
    if (!question) {
      message.show("Write a question to try.", "error");
      input.focus();
      return;
    }
    setBusy(ask, true, "Trying…");
    const explained = await api.tryQuestion(question);
    setBusy(ask, false);
    if (!explained.ok) {
      result.replaceChildren();
      return message.show(explained.message, "error");
    }
    result.replaceChildren(explanationView(explained.value));
  });
  return form;
}
