import type BetterSqlite3 from "better-sqlite3";
import { AppError } from "../errors.js";

/** One schema step. `version` is what `PRAGMA user_version` holds once `up` has run. */
export interface Migration {
  version: number;
  up: string;
}

/**
 * The schema, oldest first. Never edit a shipped step: databases in the field already ran it.
 * Add a new step with the next version instead.
 */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    up: `
      CREATE TABLE conversations (
        id TEXT PRIMARY KEY,            -- the chat sessionId
        started_at TEXT NOT NULL,
        last_at TEXT NOT NULL,
        reviewed INTEGER NOT NULL DEFAULT 0 CHECK (reviewed IN (0, 1)),
        note TEXT
      );
      -- The staff list pages newest first by (last_at, id): keyset pagination walks this index.
      CREATE INDEX conversations_last_at ON conversations (last_at, id);

      CREATE TABLE messages (
        id TEXT PRIMARY KEY,
        conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('visitor', 'bot')),
        text TEXT NOT NULL,
        citations TEXT,                 -- JSON Citation[]; NULL for visitor messages
        grounded INTEGER CHECK (grounded IN (0, 1)),
        handoff TEXT,                   -- JSON Handoff or NULL
        source TEXT,
        latency_ms INTEGER,
        created_at TEXT NOT NULL,
        -- The key of this message in messages_fts. A table without an INTEGER PRIMARY KEY may
        -- get new rowids from VACUUM, which would silently detach an external-content FTS
        -- index, so the index is keyed on a column of our own instead of the implicit rowid.
        fts_rowid INTEGER NOT NULL UNIQUE
      );
      CREATE UNIQUE INDEX messages_conversation_seq ON messages (conversation_id, seq);

      -- Porter stemming so staff searching "peel" also find "peels"; the text itself stays in
      -- messages (external content), so snippet() and highlight() work without a second copy.
      CREATE VIRTUAL TABLE messages_fts USING fts5 (
        text,
        content = 'messages',
        content_rowid = 'fts_rowid',
        tokenize = 'porter unicode61 remove_diacritics 2'
      );
      CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
        INSERT INTO messages_fts (rowid, text) VALUES (new.fts_rowid, new.text);
      END;
      -- Also fires for rows removed by ON DELETE CASCADE from conversations.
      CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.fts_rowid, old.text);
      END;
      CREATE TRIGGER messages_fts_update AFTER UPDATE OF text, fts_rowid ON messages BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.fts_rowid, old.text);
        INSERT INTO messages_fts (rowid, text) VALUES (new.fts_rowid, new.text);
      END;

      CREATE TABLE feedback (
        message_id TEXT PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
        rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
        comment TEXT,
        created_at TEXT NOT NULL
      );

      CREATE TABLE bookings (
        id TEXT PRIMARY KEY,
        type TEXT NOT NULL CHECK (type IN ('consultation', 'callback')),
        session_id TEXT,
        name TEXT NOT NULL,
        email TEXT,
        phone TEXT,
        treatment TEXT,
        preferred_time TEXT,
        notes TEXT,
        status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'contacted', 'booked', 'closed')),
        created_at TEXT NOT NULL
      );
      CREATE INDEX bookings_created_at ON bookings (created_at, id);
      CREATE INDEX bookings_status_created_at ON bookings (status, created_at, id);

      CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        topic TEXT NOT NULL,
        key TEXT NOT NULL,              -- idempotency key: enqueueing (topic, key) twice is a no-op
        payload TEXT NOT NULL,          -- JSON
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        last_error TEXT,
        delivered_at TEXT,
        created_at TEXT NOT NULL
      );
      CREATE UNIQUE INDEX outbox_topic_key ON outbox (topic, key);
      CREATE INDEX outbox_pending ON outbox (next_attempt_at, id) WHERE delivered_at IS NULL;
    `,
  },
  {
    // Generative mode: tokens used and sentences kept or dropped by verification, per reply.
    version: 2,
    up: `
      ALTER TABLE messages ADD COLUMN tokens_in INTEGER;
      ALTER TABLE messages ADD COLUMN tokens_out INTEGER;
      ALTER TABLE messages ADD COLUMN verified_kept INTEGER;
      ALTER TABLE messages ADD COLUMN verified_dropped INTEGER;
    `,
  },
  {
    // Staff console: who reviewed or annotated a conversation and when, each booking status
    // change with its actor, and an audit log of erasures and other sensitive actions.
    version: 3,
    up: `
      ALTER TABLE conversations ADD COLUMN reviewed_by TEXT;
      ALTER TABLE conversations ADD COLUMN reviewed_at TEXT;
      ALTER TABLE conversations ADD COLUMN note_by TEXT;
      ALTER TABLE conversations ADD COLUMN note_at TEXT;

      -- Content gaps look at the bot replies of a period.
      CREATE INDEX messages_created_at ON messages (created_at);

      CREATE INDEX bookings_type_created_at ON bookings (type, created_at, id);

      CREATE TABLE booking_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        booking_id TEXT NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
        from_status TEXT NOT NULL,
        to_status TEXT NOT NULL CHECK (to_status IN ('new', 'contacted', 'booked', 'closed')),
        actor TEXT NOT NULL,            -- the staff account's name
        at TEXT NOT NULL
      );
      CREATE INDEX booking_events_booking ON booking_events (booking_id, id);

      -- Who did what and when; details are JSON counts and names, never visitor content.
      CREATE TABLE audit_log (
        id TEXT PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        details TEXT NOT NULL
      );
      CREATE INDEX audit_log_at ON audit_log (at, id);
    `,
  },
  {
    // Admin re-index jobs: their outcome and figures, for the index history.
    version: 4,
    up: `
      CREATE TABLE reindex_jobs (
        id TEXT PRIMARY KEY,
        state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
        requested_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        finished_at TEXT,
        error TEXT,
        stats TEXT
      );
      CREATE INDEX reindex_jobs_created ON reindex_jobs (created_at DESC);
    `,
  },
  {
    // Staff triage of visitor questions: filed under an article's section in the question
    // bank (it drops out of the content gaps), or confirmed as a gap the articles do not answer.
    version: 5,
    up: `
      CREATE TABLE question_triage (
        message_id TEXT PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
        action TEXT NOT NULL CHECK (action IN ('filed', 'unanswerable')),
        doc_id TEXT,                    -- filed: the section's document and heading
        heading TEXT,
        actor TEXT NOT NULL,            -- the staff account's name
        at TEXT NOT NULL,
        CHECK ((action = 'filed') = (doc_id IS NOT NULL AND heading IS NOT NULL))
      );
    `,
  },
  {
    // Phone numbers matched in any format ("07700 900777", "+44 7700 900777", "07700-900-777"):
    // beside what the visitor typed, its E.164 form (NULL when it cannot be read as a number),
    // its digits (how such numbers are compared) and the PHONE_REGION it was read with. The
    // bookings repository fills them for rows from before this step, and again for every row
    // whenever PHONE_REGION changes, when it opens (`phone_region` NULL: not read yet).
    version: 6,
    up: `
      ALTER TABLE bookings ADD COLUMN phone_e164 TEXT;
      ALTER TABLE bookings ADD COLUMN phone_digits TEXT;
      ALTER TABLE bookings ADD COLUMN phone_region TEXT;
      CREATE INDEX bookings_phone_e164 ON bookings (phone_e164);
      CREATE INDEX bookings_phone_digits ON bookings (phone_digits);
    `,
  },
  {
    // The id a widget chose for a visitor message (chat:send's clientMessageId), so a message
    // resent after a dropped connection or a restart is the same message: answered and stored
    // once. Unique per conversation, so two instances or a race cannot store it twice; NULL
    // (messages sent without one, bot replies) is never a clash.
    version: 7,
    up: `
      ALTER TABLE messages ADD COLUMN client_message_id TEXT;
      CREATE UNIQUE INDEX messages_conversation_client_message
        ON messages (conversation_id, client_message_id) WHERE client_message_id IS NOT NULL;
    `,
  },
  {
    // What each bot reply is (ChatReply.kind), so staff see "Greeting" or "Booking" rather
    // than "not answered", and the content-gap report counts only real no-answers. Replies
    // stored before this step get the kind their stored fields show, with the bot's fixed
    // sentences of the time written out here (they must not follow later rewordings). An
    // urgent-care reply is a clinician handoff whose text is not the clinician sentence.
    version: 8,
    up: `
      ALTER TABLE messages ADD COLUMN kind TEXT CHECK (kind IS NULL OR kind IN
        ('answer', 'no-answer', 'refusal', 'booking', 'clinician', 'urgent', 'greeting', 'closing'));
      UPDATE messages SET kind = CASE
        WHEN grounded = 1 THEN 'answer'
        WHEN json_extract(handoff, '$.kind') = 'booking' THEN 'booking'
        WHEN json_extract(handoff, '$.kind') = 'clinician' AND text =
          'That''s a question about your own health, which one of our clinicians should answer.'
          THEN 'clinician'
        WHEN json_extract(handoff, '$.kind') = 'clinician' THEN 'urgent'
        WHEN text = 'I can only answer questions about our clinic and its treatments, from the clinic''s own articles.'
          THEN 'refusal'
        WHEN handoff IS NULL THEN 'greeting'
        ELSE 'no-answer' END
      WHERE role = 'bot';
    `,
  },
  {
    // The bot reply whose handoff offered the form a booking or call-back request was sent
    // from, so the widget can show that the request was sent (and not offer the form again)
    // after a reload, and staff see the request in place in the transcript. NULL for requests
    // sent without one, from before this step, or whose conversation was deleted since
    // (retention deletes conversations but keeps the bookings). The widget's restore and the
    // staff transcript read the bookings of one session, hence the index on session_id.
    version: 9,
    up: `
      ALTER TABLE bookings ADD COLUMN message_id TEXT REFERENCES messages (id) ON DELETE SET NULL;
      CREATE INDEX bookings_message ON bookings (message_id);
      CREATE INDEX bookings_session ON bookings (session_id, created_at);
    `,
  },
];

/**
 * Brings the database up to the last migration in `steps`. Each step runs in its own
 * IMMEDIATE transaction together with the `user_version` bump, so a failed step leaves the
 * database at the previous version, and two processes opening the same file at once cannot
 * both run a step (the second waits for the write lock, then sees the new version).
 * Returns the version the database is at afterwards.
 */
export function runMigrations(
  db: BetterSqlite3.Database,
  steps: readonly Migration[] = migrations,
): number {
  steps.forEach((step, i) => {
    const previous = i === 0 ? 0 : (steps[i - 1]?.version ?? 0);
    if (!Number.isInteger(step.version) || step.version <= previous) {
      throw new Error(`Migrations must have increasing integer versions; got ${step.version}`);
    }
  });
  const latest = steps.at(-1)?.version ?? 0;
  const userVersion = (): number => db.pragma("user_version", { simple: true }) as number;

  if (userVersion() > latest) {
    throw new AppError(
      "config",
      `The database is at schema version ${userVersion()}, newer than this code knows (${latest}); ` +
        "it was written by a newer release.",
    );
  }
  for (const step of steps) {
    db.transaction(() => {
      if (userVersion() >= step.version) return;
      db.exec(step.up);
      // PRAGMA arguments cannot be bound; version is checked to be an integer above.
      db.pragma(`user_version = ${step.version}`);
    }).immediate();
  }
  return userVersion();
}
