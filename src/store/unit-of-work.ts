import type { Database } from "./database.js";

/**
 * Runs several repository calls as one atomic step: everything written inside `run` commits
 * together, or, if `work` throws, none of it does. This is how a service stores a booking and
 * the outbox message announcing it, so the notification can neither be lost nor sent for a
 * booking that was rolled back:
 *
 * ```ts
 * const { id } = unitOfWork.run(() => {
 *   const booking = bookings.create(input);
 *   outbox.enqueue({ topic: "booking.created", key: booking.id, payload: { id: booking.id } });
 *   return booking;
 * });
 * ```
 *
 * `work` must be synchronous: a SQLite transaction cannot stay open across an `await` (other
 * requests would write into it). Calls may nest; the inner ones become savepoints.
 */
export interface UnitOfWork {
  run<T>(work: () => T): T;
}

/**
 * A `UnitOfWork` over the connection the repositories share. Transactions start IMMEDIATE,
 * taking the write lock up front, so a read-then-write inside `work` cannot fail half way with
 * SQLITE_BUSY when another connection writes.
 */
export function createSqliteUnitOfWork(db: Database): UnitOfWork {
  return {
    run<T>(work: () => T): T {
      return db.transaction(work).immediate();
    },
  };
}
