import type { Logger } from "pino";
import { BOOKING_TOPIC } from "../booking/webhook-delivery.js";
import type { AuditLog } from "../store/audit-log.js";
import type { BookingRepository } from "../store/bookings.js";
import type { OutboxRepository } from "../store/outbox.js";
import type { TranscriptRepository } from "../store/transcripts.js";

const DAY_MS = 24 * 60 * 60 * 1000;

export interface RetentionDeps {
  /** Conversations idle longer than this are removed; 0 keeps everything forever. */
  days: number;
  transcripts: TranscriptRepository;
  bookings: BookingRepository;
  outbox?: OutboxRepository | undefined;
  audit?: AuditLog | undefined;
  /**
   * Run after a run that deleted something: `checkpointDatabase`, which takes the old copies
   * of the deleted rows out of the WAL file instead of leaving them there until the service stops.
   */
  checkpoint?: (() => void) | undefined;
  logger: Logger;
  now?: () => Date;
  /** How often `start` runs it again; a day by default. */
  intervalMs?: number;
}

export interface RetentionResult {
  conversations: number;
  bookings: number;
}

export interface Retention {
  /** Removes what is past the retention period now. */
  runOnce(): RetentionResult;
  /** Runs once now, then every `intervalMs`, without keeping the process alive. */
  start(): void;
  stop(): void;
}

/**
 * The transcript retention policy (`TRANSCRIPT_RETENTION_DAYS`): conversations whose last
 * message is older than the period are deleted with their messages and feedback. Bookings
 * stay until staff close them; a closed booking is deleted once its closing (its last status
 * change) is older than the period, with its history and webhook message. Each run that
 * deletes anything is recorded in the audit log, as counts.
 */
export function createRetention(deps: RetentionDeps): Retention {
  const now = deps.now ?? (() => new Date());
  let timer: NodeJS.Timeout | undefined;

  function runOnce(): RetentionResult {
    if (deps.days <= 0) return { conversations: 0, bookings: 0 };
    const cutoff = new Date(now().getTime() - deps.days * DAY_MS).toISOString();
    const conversations = deps.transcripts.deleteInactiveBefore(cutoff);
    const bookingIds = deps.bookings.deleteClosedBefore(cutoff);
    deps.outbox?.forget(BOOKING_TOPIC, bookingIds);
    const result = { conversations, bookings: bookingIds.length };
    if (result.conversations > 0 || result.bookings > 0) {
      deps.audit?.record({ actor: "system", action: "retention", details: { ...result, cutoff } });
      deps.logger.info({ ...result, cutoff }, "retention removed old data");
      try {
        deps.checkpoint?.();
      } catch (error) {
        // The data is deleted; the next checkpoint (at the latest, on shutdown) empties the WAL.
        deps.logger.warn({ err: error }, "checkpoint after retention failed");
      }
    }
    return result;
  }

  function safeRun(): void {
    try {
      runOnce();
    } catch (error) {
      // A busy or failing database must not stop the service; the next run tries again.
      deps.logger.error({ err: error }, "retention run failed");
    }
  }

  return {
    runOnce,
    start() {
      if (deps.days <= 0 || timer) return;
      safeRun();
      timer = setInterval(safeRun, deps.intervalMs ?? DAY_MS);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
