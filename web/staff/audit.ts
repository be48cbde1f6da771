/**
 * The audit log: who did what, when (sign-ins, exports, reviews and notes, booking status
 * changes, filed questions, erasures, retention runs), newest first, 50 at a time with "Load
 * more" over the API's cursor. Entries hold counts and names, never visitor text; every value
 * is still set as text.
 */
import { formatDate, formatDateTime, plural } from "../console/format.js";
import { h, isBusy, messageArea, setBusy, uid } from "../console/ui.js";
import type { AuditEntry } from "./api.js";
import type { StaffContext, View } from "./context.js";

type Details = AuditEntry["details"];

const FILTER_LABEL: Record<string, string> = {
  q: "search",
  handoff: "handoff",
  grounded: "answers",
  rating: "feedback",
  reviewed: "review",
  from: "from",
  to: "to",
};
const MATCHED_BY_LABEL: Record<string, string> = {
  sessionId: "conversation id",
  email: "email address",
  phone: "phone number",
};
const STATUS_LABEL: Record<string, string> = {
  new: "New",
  contacted: "Contacted",
  booked: "Booked",
  closed: "Closed",
};
const TYPE_LABEL: Record<string, string> = { consultation: "Consultation", callback: "Call-back" };

const text = (value: Details[string] | undefined): string =>
  value === undefined || value === null
    ? ""
    : Array.isArray(value)
      ? value.join(", ")
      : String(value);
const count = (value: Details[string] | undefined): number =>
  typeof value === "number" ? value : 0;
const list = (value: Details[string] | undefined): string[] => (Array.isArray(value) ? value : []);
/** "a", "a and b", "a, b and c". */
const words = (items: string[]): string =>
  items.length > 1 ? `${items.slice(0, -1).join(", ")} and ${items.at(-1)}` : (items[0] ?? "");

/** What an entry says in words: the action, and what it touched. */
export function describeEntry(entry: Pick<AuditEntry, "action" | "details">): {
  action: string;
  details: string;
} {
  const d = entry.details;
  switch (entry.action) {
    case "sign_in":
      return { action: "Signed in", details: "" };
    case "export": {
      const filters = list(d.filters).map((f) => FILTER_LABEL[f] ?? f);
      return {
        action: "Exported conversations",
        details: `${text(d.format).toUpperCase()}, ${filters.length ? `filtered by ${words(filters)}` : "every conversation"}`,
      };
    }
    case "erasure": {
      const matched = list(d.matchedBy).map((m) => MATCHED_BY_LABEL[m] ?? m);
      return {
        action: "Erased a visitor's data on request",
        details: `${plural(count(d.conversations), "conversation")} and ${plural(count(d.bookings), "booking")} deleted${matched.length ? `, found by ${words(matched)}` : ""}`,
      };
    }
    case "retention":
      return {
        action: "Deleted old data (retention)",
        details: `${plural(count(d.conversations), "conversation")} and ${plural(count(d.bookings), "booking")}${d.cutoff ? ` from before ${formatDate(text(d.cutoff))}` : ""}`,
      };
    case "file_question":
      return {
        action: "Filed a visitor question",
        details: `Under “${text(d.heading)}” (${text(d.docId)})${d.added === false ? "; it was already there" : ""}`,
      };
    case "mark_unanswerable":
      return { action: "Marked a question unanswerable", details: "" };
    case "review": {
      const parts = [
        d.reviewed === true ? "marked reviewed" : d.reviewed === false ? "marked not reviewed" : "",
        d.note === "saved" ? "note saved" : d.note === "cleared" ? "note cleared" : "",
      ].filter(Boolean);
      const sentence = words(parts);
      return {
        action: "Reviewed a conversation",
        details: sentence ? `${sentence[0]?.toUpperCase()}${sentence.slice(1)}` : "",
      };
    }
    case "booking_status":
      return {
        action: "Changed a booking's status",
        details: `${TYPE_LABEL[text(d.type)] ?? "Request"}: ${STATUS_LABEL[text(d.from)] ?? text(d.from)} → ${STATUS_LABEL[text(d.to)] ?? text(d.to)}`,
      };
    default:
      // An action newer than this console: its name and figures as they are.
      return {
        action: String(entry.action),
        details: Object.entries(d)
          .map(([key, value]) => `${key}: ${text(value)}`)
          .join(", "),
      };
  }
}

function row(entry: AuditEntry): HTMLTableRowElement {
  const { action, details } = describeEntry(entry);
  return h(
    "tr",
    { "data-action": entry.action },
    h("td", {}, h("time", { datetime: entry.at }, formatDateTime(entry.at))),
    h("td", {}, entry.actor === "system" ? "The service (scheduled)" : entry.actor),
    h("td", {}, action),
    h("td", {}, details || h("span", { class: "muted" }, "—")),
  );
}

export function auditView(ctx: StaffContext): View {
  const headingId = uid("audit");
  const heading = h("h1", { tabindex: -1, id: headingId }, "Audit log");
  const summary = h("p", { class: "summary", role: "status", "aria-live": "polite" }, "Loading…");
  const body = h("tbody", {});
  const table = h(
    "table",
    { class: "audit", "aria-labelledby": headingId },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ...["When", "Who", "What", "Details"].map((label) => h("th", { scope: "col" }, label)),
      ),
    ),
    body,
  );
  const more = h("button", { type: "button", class: "button", hidden: true }, "Load more");
  const message = messageArea();
  let cursor: string | null = null;
  let shown = 0;
  let closed = false;

  async function load(fromButton: boolean): Promise<void> {
    setBusy(more, true, "Loading…");
    const result = await ctx.api.audit(cursor ?? undefined);
    setBusy(more, false);
    if (closed) return;
    if (!result.ok) {
      summary.textContent = "";
      return message.show(result.message, "error");
    }
    message.clear();
    const rows = result.value.items.map(row);
    body.append(...rows);
    shown += rows.length;
    cursor = result.value.nextCursor;
    more.hidden = !cursor;
    summary.textContent =
      shown === 0
        ? "Nothing recorded yet."
        : `Showing ${plural(shown, "entry", "entries")}${cursor ? "" : ", all there are"}.`;
    // Keyboard users go on reading at the first new entry (the button may be gone).
    const first = rows[0];
    if (fromButton && first) {
      first.tabIndex = -1;
      first.focus();
    }
  }
  more.addEventListener("click", () => {
    if (!isBusy(more)) void load(true);
  });
  void load(false);

  return {
    element: h(
      "section",
      { class: "page" },
      heading,
      h(
        "p",
        { class: "intro" },
        "Who did what, when: sign-ins, exports, reviews and notes, booking status changes, filed questions, erasures and retention runs, newest first. It records that something happened and by whom, never visitor text or contact details.",
      ),
      summary,
      h("div", { class: "table-wrap" }, table),
      h("div", { class: "actions" }, more),
      message.element,
    ),
    heading,
    destroy() {
      closed = true;
    },
  };
}
