import { z } from "zod";

/** Newline and tab are the only control characters a message may contain. */
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

export const MAX_MESSAGE_CHARS = 2000;

/** A session id is 16 random bytes (128 bits) in base64url: 22 characters. */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{22,64}$/;

/**
 * Text a visitor sends, in any field: made well formed at the edge (a lone surrogate, which
 * no UTF-8 column can hold, becomes U+FFFD), and refused with a control character other
 * than newline and tab (NUL included).
 */
export const visitorText = (field: string) =>
  z
    .string({ error: `${field} must be text` })
    .overwrite((s) => s.toWellFormed())
    .refine((s) => !FORBIDDEN_CONTROL.test(s), `${field} must not contain control characters`);

export const messageSchema = visitorText("message")
  .min(1, "message must not be empty")
  .max(MAX_MESSAGE_CHARS, `message must be at most ${MAX_MESSAGE_CHARS} characters`)
  .refine((m) => m.trim().length > 0, "message must not be blank");

export const sessionIdSchema = z.string().regex(SESSION_ID_PATTERN, "sessionId is malformed");

/**
 * The id a client chose for a visitor message, so that sending it again (after a dropped
 * connection or a restart) is the same message: 16 to 64 characters of base64url.
 */
export const CLIENT_MESSAGE_ID_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;

export const clientMessageIdSchema = z
  .string({ error: "clientMessageId must be text" })
  .regex(
    CLIENT_MESSAGE_ID_PATTERN,
    "clientMessageId must be 16 to 64 characters of A-Z a-z 0-9 _ -",
  );

export const chatRequestSchema = z.strictObject({
  message: messageSchema,
  sessionId: sessionIdSchema.optional(),
  clientMessageId: clientMessageIdSchema.optional(),
});

/** A server-issued message id (base64url), as the widget was told it. */
export const messageIdSchema = z
  .string({ error: "messageId must be text" })
  .regex(/^[A-Za-z0-9_-]{1,64}$/, "messageId is malformed");

export const feedbackSchema = z.strictObject({
  sessionId: sessionIdSchema,
  messageId: z.string().min(1).max(64),
  rating: z.enum(["up", "down"]),
  comment: visitorText("comment").max(1000).optional(),
});

const optionalText = (field: string, max: number) =>
  visitorText(field)
    .trim()
    .max(max)
    .optional()
    .transform((v) => (v ? v : undefined));

export const bookingSchema = z
  .strictObject({
    type: z.enum(["consultation", "callback"]).default("consultation"),
    sessionId: sessionIdSchema.optional(),
    /** The bot reply whose handoff offered the form (see `BookingService.submit`). */
    messageId: messageIdSchema.optional(),
    name: visitorText("name").trim().min(1, "Please tell us your name").max(100),
    email: visitorText("email")
      .trim()
      .max(200)
      .optional()
      .transform((v) => (v ? v : undefined))
      .pipe(z.email("Please enter a valid email address").optional()),
    phone: visitorText("phone")
      .trim()
      .max(40)
      .optional()
      .transform((v) => (v ? v : undefined))
      .pipe(
        z
          .string()
          .regex(/^\+?[0-9 ()./-]{7,25}$/, "Please enter a valid phone number")
          .refine((v) => v.replace(/\D/g, "").length >= 7, "Please enter a valid phone number")
          .optional(),
      ),
    treatment: optionalText("treatment", 200),
    preferredTime: optionalText("preferredTime", 200),
    notes: optionalText("notes", 1000),
    consent: z.literal(true, { error: "Please agree so that we can contact you" }),
  })
  .superRefine((b, ctx) => {
    if (!b.email && !b.phone) {
      ctx.addIssue({
        code: "custom",
        path: ["email"],
        message: "Please give an email address or a phone number",
      });
      ctx.addIssue({
        code: "custom",
        path: ["phone"],
        message: "Please give an email address or a phone number",
      });
    }
  });

export type BookingRequest = z.infer<typeof bookingSchema>;

/** Field name -> first message, for `{ error: { code: "invalid", fields } }`. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.join(".") || "body";
    fields[key] ??= issue.message;
  }
  return fields;
}
