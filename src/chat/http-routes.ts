import express, { Router } from "express";
import { AppError } from "../errors.js";
import { parseWith, requireJson, sendError } from "../http/errors.js";
import { type RateCheck, requestAddress, type VisitorRateLimiter } from "../http/rate-limit.js";
import type { BookingService } from "../booking/booking-service.js";
import type { TranscriptRepository } from "../store/transcripts.js";
import type { ChatService } from "./chat-service.js";
import { bookingSchema, chatRequestSchema, feedbackSchema, sessionIdSchema } from "./schemas.js";

export interface VisitorRouteDeps {
  chat: () => ChatService | undefined;
  transcripts: TranscriptRepository;
  bookings: BookingService;
  limiter: VisitorRateLimiter;
}

/** A 429 that says when to try again. */
function tooMany(res: express.Response, limit: RateCheck, message: string): void {
  res.setHeader("Retry-After", String(limit.retryAfter));
  sendError(res, "rate_limited", message);
}

/** Visitor bodies are small; the admin upload has its own, larger limit. */
const json = express.json({ limit: "16kb", type: "application/json" });

/** The visitor API: chat, conversation restore, feedback, bookings. */
export function visitorRoutes(deps: VisitorRouteDeps): Router {
  const router = Router();

  router.post("/api/chat", requireJson, json, async (req, res) => {
    const body = parseWith(chatRequestSchema, req.body);
    const chat = deps.chat();
    if (!chat)
      throw new AppError("unavailable", "The assistant is starting; try again in a moment");
    const limit = await deps.limiter.message(requestAddress(req), body.sessionId);
    if (!limit.ok) return tooMany(res, limit, "Too many messages; please wait a moment");
    const turn = chat.start(body);
    res.json(await turn.run());
  });

  router.get("/api/chat/:sessionId", (req, res) => {
    const sessionId = parseWith(sessionIdSchema, req.params.sessionId);
    const conversation = deps.transcripts.getConversation(sessionId);
    if (!conversation) throw new AppError("not_found", "No such conversation");
    // The widget tells by these which of the messages it kept to resend are stored already.
    const clientIds = deps.transcripts.clientMessageIds(sessionId);
    // And by these which forms were sent: it shows that instead of offering the form again.
    const sent = deps.bookings.sentFrom(sessionId);
    res.json({
      sessionId,
      messages: conversation.messages.map((m) => {
        const clientMessageId = clientIds.get(m.id);
        const request = sent.get(m.id);
        return {
          id: m.id,
          role: m.role,
          text: m.text,
          citations: m.citations,
          handoff: m.handoff,
          createdAt: m.createdAt,
          ...(clientMessageId ? { clientMessageId } : {}),
          ...(request ? { request } : {}),
        };
      }),
    });
  });

  router.post("/api/feedback", requireJson, json, async (req, res) => {
    const body = parseWith(feedbackSchema, req.body);
    const limit = await deps.limiter.feedback(requestAddress(req));
    if (!limit.ok) return tooMany(res, limit, "Too many ratings; please wait a moment");
    if (!deps.transcripts.messageBelongsTo(body.messageId, body.sessionId)) {
      throw new AppError("not_found", "No such message in this conversation");
    }
    deps.transcripts.setFeedback({
      messageId: body.messageId,
      rating: body.rating,
      ...(body.comment ? { comment: body.comment } : {}),
    });
    res.status(204).end();
  });

  router.post("/api/bookings", requireJson, json, async (req, res) => {
    const body = parseWith(bookingSchema, req.body);
    const limit = await deps.limiter.booking(requestAddress(req));
    if (!limit.ok) return tooMany(res, limit, "Too many requests sent; please wait a moment");
    const { id, messageId } = deps.bookings.submit({
      type: body.type,
      sessionId: body.sessionId ?? null,
      messageId: body.messageId ?? null,
      name: body.name,
      email: body.email ?? null,
      phone: body.phone ?? null,
      treatment: body.treatment ?? null,
      preferredTime: body.preferredTime ?? null,
      notes: body.notes ?? null,
    });
    if (body.messageId && !messageId) {
      // Stored all the same; the id only says which form it came from.
      req.log.info("booking stored without its messageId: not an offer of this conversation");
    }
    res.status(201).json({ id, messageId });
  });

  return router;
}
