/**
 * One conversation as staff review it: every message as text, and for each bot reply its
 * numbered citations with the cited passages, whether it was grounded, how it was written
 * (extractive, llm or fallback, with tokens), how long it took and the visitor's feedback.
 * Then "mark reviewed" and a staff note.
 */
import type { Citation } from "../../src/answer/types.js";
import { formatDateTime, formatMs } from "../console/format.js";
import { h, isBusy, messageArea, setBusy, uid } from "../console/ui.js";
import { citationHref, sourceLabel, splitAnswer } from "../widget/citations.js";
import type { Review, Transcript, TranscriptMessage } from "./api.js";
import type { StaffContext } from "./context.js";
import { routeHref } from "./routes.js";

const SOURCE_LABEL: Record<string, string> = {
  extractive: "Extractive (quoted from the articles)",
  llm: "LLM (generated, each sentence verified)",
  fallback: "Fallback (the model failed; extractive answer given)",
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

function renderMessage(message: TranscriptMessage): HTMLElement {
  const time = h("time", { datetime: message.createdAt }, formatDateTime(message.createdAt));
  if (message.role === "visitor") {
    return h(
      "li",
      { class: "msg visitor" },
      h("p", { class: "msg-head" }, h("span", { class: "who" }, "Visitor"), " · ", time),
      h("p", { class: "msg-text" }, message.text),
    );
  }
  const facts = h("dl", { class: "facts" });
  facts.append(
    ...fact(
      "Grounded",
      message.grounded ? badge("Yes, cited", "ok") : badge("No, not answered", "warn"),
    ),
    ...fact("Source", SOURCE_LABEL[message.source ?? ""] ?? message.source ?? "—"),
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

  function render(transcript: Transcript): void {
    const questions = transcript.messages.filter((m) => m.role === "visitor").length;
    body.append(
      h(
        "p",
        { class: "muted" },
        `Started ${formatDateTime(transcript.startedAt)} · last message ${formatDateTime(transcript.lastAt)} · ${questions} ${questions === 1 ? "question" : "questions"}`,
      ),
      h("p", { class: "muted small" }, "Conversation id: ", h("code", {}, transcript.id)),
      reviewPanel(transcript),
      h("h3", { class: "sr-only" }, "Messages"),
      h("ol", { class: "messages" }, ...transcript.messages.map(renderMessage)),
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
