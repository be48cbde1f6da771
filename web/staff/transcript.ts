/**
 * One conversation as staff review it: every message as text, and for each bot reply its
 * numbered citations with the cited passages, what kind of reply it was, how it was written
 * (extractive, llm or fallback, with tokens), how long it took and the visitor's feedback.
 * Beside each visitor question, "File under section…" (into the question bank) and "Mark
 * unanswerable" (a confirmed content gap). Each booking or call-back request sent from the
 * conversation is shown in place, with its status and a link to it. Then "mark reviewed" and a
 * staff note.
 */
import type { Citation, ReplyKind } from "../../src/answer/types.js";
import { formatDateTime, formatMs } from "../console/format.js";
import { h, isBusy, messageArea, setBusy, uid } from "../console/ui.js";
import { citationHref, sourceLabel, splitAnswer } from "../widget/citations.js";
import type {
  Booking,
  QuestionTriage,
  Review,
  SectionChoice,
  Transcript,
  TranscriptMessage,
} from "./api.js";
import { REQUEST_LABEL, STATUS_LABEL } from "./bookings.js";
import type { StaffContext } from "./context.js";
import { routeHref } from "./routes.js";

const SOURCE_LABEL: Record<string, string> = {
  extractive: "Extractive (quoted from the articles)",
  llm: "LLM (generated, each sentence verified)",
  fallback: "Fallback (the model failed; extractive answer given)",
};

/** What each kind of bot reply is called, and how it is shown. */
const KIND_LABEL: Record<ReplyKind, [string, "ok" | "warn" | "bad" | "plain"]> = {
  answer: ["Answer, cited", "ok"],
  "no-answer": ["No answer found", "warn"],
  refusal: ["Refused a steering attempt", "plain"],
  booking: ["Booking handoff", "plain"],
  clinician: ["Clinician handoff", "plain"],
  urgent: ["Urgent-care advice", "bad"],
  greeting: ["Greeting", "plain"],
  closing: ["Closing", "plain"],
};

const HANDOFF_LABEL: Record<string, string> = {
  booking: "Booking",
  clinician: "Clinician",
  staff: "The clinic's team",
};

/** The answer as text, each `[n]` that names a citation shown as a marker. */
function answerText(text: string, citations: readonly Citation[]): HTMLElement {
  const paragraph = h("p", { class: "msg-text" });
  for (const part of splitAnswer(text, citations)) {
    paragraph.appendChild(
      part.kind === "text"
        ? document.createTextNode(part.text)
        : h("span", { class: "cite-mark" }, `[${part.n}]`),
    );
  }
  return paragraph;
}

function fact(term: string, ...value: (Node | string)[]): HTMLElement[] {
  return [h("dt", {}, term), h("dd", {}, ...value)];
}

function badge(text: string, tone: "ok" | "warn" | "bad" | "plain" = "plain"): HTMLElement {
  return h("span", { class: `badge ${tone}` }, text);
}

function passages(citations: readonly Citation[]): HTMLElement {
  const list = h("ol", { class: "passages", "aria-label": "Cited passages" });
  for (const citation of [...citations].sort((a, b) => a.n - b.n)) {
    const href = citationHref(citation.url, location.origin);
    const label = sourceLabel(citation);
    list.appendChild(
      h(
        "li",
        { class: "passage" },
        h(
          "p",
          { class: "passage-title" },
          h("span", { class: "passage-n" }, `[${citation.n}]`),
          " ",
          href
            ? h("a", { href, target: "_blank", rel: "noopener noreferrer" }, label)
            : h("span", {}, label),
        ),
        h("blockquote", { class: "snippet" }, citation.snippet),
      ),
    );
  }
  return list;
}

/** The staff decision on a question, in words. */
function triageState(triage: QuestionTriage): (Node | string)[] {
  const who = ` by ${triage.by}, ${formatDateTime(triage.at)}`;
  return triage.action === "filed"
    ? [badge("Filed", "ok"), ` under “${triage.heading}” (${triage.docId})${who}`]
    : [badge("Unanswerable", "warn"), ` confirmed as a content gap${who}`];
}

/** Sections to file under, loaded once per transcript when first needed. */
type SectionSource = () => Promise<
  { ok: true; sections: SectionChoice[] } | { ok: false; message: string }
>;

/**
 * "File under section…" and "Mark unanswerable" for one visitor question. Filing adds the
 * question, as stored, to the section's questions in the question bank; marking lists it
 * among the content gaps as confirmed and adds it to the bank's questions the articles do not
 * answer.
 */
function triagePanel(
  ctx: StaffContext,
  conversationId: string,
  message: TranscriptMessage,
  sections: SectionSource,
): HTMLElement {
  let current = message.triage;
  const state = h("p", { class: "triage-state" });
  const fileButton = h(
    "button",
    { type: "button", class: "button subtle", "aria-expanded": "false" },
    "File under section…",
  );
  const markButton = h("button", { type: "button", class: "button subtle" }, "Mark unanswerable");
  const feedback = messageArea();
  const selectId = uid("section");
  const choice = h("select", { id: selectId, name: "section" });
  const submit = h("button", { type: "submit", class: "button primary" }, "File question");
  const cancel = h("button", { type: "button", class: "button subtle" }, "Cancel");
  const form = h(
    "form",
    { class: "file-form", hidden: true, "aria-label": "File under a section" },
    h("label", { for: selectId }, "Section of the articles"),
    choice,
    h("div", { class: "actions" }, submit, cancel),
  );

  const show = () => {
    state.hidden = !current;
    state.replaceChildren(...(current ? triageState(current) : []));
    markButton.hidden = current?.action === "unanswerable";
  };
  show();

  const closeForm = () => {
    form.hidden = true;
    fileButton.setAttribute("aria-expanded", "false");
  };

  fileButton.addEventListener("click", async () => {
    if (!form.hidden) return closeForm();
    if (isBusy(fileButton)) return;
    feedback.clear();
    setBusy(fileButton, true, "Loading sections…");
    const result = await sections();
    setBusy(fileButton, false);
    if (!result.ok) return feedback.show(result.message, "error");
    const groups = new Map<string, SectionChoice[]>();
    for (const section of result.sections) {
      groups.set(section.docId, [...(groups.get(section.docId) ?? []), section]);
    }
    choice.replaceChildren(
      h("option", { value: "" }, "Choose a section…"),
      ...[...groups.values()].map((list) =>
        h(
          "optgroup",
          { label: list[0]?.title ?? "" },
          ...list.map((section) => {
            const option = h(
              "option",
              { value: JSON.stringify([section.docId, section.heading]) },
              section.heading === section.title
                ? `${section.title} (introduction)`
                : section.heading,
            );
            option.selected =
              current?.action === "filed" &&
              current.docId === section.docId &&
              current.heading === section.heading;
            return option;
          }),
        ),
      ),
    );
    form.hidden = false;
    fileButton.setAttribute("aria-expanded", "true");
    choice.focus();
  });
  cancel.addEventListener("click", () => {
    closeForm();
    fileButton.focus();
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (isBusy(submit)) return;
    feedback.clear();
    if (!choice.value) {
      choice.setAttribute("aria-invalid", "true");
      feedback.show("Choose the section that answers this question.", "error");
      choice.focus();
      return;
    }
    choice.removeAttribute("aria-invalid");
    const [docId, heading] = JSON.parse(choice.value) as [string, string];
    setBusy(submit, true, "Filing…");
    const result = await ctx.api.triage(conversationId, message.id, {
      action: "file",
      docId,
      heading,
    });
    setBusy(submit, false);
    if (!result.ok) return feedback.show(result.message, "error");
    current = result.value.triage;
    show();
    closeForm();
    feedback.show(
      result.value.added === false
        ? `That section has this question already; it is marked as filed.`
        : `Added to the questions of “${heading}”. It is used in answers after the next re-index.`,
      "success",
    );
    ctx.announce("Question filed.");
    fileButton.focus();
  });

  markButton.addEventListener("click", async () => {
    if (isBusy(markButton)) return;
    feedback.clear();
    setBusy(markButton, true, "Marking…");
    const result = await ctx.api.triage(conversationId, message.id, { action: "unanswerable" });
    setBusy(markButton, false);
    if (!result.ok) return feedback.show(result.message, "error");
    current = result.value.triage;
    show();
    feedback.show(
      result.value.added === false
        ? "Marked unanswerable: it is listed among the content gaps as confirmed."
        : "Marked unanswerable: it is listed among the content gaps as confirmed, and after the next re-index questions like it are told the articles do not cover them.",
      "success",
    );
    ctx.announce("Question marked unanswerable.");
    fileButton.focus();
  });

  return h(
    "div",
    { class: "triage" },
    state,
    h("div", { class: "triage-actions" }, fileButton, markButton),
    form,
    feedback.element,
  );
}

function renderMessage(
  message: TranscriptMessage,
  triage?: (message: TranscriptMessage) => HTMLElement,
): HTMLElement {
  const time = h("time", { datetime: message.createdAt }, formatDateTime(message.createdAt));
  if (message.role === "visitor") {
    return h(
      "li",
      { class: "msg visitor" },
      h("p", { class: "msg-head" }, h("span", { class: "who" }, "Visitor"), " · ", time),
      h("p", { class: "msg-text" }, message.text),
      triage ? triage(message) : null,
    );
  }
  const facts = h("dl", { class: "facts" });
  const [kindLabel, tone] = KIND_LABEL[message.kind ?? "answer"];
  // Only answers are written from the articles (or by a model); the rest are fixed messages.
  const written = message.kind === "answer" || message.source !== "extractive";
  facts.append(
    ...fact("Reply", badge(kindLabel, tone)),
    ...fact(
      "Source",
      written
        ? (SOURCE_LABEL[message.source ?? ""] ?? message.source ?? "—")
        : "Fixed message (not from the articles)",
    ),
  );
  if (message.usage) {
    facts.append(
      ...fact("Tokens", `${message.usage.inputTokens} in · ${message.usage.outputTokens} out`),
    );
  }
  if (message.verified) {
    facts.append(
      ...fact(
        "Verified",
        `${message.verified.kept} sentences kept · ${message.verified.dropped} dropped`,
      ),
    );
  }
  if (message.latencyMs !== null) facts.append(...fact("Latency", formatMs(message.latencyMs)));
  facts.append(
    ...fact(
      "Feedback",
      message.rating === "up"
        ? badge("Thumbs up", "ok")
        : message.rating === "down"
          ? badge("Thumbs down", "bad")
          : "None",
    ),
  );
  if (message.handoff) {
    facts.append(...fact("Handoff", HANDOFF_LABEL[message.handoff.kind] ?? message.handoff.kind));
  }
  return h(
    "li",
    { class: "msg bot" },
    h("p", { class: "msg-head" }, h("span", { class: "who" }, "Assistant"), " · ", time),
    answerText(message.text, message.citations),
    message.handoff ? h("p", { class: "handoff-text" }, message.handoff.message) : null,
    message.citations.length > 0 ? passages(message.citations) : null,
    facts,
  );
}

/**
 * Where each request goes: under the bot reply whose form it was sent from, or (sent without
 * one, or from before requests named it) after the last message sent before it, or before the
 * first message. Returns message id (or "" for "before the first") -> its requests, oldest first.
 */
export function placeRequests(
  messages: readonly TranscriptMessage[],
  bookings: readonly Booking[],
): Map<string, Booking[]> {
  const ids = new Set(messages.map((m) => m.id));
  const placed = new Map<string, Booking[]>();
  const sorted = [...bookings].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  for (const booking of sorted) {
    let at = booking.messageId !== null && ids.has(booking.messageId) ? booking.messageId : "";
    if (!at) {
      // Timestamps are ISO-8601 in UTC, so they compare as text.
      for (const m of messages) if (m.createdAt <= booking.createdAt) at = m.id;
    }
    placed.set(at, [...(placed.get(at) ?? []), booking]);
  }
  return placed;
}

/** "Booking request · New · 3 Mar 2026, 10:02", linking to the request, and who sent it. */
function requestBlock(booking: Booking): HTMLElement {
  const contact = [booking.email, booking.phone].filter((v): v is string => Boolean(v));
  return h(
    "li",
    { class: "msg request", "data-request": booking.id },
    h(
      "p",
      { class: "request-head" },
      h(
        "a",
        { href: routeHref({ view: "bookings", filters: {}, open: booking.id }) },
        REQUEST_LABEL[booking.type],
      ),
      " · ",
      h("span", { class: `badge status-${booking.status}` }, STATUS_LABEL[booking.status]),
      " · ",
      h("time", { datetime: booking.createdAt }, formatDateTime(booking.createdAt)),
    ),
    h(
      "p",
      { class: "request-who muted small" },
      `From ${booking.name}${contact.length > 0 ? ` (${contact.join(", ")})` : ""}`,
    ),
  );
}

export interface TranscriptPane {
  element: HTMLElement;
  heading: HTMLElement;
}

/**
 * Loads and shows a conversation. `onReview` hears each saved review change, so the list
 * beside it can update its badge.
 */
export function transcriptPane(
  ctx: StaffContext,
  id: string,
  options: { backHref: string; onReview?: (review: Review) => void },
): TranscriptPane {
  const headingId = uid("transcript");
  const heading = h("h2", { id: headingId, tabindex: -1 }, "Conversation");
  const body = h("div", { class: "transcript-body" }, h("p", { class: "muted" }, "Loading…"));
  const element = h(
    "article",
    { class: "transcript", "aria-labelledby": headingId },
    h("a", { class: "back-link", href: options.backHref }, "← Back to the list"),
    heading,
    body,
  );

  void ctx.api.conversation(id).then((result) => {
    body.replaceChildren();
    if (!result.ok) {
      body.appendChild(
        h(
          "p",
          { class: "message", "data-tone": "error" },
          result.status === 404
            ? "This conversation no longer exists: it may have been erased or removed by retention."
            : result.message,
        ),
      );
      return;
    }
    ctx.notices.seen({ conversationId: id });
    render(result.value);
  });

  let sectionList: Promise<Awaited<ReturnType<SectionSource>>> | undefined;
  const sections: SectionSource = () => {
    sectionList ??= ctx.api.sections().then((result) => {
      if (result.ok) return { ok: true as const, sections: result.value.sections };
      sectionList = undefined; // Try again on the next click.
      return { ok: false as const, message: result.message };
    });
    return sectionList;
  };

  function render(transcript: Transcript): void {
    const questions = transcript.messages.filter((m) => m.role === "visitor").length;
    const requests = placeRequests(transcript.messages, transcript.bookings);
    const after = (id: string) => (requests.get(id) ?? []).map(requestBlock);
    body.append(
      h(
        "p",
        { class: "muted" },
        `Started ${formatDateTime(transcript.startedAt)} · last message ${formatDateTime(transcript.lastAt)} · ${questions} ${questions === 1 ? "question" : "questions"}`,
      ),
      h("p", { class: "muted small" }, "Conversation id: ", h("code", {}, transcript.id)),
      reviewPanel(transcript),
      h("h3", { class: "sr-only" }, "Messages"),
      h(
        "ol",
        { class: "messages" },
        ...after(""),
        ...transcript.messages.flatMap((m) => [
          renderMessage(m, (visitor) => triagePanel(ctx, transcript.id, visitor, sections)),
          ...after(m.id),
        ]),
      ),
      h(
        "p",
        { class: "erase-link" },
        h(
          "a",
          { href: routeHref({ view: "erasure", sessionId: transcript.id }) },
          "Erase this visitor's data on request…",
        ),
      ),
    );
  }

  function reviewPanel(transcript: Transcript): HTMLElement {
    let review: Review = transcript;
    const state = h("p", { class: "review-state" });
    const toggle = h("button", { type: "button", class: "button" });
    const toggleMessage = messageArea();
    const noteId = uid("note");
    const note = h("textarea", { id: noteId, name: "note", rows: 2, maxlength: 2000 });
    note.value = transcript.note ?? "";
    const noteInfo = h("p", { class: "hint", id: `${noteId}-info` });
    note.setAttribute("aria-describedby", noteInfo.id);
    const saveNote = h("button", { type: "submit", class: "button" }, "Save note");
    const noteMessage = messageArea();

    const show = () => {
      state.replaceChildren(
        review.reviewed ? badge("Reviewed", "ok") : badge("Not reviewed", "plain"),
        review.reviewed && review.reviewedBy
          ? ` by ${review.reviewedBy}, ${formatDateTime(review.reviewedAt)}`
          : !review.reviewed && review.reviewedBy
            ? ` (cleared by ${review.reviewedBy}, ${formatDateTime(review.reviewedAt)})`
            : "",
      );
      toggle.textContent = review.reviewed ? "Mark not reviewed" : "Mark reviewed";
      noteInfo.textContent = review.noteBy
        ? `Only staff see this note. Last changed by ${review.noteBy}, ${formatDateTime(review.noteAt)}.`
        : "Only staff see this note.";
    };
    show();

    const save = async (
      change: { reviewed?: boolean; note?: string | null },
      button: HTMLButtonElement,
      message: ReturnType<typeof messageArea>,
      done: string,
    ) => {
      if (isBusy(button)) return;
      setBusy(button, true);
      message.clear();
      const result = await ctx.api.review(transcript.id, change);
      setBusy(button, false);
      if (!result.ok) return message.show(result.message, "error");
      review = result.value;
      show();
      message.show(done, "success");
      options.onReview?.(result.value);
    };

    toggle.addEventListener("click", () => {
      const reviewed = !review.reviewed;
      void save(
        { reviewed },
        toggle,
        toggleMessage,
        reviewed ? "Marked as reviewed." : "Marked as not reviewed.",
      );
    });
    const form = h(
      "form",
      { class: "note-form" },
      h("label", { for: noteId }, "Staff note"),
      note,
      noteInfo,
      h("div", { class: "actions" }, saveNote),
      noteMessage.element,
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void save({ note: note.value.trim() || null }, saveNote, noteMessage, "Note saved.");
    });

    return h(
      "section",
      { class: "review", "aria-label": "Review" },
      h("div", { class: "review-row" }, state, toggle),
      toggleMessage.element,
      form,
    );
  }

  return { element, heading };
}
