/**
 * The `/staff` Socket.IO namespace's event map, typed once and shared by the server and the
 * staff console. Types only: importing this file costs the console nothing at run time.
 * Payloads carry ids, kinds and times, never visitor text or contact details: the console
 * fetches those over the API when staff open the item.
 */
import type { BookingType } from "../store/bookings.js";

/** A new booking or call-back request. */
export interface BookingNotice {
  id: string;
  type: BookingType;
  createdAt: string;
}

/** A bot reply that handed the visitor to a clinician or to the clinic's team. */
export interface HandoffNotice {
  conversationId: string;
  /** The bot reply's id. */
  messageId: string;
  kind: "clinician" | "staff";
  at: string;
}

export interface StaffServerToClientEvents {
  "booking:new": (event: BookingNotice) => void;
  "handoff:new": (event: HandoffNotice) => void;
}

/** The console only listens on `/staff`. */
export type StaffClientToServerEvents = Record<string, never>;

export type StaffEventName = keyof StaffServerToClientEvents;
export type StaffEventPayload<E extends StaffEventName> = Parameters<
  StaffServerToClientEvents[E]
>[0];
