/**
 * The conversation list: filters (kept in the URL), pages loaded with "Load more", export links
 * for the same filters, and the open transcript beside the list.
 */
import { formatDateTime, plural } from "../console/format.js";
import { field, h, isBusy, messageArea, select, setBusy } from "../console/ui.js";
import type { ConversationSummary, Review } from "./api.js";
import type { StaffContext, View } from "./context.js";
import {
  type ConversationFilters,
  describeFilters,
  exportHref,
  filterQuery,
  hasFilters,
  routeHref,
  type StaffRoute,
  validDay,
} from "./routes.js";
import { transcriptPane } from "./transcript.js";

const HANDOFF_OPTIONS = [
  ["", "Any"],
  ["booking", "Booking"],
  ["clinician", "Clinician"],
  ["staff", "The clinic's team"],
] as const;
const ANSWER_OPTIONS = [
  ["", "Any"],
  ["false", "Unanswered"],
  ["true", "All answered"],
] as const;
const RATING_OPTIONS = [
  ["", "Any"],
  ["down", "Thumbs down"],
  ["up", "Thumbs up"],
] as const;
const REVIEW_OPTIONS = [
  ["", "Any"],
  ["false", "Not reviewed"],
  ["true", "Reviewed"],
] as const;

function badges(item: ConversationSummary): HTMLElement {
  return h(
    "span",
    { class: "badges" },
    item.grounded ? null : h("span", { class: "badge warn" }, "Unanswered"),
    item.rating === "down" ? h("span", { class: "badge bad" }, "Thumbs down") : null,
    item.rating === "up" ? h("span", { class: "badge ok" }, "Thumbs up") : null,
    item.handoffs.includes("clinician") ? h("span", { class: "badge" }, "Clinician") : null,
    item.handoffs.includes("booking") ? h("span", { class: "badge" }, "Booking") : null,
    item.reviewed ? h("span", { class: "badge ok review-badge" }, "Reviewed") : null,
  );
}

function filterForm(ctx: StaffContext, filters: ConversationFilters): HTMLElement {
  const q = h("input", { type: "search", name: "q", maxlength: 200, autocomplete: "off" });
  q.value = filters.q ?? "";
  const from = h("input", { type: "date", name: "from" });
  from.value = filters.from ?? "";
  const to = h("input", { type: "date", name: "to" });
  to.value = filters.to ?? "";
  const flag = (value: boolean | undefined) => (value === undefined ? "" : String(value));
  const answered = select("grounded", ANSWER_OPTIONS, flag(filters.grounded));
  const rating = select("rating", RATING_OPTIONS, filters.rating ?? "");
  const handoff = select("handoff", HANDOFF_OPTIONS, filters.handoff ?? "");
  const reviewed = select("reviewed", REVIEW_OPTIONS, flag(filters.reviewed));
  const message = messageArea();
  // The filters besides the search box: folded away unless one is set, so that the list
  // starts on the first screen.
  const set = [
    filters.grounded,
    filters.rating,
    filters.handoff,
    filters.reviewed,
    filters.from,
    filters.to,
  ].filter((value) => value !== undefined).length;
  const more = h(
    "details",
    { class: "more-filters" },
    h("summary", {}, set > 0 ? `More filters (${set} set)` : "More filters"),
    h(
      "div",
      { class: "filter-grid" },
      field("Answers", answered),
      field("Feedback", rating),
      field("Handoff", handoff),
      field("Review", reviewed),
      field("Last message from", from),
      field("to", to),
    ),
  );
  more.open = set > 0;

  const form = h(
    "form",
    { class: "filters", role: "search", "aria-label": "Filter conversations" },
    h(
      "div",
      { class: "filter-bar" },
      h("div", { class: "field search" }, field("Search messages", q)),
      h(
        "div",
        { class: "actions" },
        h("button", { type: "submit", class: "button primary" }, "Apply filters"),
        hasFilters(filters)
          ? h(
              "a",
              { href: routeHref({ view: "conversations", filters: {} }), class: "button subtle" },
              "Clear filters",
            )
          : null,
      ),
    ),
    more,
    message.element,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const fromDay = validDay(from.value);
    const toDay = validDay(to.value);
    if (fromDay && toDay && fromDay > toDay) {
      message.show("The period must not end before it starts.", "error");
      from.focus();
      return;
    }
    const next: ConversationFilters = {};
    const text = q.value.trim();
    if (text) next.q = text;
    if (answered.value) next.grounded = answered.value === "true";
    if (rating.value === "up" || rating.value === "down") next.rating = rating.value;
    const kind = HANDOFF_OPTIONS.find(([value]) => value && value === handoff.value)?.[0];
    if (kind) next.handoff = kind;
    if (reviewed.value) next.reviewed = reviewed.value === "true";
    if (fromDay) next.from = fromDay;
    if (toDay) next.to = toDay;
    ctx.navigate({ view: "conversations", filters: next });
  });
  return form;
}

export function conversationsView(
  ctx: StaffContext,
  route: Extract<StaffRoute, { view: "conversations" }>,
): View {
  const filters = route.filters;
  const query = filterQuery(filters);
  const heading = h("h1", { tabindex: -1 }, "Conversations");
  const summary = h("p", { class: "summary", role: "status", "aria-live": "polite" }, "Loading…");
  const list = h("ol", { class: "conv-list", "aria-label": "Conversations" });
  const more = h("button", { type: "button", class: "button", hidden: true }, "Load more");
  const listMessage = messageArea();
  const detail = h("div", { class: "detail" });
  const items = new Map<string, { link: HTMLAnchorElement; item: ConversationSummary }>();
  let cursor: string | null = null;
  let shown = 0;
  let open: string | undefined;

  const described = describeFilters(filters);
  const exports = h(
    "div",
    { class: "exports" },
    h("span", { class: "muted" }, "Export these conversations:"),
    h(
      "a",
      {
        href: exportHref("csv", filters),
        download: "",
        class: "button subtle",
        "data-export": "csv",
      },
      "CSV",
    ),
    h(
      "a",
      {
        href: exportHref("jsonl", filters),
        download: "",
        class: "button subtle",
        "data-export": "jsonl",
      },
      "JSONL",
    ),
    h("span", { class: "muted small" }, "(CSV: a row per message; JSONL: a conversation per line)"),
  );

  const listPane = h(
    "section",
    { class: "list-pane" },
    heading,
    filterForm(ctx, filters),
    exports,
    summary,
    list,
    h("div", { class: "actions" }, more),
    listMessage.element,
  );
  const element = h("div", { class: "split" }, listPane, detail);

  function row(item: ConversationSummary): HTMLElement {
    const link = h(
      "a",
      {
        class: "conv-link",
        href: routeHref({ view: "conversations", filters, open: item.id }),
      },
      h("span", { class: "conv-q" }, item.firstQuestion ?? "(no question)"),
      h(
        "span",
        { class: "conv-meta" },
        `${formatDateTime(item.lastAt)} · ${plural(item.messages, "message")}`,
      ),
      badges(item),
    );
    items.set(item.id, { link, item });
    if (item.id === open) link.setAttribute("aria-current", "page");
    return h("li", { class: "conv-item" }, link);
  }

  async function load(): Promise<void> {
    setBusy(more, true, "Loading…");
    listMessage.clear();
    const result = await ctx.api.conversations(filters, cursor ?? undefined);
    setBusy(more, false);
    if (!result.ok) {
      summary.textContent = "";
      listMessage.show(result.message, "error");
      return;
    }
    for (const item of result.value.items) list.appendChild(row(item));
    shown += result.value.items.length;
    cursor = result.value.nextCursor;
    more.hidden = !cursor;
    const what = described ? ` (${described})` : "";
    summary.textContent =
      shown === 0
        ? `No conversations${what}.`
        : `${cursor ? "Showing the newest " : "Showing "}${plural(shown, "conversation")}${what}.`;
  }

  more.addEventListener("click", () => {
    if (!isBusy(more)) void load();
  });

  function onReview(review: Review): void {
    const entry = items.get(review.id);
    if (!entry) return;
    entry.item = { ...entry.item, reviewed: review.reviewed };
    entry.link.querySelector(".badges")?.replaceWith(badges(entry.item));
  }

  let pane: { element: HTMLElement; heading: HTMLElement } | undefined;
  function showDetail(id: string | undefined): void {
    open = id;
    for (const [key, entry] of items) {
      if (key === id) entry.link.setAttribute("aria-current", "page");
      else entry.link.removeAttribute("aria-current");
    }
    element.classList.toggle("has-detail", id !== undefined);
    if (!id) {
      pane = undefined;
      detail.replaceChildren(
        h("p", { class: "placeholder muted" }, "Choose a conversation to read its transcript."),
      );
      return;
    }
    pane = transcriptPane(ctx, id, {
      backHref: routeHref({ view: "conversations", filters }),
      onReview,
    });
    detail.replaceChildren(pane.element);
  }

  showDetail(route.open);
  void load();

  return {
    element,
    get heading() {
      return pane?.heading ?? heading;
    },
    update(next) {
      if (next.view !== "conversations" || filterQuery(next.filters) !== query) return false;
      if (next.open !== open) showDetail(next.open);
      return true;
    },
  };
}
