/**
 * Booking and call-back requests: newest first, filtered by status and type (in the URL), each
 * with its contact details, a status to change (new, contacted, booked, closed) and the history
 * of who changed it when. A request that arrives live (`booking:new`) and fits the filters is
 * added at the top without rebuilding the list: the filters, the cards already shown (an open
 * history, a status being chosen, focus) and the reading position stay as they were. One
 * request also has a page of its own (`/staff/bookings/:id`), which transcripts link to.
 */
import { formatDateTime, plural } from "../console/format.js";
import { field, h, isBusy, messageArea, select, setBusy, uid } from "../console/ui.js";
import type { Booking, BookingStatus, BookingWithHistory } from "./api.js";
import type { LiveEvent, StaffContext, View } from "./context.js";
import { BOOKING_STATUSES, routeHref, type StaffRoute } from "./routes.js";

export const STATUS_LABEL: Record<BookingStatus, string> = {
  new: "New",
  contacted: "Contacted",
  booked: "Booked",
  closed: "Closed",
};

const TYPE_LABEL = { consultation: "Consultation", callback: "Call-back" } as const;

/** What a request is called in running text ("Booking request · New · …"). */
export const REQUEST_LABEL = {
  consultation: "Booking request",
  callback: "Call-back request",
} as const;

function historyList(history: BookingWithHistory["history"]): HTMLElement {
  if (history.length === 0) return h("p", { class: "muted" }, "No status changes yet.");
  return h(
    "ol",
    { class: "history" },
    ...history.map((event) =>
      h(
        "li",
        {},
        `${STATUS_LABEL[event.from]} → ${STATUS_LABEL[event.to]} by ${event.by}, `,
        h("time", { datetime: event.at }, formatDateTime(event.at)),
      ),
    ),
  );
}

function bookingCard(ctx: StaffContext, booking: Booking): HTMLElement {
  const headingId = uid("booking");
  const status = h(
    "span",
    { class: `badge status-${booking.status}` },
    STATUS_LABEL[booking.status],
  );
  const details = h("dl", { class: "facts" });
  const add = (term: string, value: Node | string | null) => {
    if (value) details.append(h("dt", {}, term), h("dd", {}, value));
  };
  add("Email", booking.email ? h("a", { href: `mailto:${booking.email}` }, booking.email) : null);
  add(
    "Phone",
    booking.phone
      ? h("a", { href: `tel:${booking.phone.replace(/[^\d+]/g, "")}` }, booking.phone)
      : null,
  );
  add("Treatment", booking.treatment);
  add("Preferred time", booking.preferredTime);
  add("Notes", booking.notes);
  add(
    "Chat",
    booking.sessionId
      ? h(
          "a",
          { href: routeHref({ view: "conversations", filters: {}, open: booking.sessionId }) },
          "Open the conversation",
        )
      : null,
  );

  const choice = select(
    "status",
    BOOKING_STATUSES.map((s) => [s, STATUS_LABEL[s]] as const),
    booking.status,
  );
  const save = h("button", { type: "submit", class: "button" }, "Update status");
  const message = messageArea();
  const history = h("div", { class: "history-body" }, h("p", { class: "muted" }, "Loading…"));
  const historyBox = h(
    "details",
    { class: "history-box" },
    h("summary", {}, "Status history"),
    history,
  );
  let loaded = false;
  historyBox.addEventListener("toggle", () => {
    if (!historyBox.open || loaded) return;
    loaded = true;
    void ctx.api.booking(booking.id).then((result) => {
      history.replaceChildren(
        result.ok
          ? historyList(result.value.history)
          : h("p", { class: "message", "data-tone": "error" }, result.message),
      );
      if (!result.ok) loaded = false;
    });
  });

  const form = h("form", { class: "status-form" }, field("Status", choice), save, message.element);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (isBusy(save)) return;
    const next = choice.value as BookingStatus;
    setBusy(save, true, "Saving…");
    message.clear();
    const result = await ctx.api.setBookingStatus(booking.id, next);
    setBusy(save, false);
    if (!result.ok) return message.show(result.message, "error");
    booking = result.value;
    status.className = `badge status-${booking.status}`;
    status.textContent = STATUS_LABEL[booking.status];
    const last = result.value.history.at(-1);
    message.show(
      last && last.to === next
        ? `Status set to ${STATUS_LABEL[next]}.`
        : `The status was already ${STATUS_LABEL[next]}.`,
      "success",
    );
    loaded = true;
    history.replaceChildren(historyList(result.value.history));
    historyBox.open = true;
  });

  return h(
    "li",
    { class: "card booking", "aria-labelledby": headingId, "data-booking": booking.id },
    h(
      "div",
      { class: "card-head" },
      h("h2", { id: headingId }, booking.name),
      h("span", { class: "badge" }, TYPE_LABEL[booking.type]),
      status,
    ),
    h(
      "p",
      { class: "muted small" },
      "Received ",
      h("time", { datetime: booking.createdAt }, formatDateTime(booking.createdAt)),
    ),
    details,
    form,
    historyBox,
  );
}

/** One request on a page of its own, with a way back to the list. */
function bookingPage(ctx: StaffContext, id: string): View {
  ctx.notices.seen({ key: id });
  const heading = h("h1", { tabindex: -1 }, "Request");
  const body = h("div", {}, h("p", { class: "muted" }, "Loading…"));
  let closed = false;
  void ctx.api.booking(id).then((result) => {
    if (closed) return;
    if (!result.ok) {
      body.replaceChildren(
        h(
          "p",
          { class: "message", "data-tone": "error" },
          result.status === 404
            ? "This request no longer exists: it may have been erased, or closed and removed by retention."
            : result.message,
        ),
      );
      return;
    }
    heading.textContent = REQUEST_LABEL[result.value.type];
    body.replaceChildren(
      h("ol", { class: "cards", "aria-label": "Request" }, bookingCard(ctx, result.value)),
    );
  });
  return {
    element: h(
      "section",
      { class: "page" },
      h(
        "a",
        { class: "back-link always", href: routeHref({ view: "bookings", filters: {} }) },
        "← All bookings and call-backs",
      ),
      heading,
      body,
    ),
    heading,
    destroy() {
      closed = true;
    },
  };
}

export function bookingsView(
  ctx: StaffContext,
  route: Extract<StaffRoute, { view: "bookings" }>,
): View {
  if (route.open) return bookingPage(ctx, route.open);
  ctx.notices.seen({ bookings: true });
  const heading = h("h1", { tabindex: -1 }, "Bookings and call-backs");
  let closed = false;
  const statusFilter = select(
    "status",
    [["", "Any"], ...BOOKING_STATUSES.map((s) => [s, STATUS_LABEL[s]] as const)],
    route.filters.status ?? "",
  );
  const typeFilter = select(
    "type",
    [
      ["", "Any"],
      ["consultation", "Consultation"],
      ["callback", "Call-back"],
    ],
    route.filters.type ?? "",
  );
  const filters = h(
    "form",
    { class: "filters inline", "aria-label": "Filter bookings" },
    field("Status", statusFilter),
    field("Type", typeFilter),
    h(
      "div",
      { class: "actions" },
      h("button", { type: "submit", class: "button primary" }, "Show"),
    ),
  );
  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    const status = BOOKING_STATUSES.find((s) => s === statusFilter.value);
    const type =
      typeFilter.value === "consultation" || typeFilter.value === "callback"
        ? typeFilter.value
        : undefined;
    ctx.navigate({
      view: "bookings",
      filters: { ...(status ? { status } : {}), ...(type ? { type } : {}) },
    });
  });

  const summary = h("p", { class: "summary", role: "status", "aria-live": "polite" }, "Loading…");
  const list = h("ol", { class: "cards live-list", "aria-label": "Requests" });
  const more = h("button", { type: "button", class: "button", hidden: true }, "Load more");
  const message = messageArea();
  let cursor: string | null = null;
  /** The requests shown, by id, and the newest of them (the list is newest first). */
  const shownIds = new Set<string>();
  let newest: Booking | undefined;

  const isNewer = (a: Booking, b: Booking) =>
    a.createdAt > b.createdAt || (a.createdAt === b.createdAt && a.id > b.id);

  function showCount(): void {
    summary.textContent =
      shownIds.size === 0 ? "No requests." : `Showing ${plural(shownIds.size, "request")}.`;
  }

  async function load(): Promise<void> {
    setBusy(more, true, "Loading…");
    const result = await ctx.api.bookings(route.filters, cursor ?? undefined);
    setBusy(more, false);
    if (closed) return;
    if (!result.ok) {
      summary.textContent = "";
      return message.show(result.message, "error");
    }
    for (const booking of result.value.items) {
      if (shownIds.has(booking.id)) continue;
      shownIds.add(booking.id);
      if (!newest || isNewer(booking, newest)) newest = booking;
      list.appendChild(bookingCard(ctx, booking));
    }
    cursor = result.value.nextCursor;
    more.hidden = !cursor;
    showCount();
  }
  more.addEventListener("click", () => {
    if (!isBusy(more)) void load();
  });

  /**
   * Runs `change` (cards added above) and scrolls by what it moved the first card in sight, so
   * the one being read stays where it was. At the very top of the page the new cards show.
   */
  function keepReadingPosition(change: () => void): void {
    const anchor =
      window.scrollY > 0
        ? [...list.children].find((card) => card.getBoundingClientRect().bottom > 0)
        : undefined;
    const before = anchor?.getBoundingClientRect().top;
    change();
    if (anchor && before !== undefined) {
      const moved = anchor.getBoundingClientRect().top - before;
      if (moved !== 0) window.scrollBy(0, moved);
    }
  }

  /** Adds the requests newer than the newest shown, from the first page of the same filters. */
  async function refresh(): Promise<void> {
    const result = await ctx.api.bookings(route.filters);
    // Failed: the list stays as it is; the next request or a reload tries again.
    if (closed || !result.ok) return;
    if (shownIds.size === 0) {
      // Nothing was shown: this page is the list (and its cursor, for Load more).
      cursor = result.value.nextCursor;
      more.hidden = !cursor;
    }
    const top = newest;
    const added = result.value.items.filter(
      (booking) => !shownIds.has(booking.id) && (!top || isNewer(booking, top)),
    );
    if (added.length === 0) return;
    keepReadingPosition(() => {
      list.prepend(...added.map((booking) => bookingCard(ctx, booking)));
    });
    for (const booking of added) {
      shownIds.add(booking.id);
      if (!newest || isNewer(booking, newest)) newest = booking;
      // In the list in front of staff: no longer unread.
      ctx.notices.seen({ key: booking.id });
    }
    showCount();
  }

  /** One refresh at a time, after the first page; events during one ask for one more. */
  let queue: Promise<void> = load();
  let pending = false;
  function refreshSoon(): void {
    if (pending) return;
    pending = true;
    queue = queue
      .then(() => {
        pending = false;
        return refresh();
      })
      .catch(() => undefined);
  }

  /** New requests have the status "new": only a list that shows those can gain one. */
  function fits(event: Extract<LiveEvent, { name: "booking:new" }>["payload"]): boolean {
    const { status, type } = route.filters;
    return (!status || status === "new") && (!type || type === event.type);
  }

  return {
    element: h(
      "section",
      { class: "page" },
      heading,
      filters,
      summary,
      list,
      h("div", { class: "actions" }, more),
      message.element,
    ),
    heading,
    live(event) {
      if (event.name === "booking:new" && fits(event.payload)) refreshSoon();
    },
    destroy() {
      closed = true;
    },
  };
}
