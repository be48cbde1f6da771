import { BOOKING_TOPIC } from "../booking/webhook-delivery.js";
import { AppError } from "../errors.js";
import type { AuditLog } from "../store/audit-log.js";
import type { Booking, BookingRepository } from "../store/bookings.js";
import type { OutboxRepository } from "../store/outbox.js";
import type { TranscriptRepository } from "../store/transcripts.js";
import type { UnitOfWork } from "../store/unit-of-work.js";

/** Who asked to be forgotten: any of their chat session, email address or phone number. */
export interface ErasureRequest {
  sessionId?: string;
  email?: string;
  phone?: string;
}

export interface ErasureResult {
  conversations: number;
  bookings: number;
}

export interface ErasureDeps {
  unitOfWork: UnitOfWork;
  transcripts: TranscriptRepository;
  bookings: BookingRepository;
  audit: AuditLog;
  /** Webhook messages announcing an erased booking are deleted with it. */
  outbox?: OutboxRepository | undefined;
  /**
   * Run after the erasure commits: `checkpointDatabase`, which takes the old copies of the
   * erased rows out of the WAL file instead of leaving them there until the service stops.
   */
  checkpoint?: (() => void) | undefined;
}

export interface Erasure {
  /**
   * Erases one visitor's data in one transaction and records it in the audit log (who, when,
   * how many, and which kinds of identifier were given; never the identifiers or the content).
   * Throws `AppError("invalid")` when nothing identifies the visitor.
   */
  erase(request: ErasureRequest, actor: string): ErasureResult;
}

/**
 * Deletes: the conversation `sessionId`; every booking with the email address or phone
 * number (matched as `BookingRepository.deleteByContact` does: a phone number in any format,
 * "07700 900123", "+44 7700 900123" or "07700-900-123", finds them all) or made from that
 * chat, with its webhook messages; and the conversations those bookings came from. One step
 * only: the erased bookings' other contact details are not searched for in turn, so a shared
 * family email cannot cascade into a stranger's data.
 */
export function createErasure(deps: ErasureDeps): Erasure {
  return {
    erase(request, actor) {
      const { sessionId, email, phone } = request;
      if (!sessionId && !email && !phone) {
        throw new AppError("invalid", "Give a session id, an email address or a phone number");
      }
      const result = deps.unitOfWork.run(() => {
        const bookings = new Map<string, Booking>();
        if (email || phone) {
          for (const b of deps.bookings.findByContact({
            ...(email ? { email } : {}),
            ...(phone ? { phone } : {}),
          }))
            bookings.set(b.id, b);
        }
        if (sessionId)
          for (const b of deps.bookings.listBySession(sessionId)) bookings.set(b.id, b);

        const sessions = new Set<string>();
        if (sessionId) sessions.add(sessionId);
        for (const b of bookings.values()) if (b.sessionId) sessions.add(b.sessionId);

        let bookingCount = 0;
        for (const id of bookings.keys()) if (deps.bookings.delete(id)) bookingCount += 1;
        deps.outbox?.forget(BOOKING_TOPIC, [...bookings.keys()]);
        let conversationCount = 0;
        for (const id of sessions)
          if (deps.transcripts.deleteConversation(id)) conversationCount += 1;

        const result = { conversations: conversationCount, bookings: bookingCount };
        deps.audit.record({
          actor,
          action: "erasure",
          details: {
            ...result,
            matchedBy: [
              ...(sessionId ? ["sessionId"] : []),
              ...(email ? ["email"] : []),
              ...(phone ? ["phone"] : []),
            ],
          },
        });
        return result;
      });
      try {
        deps.checkpoint?.();
      } catch {
        // The erasure is committed; answering with an error would say otherwise. The next
        // checkpoint (at the latest, the one on shutdown) empties the WAL.
      }
      return result;
    },
  };
}
