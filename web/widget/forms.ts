/**
 * The booking and call-back request forms shown inside the chat. Checked in place: obvious gaps
 * before sending, then the service's own per-field messages (`error.fields`) next to each field.
 */
import type { ApiResult, BookingBody } from "./api.js";
import { h, uid } from "./dom.js";
import { politeError } from "./messages.js";

export type RequestKind = BookingBody["type"];

type FieldName = "name" | "email" | "phone" | "treatment" | "preferredTime" | "consent";

interface FieldSpec {
  name: Exclude<FieldName, "consent">;
  label: string;
  type: "text" | "email" | "tel";
  autocomplete: string;
  maxLength: number;
  placeholder?: string;
}

const CONTACT_FIELDS: FieldSpec[] = [
  { name: "name", label: "Your name", type: "text", autocomplete: "name", maxLength: 100 },
  { name: "email", label: "Email", type: "email", autocomplete: "email", maxLength: 200 },
  { name: "phone", label: "Phone", type: "tel", autocomplete: "tel", maxLength: 40 },
];

const BOOKING_FIELDS: FieldSpec[] = [
  {
    name: "treatment",
    label: "Treatment (optional)",
    type: "text",
    autocomplete: "off",
    maxLength: 200,
    placeholder: "e.g. Microneedling",
  },
  {
    name: "preferredTime",
    label: "Preferred day or time (optional)",
    type: "text",
    autocomplete: "off",
    maxLength: 200,
    placeholder: "e.g. Saturday morning",
  },
];

/** The fields each kind of form has. */
export function formFields(kind: RequestKind): FieldName[] {
  return [
    ...CONTACT_FIELDS.map((f) => f.name),
    ...(kind === "consultation" ? BOOKING_FIELDS.map((f) => f.name) : []),
    "consent",
  ];
}

const FALLBACK_MESSAGES: Record<FieldName, string> = {
  name: "Please tell us your name",
  email: "Please enter a valid email address",
  phone: "Please enter a valid phone number",
  treatment: "Please shorten the treatment",
  preferredTime: "Please shorten the preferred time",
  consent: "Please agree so that we can contact you",
};

const CHECK_FORM = "Please check the form and try again.";
const CONTACT_NEEDED = "Please give an email address or a phone number";

export interface FieldErrors {
  /** A message per field of the form. */
  byField: Partial<Record<FieldName, string>>;
  /** A message for the form as a whole, for problems with no field of their own. */
  general?: string;
}

/**
 * Maps the service's `error.fields` onto the form's fields. The service's messages are written
 * for visitors ("Please enter a valid email address"); anything else (a generic validator
 * message, a field the form does not have) is replaced by a polite sentence of our own.
 */
export function mapFieldErrors(fields: Record<string, string>, kind: RequestKind): FieldErrors {
  const known = new Set<string>(formFields(kind));
  const result: FieldErrors = { byField: {} };
  for (const [field, message] of Object.entries(fields)) {
    if (known.has(field)) {
      const name = field as FieldName;
      result.byField[name] =
        typeof message === "string" && /^Please\b/.test(message) && message.length <= 200
          ? message
          : FALLBACK_MESSAGES[name];
    } else {
      result.general = CHECK_FORM;
    }
  }
  return result;
}

export interface RequestValues {
  name: string;
  email: string;
  phone: string;
  treatment: string;
  preferredTime: string;
  consent: boolean;
}

/** The checks worth making before sending; formats are the service's to judge. */
export function checkRequest(values: RequestValues): FieldErrors["byField"] {
  const errors: FieldErrors["byField"] = {};
  if (!values.name.trim()) errors.name = FALLBACK_MESSAGES.name;
  if (!values.email.trim() && !values.phone.trim()) {
    errors.email = CONTACT_NEEDED;
    errors.phone = CONTACT_NEEDED;
  }
  if (!values.consent) errors.consent = FALLBACK_MESSAGES.consent;
  return errors;
}

/**
 * The request body for the values (blank optional fields left out). `messageId`: the bot
 * reply whose handoff offered the form, sent with the conversation it belongs to.
 */
export function requestBody(
  kind: RequestKind,
  values: RequestValues,
  sessionId: string | undefined,
  messageId?: string,
): BookingBody {
  const optional = (key: "email" | "phone" | "treatment" | "preferredTime") => {
    const value = values[key].trim();
    return value && (kind === "consultation" || key === "email" || key === "phone")
      ? { [key]: value }
      : {};
  };
  return {
    type: kind,
    ...(sessionId ? { sessionId } : {}),
    ...(sessionId && messageId ? { messageId } : {}),
    name: values.name.trim(),
    ...optional("email"),
    ...optional("phone"),
    ...optional("treatment"),
    ...optional("preferredTime"),
    consent: values.consent,
  };
}

export interface RequestFormOptions {
  kind: RequestKind;
  clinicName: string | undefined;
  privacyUrl: string | undefined;
  submit(values: RequestValues): Promise<ApiResult<{ id: string }>>;
  /** Called once the request is stored. */
  onSent(): void;
}

/** The form, ready to insert; it replaces itself with a confirmation once sent. */
export function createRequestForm(options: RequestFormOptions): HTMLElement {
  const { kind } = options;
  const headingId = uid("form-title");
  const contactHintId = uid("contact-hint");
  const controls = new Map<FieldName, HTMLInputElement>();
  const errorNodes = new Map<FieldName, HTMLElement>();
  const describedBy = new Map<FieldName, string>();

  const fieldRow = (spec: FieldSpec) => {
    const id = uid(spec.name);
    const errorId = `${id}-error`;
    const hint = spec.name === "email" || spec.name === "phone" ? contactHintId : undefined;
    const input = h("input", {
      id,
      name: spec.name,
      type: spec.type,
      autocomplete: spec.autocomplete,
      maxlength: spec.maxLength,
      placeholder: spec.placeholder,
      "aria-describedby": hint,
      ...(spec.name === "name" ? { "aria-required": "true" } : {}),
    });
    const error = h("p", { class: "field-error", id: errorId, hidden: true });
    controls.set(spec.name, input);
    errorNodes.set(spec.name, error);
    describedBy.set(spec.name, [hint, errorId].filter(Boolean).join(" "));
    return h("div", { class: "field" }, h("label", { for: id }, spec.label), input, error);
  };

  const consentId = uid("consent");
  const consent = h("input", {
    id: consentId,
    name: "consent",
    type: "checkbox",
    "aria-required": "true",
  });
  const consentError = h("p", { class: "field-error", id: `${consentId}-error`, hidden: true });
  controls.set("consent", consent);
  errorNodes.set("consent", consentError);
  describedBy.set("consent", `${consentId}-error`);
  const who = options.clinicName ?? "the clinic";
  const consentLabel = h(
    "label",
    { for: consentId },
    kind === "consultation"
      ? `I agree that ${who} may contact me about this booking request.`
      : `I agree that ${who} may contact me about my question.`,
  );

  const formError = h("p", { class: "form-error", role: "alert", hidden: true });
  const submitButton = h(
    "button",
    { type: "submit", class: "primary" },
    kind === "consultation" ? "Send booking request" : "Request a call back",
  );

  const form = h(
    "form",
    { class: "request-form", novalidate: true, "aria-labelledby": headingId },
    h(
      "p",
      { class: "form-title", id: headingId },
      kind === "consultation" ? "Request a consultation" : "Ask for a call back",
    ),
    fieldRow(CONTACT_FIELDS[0] as FieldSpec),
    h(
      "p",
      { class: "hint", id: contactHintId },
      "Give an email address or a phone number, or both.",
    ),
    fieldRow(CONTACT_FIELDS[1] as FieldSpec),
    fieldRow(CONTACT_FIELDS[2] as FieldSpec),
    ...(kind === "consultation" ? BOOKING_FIELDS.map(fieldRow) : []),
    h(
      "div",
      { class: "field consent" },
      consent,
      h(
        "div",
        {},
        consentLabel,
        ...(options.privacyUrl ? [" ", privacyLink(options.privacyUrl)] : []),
      ),
      consentError,
    ),
    formError,
    submitButton,
  );

  const showErrors = (errors: FieldErrors) => {
    let first: HTMLInputElement | undefined;
    for (const name of formFields(kind)) {
      const input = controls.get(name);
      if (!input) continue;
      const message = errors.byField[name];
      const node = errorNodes.get(name);
      if (!node) continue;
      node.textContent = message ?? "";
      node.hidden = !message;
      if (message) {
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", describedBy.get(name) ?? "");
        first ??= input;
      } else {
        input.removeAttribute("aria-invalid");
        const hint = name === "email" || name === "phone" ? contactHintId : "";
        if (hint) input.setAttribute("aria-describedby", hint);
        else input.removeAttribute("aria-describedby");
      }
    }
    formError.textContent = errors.general ?? "";
    formError.hidden = !errors.general;
    first?.focus();
  };

  const values = (): RequestValues => {
    const text = (name: FieldName) => controls.get(name)?.value ?? "";
    return {
      name: text("name"),
      email: text("email"),
      phone: text("phone"),
      treatment: text("treatment"),
      preferredTime: text("preferredTime"),
      consent: consent.checked,
    };
  };

  let sending = false;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (sending) return;
    const current = values();
    const problems = checkRequest(current);
    if (Object.keys(problems).length > 0) return showErrors({ byField: problems });
    sending = true;
    submitButton.setAttribute("aria-disabled", "true");
    submitButton.textContent = "Sending…";
    void options.submit(current).then((result) => {
      sending = false;
      submitButton.removeAttribute("aria-disabled");
      submitButton.textContent =
        kind === "consultation" ? "Send booking request" : "Request a call back";
      if (result.ok) {
        const confirmation = h(
          "div",
          { class: "confirmation", role: "status", tabindex: -1 },
          h("strong", {}, `Thank you, ${current.name.trim()}.`),
          " ",
          kind === "consultation"
            ? "Your booking request has been sent. Our team will contact you to confirm a time."
            : "Your request has been sent. A member of our team will get back to you soon.",
        );
        form.replaceWith(confirmation);
        confirmation.focus();
        options.onSent();
        return;
      }
      if (result.code === "invalid") {
        const errors = mapFieldErrors(result.fields ?? {}, kind);
        if (Object.keys(errors.byField).length === 0) errors.general ??= CHECK_FORM;
        showErrors(errors);
      } else {
        showErrors({ byField: {}, general: politeError(result.code) });
      }
    });
  });

  return form;
}

export function privacyLink(url: string): HTMLAnchorElement {
  return h(
    "a",
    { href: url, target: "_blank", rel: "noopener noreferrer", class: "privacy" },
    "Privacy notice",
  );
}
