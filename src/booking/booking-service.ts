import type { BookingRepository, NewBooking } from "../store/bookings.js";
import type { Database } from "../store/database.js";
import type { OutboxRepository } from "../store/outbox.js";
import { BOOKING_TOPIC } from "./webhook-delivery.js";

export interface BookingServiceDeps {
  db: Database;
  bookings: BookingRepository;
  /** With an outbox, each booking is also queued for the clinic's webhook. */
  outbox?: OutboxRepository | undefined;
  /** Told after a booking is stored (wakes the webhook delivery). */
  onCreated?: (id: string) => void;
}

export interface BookingService {
  submit(input: NewBooking): { id: string };
}

/**
 * Stores a booking request and, when a webhook is configured, its outbox entry in the same
 * transaction: a booking is never stored without being queued for delivery, or the reverse.
 */
export function createBookingService(deps: BookingServiceDeps): BookingService {
  const store = deps.db.transaction((input: NewBooking) => {
    const { id } = deps.bookings.create(input);
    deps.outbox?.enqueue({
      topic: BOOKING_TOPIC,
      key: id,
      payload: { id, ...input, createdAt: new Date().toISOString() },
    });
    return { id };
  });
  return {
    submit(input) {
      const result = store(input);
      deps.onCreated?.(result.id);
      return result;
    },
  };
}
