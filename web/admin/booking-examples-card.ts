/**
 * The admin console's booking examples card: messages that ask to be booked in, and close ones
 * that do not, one a line. A visitor's message is recognised as a booking request by its
 * likeness to these (besides the readable rules); the answers use them from the next re-index.
 */
import { plural } from "../console/format.js";
import { field, h, isBusy, messageArea, setBusy } from "../console/ui.js";
import type { AdminApi, BookingExamples } from "./api.js";
import { type ExampleList, parseExamples, placeExampleError } from "./booking-examples.js";
import { showSavedUntilReindex } from "./reindex-hint.js";

export function bookingExamplesCard(api: AdminApi): HTMLElement {
  let loaded: BookingExamples | undefined;
  const lists: Record<ExampleList, HTMLTextAreaElement> = {
    requests: h("textarea", { name: "requests", rows: 10, spellcheck: "true" }),
    notRequests: h("textarea", { name: "notRequests", rows: 8, spellcheck: "true" }),
  };
  const status = h("p", { class: "hint" });
  const save = h("button", { type: "submit", class: "button primary" }, "Save examples");
  const message = messageArea();
  const form = h(
    "form",
    { class: "card booking-examples", novalidate: true, "aria-labelledby": "examples-heading" },
    h("h2", { id: "examples-heading" }, "Booking examples"),
    h(
      "p",
      {},
      "Messages in which a visitor asks to be booked in, and close ones that are not booking requests (questions about booking, cancelling or what a consultation involves). A visitor's message like the first gets the booking form. One message a line. Edits take effect at the next re-index.",
    ),
    h(
      "div",
      { class: "examples-grid" },
      field("Booking requests", lists.requests, 'For example: "can you fit me in on Friday?"'),
      field(
        "Not booking requests",
        lists.notRequests,
        'For example: "how do I cancel my appointment?"',
      ),
    ),
    status,
    h("div", { class: "actions" }, save),
    message.element,
  );

  const describe = (
    examples: Pick<BookingExamples, "requests" | "notRequests">,
    sample: boolean,
  ) => {
    status.textContent = `${plural(examples.requests.length, "booking request")} and ${plural(examples.notRequests.length, "other message")}.${sample ? " These are sample examples: review them for your clinic." : ""}`;
  };

  void api.bookingExamples().then((result) => {
    if (!result.ok) return message.show(result.message, "error");
    const { examples, problem } = result.value;
    loaded = examples;
    lists.requests.value = examples.requests.join("\n");
    lists.notRequests.value = examples.notRequests.join("\n");
    describe(examples, examples.sample);
    if (problem) {
      message.show(
        `The booking examples file cannot be used (${problem}). Saving replaces it.`,
        "error",
      );
    }
  });

  const invalid = (list: ExampleList, text: string) => {
    lists[list].setAttribute("aria-invalid", "true");
    message.show(text, "error");
    lists[list].focus();
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (isBusy(save)) return;
    message.clear();
    lists.requests.removeAttribute("aria-invalid");
    lists.notRequests.removeAttribute("aria-invalid");
    const parsed = parseExamples({
      requests: lists.requests.value,
      notRequests: lists.notRequests.value,
    });
    if (!parsed.ok) return invalid(parsed.list, parsed.message);
    setBusy(save, true, "Saving…");
    const result = await api.putBookingExamples({
      sample: false,
      ...(loaded?.note !== undefined ? { note: loaded.note } : {}),
      ...parsed.examples,
    });
    setBusy(save, false);
    if (!result.ok) {
      for (const [name, text] of Object.entries(result.fields ?? {})) {
        const placed = placeExampleError(name, text, parsed.lines);
        if (placed) return invalid(placed.list, placed.text);
      }
      return message.show(result.message, "error");
    }
    describe(parsed.examples, false);
    showSavedUntilReindex(
      message,
      `Saved ${plural(result.value.requests, "booking request")} and ${plural(result.value.notRequests, "other message")}.`,
    );
  });
  return form;
}
