// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Result } from "../../web/console/http.js";
import type {
  AdminApi,
  BookingExamples,
  QuestionBank,
  QuestionBankInfo,
} from "../../web/admin/api.js";
import { bookingExamplesCard } from "../../web/admin/booking-examples-card.js";
import { parseExamples, placeExampleError } from "../../web/admin/booking-examples.js";
import { questionBankCard } from "../../web/admin/question-bank-card.js";
import {
  bankDocuments,
  checkQuestions,
  editedBank,
  mergeQuestions,
  placeFieldError,
  textToQuestions,
  unansweredErrorLine,
} from "../../web/admin/question-bank.js";
import { flush } from "./fakes.js";

const XSS = "<img src=x onerror=alert(1)>";

const INFO: QuestionBankInfo = {
  version: "v1",
  drafting: true,
  bank: {
    sample: true,
    unanswered: [],
    sections: [
      { docId: "peels", heading: "What a peel does", questions: ["What does a peel do?"] },
      {
        docId: "peels",
        heading: "Aftercare",
        questions: [],
        drafts: { contentHash: "old", questions: ["what do i do after a peel", `is ${XSS} ok`] },
      },
      { docId: "gone", heading: "Old section", questions: ["an old question"] },
    ],
  },
  sections: [
    {
      docId: "peels",
      title: "Peels",
      heading: "Peels",
      anchor: "peels",
      contentHash: "h0",
      indexed: true,
    },
    {
      docId: "peels",
      title: "Peels",
      heading: "What a peel does",
      anchor: "what-a-peel-does",
      contentHash: "h1",
      indexed: true,
    },
    {
      docId: "peels",
      title: "Peels",
      heading: "Aftercare",
      anchor: "aftercare",
      contentHash: "h2",
      indexed: false,
    },
  ],
};

describe("the question bank as the admin console edits it", () => {
  it("shows every section of the articles, with what the bank has, then the sections gone", () => {
    const docs = bankDocuments(INFO);
    expect(docs.map((d) => [d.docId, d.rows.map((r) => [r.heading, r.questions.length])])).toEqual([
      [
        "peels",
        [
          ["Peels", 0],
          ["What a peel does", 1],
          ["Aftercare", 0],
        ],
      ],
      ["gone", [["Old section", 1]]],
    ]);
    expect(docs[0]?.rows[2]?.drafts).toMatchObject({ stale: true });
    expect(docs[1]?.rows[0]).toMatchObject({ inArticles: false, title: "gone", anchor: null });
  });

  it("reads one question a line, names the bad line, and merges accepted drafts once", () => {
    const parsed = textToQuestions("What is a peel?\n\n  ok  \nDoes it hurt?");
    expect(parsed).toEqual({
      questions: ["What is a peel?", "ok", "Does it hurt?"],
      lines: [1, 3, 4],
    });
    expect(checkQuestions("Peels › Aftercare", parsed, 200)).toBe(
      "Peels › Aftercare, line 3: a question is at least 3 characters.",
    );
    expect(checkQuestions("X", textToQuestions("a b c\nd e f"), 1)).toBe(
      "X: at most 1 questions per section (there are 2).",
    );
    expect(mergeQuestions(["Does it hurt?"], ["does it hurt", "Is it quick?"])).toEqual([
      "Does it hurt?",
      "Is it quick?",
    ]);
  });

  it("saves sections with questions or drafts only, and places the service's errors on their line", () => {
    const [intro, peels, aftercare] = bankDocuments(INFO)[0]?.rows ?? [];
    if (!intro || !peels || !aftercare) throw new Error("the sections are missing");
    const { bank, saved } = editedBank(INFO.bank, [
      { row: intro, questions: { questions: [], lines: [] } },
      { row: peels, questions: { questions: ["a b c", "d e f"], lines: [1, 4] } },
      {
        row: aftercare,
        questions: { questions: [], lines: [] },
        drafts: { contentHash: "old", questions: ["x y z"], lines: [2] },
      },
    ]);
    expect(bank).toEqual({
      sample: false,
      unanswered: [],
      sections: [
        { docId: "peels", heading: "What a peel does", questions: ["a b c", "d e f"] },
        {
          docId: "peels",
          heading: "Aftercare",
          questions: [],
          drafts: { contentHash: "old", questions: ["x y z"] },
        },
      ],
    });
    expect(
      placeFieldError("sections.0.questions.1", "must be at most 300 characters", saved),
    ).toMatchObject({
      part: "questions",
      text: "Peels › What a peel does, line 4: must be at most 300 characters.",
    });
    expect(placeFieldError("sections.1.drafts.questions.0", "too short", saved)?.text).toBe(
      "Drafts for Peels › Aftercare, line 2: too short.",
    );
    expect(placeFieldError("sample", "bad", saved)).toBeNull();
    // The questions the articles do not answer are saved as edited, their errors on their line.
    expect(editedBank(INFO.bank, [], ["do you sell gift cards?"]).bank.unanswered).toEqual([
      "do you sell gift cards?",
    ]);
    expect(unansweredErrorLine("unanswered.1", { lines: [2, 5] })).toBe(5);
    expect(unansweredErrorLine("unanswered", { lines: [2, 5] })).toBeNull();
    expect(unansweredErrorLine("sections.0", { lines: [2, 5] })).toBeUndefined();
  });

  it("reads the booking examples, naming the list and line of a problem", () => {
    expect(
      parseExamples({ requests: "book me in\n\nappointment pls", notRequests: "how do I cancel?" }),
    ).toEqual({
      ok: true,
      examples: { requests: ["book me in", "appointment pls"], notRequests: ["how do I cancel?"] },
      lines: { requests: [1, 3], notRequests: [1] },
    });
    expect(parseExamples({ requests: "book me in\nx", notRequests: "" })).toMatchObject({
      ok: false,
      list: "requests",
      message: "Booking requests, line 2: write at least 2 characters.",
    });
    expect(parseExamples({ requests: "Book me in", notRequests: "\nbook me in" })).toMatchObject({
      ok: false,
      list: "notRequests",
      message:
        'Not booking requests, line 2: "book me in" is also a booking request (line 1); keep it in one list.',
    });
    expect(
      placeExampleError("notRequests.0", "must not be empty", { requests: [], notRequests: [3] }),
    ).toEqual({ list: "notRequests", text: "Not booking requests, line 3: must not be empty." });
  });
});

// --- the cards in the DOM --------------------------------------------------------------------

const ok = <T>(value: T): Promise<Result<T>> => Promise.resolve({ ok: true, value });
const fail = <T>(message: string, fields: Record<string, string>): Promise<Result<T>> =>
  Promise.resolve({ ok: false, status: 400, code: "invalid", message, fields });

interface Calls {
  puts: { bank: QuestionBank; version: string }[];
  drafts: number;
  examples: BookingExamples[];
}

function fakeApi(calls: Calls, overrides: Partial<AdminApi> = {}): AdminApi {
  let info = structuredClone(INFO);
  const unused = () => Promise.reject(new Error("not used"));
  return {
    documents: unused,
    index: unused,
    put: unused,
    remove: unused,
    tryQuestion: unused,
    reindex: unused,
    job: unused,
    glossary: unused,
    putGlossary: unused,
    questions: () => ok(structuredClone(info)),
    putQuestions: (bank, version) => {
      calls.puts.push({ bank, version });
      info = { ...info, bank, version: `v${calls.puts.length + 1}` };
      return ok({
        sections: bank.sections.length,
        questions: 3,
        drafts: 0,
        unanswered: bank.unanswered.length,
        version: info.version,
      });
    },
    draftQuestions: () => {
      calls.drafts += 1;
      info = {
        ...info,
        bank: {
          ...info.bank,
          sections: [
            ...info.bank.sections,
            {
              docId: "peels",
              heading: "Peels",
              questions: [],
              drafts: { contentHash: "h0", questions: ["what is a peel"] },
            },
          ],
        },
        version: "v-drafted",
      };
      return ok({ drafted: 1, cached: 1, withQuestions: 2, empty: [] });
    },
    bookingExamples: () =>
      ok({
        examples: {
          sample: true,
          requests: ["book me in", XSS],
          notRequests: ["how do I cancel?"],
        },
      }),
    putBookingExamples: (examples) => {
      calls.examples.push(examples);
      return ok({ requests: examples.requests.length, notRequests: examples.notRequests.length });
    },
    ...overrides,
  };
}

let calls: Calls;
beforeEach(() => {
  calls = { puts: [], drafts: 0, examples: [] };
  document.body.replaceChildren();
});
afterEach(() => document.body.replaceChildren());

const byLabel = (root: HTMLElement, text: string) => {
  const label = [...root.querySelectorAll("label")].find((l) => l.textContent === text);
  return root.querySelector(`#${label?.getAttribute("for")}`) as HTMLTextAreaElement;
};
const button = (root: HTMLElement, text: string) =>
  [...root.querySelectorAll("button")].find((b) => b.textContent === text) as HTMLButtonElement;
const submit = (root: HTMLElement) =>
  (root.matches("form") ? root : root.querySelector("form"))?.dispatchEvent(
    new Event("submit", { cancelable: true }),
  );

describe("the question bank card", () => {
  it("edits the questions the articles do not answer, saves them and places the service's error on its line", async () => {
    let info: QuestionBankInfo = {
      ...INFO,
      bank: { ...INFO.bank, unanswered: ["how much is it?", XSS] },
    };
    const card = questionBankCard(
      fakeApi(calls, {
        questions: () => ok(structuredClone(info)),
        putQuestions: (bank, version) => {
          calls.puts.push({ bank, version });
          if (calls.puts.length === 1) {
            return fail("The question bank is invalid", {
              "unanswered.1": "is also a question a section answers (sections.0.questions.0)",
            });
          }
          info = { ...info, bank, version: "v2" };
          return ok({ sections: 3, questions: 3, drafts: 0, unanswered: 2, version: "v2" });
        },
      }),
    );
    document.body.appendChild(card);
    await flush();
    const editor = byLabel(card, "Not answered by the articles");
    expect(editor.value).toBe(`how much is it?\n${XSS}`);
    expect(card.querySelectorAll("img")).toHaveLength(0);
    expect(card.querySelector(".bank-status")?.textContent).toContain(
      "2 questions the articles do not answer",
    );

    editor.value = "how much is it?\n\nWhat does a peel do?";
    submit(card);
    await flush();
    expect(calls.puts[0]?.bank.unanswered).toEqual(["how much is it?", "What does a peel do?"]);
    expect(editor.getAttribute("aria-invalid")).toBe("true");
    expect(card.textContent).toContain(
      "Questions the articles do not answer, line 3: is also a question a section answers",
    );

    editor.value = "how much is it?\nx";
    submit(card);
    await flush();
    // Checked before sending: nothing more went out.
    expect(calls.puts).toHaveLength(1);
    expect(card.textContent).toContain(
      "Questions the articles do not answer, line 2: a question is at least 3 characters.",
    );

    editor.value = "how much is it?\ndo you sell gift cards";
    submit(card);
    await flush();
    expect(calls.puts[1]?.bank.unanswered).toEqual(["how much is it?", "do you sell gift cards"]);
    expect(editor.hasAttribute("aria-invalid")).toBe(false);
    expect(card.textContent).toContain(
      "Saved 3 questions for 3 sections and 2 questions the articles do not answer.",
    );
  });

  it("lists every section with its questions, drafts as text, and says edits count from the next re-index", async () => {
    const card = questionBankCard(fakeApi(calls));
    document.body.appendChild(card);
    await flush();
    expect(card.textContent).toContain("Edits take effect at the next re-index.");
    expect(byLabel(card, "Peels › What a peel does").value).toBe("What does a peel do?");
    expect(byLabel(card, "Peels").value).toBe("");
    expect(byLabel(card, "Drafts for Peels › Aftercare").value).toBe(
      `what do i do after a peel\nis ${XSS} ok`,
    );
    expect(card.querySelectorAll("img")).toHaveLength(0);
    const aftercare = card.querySelector('[data-heading="Aftercare"]') as HTMLElement;
    expect(aftercare.textContent).toContain("No questions");
    expect(aftercare.textContent).toContain("Not in the index yet");
    expect(aftercare.textContent).toContain("from an earlier version of this section");
    expect(card.querySelector('[data-heading="Old section"]')?.textContent).toContain(
      "No longer in the articles",
    );
    expect(card.querySelector(".bank-status")?.textContent).toBe(
      "2 questions for 3 sections; 2 sections without questions; drafts to review for 1 section. These are sample questions: review them for your clinic.",
    );
  });

  it("accepts edited drafts into the questions and saves with the version it loaded", async () => {
    const card = questionBankCard(fakeApi(calls));
    document.body.appendChild(card);
    await flush();
    byLabel(card, "Drafts for Peels › Aftercare").value =
      "what do i do after a peel\nhow do i look after my skin";
    button(card, "Accept drafts").click();
    expect(byLabel(card, "Peels › Aftercare").value).toBe(
      "what do i do after a peel\nhow do i look after my skin",
    );
    expect(byLabel(card, "Drafts for Peels › Aftercare")).toBeNull();
    expect((card.querySelector(".unsaved") as HTMLElement).hidden).toBe(false);

    submit(card);
    await flush();
    expect(calls.puts).toHaveLength(1);
    expect(calls.puts[0]?.version).toBe("v1");
    expect(calls.puts[0]?.bank).toEqual({
      sample: false,
      unanswered: [],
      sections: [
        { docId: "peels", heading: "What a peel does", questions: ["What does a peel do?"] },
        {
          docId: "peels",
          heading: "Aftercare",
          questions: ["what do i do after a peel", "how do i look after my skin"],
        },
        { docId: "gone", heading: "Old section", questions: ["an old question"] },
      ],
    });
    expect(card.querySelector(".bank-form .message")?.textContent).toBe(
      "Saved 3 questions for 3 sections. Re-index to use them in answers.",
    );

    // The next save carries the version the service gave back.
    submit(card);
    await flush();
    expect(calls.puts[1]?.version).toBe("v2");
  });

  it("names the bad line before sending, and places the service's field errors on theirs", async () => {
    const card = questionBankCard(
      fakeApi(calls, {
        putQuestions: () =>
          Promise.resolve({
            ok: false,
            status: 400,
            code: "invalid",
            message:
              "The request is not valid. sections.0.questions.0: must be at most 300 characters.",
            fields: { "sections.0.questions.0": "must be at most 300 characters" },
          }),
      }),
    );
    document.body.appendChild(card);
    await flush();
    const peels = byLabel(card, "Peels › What a peel does");
    peels.value = "What does a peel do?\n\nok";
    submit(card);
    await flush();
    const message = () => card.querySelector(".bank-form .message")?.textContent;
    expect(message()).toBe(
      "Peels › What a peel does, line 3: a question is at least 3 characters.",
    );
    expect(peels.getAttribute("aria-invalid")).toBe("true");
    expect(document.activeElement).toBe(peels);

    peels.value = "\nWhat does a peel do?";
    submit(card);
    await flush();
    expect(message()).toBe("Peels › What a peel does, line 2: must be at most 300 characters.");
  });

  it("drafts with the model and shows the new drafts, or says why it cannot", async () => {
    const card = questionBankCard(fakeApi(calls));
    document.body.appendChild(card);
    await flush();
    button(card, "Draft questions").click();
    await flush();
    await flush();
    expect(calls.drafts).toBe(1);
    expect(byLabel(card, "Drafts for Peels").value).toBe("what is a peel");
    expect(card.querySelector(".bank-toolbar .message")?.textContent).toBe(
      "Drafted questions for 1 section: review them below; drafts are not used until you accept them. 1 section already had drafts of their current text.",
    );

    // Unsaved edits are never lost to a reload.
    byLabel(card, "Peels").value = "what is a peel";
    card.querySelector("form")?.dispatchEvent(new Event("input", { bubbles: true }));
    button(card, "Draft questions").click();
    await flush();
    expect(calls.drafts).toBe(1);
    expect(card.querySelector(".bank-toolbar .message")?.textContent).toBe(
      "Save your changes first: drafting reloads the question bank.",
    );

    const noModel = questionBankCard(
      fakeApi(calls, {
        questions: () => ok({ ...structuredClone(INFO), drafting: false }),
        draftQuestions: () =>
          Promise.resolve({
            ok: false,
            status: 409,
            code: "conflict",
            message:
              "Drafting questions needs a chat model: start the service with ANSWER_MODE=llm and CHAT_MODEL.",
          }),
      }),
    );
    document.body.replaceChildren(noModel);
    await flush();
    expect(noModel.querySelector(".bank-toolbar .hint")?.textContent).toBe(
      "Drafting needs a chat model: start the service with ANSWER_MODE=llm and CHAT_MODEL.",
    );
    button(noModel, "Draft questions").click();
    await flush();
    expect(noModel.querySelector(".bank-toolbar .message")?.textContent).toMatch(
      /^Drafting questions needs a chat model/,
    );
  });
});

describe("the booking examples card", () => {
  it("shows both lists as text, names a bad line, and saves", async () => {
    const card = bookingExamplesCard(fakeApi(calls));
    document.body.appendChild(card);
    await flush();
    expect(card.textContent).toContain("Edits take effect at the next re-index.");
    const requests = byLabel(card, "Booking requests");
    const others = byLabel(card, "Not booking requests");
    expect(requests.value).toBe(`book me in\n${XSS}`);
    expect(card.querySelectorAll("img")).toHaveLength(0);

    others.value = "how do I cancel?\nBook me in";
    submit(card);
    await flush();
    expect(card.querySelector(".message")?.textContent).toBe(
      'Not booking requests, line 2: "Book me in" is also a booking request (line 1); keep it in one list.',
    );
    expect(others.getAttribute("aria-invalid")).toBe("true");
    expect(calls.examples).toEqual([]);

    others.value = "how do I cancel?";
    submit(card);
    await flush();
    expect(calls.examples).toEqual([
      { sample: false, requests: ["book me in", XSS], notRequests: ["how do I cancel?"] },
    ]);
    expect(card.querySelector(".message")?.textContent).toBe(
      "Saved 2 booking requests and 1 other message. Re-index to use them in answers.",
    );
  });
});
