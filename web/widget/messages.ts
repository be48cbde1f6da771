/**
 * Everything the widget says on its own, in one place. Errors are shown by code, never with the
 * server's (or the browser's) raw text.
 */

export const TEXT = {
  launcherOpen: "Open chat",
  launcherClose: "Close chat",
  notice:
    "You're chatting with an automated assistant. It answers only from the clinic's articles and can't give personal medical advice.",
  privacy: "Privacy notice",
  inputLabel: "Type your question",
  inputHint: "Press Enter to send, Shift+Enter for a new line.",
  send: "Send",
  typing: "The assistant is typing",
  suggestions: "Suggested questions",
  sources: "Sources",
  helpfulPrompt: "Was this helpful?",
  helpful: "Helpful",
  notHelpful: "Not helpful",
  feedbackThanks: "Thanks for your feedback.",
  feedbackFailed: "Sorry, your feedback couldn't be saved. Please try again.",
  reconnecting: "Connection lost. Reconnecting…",
  cannotConnect: "Can't reach the assistant at the moment. Still trying…",
  reconnected: "Reconnected.",
  notAnswered:
    "Sorry, this message couldn't be answered: the connection kept dropping. Please ask your question again.",
  restoreFailed: "Your earlier conversation couldn't be loaded just now.",
  bookOnline: "Book online",
  callMe: "Request a call back",
  contactHeading: "Contact the clinic",
} as const;

/** "3 Mar 2026, 10:02" in the visitor's locale and time zone. */
export function formatSentAt(iso: string, locale?: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(
    new Date(iso),
  );
}

/**
 * What a handoff card says, instead of its form, once a request was sent from it: shown after
 * a reload (the service remembers it), never with the visitor's details.
 */
export function requestSentText(
  kind: "consultation" | "callback",
  sentAt: string,
  locale?: string,
): string {
  const when = formatSentAt(sentAt, locale);
  return kind === "consultation"
    ? `Your booking request was sent on ${when}. Our team will contact you to confirm a time.`
    : `Your call-back request was sent on ${when}. A member of our team will get back to you soon.`;
}

/** A polite sentence for an error code from the service (or `network`/`timeout` locally). */
export function politeError(code: string): string {
  switch (code) {
    case "rate_limited":
      return "You're sending messages a little quickly. Please wait a moment and try again.";
    case "unavailable":
      return "The assistant is just starting up. Please try again in a moment.";
    case "invalid":
      return "Sorry, I couldn't read that message. Please check it and try again.";
    case "too_large":
      return "That message is too long. Please shorten it and try again.";
    case "network":
    case "timeout":
      return "Sorry, the assistant can't be reached right now. Please check your connection and try again.";
    default:
      return "Sorry, something went wrong on our side. Please try again, or contact the clinic directly.";
  }
}
