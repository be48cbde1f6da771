import { type RequestHandler, Router } from "express";
import { z } from "zod";
import { AppError } from "../errors.js";
import { bearerToken, matchToken } from "../http/auth.js";
import { parseWith, sendError } from "../http/errors.js";
import type { BookingRepository } from "../store/bookings.js";
import type { TranscriptRepository } from "../store/transcripts.js";
import type { StaffAccount } from "../config.js";

export interface StaffRouteDeps {
  staffAccounts: readonly StaffAccount[];
  transcripts: TranscriptRepository;
  bookings: BookingRepository;
}

declare module "express-serve-static-core" {
  interface Locals {
    /** The signed-in staff account's name, for recording who did what. */
    staffName?: string;
  }
}

/** Staff routes need `Authorization: Bearer <staff token>`; a missing or wrong one is a 401. */
export function requireStaff(accounts: readonly StaffAccount[]): RequestHandler {
  return (req, res, next) => {
    const name = matchToken(bearerToken(req.get("authorization")), accounts);
    if (!name) {
      res.setHeader("WWW-Authenticate", 'Bearer realm="staff"');
      return sendError(res, "unauthorized", "A valid staff token is required");
    }
    res.locals.staffName = name;
    next();
  };
}

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

const conversationQuery = z.object({
  q: z.string().trim().max(200).optional(),
  handoff: z.enum(["booking", "clinician", "staff"]).optional(),
  grounded: booleanFlag.optional(),
  rating: z.enum(["up", "down"]).optional(),
  reviewed: booleanFlag.optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

/** Dates without a time mean the whole day, in UTC. */
function dayBound(value: string | undefined, end: boolean): string | undefined {
  if (!value) return undefined;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value))
    return `${value}T${end ? "23:59:59.999" : "00:00:00.000"}Z`;
  return new Date(value).toISOString();
}

/** The staff API: conversations (filtered, paginated) and bookings. */
export function staffRoutes(deps: StaffRouteDeps): Router {
  const router = Router();
  router.use("/api/staff", requireStaff(deps.staffAccounts));

  router.get("/api/staff/conversations", (req, res) => {
    const query = parseWith(conversationQuery, req.query);
    const from = dayBound(query.from, false);
    const to = dayBound(query.to, true);
    const page = deps.transcripts.listConversations({
      limit: query.limit,
      ...(query.q ? { q: query.q } : {}),
      ...(query.handoff ? { handoff: query.handoff } : {}),
      ...(query.grounded !== undefined ? { grounded: query.grounded } : {}),
      ...(query.rating ? { rating: query.rating } : {}),
      ...(query.reviewed !== undefined ? { reviewed: query.reviewed } : {}),
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
      ...(query.cursor ? { cursor: query.cursor } : {}),
    });
    res.json(page);
  });

  router.get("/api/staff/conversations/:id", (req, res) => {
    const conversation = deps.transcripts.getConversation(req.params.id);
    if (!conversation) throw new AppError("not_found", "No such conversation");
    res.json({
      id: conversation.id,
      messages: conversation.messages.map((m) => ({
        id: m.id,
        role: m.role,
        text: m.text,
        citations: m.citations,
        grounded: m.grounded,
        handoff: m.handoff,
        source: m.source,
        rating: m.rating,
        latencyMs: m.latencyMs,
        usage: m.usage,
        verified: m.verified,
        createdAt: m.createdAt,
      })),
    });
  });

  router.get("/api/staff/bookings", (_req, res) => {
    res.json({ items: deps.bookings.list({}).items });
  });

  return router;
}
