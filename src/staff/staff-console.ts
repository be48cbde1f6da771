import type { StaffAccount } from "../config.js";
import type { QuestionBankStore } from "../content/question-bank-store.js";
import { type AuditLog, createSqliteAuditLog } from "../store/audit-log.js";
import type { BookingRepository } from "../store/bookings.js";
import { checkpointDatabase, type Database } from "../store/database.js";
import type { OutboxRepository } from "../store/outbox.js";
import type { TranscriptRepository } from "../store/transcripts.js";
import { createSqliteUnitOfWork } from "../store/unit-of-work.js";
import { createErasure, type Erasure } from "./erasure.js";
import { createStaffSessions, type StaffSessions } from "./session.js";
import { createStaffEvents, type StaffEvents } from "./staff-events.js";
import { createTriage, type Triage } from "./triage.js";

/** The staff console's server side beyond the read-only API, passed in through `AppDeps`. */
export interface StaffConsoleDeps {
  /** Signs and checks the console's session cookie. */
  sessions: StaffSessions;
  /** Live updates for the `/staff` namespace. */
  events: StaffEvents;
  audit: AuditLog;
  erasure: Erasure;
  /** Filing visitor questions into the question bank; absent, those routes answer 404. */
  triage?: Triage;
  now?: () => Date;
}

export interface StaffConsoleOptions {
  db: Database;
  transcripts: TranscriptRepository;
  bookings: BookingRepository;
  outbox?: OutboxRepository | undefined;
  staffAccounts: readonly StaffAccount[];
  /** SESSION_SECRET, or one generated for this process (development). */
  sessionSecret: string;
  /** HTTPS-only cookies: in production. */
  secureCookies: boolean;
  /** The question bank staff file visitors' questions into. */
  questions?: QuestionBankStore | undefined;
  now?: () => Date;
  /** Hears a failing live-update listener. */
  onEventError?: (error: unknown) => void;
}

/** Builds the staff console's parts over the service's database and repositories. */
export function createStaffConsole(options: StaffConsoleOptions): StaffConsoleDeps {
  const now = options.now;
  const audit = createSqliteAuditLog(options.db, now ? { now } : {});
  const unitOfWork = createSqliteUnitOfWork(options.db);
  return {
    sessions: createStaffSessions({
      secret: options.sessionSecret,
      accounts: options.staffAccounts,
      secure: options.secureCookies,
      ...(now ? { now } : {}),
    }),
    events: createStaffEvents(options.onEventError ? { onError: options.onEventError } : {}),
    audit,
    erasure: createErasure({
      unitOfWork,
      transcripts: options.transcripts,
      bookings: options.bookings,
      audit,
      outbox: options.outbox,
      // Erased text leaves the write-ahead log at once, not at the next clean stop.
      checkpoint: () => checkpointDatabase(options.db),
    }),
    ...(options.questions
      ? {
          triage: createTriage({
            unitOfWork,
            transcripts: options.transcripts,
            audit,
            questions: options.questions,
          }),
        }
      : {}),
    ...(now ? { now } : {}),
  };
}
