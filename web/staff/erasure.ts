/**
 * Delete on request: one visitor's conversation and the bookings with the same email address or
 * phone number, after a confirmation. The audit log records that it happened, never what.
 */
import { plural } from "../console/format.js";
import { confirmDialog, field, h, isBusy, messageArea, setBusy } from "../console/ui.js";
import type { ErasureRequest } from "./api.js";
import type { StaffContext, View } from "./context.js";
import type { StaffRoute } from "./routes.js";

/** What the request will delete, in words, for the confirmation. */
export function erasureSummary(request: ErasureRequest): string {
  const parts: string[] = [];
  if (request.sessionId) {
    parts.push(`the conversation ${request.sessionId} with any request sent from it`);
  }
  if (request.email) parts.push(`every booking with the email address ${request.email}`);
  if (request.phone) parts.push(`every booking with the phone number ${request.phone}`);
  const list =
    parts.length > 1 ? `${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}` : (parts[0] ?? "");
  // Only bookings found by their contact details bring conversations of their own.
  const cascade =
    request.email || request.phone ? ", with the conversations those bookings came from" : "";
  return `This permanently deletes ${list}${cascade}. It cannot be undone.`;
}

export function erasureView(
  ctx: StaffContext,
  route: Extract<StaffRoute, { view: "erasure" }>,
): View {
  const heading = h("h1", { tabindex: -1 }, "Delete a visitor's data");
  const sessionId = h("input", {
    type: "text",
    name: "sessionId",
    autocomplete: "off",
    spellcheck: "false",
    maxlength: 64,
  });
  sessionId.value = route.sessionId ?? "";
  const email = h("input", { type: "email", name: "email", autocomplete: "off", maxlength: 200 });
  const phone = h("input", { type: "tel", name: "phone", autocomplete: "off", maxlength: 40 });
  const submit = h("button", { type: "submit", class: "button danger" }, "Erase…");
  const message = messageArea();

  const form = h(
    "form",
    { class: "erasure-form", novalidate: true },
    field("Conversation id", sessionId, "Shown on the transcript; the visitor's chat session."),
    field("Email address", email, "Every booking with this address, in any letter case."),
    field("Phone number", phone, "Every booking with this number, compared by its digits."),
    h("div", { class: "actions" }, submit),
    message.element,
  );

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (isBusy(submit)) return;
    message.clear();
    const request: ErasureRequest = {};
    if (sessionId.value.trim()) request.sessionId = sessionId.value.trim();
    if (email.value.trim()) request.email = email.value.trim();
    if (phone.value.trim()) request.phone = phone.value.trim();
    if (!request.sessionId && !request.email && !request.phone) {
      message.show("Give a conversation id, an email address or a phone number.", "error");
      sessionId.focus();
      return;
    }
    const confirmed = await confirmDialog({
      title: "Erase this visitor's data?",
      message: erasureSummary(request),
      confirm: "Erase permanently",
    });
    if (!confirmed) return;
    setBusy(submit, true, "Erasing…");
    const result = await ctx.api.erase(request);
    setBusy(submit, false);
    if (!result.ok) return message.show(result.message, "error");
    const { conversations, bookings } = result.value;
    if (conversations === 0 && bookings === 0) {
      message.show("Nothing matched, so nothing was deleted.", "info");
      return;
    }
    form.reset();
    message.show(
      `Deleted ${plural(conversations, "conversation")} and ${plural(bookings, "booking")}. The audit log records the erasure without its content.`,
      "success",
    );
  });

  return {
    element: h(
      "section",
      { class: "page narrow" },
      heading,
      h(
        "p",
        { class: "intro" },
        "When a visitor asks to be forgotten, give any of their conversation id, email address or phone number. Deleted together: that conversation, every booking with the same email address or phone number, and the conversations those bookings came from. Copies already sent to the booking webhook must be erased there.",
      ),
      form,
    ),
    heading,
  };
}
