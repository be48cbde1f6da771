import type { Booking, BookingEvent } from "../store/bookings.js";
import type { StoredConversation, StoredMessage } from "../store/transcripts.js";

/** A message as the staff API shows it. */
export function messageView(m: StoredMessage) {
  return {
    id: m.id,
    role: m.role,
    kind: m.kind,
    text: m.text,
    citations: m.citations,
    grounded: m.grounded,
    handoff: m.handoff,
    source: m.source,
    rating: m.rating,
    latencyMs: m.latencyMs,
    usage: m.usage,
    verified: m.verified,
    triage: m.triage,
    createdAt: m.createdAt,
  };
}

/** A conversation's review state: the flag, the note, and who set each when. */
export function reviewView(c: StoredConversation) {
  return {
    id: c.id,
    reviewed: c.reviewed,
    reviewedBy: c.reviewedBy,
    reviewedAt: c.reviewedAt,
    note: c.note,
    noteBy: c.noteBy,
    noteAt: c.noteAt,
  };
}

/** A whole transcript, as `GET /api/staff/conversations/:id` and the JSONL export give it. */
export function transcriptView(c: StoredConversation) {
  return {
    ...reviewView(c),
    startedAt: c.startedAt,
    lastAt: c.lastAt,
    messages: c.messages.map(messageView),
  };
}

/**
 * A transcript as staff read it (`GET /api/staff/conversations/:id`): the transcript, and the
 * booking and call-back requests sent from that conversation, oldest first, with their contact
 * details and status. Exports leave the requests out.
 */
export function staffTranscriptView(c: StoredConversation, bookings: Booking[]) {
  return { ...transcriptView(c), bookings };
}

/** A booking with its status changes, oldest first. */
export function bookingView(booking: Booking, history: BookingEvent[]) {
  return { ...booking, history };
}
