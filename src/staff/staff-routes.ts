import express, { type Response, Router } from "express";
import type { EmbeddingModel } from "../embeddings/embedding-model.js";
import { type FailureLimiter, requestAddress } from "../http/rate-limit.js";
import { z } from "zod";
import { sessionIdSchema } from "../chat/schemas.js";
import type { StaffAccount } from "../config.js";
import { DOC_ID_PATTERN } from "../content/doc-id.js";
import { AppError } from "../errors.js";
import { matchToken } from "../http/auth.js";
import { parseWith, requireJson, sendError } from "../http/errors.js";
import type { BookingRepository } from "../store/bookings.js";
import type { TranscriptRepository } from "../store/transcripts.js";
import {
  EXPORT_CONTENT_TYPES,
  type ExportFilter,
  type ExportFormat,
  exportFileName,
  writeExport,
} from "./export.js";
import { createGapReporter } from "./gaps.js";
import { fromOwnOrigin, requireStaff } from "./staff-auth.js";
import type { StaffConsoleDeps } from "./staff-console.js";
import { bookingView, reviewView, staffTranscriptView } from "./views.js";

export interface StaffRouteDeps {
  staffAccounts: readonly StaffAccount[];
  transcripts: TranscriptRepository;
  bookings: BookingRepository;
  /** Sign-in, erasure and audit; absent, only bearer tokens work and those routes answer 404. */
  console?: StaffConsoleDeps | undefined;
  /** Wrong tokens and sign-ins per client address, shared with the admin API and sockets. */
  authFailures: FailureLimiter;
  /**
   * The embedding model content gaps are grouped with, by meaning; absent or undefined (the
   * service is starting), they are grouped by wording.
   */
  model?: () => EmbeddingModel | undefined;
}

/** Staff bodies are small: a token, a note, contact details. */
const json = express.json({ limit: "16kb", type: "application/json" });

/** The default content-gap period: the last 30 days. */
const DEFAULT_GAP_DAYS = 30;

const isoDate = z
  .string()
  .refine(
    (v) =>
      /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(v) && !Number.isNaN(Date.parse(v)),
    {
      message: "must be an ISO 8601 date or timestamp",
    },
  );

const booleanFlag = z.enum(["true", "false"]).transform((v) => v === "true");

const filterFields = {
  q: z.string().trim().max(200).optional(),
  handoff: z.enum(["booking", "clinician", "staff"]).optional(),
  grounded: booleanFlag.optional(),
  rating: z.enum(["up", "down"]).optional(),
  reviewed: booleanFlag.optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
};

const conversationQuery = z.object({
  ...filterFields,
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

const exportQuery = z.object(filterFields);

const reviewBody = z
  .strictObject({
    reviewed: z.boolean().optional(),
    note: z
      .string()
      .trim()
      .max(2000, "A note is at most 2000 characters")
      .nullable()
      .optional()
      .transform((v) => (v === "" ? null : v)),
  })
  .refine((b) => b.reviewed !== undefined || b.note !== undefined, {
    message: "Give reviewed, note or both",
  });

const bookingStatus = z.enum(["new", "contacted", "booked", "closed"]);

const PHONE_DIGITS_MESSAGE = "A phone number needs at least 7 digits";
const hasPhoneDigits = (v: string) => v.replace(/\D/g, "").length >= 7;

/** A whole phone number in any format ("07700 900123", "+44 7700 900123"). */
const phoneNumber = z.string().trim().max(40).refine(hasPhoneDigits, PHONE_DIGITS_MESSAGE);

const bookingQuery = z.object({
  status: bookingStatus.optional(),
  type: z.enum(["consultation", "callback"]).optional(),
  /** Bookings with this phone number, in any format; blank is no filter. */
  phone: z
    .string()
    .trim()
    .max(40)
    .refine((v) => v === "" || hasPhoneDigits(v), PHONE_DIGITS_MESSAGE)
    .optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

const statusBody = z.strictObject({ status: bookingStatus });

const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

const gapQuery = z.object({ from: isoDate.optional(), to: isoDate.optional() });

const signInBody = z.strictObject({ token: z.string().min(1).max(512) });

const erasureBody = z
  .strictObject({
    sessionId: sessionIdSchema.optional(),
    email: z.email("Give a valid email address").max(200).optional(),
    phone: phoneNumber.optional(),
  })
  .refine((b) => b.sessionId || b.email || b.phone, {
    message: "Give a session id, an email address or a phone number",
  });

/** Dates without a time mean the whole day, in UTC. */
function dayBound(value: string | undefined, end: boolean): string | undefined {
  if (!value) return undefined;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value))
    return `${value}T${end ? "23:59:59.999" : "00:00:00.000"}Z`;
  return new Date(value).toISOString();
}

/** The list's filters from a parsed query, without the ones not given. */
function toFilter(query: z.infer<typeof exportQuery>): ExportFilter {
  const from = dayBound(query.from, false);
  const to = dayBound(query.to, true);
  return {
    ...(query.q ? { q: query.q } : {}),
    ...(query.handoff ? { handoff: query.handoff } : {}),
    ...(query.grounded !== undefined ? { grounded: query.grounded } : {}),
    ...(query.rating ? { rating: query.rating } : {}),
    ...(query.reviewed !== undefined ? { reviewed: query.reviewed } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
  };
}

const idParam = z.string().min(1).max(100);

const triageBody = z.discriminatedUnion("action", [
  z.strictObject({
    action: z.literal("file"),
    docId: z.string().regex(DOC_ID_PATTERN, "must be a document id"),
    heading: z.string().trim().min(1, "Choose a section").max(200),
  }),
  z.strictObject({ action: z.literal("unanswerable") }),
]);

/** The signed-in account; `requireStaff` ran before every route that calls this. */
function staffName(res: Response): string {
  const name = res.locals.staffName;
  if (!name) throw new AppError("unauthorized", "Sign in first");
  return name;
}

/**
 * The staff API: sign-in, conversations (filtered, paginated, reviewed, exported), content
 * gaps, bookings and their status history, erasure and the audit log. Every response is
 * `Cache-Control: no-store`: it carries visitors' personal data.
 */
export function staffRoutes(deps: StaffRouteDeps): Router {
  const router = Router();
  const staffConsole = deps.console;
  const now = staffConsole?.now ?? (() => new Date());
  const gaps = createGapReporter({
    transcripts: deps.transcripts,
    model: deps.model ?? (() => undefined),
  });

  router.use("/api/staff", (_req, res, next) => {
    res.setHeader("Cache-Control", "no-store");
    next();
  });

  if (staffConsole) {
    const { sessions, audit } = staffConsole;
    const signInLimiter = deps.authFailures;

    router.post("/api/staff/session", requireJson, json, async (req, res) => {
      if (!fromOwnOrigin(req)) {
        return sendError(res, "forbidden", "Sign in from the staff console");
      }
      const key = requestAddress(req);
      const wait = await signInLimiter.blockedFor(key);
      if (wait > 0) return tooMany(res, wait);
      const body = parseWith(signInBody, req.body);
      const name = matchToken(body.token, deps.staffAccounts);
      if (!name) {
        const blocked = await signInLimiter.fail(key);
        if (blocked > 0) return tooMany(res, blocked);
        return sendError(res, "unauthorized", "That token is not a staff token");
      }
      await signInLimiter.reset(key);
      res.setHeader("Set-Cookie", sessions.signIn(name).setCookie);
      audit.record({ actor: name, action: "sign_in", details: {} });
      res.status(204).end();
    });

    router.delete("/api/staff/session", (req, res) => {
      if (!fromOwnOrigin(req)) {
        return sendError(res, "forbidden", "Sign out from the staff console");
      }
      res.setHeader("Set-Cookie", sessions.signOut(req.get("cookie")));
      res.status(204).end();
    });
  }

  router.use(
    "/api/staff",
    requireStaff({
      staffAccounts: deps.staffAccounts,
      sessions: staffConsole?.sessions,
      failures: deps.authFailures,
    }),
  );

  router.get("/api/staff/me", (_req, res) => {
    const auth = res.locals.staffAuth;
    res.json({
      name: staffName(res),
      via: auth?.via ?? "token",
      expiresAt: auth?.via === "cookie" ? auth.expiresAt.toISOString() : null,
    });
  });

  router.get("/api/staff/conversations", (req, res) => {
    const query = parseWith(conversationQuery, req.query);
    const page = deps.transcripts.listConversations({
      ...toFilter(query),
      limit: query.limit,
      ...(query.cursor ? { cursor: query.cursor } : {}),
    });
    res.json(page);
  });

  router.get("/api/staff/conversations/:id", (req, res) => {
    const conversation = deps.transcripts.getConversation(req.params.id);
    if (!conversation) throw new AppError("not_found", "No such conversation");
    res.json(staffTranscriptView(conversation, deps.bookings.listBySession(conversation.id)));
  });

  router.patch("/api/staff/conversations/:id", requireJson, json, (req, res) => {
    const id = parseWith(idParam, req.params.id);
    const body = parseWith(reviewBody, req.body);
    const change = {
      ...(body.reviewed !== undefined ? { reviewed: body.reviewed } : {}),
      ...(body.note !== undefined ? { note: body.note } : {}),
    };
    if (!deps.transcripts.review(id, change, staffName(res))) {
      throw new AppError("not_found", "No such conversation");
    }
    // What changed, never the note's words or the conversation's id.
    staffConsole?.audit.record({
      actor: staffName(res),
      action: "review",
      details: {
        ...(change.reviewed !== undefined ? { reviewed: change.reviewed } : {}),
        ...(change.note !== undefined ? { note: change.note === null ? "cleared" : "saved" } : {}),
      },
    });
    const conversation = deps.transcripts.getConversation(id);
    if (!conversation) throw new AppError("not_found", "No such conversation");
    res.json(reviewView(conversation));
  });

  for (const format of ["csv", "jsonl"] as const satisfies readonly ExportFormat[]) {
    router.get(`/api/staff/export.${format}`, async (req, res) => {
      const filter = toFilter(parseWith(exportQuery, req.query));
      staffConsole?.audit.record({
        actor: staffName(res),
        action: "export",
        details: { format, filters: Object.keys(filter) },
      });
      res.setHeader("Content-Type", EXPORT_CONTENT_TYPES[format]);
      res.setHeader(
        "Content-Disposition",
        `attachment; filename="${exportFileName(format, now())}"`,
      );
      try {
        await writeExport(res, format, filter, deps.transcripts);
        res.end();
      } catch (error) {
        // Headers are gone: cut the download off so it cannot pass for a complete file.
        req.log.error({ err: error }, "export failed");
        res.destroy();
      }
    });
  }

  router.get("/api/staff/gaps", async (req, res) => {
    const query = parseWith(gapQuery, req.query);
    const to = dayBound(query.to, true) ?? now().toISOString();
    const from =
      dayBound(query.from, false) ??
      new Date(Date.parse(to) - DEFAULT_GAP_DAYS * 24 * 60 * 60 * 1000).toISOString();
    if (from > to) {
      throw new AppError("invalid", "The period must not end before it starts", {
        details: { fields: { from: "must not be after to" } },
      });
    }
    const report = await gaps.report(
      { from, to },
      {
        onFallback: (error) =>
          req.log.warn({ err: error }, "content gaps grouped by wording, not by meaning"),
      },
    );
    res.json(report);
  });

  router.get("/api/staff/bookings", (req, res) => {
    const query = parseWith(bookingQuery, req.query);
    res.json(
      deps.bookings.list({
        limit: query.limit,
        ...(query.status ? { status: query.status } : {}),
        ...(query.type ? { type: query.type } : {}),
        ...(query.phone ? { phone: query.phone } : {}),
        ...(query.cursor ? { cursor: query.cursor } : {}),
      }),
    );
  });

  router.get("/api/staff/bookings/:id", (req, res) => {
    const booking = deps.bookings.get(req.params.id);
    if (!booking) throw new AppError("not_found", "No such booking");
    res.json(bookingView(booking, deps.bookings.history(booking.id)));
  });

  router.patch("/api/staff/bookings/:id", requireJson, json, (req, res) => {
    const id = parseWith(idParam, req.params.id);
    const body = parseWith(statusBody, req.body);
    const before = deps.bookings.get(id)?.status;
    if (!deps.bookings.setStatus(id, body.status, staffName(res))) {
      throw new AppError("not_found", "No such booking");
    }
    const booking = deps.bookings.get(id);
    if (!booking) throw new AppError("not_found", "No such booking");
    if (before && before !== booking.status) {
      // The change and the request's type, never its contact details or id.
      staffConsole?.audit.record({
        actor: staffName(res),
        action: "booking_status",
        details: { from: before, to: booking.status, type: booking.type },
      });
    }
    res.json(bookingView(booking, deps.bookings.history(booking.id)));
  });

  if (staffConsole) {
    router.post("/api/staff/erasure", requireJson, json, (req, res) => {
      const body = parseWith(erasureBody, req.body);
      const result = staffConsole.erasure.erase(
        {
          ...(body.sessionId ? { sessionId: body.sessionId } : {}),
          ...(body.email ? { email: body.email } : {}),
          ...(body.phone ? { phone: body.phone } : {}),
        },
        staffName(res),
      );
      res.json(result);
    });

    const triage = staffConsole.triage;
    if (triage) {
      router.get("/api/staff/sections", async (_req, res) => {
        res.json({ sections: await triage.sections() });
      });

      router.post(
        "/api/staff/conversations/:id/messages/:messageId/triage",
        requireJson,
        json,
        async (req, res) => {
          const ref = {
            conversationId: parseWith(idParam, req.params.id),
            messageId: parseWith(idParam, req.params.messageId),
          };
          const body = parseWith(triageBody, req.body);
          if (body.action === "file") {
            const { triage: recorded, added } = await triage.file(
              ref,
              { docId: body.docId, heading: body.heading },
              staffName(res),
            );
            return res.json({ triage: recorded, added });
          }
          const { triage: recorded, added } = await triage.markUnanswerable(ref, staffName(res));
          res.json({ triage: recorded, added });
        },
      );
    }

    router.get("/api/staff/audit", (req, res) => {
      const query = parseWith(pageQuery, req.query);
      res.json(
        staffConsole.audit.list({
          limit: query.limit,
          ...(query.cursor ? { cursor: query.cursor } : {}),
        }),
      );
    });
  }

  return router;
}

function tooMany(res: Response, retryAfter: number): void {
  res.setHeader("Retry-After", String(retryAfter));
  sendError(res, "rate_limited", "Too many failed sign-ins; please wait a minute");
}
