/**
 * The sign-in card both consoles open with: a token field, a Sign in button and a line of
 * feedback. The console says what the token is and how to check it; the card handles the rest
 * (the empty-field message, the busy button, focus and selection after a failure).
 */
import { field, h, isBusy, messageArea, setBusy, uid } from "./ui.js";

/** Why a sign-in failed; `select: false` leaves focus where it is instead of selecting the token. */
export type SignInError = string | { message: string; select: false };

export interface SignInOptions {
  /** The console's name: the card's heading, and part of the page title. */
  title: string;
  /** What to sign in with, and what for. */
  explanation: string;
  /** The token field's label, e.g. "Staff token". */
  label: string;
  /** An optional hint under the token field. */
  hint?: string;
  /** Shown when the form is sent with an empty token. */
  missing: string;
  /** Shown on the card as it opens (e.g. why the session ended). */
  reason?: string;
  /** Signs in with the trimmed token: an error to show, or null once signed in. */
  submit: (token: string) => Promise<SignInError | null>;
}

/** Shows the sign-in card as the whole of `root`, with focus on the token field. */
export function showSignInCard(root: HTMLElement, options: SignInOptions): void {
  document.title = `Sign in · ${options.title}`;
  const input = h("input", {
    type: "password",
    name: "token",
    autocomplete: "current-password",
    required: true,
    maxlength: 512,
  });
  const submit = h("button", { type: "submit", class: "button primary" }, "Sign in");
  const message = messageArea();
  if (options.reason) message.show(options.reason, "info");
  const headingId = uid("signin");
  const form = h(
    "form",
    { class: "card signin", "aria-labelledby": headingId, novalidate: true },
    h("h1", { id: headingId }, options.title),
    h("p", {}, options.explanation),
    field(options.label, input, options.hint),
    h("div", { class: "actions" }, submit),
    message.element,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (isBusy(submit)) return;
    const candidate = input.value.trim();
    if (!candidate) {
      message.show(options.missing, "error");
      input.focus();
      return;
    }
    setBusy(submit, true, "Signing in…");
    message.clear();
    const error = await options.submit(candidate);
    setBusy(submit, false);
    if (error === null) return;
    if (typeof error === "string") {
      message.show(error, "error");
      input.select();
    } else {
      message.show(error.message, "error");
    }
  });
  root.replaceChildren(h("main", { class: "center", id: "main" }, form));
  input.focus();
}
