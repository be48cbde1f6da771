/**
 * The admin console's question bank card: every section of every article, with the questions
 * visitors ask that it answers, one per line; "Draft questions" has the chat model suggest
 * some for the sections without any, to accept (into the questions), edit or discard. Saved to
 * the corpus, conditionally on the version that was loaded, so a question staff filed
 * meanwhile is never overwritten; the answers use it from the next re-index.
 */
import { plural } from "../console/format.js";
import type { Failure } from "../console/http.js";
import { confirmDialog, h, isBusy, messageArea, setBusy, uid } from "../console/ui.js";
import type { AdminApi, QuestionBank, QuestionBankInfo } from "./api.js";
import {
  type BankDocument,
  type BankRow,
  bankDocuments,
  checkQuestions,
  type EditedSection,
  editedBank,
  MAX_DRAFTS,
  MAX_QUESTIONS,
  MAX_UNANSWERED,
  mergeQuestions,
  placeFieldError,
  questionsToText,
  sectionLabel,
  textToQuestions,
  unansweredErrorLine,
} from "./question-bank.js";
import { showSavedUntilReindex } from "./reindex-hint.js";

/** One section's controls. */
interface SectionView {
  row: BankRow;
  element: HTMLElement;
  questions: HTMLTextAreaElement;
  drafts?: { box: HTMLElement; text: HTMLTextAreaElement; contentHash: string };
}

const rowsFor = (lines: number) => Math.min(12, Math.max(3, lines + 1));

export function questionBankCard(api: AdminApi): HTMLElement {
  let loaded: { bank: QuestionBank; version: string } | undefined;
  let views: SectionView[] = [];
  let dirty = false;

  const status = h("p", { class: "hint bank-status" });
  const loadMessage = messageArea();
  const draftButton = h("button", { type: "button", class: "button" }, "Draft questions");
  const draftHint = h("p", { class: "hint", id: uid("draft-hint") });
  draftButton.setAttribute("aria-describedby", draftHint.id);
  const draftMessage = messageArea();
  const reload = h("button", { type: "button", class: "button subtle" }, "Reload");
  const documents = h("div", { class: "bank-documents" });
  const unansweredEditor = h("textarea", {
    name: "unanswered",
    rows: 4,
    spellcheck: "true",
    class: "bank-questions",
  });
  unansweredEditor.id = uid("unanswered");
  const unansweredHint = h(
    "p",
    { class: "hint", id: uid("unanswered-hint") },
    "Questions on your articles' topics that they do not answer, one per line (staff add them from a transcript with “Mark unanswerable”). A visitor's question closer to one of these than to any question above is told the articles do not cover it, instead of being answered from a passage that only looks near.",
  );
  unansweredEditor.setAttribute("aria-describedby", unansweredHint.id);
  const unansweredCount = h("span", { class: "muted small" });
  const unansweredBox = h(
    "details",
    { class: "bank-doc bank-unanswered" },
    h("summary", {}, "Questions the articles do not answer", unansweredCount),
    h("label", { for: unansweredEditor.id }, "Not answered by the articles"),
    unansweredHint,
    unansweredEditor,
  );
  const save = h("button", { type: "submit", class: "button primary" }, "Save questions");
  const unsaved = h("span", { class: "hint unsaved", hidden: true }, "Unsaved changes");
  const message = messageArea();

  const form = h(
    "form",
    { class: "bank-form", novalidate: true, "aria-label": "Question bank" },
    documents,
    unansweredBox,
    h("div", { class: "actions" }, save, unsaved),
    message.element,
  );
  const card = h(
    "section",
    { class: "card question-bank", "aria-labelledby": "questions-heading" },
    h("h2", { id: "questions-heading" }, "Question bank"),
    h(
      "p",
      {},
      "For each section of your articles, the questions visitors ask that it answers, one per line. A visitor's question is matched against these, which finds the right section far more often than the article's wording alone. Edits take effect at the next re-index.",
    ),
    status,
    loadMessage.element,
    h(
      "div",
      { class: "bank-toolbar" },
      draftButton,
      reload,
      h("div", { class: "bank-toolbar-text" }, draftHint, draftMessage.element),
    ),
    form,
  );

  const markDirty = () => {
    dirty = true;
    unsaved.hidden = false;
  };
  form.addEventListener("input", markDirty);

  function describe(): void {
    const bank = loaded?.bank;
    const rows = views.map((v) => v.row).filter((r) => r.inArticles);
    const without = views.filter(
      (v) => v.row.inArticles && textToQuestions(v.questions.value).questions.length === 0,
    ).length;
    const questions = views.reduce(
      (n, v) => n + textToQuestions(v.questions.value).questions.length,
      0,
    );
    const drafted = views.filter((v) => v.drafts).length;
    const gaps = textToQuestions(unansweredEditor.value).questions.length;
    unansweredCount.textContent = ` · ${plural(gaps, "question")}`;
    status.textContent =
      `${plural(questions, "question")} for ${plural(rows.length, "section")}` +
      `${without > 0 ? `; ${plural(without, "section")} without questions` : ""}` +
      `${drafted > 0 ? `; drafts to review for ${plural(drafted, "section")}` : ""}` +
      `${gaps > 0 ? `; ${plural(gaps, "question")} the articles do not answer` : ""}.` +
      `${bank?.sample ? " These are sample questions: review them for your clinic." : ""}`;
  }

  /** A textarea of one question a line, with its own id. */
  function linesEditor(name: string, className: string, lines: string[]): HTMLTextAreaElement {
    const editor = h("textarea", {
      name,
      rows: rowsFor(lines.length),
      spellcheck: "true",
      class: className,
    });
    editor.id = uid(name);
    editor.value = questionsToText(lines);
    return editor;
  }

  function sectionView(row: BankRow): SectionView {
    const label = sectionLabel(row);
    const questions = linesEditor("questions", "bank-questions", row.questions);
    const badges = h(
      "span",
      { class: "badges" },
      !row.inArticles ? h("span", { class: "badge bad" }, "No longer in the articles") : null,
      row.inArticles && row.questions.length === 0
        ? h("span", { class: "badge warn" }, "No questions")
        : null,
      row.inArticles && !row.indexed ? h("span", { class: "badge" }, "Not in the index yet") : null,
    );
    const element = h(
      "div",
      { class: "bank-section", "data-doc": row.docId, "data-heading": row.heading },
      h(
        "div",
        { class: "bank-section-head" },
        h("label", { for: questions.id }, label),
        badges,
        row.anchor !== null && row.indexed
          ? h(
              "a",
              {
                class: "small",
                href: `/articles/${encodeURIComponent(row.docId)}${row.anchor ? `#${row.anchor}` : ""}`,
                target: "_blank",
                rel: "noopener",
              },
              "View section",
            )
          : null,
      ),
      questions,
    );
    const view: SectionView = { row, element, questions };
    if (row.drafts) view.drafts = draftsBox(view, row.drafts);
    return view;
  }

  function draftsBox(
    view: SectionView,
    drafts: NonNullable<BankRow["drafts"]>,
  ): NonNullable<SectionView["drafts"]> {
    const label = `Drafts for ${sectionLabel(view.row)}`;
    const text = linesEditor("drafts", "bank-drafts-text", drafts.questions);
    const accept = h("button", { type: "button", class: "button" }, "Accept drafts");
    const discard = h("button", { type: "button", class: "button subtle" }, "Discard drafts");
    const box = h(
      "div",
      { class: "bank-drafts" },
      h("label", { for: text.id }, label),
      h(
        "p",
        { class: "hint" },
        drafts.stale
          ? "Drafted by the model from an earlier version of this section: check them against the article. Edit them, then accept or discard them; drafts are never used in answers."
          : "Drafted by the model. Edit them, then accept or discard them; drafts are never used in answers.",
      ),
      text,
      h("div", { class: "actions" }, accept, discard),
    );
    const remove = () => {
      box.remove();
      delete view.drafts;
      markDirty();
      describe();
      view.questions.focus();
    };
    accept.addEventListener("click", () => {
      const accepted = textToQuestions(text.value).questions;
      const merged = mergeQuestions(textToQuestions(view.questions.value).questions, accepted);
      view.questions.value = questionsToText(merged);
      view.questions.rows = rowsFor(merged.length);
      remove();
      message.show(
        `Accepted ${plural(accepted.length, "draft")} for ${sectionLabel(view.row)}. Save to keep them.`,
        "info",
      );
    });
    discard.addEventListener("click", () => {
      remove();
      message.show(`Discarded the drafts for ${sectionLabel(view.row)}. Save to keep it so.`);
    });
    view.element.appendChild(box);
    return { box, text, contentHash: drafts.contentHash };
  }

  function documentView(doc: BankDocument, rows: SectionView[]): HTMLElement {
    const without = rows.filter((v) => v.row.inArticles && v.row.questions.length === 0).length;
    const drafted = rows.filter((v) => v.drafts).length;
    const gone = rows.every((v) => !v.row.inArticles);
    const details = h(
      "details",
      { class: "bank-doc", "data-doc": doc.docId },
      h(
        "summary",
        {},
        gone ? `${doc.title} (no longer in the articles)` : doc.title,
        h(
          "span",
          { class: "muted small" },
          ` · ${plural(rows.length, "section")}` +
            `${without > 0 ? `, ${without} without questions` : ""}` +
            `${drafted > 0 ? `, ${drafted} with drafts` : ""}`,
        ),
      ),
      ...rows.map((v) => v.element),
    );
    // What needs attention is open; the rest stays out of the way.
    details.open = without > 0 || drafted > 0 || gone;
    return details;
  }

  function render(info: QuestionBankInfo): void {
    loaded = { bank: info.bank, version: info.version };
    dirty = false;
    unsaved.hidden = true;
    views = [];
    const docs = bankDocuments(info);
    documents.replaceChildren(
      ...docs.map((doc) => {
        const rows = doc.rows.map(sectionView);
        views.push(...rows);
        return documentView(doc, rows);
      }),
    );
    if (docs.length === 0) {
      documents.replaceChildren(h("p", { class: "muted" }, "The corpus has no articles yet."));
    }
    unansweredEditor.value = questionsToText(info.bank.unanswered);
    unansweredEditor.rows = rowsFor(info.bank.unanswered.length);
    draftHint.textContent = info.drafting
      ? "The chat model suggests questions for the sections without any, as drafts for you to review."
      : "Drafting needs a chat model: start the service with ANSWER_MODE=llm and CHAT_MODEL.";
    describe();
    loadMessage.clear();
    if (info.problem) {
      loadMessage.show(
        `The question bank file cannot be used (${info.problem}). Saving replaces it.`,
        "error",
      );
    }
  }

  async function load(): Promise<boolean> {
    const result = await api.questions();
    if (!result.ok) {
      loadMessage.show(result.message, "error");
      return false;
    }
    render(result.value);
    return true;
  }
  void load();

  function invalid(textarea: HTMLTextAreaElement, text: string): void {
    textarea.setAttribute("aria-invalid", "true");
    const details = textarea.closest("details");
    if (details) details.open = true;
    message.show(text, "error");
    textarea.focus();
  }

  /** The questions the articles do not answer as edited, or null (and why, shown) if invalid. */
  function editedUnanswered(): { questions: string[]; lines: number[] } | null {
    unansweredEditor.removeAttribute("aria-invalid");
    const parsed = textToQuestions(unansweredEditor.value);
    const label = "Questions the articles do not answer";
    const problem = checkQuestions(label, parsed, MAX_UNANSWERED, "questions", "");
    if (problem) {
      invalid(unansweredEditor, problem);
      return null;
    }
    return parsed;
  }

  function edited(): EditedSection[] | null {
    for (const view of views) {
      view.questions.removeAttribute("aria-invalid");
      view.drafts?.text.removeAttribute("aria-invalid");
    }
    const sections: EditedSection[] = [];
    for (const view of views) {
      const label = sectionLabel(view.row);
      const questions = textToQuestions(view.questions.value);
      const problem = checkQuestions(label, questions, MAX_QUESTIONS);
      if (problem) {
        invalid(view.questions, problem);
        return null;
      }
      let drafts: EditedSection["drafts"];
      if (view.drafts) {
        const parsed = textToQuestions(view.drafts.text.value);
        const draftProblem = checkQuestions(`Drafts for ${label}`, parsed, MAX_DRAFTS, "drafts");
        if (draftProblem) {
          invalid(view.drafts.text, draftProblem);
          return null;
        }
        drafts = { contentHash: view.drafts.contentHash, ...parsed };
      }
      sections.push({ row: view.row, questions, ...(drafts ? { drafts } : {}) });
    }
    return sections;
  }

  function showSaveFailure(
    failure: Failure,
    saved: EditedSection[],
    unanswered: { lines: number[] },
  ): void {
    for (const [field, text] of Object.entries(failure.fields ?? {})) {
      const line = unansweredErrorLine(field, unanswered);
      if (line !== undefined) {
        const where = line === null ? "" : `, line ${line}`;
        return invalid(unansweredEditor, `Questions the articles do not answer${where}: ${text}.`);
      }
      const placed = placeFieldError(field, text, saved);
      const view = placed && views.find((v) => v.row === placed.section.row);
      if (placed && view) {
        const target = placed.part === "drafts" ? view.drafts?.text : view.questions;
        if (target) return invalid(target, placed.text);
      }
    }
    message.show(failure.message, "error");
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (isBusy(save) || !loaded) return;
    message.clear();
    const sections = edited();
    if (!sections) return;
    const unanswered = editedUnanswered();
    if (!unanswered) return;
    const { bank, saved } = editedBank(loaded.bank, sections, unanswered.questions);
    setBusy(save, true, "Saving…");
    const result = await api.putQuestions(bank, loaded.version);
    setBusy(save, false);
    if (!result.ok) return showSaveFailure(result, saved, unanswered);
    loaded = { bank, version: result.value.version };
    dirty = false;
    unsaved.hidden = true;
    describe();
    showSavedUntilReindex(
      message,
      `Saved ${plural(result.value.questions, "question")} for ${plural(result.value.sections, "section")}` +
        `${result.value.unanswered > 0 ? ` and ${plural(result.value.unanswered, "question")} the articles do not answer` : ""}.`,
    );
  });

  reload.addEventListener("click", async () => {
    if (isBusy(reload)) return;
    if (
      dirty &&
      !(await confirmDialog({
        title: "Discard your changes?",
        message: "Reloading shows the question bank as saved, without your unsaved changes.",
        confirm: "Discard and reload",
      }))
    ) {
      return;
    }
    setBusy(reload, true, "Reloading…");
    message.clear();
    await load();
    setBusy(reload, false);
  });

  draftButton.addEventListener("click", async () => {
    if (isBusy(draftButton)) return;
    draftMessage.clear();
    if (dirty) {
      draftMessage.show("Save your changes first: drafting reloads the question bank.", "error");
      return;
    }
    setBusy(draftButton, true, "Drafting…");
    draftMessage.show("The model is writing questions for the sections without any…");
    const result = await api.draftQuestions();
    if (!result.ok) {
      setBusy(draftButton, false);
      draftMessage.show(result.message, "error");
      return;
    }
    await load();
    setBusy(draftButton, false);
    const summary = result.value;
    const parts = [
      summary.drafted > 0
        ? `Drafted questions for ${plural(summary.drafted, "section")}: review them below; drafts are not used until you accept them.`
        : "No section needed new drafts.",
      summary.cached > 0
        ? `${plural(summary.cached, "section")} already had drafts of their current text.`
        : "",
      summary.empty.length > 0
        ? `The model gave no usable question for ${summary.empty.map((s) => s.heading).join(", ")}.`
        : "",
    ].filter(Boolean);
    draftMessage.show(parts.join(" "), summary.empty.length > 0 ? "info" : "success");
  });

  return card;
}
