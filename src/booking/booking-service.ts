import type { Handoff } from "../answer/types.js";
import type { BookingRepository, BookingType, NewBooking } from "../store/bookings.js";
import type { Database } from "../store/database.js";
import type { OutboxRepository } from "../store/outbox.js";
import type { TranscriptRepository } from "../store/transcripts.js";
import { BOOKING_TOPIC } from "./webhook-delivery.js";

export interface BookingServiceDeps {
  db: Database;
  bookings: BookingRepository;
  /** Where the bot reply a request names is looked up. */
  transcripts: Pick<TranscriptRepository, "findMessage">;
  /** With an outbox, each booking is also queued for the clinic's webhook. */
  outbox?: OutboxRepository | undefined;
  /** Told after a booking is stored (wakes the webhook delivery). */
  onCreated?: (id: string) => void;
}

/** What a visitor sent from one bot reply's form, without their contact details. */
export interface SentRequest {
  kind: BookingType;
  /** When it was stored (ISO-8601). */
  sentAt: string;
}

export interface BookingService {
  /**
   * Stores a request. `messageId` names the bot reply whose form it was sent from; it is
   * stored only when that reply is in the conversation `sessionId` and its handoff offers
   * this kind of request (see `offeredRequest`), and left out otherwise, so a visitor never
   * loses a request over it. Returns the id it was stored with, or null.
   */
  submit(input: NewBooking): { id: string; messageId: string | null };
  /**
   * Bot reply id -> the first request sent from its form, for the conversation `sessionId`.
   * Carries no contact details: the visitor's widget shows it after a reload.
   */
  sentFrom(sessionId: string): Map<string, SentRequest>;
}

/**
 * The request a handoff's card offers a form for: the booking form on a booking handoff, the
 * call-back form on a clinician or team handoff (as the widget shows them).
 */
export function offeredRequest(handoff: Handoff | null): BookingType | null {
  if (!handoff) return null;
  return handoff.kind === "booking" ? "consultation" : "callback";
}

/**
 * Stores a booking request and, when a webhook is configured, its outbox entry in the same
 * transaction: a booking is never stored without being queued for delivery, or the reverse.
 */
export function createBookingService(deps: BookingServiceDeps): BookingService {
  /** The offering reply's id if the request may name it, else null. */
  const offeringMessage = (input: NewBooking, offered: string): string | null => {
    if (!input.sessionId) return null;
    const message = deps.transcripts.findMessage(input.sessionId, offered);
    if (!message || message.role !== "bot") return null;
    return offeredRequest(message.handoff) === input.type ? message.id : null;
  };

  const store = deps.db.transaction((input: NewBooking) => {
    // The webhook gets the request as before: a chat message id means nothing outside.
    const { messageId: offered, ...request } = input;
    // Checked in the transaction that stores it: the conversation cannot be erased between.
    const messageId = offered ? offeringMessage(input, offered) : null;
    const { id } = deps.bookings.create({ ...request, messageId });
    deps.outbox?.enqueue({
      topic: BOOKING_TOPIC,
      key: id,
      payload: { id, ...request, createdAt: new Date().toISOString() },
    });
    return { id, messageId };
  });
  return {
    submit(input) {
      // IMMEDIATE: the write lock before the check's read, so another process cannot delete
      // the message between the two.
      const result = store.immediate(input);
      deps.onCreated?.(result.id);
      return result;
    },
    sentFrom(sessionId) {
      const sent = new Map<string, SentRequest>();
      for (const booking of deps.bookings.listBySession(sessionId)) {
        if (booking.messageId && !sent.has(booking.messageId)) {
          sent.set(booking.messageId, { kind: booking.type, sentAt: booking.createdAt });
        }
      }
      return sent;
    },
  };
}
