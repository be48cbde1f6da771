import type { ClinicProfile } from "../content/clinic.js";
import type { Handoff } from "./types.js";

/**
 * The bot's own fixed sentences. Contact details always come from the clinic profile, so a
 * clinic changes them in one place.
 */
function contact(clinic: ClinicProfile): string {
  return `${clinic.name} on ${clinic.phone} or ${clinic.email}`;
}

/** "Monday to Friday 9:00 to 18:00 and Saturday 10:00 to 14:00" */
function openingHours(clinic: ClinicProfile): string {
  const lines = clinic.openingHours.map((line) => `${line.days} ${line.hours}`);
  return lines.length > 1 ? `${lines.slice(0, -1).join(", ")} and ${lines.at(-1)}` : `${lines[0]}`;
}

/** Follows `BOOKING_ANSWER`, so it does not say again that it can help. */
export function bookingHandoff(clinic: ClinicProfile, bookingUrl?: string): Handoff {
  const url = bookingUrl ?? clinic.bookingUrl;
  return {
    kind: "booking",
    message:
      "Leave your details in the booking form and our team will contact you to confirm a time. " +
      `We are open ${openingHours(clinic)}. You can also reach ${contact(clinic)}.`,
    ...(url ? { bookingUrl: url } : {}),
  };
}

export function clinicianHandoff(clinic: ClinicProfile): Handoff {
  return {
    kind: "clinician",
    message:
      `Whether this is right for you depends on your own health, so it needs a ` +
      "clinician rather than this assistant, which cannot give personal medical advice. " +
      `Please contact ${contact(clinic)}, or leave your number and a clinician will call you back.`,
  };
}

export function staffHandoff(clinic: ClinicProfile): Handoff {
  return {
    kind: "staff",
    message: `Our team can help with that: contact ${contact(clinic)}, or leave your details for a call back.`,
  };
}

export const NO_ANSWER =
  "I'm sorry, I couldn't find an answer to that in our clinic's articles, and I'd rather not guess.";

/** Before an answer that is word for word the one just given. */
export const NOTHING_MORE = "Our articles say no more about that than my answer above:";

export const PARTLY_ANSWERED =
  "I couldn't find an answer to the rest of your question in our clinic's articles.";

export const STEERING_REFUSAL =
  "I can only answer questions about our clinic and its treatments, from the clinic's own articles.";

export const GREETING =
  "Hello! I can answer questions about our treatments from the clinic's articles, or help you book a consultation. What would you like to know?";

export const CLOSING = "You're welcome. If anything else comes up, just ask.";

export const BOOKING_ANSWER = "Of course, I can help you book a consultation.";
export const CLINICIAN_ANSWER =
  "That's a question about your own health, which one of our clinicians should answer.";

/** Offered with an answer about a skin concern the visitor has. */
export function consultationOffer(clinic: ClinicProfile): Handoff {
  return {
    kind: "clinician",
    message:
      "Whether it suits your own skin is best judged at a consultation, where a clinician " +
      `looks at it with you. Contact ${contact(clinic)}, or leave your number for a call back.`,
  };
}
