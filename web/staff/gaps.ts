/**
 * Content gaps: the questions of a period that the articles did not answer (or answered and
 * were rated down, or staff marked unanswerable), grouped by meaning and counted, most asked
 * first: what to write next. Questions staff filed under a section are not listed.
 */
import { formatDate, formatDateTime, isoDay, plural } from "../console/format.js";
import { field, h, messageArea, uid } from "../console/ui.js";
import type { GapReport } from "./api.js";
import type { StaffContext, View } from "./context.js";
import { routeHref, type StaffRoute, validDay } from "./routes.js";

type GapQuestion = GapReport["groups"][number]["questions"][number];

const REASON_LABEL: Record<GapQuestion["reason"], string> = {
  unanswered: "unanswered",
  thumbs_down: "rated down",
  marked: "answered",
};

function group(item: GapReport["groups"][number]): HTMLElement {
  const headingId = uid("gap");
  const parts = [
    item.unanswered > 0 ? `${item.unanswered} unanswered` : "",
    item.thumbsDown > 0 ? `${item.thumbsDown} rated down` : "",
    item.confirmed > 0 ? `${item.confirmed} confirmed by staff` : "",
  ].filter(Boolean);
  return h(
    "li",
    { class: "card gap", "aria-labelledby": headingId },
    h(
      "div",
      { class: "card-head" },
      h("span", { class: "count", "aria-hidden": "true" }, String(item.count)),
      h("h2", { id: headingId }, item.example),
      item.confirmed > 0 ? h("span", { class: "badge warn" }, "Confirmed gap") : null,
    ),
    h(
      "p",
      { class: "muted small" },
      `Asked ${plural(item.count, "time")} (${parts.join(", ")}) · last ${formatDateTime(item.lastAskedAt)}`,
    ),
    h(
      "details",
      {},
      h("summary", {}, item.count === 1 ? "The question" : `All ${item.count} questions`),
      h(
        "ul",
        { class: "gap-questions" },
        ...item.questions.map((q) =>
          h(
            "li",
            {},
            h(
              "a",
              { href: routeHref({ view: "conversations", filters: {}, open: q.conversationId }) },
              q.text,
            ),
            h(
              "span",
              { class: "muted small" },
              ` · ${REASON_LABEL[q.reason]}${q.confirmed ? ", marked unanswerable" : ""} · ${formatDateTime(q.askedAt)}`,
            ),
          ),
        ),
      ),
    ),
  );
}

export function gapsView(ctx: StaffContext, route: Extract<StaffRoute, { view: "gaps" }>): View {
  const heading = h("h1", { tabindex: -1 }, "Content gaps");
  const today = isoDay(new Date());
  const from = h("input", { type: "date", name: "from", max: today });
  from.value = route.from ?? "";
  const to = h("input", { type: "date", name: "to", max: today });
  to.value = route.to ?? "";
  const formMessage = messageArea();
  const form = h(
    "form",
    { class: "filters inline", "aria-label": "Period" },
    field("From", from),
    field("To", to),
    h(
      "div",
      { class: "actions" },
      h("button", { type: "submit", class: "button primary" }, "Show"),
    ),
    formMessage.element,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const fromDay = validDay(from.value);
    const toDay = validDay(to.value);
    if (fromDay && toDay && fromDay > toDay) {
      formMessage.show("The period must not end before it starts.", "error");
      return;
    }
    ctx.navigate({
      view: "gaps",
      ...(fromDay ? { from: fromDay } : {}),
      ...(toDay ? { to: toDay } : {}),
    });
  });

  const summary = h("p", { class: "summary", role: "status", "aria-live": "polite" }, "Loading…");
  const list = h("ol", { class: "cards", "aria-label": "Question groups" });
  const message = messageArea();

  void ctx.api
    .gaps({ ...(route.from ? { from: route.from } : {}), ...(route.to ? { to: route.to } : {}) })
    .then((result) => {
      if (!result.ok) {
        summary.textContent = "";
        return message.show(result.message, "error");
      }
      const report = result.value;
      const period = `${formatDate(report.from)} to ${formatDate(report.to)}`;
      summary.textContent =
        report.total === 0
          ? `No unanswered or rated-down questions from ${period}.`
          : `${plural(report.total, "question")} in ${plural(report.groups.length, "group")}, from ${period}.${report.truncated ? " Only the newest 2000 are grouped; choose a shorter period to see the rest." : ""}${report.grouping === "wording" ? " Grouped by shared words only: the service could not compare their meanings just now. Reloading later may group them by meaning." : ""}`;
      list.append(...report.groups.map(group));
    });

  return {
    element: h(
      "section",
      { class: "page" },
      heading,
      h(
        "p",
        { class: "intro" },
        "Questions the articles did not answer, answers visitors rated down and questions staff marked unanswerable, grouped by meaning (“price?” with “how much does it cost?”); questions filed under a section are left out. The largest groups are the articles to write or improve next. Without dates: the last 30 days.",
      ),
      form,
      summary,
      list,
      message.element,
    ),
    heading,
  };
}
