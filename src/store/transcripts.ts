import BetterSqlite3 from "better-sqlite3";
import type {
  ChatReply,
  Citation,
  Handoff,
  HandoffKind,
  HistoryTurn,
  ReplyKind,
} from "../answer/types.js";
import { AppError } from "../errors.js";
import { decodeCursor, encodeCursor, type Page, pageSize } from "./cursor.js";
import type { Database } from "./database.js";
import type { PhoneRegion } from "./phone.js";
import { redactContactDetails } from "./redact.js";
import { type StoreDeps, toIsoTimestamp } from "./timestamps.js";

/** A visitor's rating of one bot reply. */
export type Rating = "up" | "down";

/** One visitor message and the bot reply to it, stored together or not at all. */
export interface ExchangeInput {
  /** The chat sessionId. */
  conversationId: string;
  /**
   * `text` is stored with contact details redacted. `clientMessageId`: the id the widget chose
   * for the message (chat:send), unique per conversation.
   */
  visitor: { id: string; text: string; createdAt: string | Date; clientMessageId?: string };
  bot: { id: string; reply: ChatReply; latencyMs: number; createdAt: string | Date };
  /**
   * The exchange continues a stored conversation. If that conversation is gone by the time
   * the reply is stored (erased on request while the answer was being written), nothing is
   * stored: an erasure must not be undone by a reply in flight.
   */
  continues?: boolean;
}

/**
 * What staff decided about a visitor's question: filed under an article's section in the
 * question bank, or confirmed as something the articles do not answer.
 */
export type QuestionTriage =
  | { action: "filed"; docId: string; heading: string; by: string; at: string }
  | { action: "unanswerable"; by: string; at: string };

export type TriageChange =
  { action: "filed"; docId: string; heading: string } | { action: "unanswerable" };

/** A message as stored. Visitor messages have no citations and null kind/grounded/source/latency. */
export interface StoredMessage {
  id: string;
  role: "visitor" | "bot";
  /** What a bot reply is; null for visitor messages. */
  kind: ReplyKind | null;
  text: string;
  citations: Citation[];
  grounded: boolean | null;
  handoff: Handoff | null;
  source: string | null;
  rating: Rating | null;
  latencyMs: number | null;
  /** Generative mode: tokens the model server reported, if it did. */
  usage: { inputTokens: number; outputTokens: number } | null;
  /** Generative mode: sentences shown and dropped by verification. */
  verified: { kept: number; dropped: number } | null;
  /** Visitor messages: the staff triage of the question, if any. */
  triage: QuestionTriage | null;
  createdAt: string;
}

/** A whole conversation for the staff console, messages oldest first. */
export interface StoredConversation {
  id: string;
  startedAt: string;
  lastAt: string;
  reviewed: boolean;
  /** The staff account that last set or cleared `reviewed`, and when. */
  reviewedBy: string | null;
  reviewedAt: string | null;
  note: string | null;
  /** The staff account that last wrote or cleared the note, and when. */
  noteBy: string | null;
  noteAt: string | null;
  messages: StoredMessage[];
}

/** A staff review of a conversation: either or both of the flag and the note. */
export interface ReviewChange {
  reviewed?: boolean;
  /** Null clears the note. */
  note?: string | null;
}

/**
 * A visitor question the articles did not answer well: its bot reply was a no-answer (kind
 * `no-answer`) or was rated down, or staff marked it unanswerable.
 * Questions staff filed under a section of the question bank are not gaps any more.
 */
export interface GapQuestion {
  conversationId: string;
  /** The bot reply's id. */
  messageId: string;
  /** The visitor message's id. */
  questionId: string;
  /** The visitor's question (redacted as stored). */
  question: string;
  /** The bot's reply, to tell a steering refusal from a real no-answer. */
  answer: string;
  askedAt: string;
  /** Why it is listed: no answer, rated down, or (answered otherwise) marked by staff. */
  reason: "unanswered" | "thumbs_down" | "marked";
  /** Staff confirmed that the articles do not answer it. */
  confirmed: boolean;
}

/**
 * Filters for the staff conversation list; all given filters must hold. `grounded` and
 * `rating` select the conversations whose summary shows that value; `handoff` matches any
 * handoff of that kind in the conversation, not only the latest one the summary shows.
 * `from`/`to` compare with `lastAt`, the key the list is sorted by.
 */
export interface ConversationFilter {
  /**
   * Full-text search over visitor and bot messages: every word must occur (stemmed); FTS
   * operators and punctuation are plain text. Blank is no filter; only punctuation matches nothing.
   */
  q?: string;
  /** Some bot reply handed off to this kind. */
  handoff?: HandoffKind;
  /**
   * false: some bot reply was a no-answer (an unanswered question); true: none was. Greetings,
   * handoffs and refusals of steering attempts are not no-answers.
   */
  grounded?: boolean;
  /** "down": some reply rated down; "up": some rated up and none down. */
  rating?: Rating;
  reviewed?: boolean;
  /** Inclusive lower bound on the conversation's last activity (`lastAt`), ISO-8601. */
  from?: string;
  /** Inclusive upper bound on the conversation's last activity (`lastAt`), ISO-8601. */
  to?: string;
  /** Page size, 1 to 200 (larger is capped). */
  limit: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

/** One row of the staff conversation list. */
export interface ConversationSummary {
  id: string;
  startedAt: string;
  lastAt: string;
  /** Number of messages, visitor and bot. */
  messages: number;
  /** The first visitor message (redacted), or null. */
  firstQuestion: string | null;
  /** Kind of the latest handoff, or null if the bot never handed off. */
  handoff: HandoffKind | null;
  /** Every kind of handoff the conversation had, in the order they first came. */
  handoffs: HandoffKind[];
  /** False if any bot reply was a no-answer (kind `no-answer`). */
  grounded: boolean;
  /** "down" if any reply was rated down, else "up" if any was rated up, else null. */
  rating: Rating | null;
  reviewed: boolean;
}

/** A visitor message sent with a client-chosen id, and the bot reply stored with it. */
export interface StoredExchange {
  visitor: StoredMessage;
  bot: StoredMessage;
}

/** Chat transcripts and the visitor feedback on them. */
export interface TranscriptRepository {
  /**
   * Stores a visitor message and the bot's reply in one transaction, creating the conversation
   * on its first exchange. Throws `AppError("invalid")` if a message id is already stored, and
   * `AppError("conflict")` if the conversation already holds the visitor's `clientMessageId`.
   */
  /** Stores both messages in one transaction; false when `continues` and the conversation is gone. */
  appendExchange(input: ExchangeInput): boolean;
  /** The exchange stored for a client-chosen message id in the conversation, or null. */
  findExchange(conversationId: string, clientMessageId: string): StoredExchange | null;
  /** Visitor message id -> client-chosen id, for the conversation's messages sent with one. */
  clientMessageIds(conversationId: string): Map<string, string>;
  getConversation(id: string): StoredConversation | null;
  /** The last `limit` messages, oldest first, for answering follow-up questions. */
  history(conversationId: string, limit?: number): HistoryTurn[];
  messageBelongsTo(messageId: string, conversationId: string): boolean;
  /**
   * Records a rating of a bot reply, replacing any earlier one (and its comment). The comment
   * is stored redacted. Throws `AppError("not_found")` for an unknown message and
   * `AppError("invalid")` for a visitor message.
   */
  setFeedback(input: { messageId: string; rating: Rating; comment?: string | null }): void;
  /** Newest activity first, by `lastAt` then id. */
  listConversations(filter: ConversationFilter): Page<ConversationSummary>;
  /** Returns false if there is no such conversation. `by`: the staff account, recorded. */
  markReviewed(id: string, reviewed: boolean, by?: string): boolean;
  /** Sets or (with null) clears the staff note. Returns false if there is no such conversation. */
  setNote(id: string, note: string | null, by?: string): boolean;
  /**
   * Applies a staff review (flag and/or note) in one transaction, recording `by` and the time
   * for each part given. Returns false if there is no such conversation.
   */
  review(id: string, change: ReviewChange, by: string): boolean;
  /** Deletes the conversation with its messages, feedback and search entries. */
  deleteConversation(id: string): boolean;
  /**
   * Deletes every conversation whose last message is older than `before` (ISO-8601), in
   * batches so the write lock is never held long. Returns how many were deleted.
   */
  deleteInactiveBefore(before: string): number;
  /**
   * Questions whose bot reply (sent within `from`..`to`, inclusive) was a no-answer, was
   * rated down or whose question staff marked unanswerable, newest first, at most `limit`.
   * Greetings, handoffs and refusals are not no-answers; filed questions are left out.
   */
  gapQuestions(query: { from: string; to: string; limit: number }): GapQuestion[];
  /** A message of the conversation, or null when the conversation has no such message. */
  findMessage(conversationId: string, messageId: string): StoredMessage | null;
  /**
   * Records staff's decision on a visitor question, replacing an earlier one. Throws
   * `AppError("not_found")` when the conversation has no such message and
   * `AppError("invalid")` for a bot message. Joins the caller's transaction if one is open.
   */
  setTriage(
    conversationId: string,
    messageId: string,
    change: TriageChange,
    by: string,
  ): QuestionTriage;
}

interface MessageRow {
  id: string;
  role: "visitor" | "bot";
  kind: ReplyKind | null;
  text: string;
  citations: string | null;
  grounded: 0 | 1 | null;
  handoff: string | null;
  source: string | null;
  rating: Rating | null;
  latency_ms: number | null;
  tokens_in: number | null;
  tokens_out: number | null;
  verified_kept: number | null;
  verified_dropped: number | null;
  triage_action: QuestionTriage["action"] | null;
  triage_doc_id: string | null;
  triage_heading: string | null;
  triage_by: string | null;
  triage_at: string | null;
  created_at: string;
}

interface ConversationRow {
  id: string;
  started_at: string;
  last_at: string;
  reviewed: 0 | 1;
  reviewed_by: string | null;
  reviewed_at: string | null;
  note: string | null;
  note_by: string | null;
  note_at: string | null;
}

interface GapRow {
  conversation_id: string;
  message_id: string;
  question_id: string;
  question: string;
  answer: string;
  asked_at: string;
  reason: GapQuestion["reason"];
  confirmed: 0 | 1;
}

interface SummaryRow {
  id: string;
  started_at: string;
  last_at: string;
  reviewed: 0 | 1;
  message_count: number;
  first_question: string | null;
  last_handoff: HandoffKind | null;
  /** JSON array of the handoff kinds, in the order they first came. */
  handoff_kinds: string;
  grounded: 0 | 1;
  rating: Rating | null;
}

const DEFAULT_HISTORY = 20;
/** Conversations removed per statement by `deleteInactiveBefore`. */
const DELETE_BATCH = 500;

// Correlated subqueries over messages(conversation_id, seq): each costs one index range per
// listed conversation, so the list stays cheap without denormalised counters to keep in step.
const SUMMARY_COLUMNS = `
  c.id, c.started_at, c.last_at, c.reviewed,
  (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id) AS message_count,
  (SELECT m.text FROM messages m WHERE m.conversation_id = c.id AND m.role = 'visitor'
    ORDER BY m.seq LIMIT 1) AS first_question,
  (SELECT json_extract(m.handoff, '$.kind') FROM messages m
    WHERE m.conversation_id = c.id AND m.handoff IS NOT NULL
    ORDER BY m.seq DESC LIMIT 1) AS last_handoff,
  (SELECT json_group_array(handoff_kind) FROM (
    SELECT json_extract(m.handoff, '$.kind') AS handoff_kind FROM messages m
    WHERE m.conversation_id = c.id AND m.handoff IS NOT NULL
    GROUP BY handoff_kind ORDER BY min(m.seq))) AS handoff_kinds,
  NOT EXISTS (${ungrounded("c")}) AS grounded,
  CASE WHEN EXISTS (${rated("c", "down")}) THEN 'down'
       WHEN EXISTS (${rated("c", "up")}) THEN 'up' END AS rating`;

function ungrounded(conversation: string): string {
  return `SELECT 1 FROM messages m WHERE m.conversation_id = ${conversation}.id
    AND m.role = 'bot' AND m.kind = 'no-answer'`;
}

function rated(conversation: string, rating: Rating): string {
  return `SELECT 1 FROM messages m JOIN feedback f ON f.message_id = m.id
    WHERE m.conversation_id = ${conversation}.id AND f.rating = '${rating}'`;
}

/**
 * Turns free text into an FTS5 query that cannot be a syntax error: each whitespace-separated
 * word becomes a quoted string (inner quotes doubled), so `"`, `*`, `AND`, `NEAR`, `(` and `:`
 * are plain text, and the strings are ANDed. Words with no letter or digit are dropped, since
 * the tokenizer would find nothing in them. Returns null when no word is left.
 */
export function toFtsQuery(q: string): string | null {
  const terms = q
    // Control characters (NUL above all) break an FTS5 query even inside quotes.
    .replace(/\p{Cc}/gu, " ")
    .split(/\s+/u)
    .filter((term) => /[\p{L}\p{N}]/u.test(term))
    .map((term) => `"${term.replace(/"/g, '""')}"`);
  return terms.length > 0 ? terms.join(" ") : null;
}

function toTriage(row: MessageRow): QuestionTriage | null {
  if (row.triage_action === null || row.triage_by === null || row.triage_at === null) return null;
  if (row.triage_action === "unanswerable") {
    return { action: "unanswerable", by: row.triage_by, at: row.triage_at };
  }
  return {
    action: "filed",
    docId: row.triage_doc_id ?? "",
    heading: row.triage_heading ?? "",
    by: row.triage_by,
    at: row.triage_at,
  };
}

function toMessage(row: MessageRow): StoredMessage {
  return {
    id: row.id,
    role: row.role,
    kind: row.kind,
    text: row.text,
    citations: row.citations === null ? [] : (JSON.parse(row.citations) as Citation[]),
    grounded: row.grounded === null ? null : row.grounded === 1,
    handoff: row.handoff === null ? null : (JSON.parse(row.handoff) as Handoff),
    source: row.source,
    rating: row.rating,
    latencyMs: row.latency_ms,
    usage:
      row.tokens_in === null && row.tokens_out === null
        ? null
        : { inputTokens: row.tokens_in ?? 0, outputTokens: row.tokens_out ?? 0 },
    verified:
      row.verified_kept === null
        ? null
        : { kept: row.verified_kept, dropped: row.verified_dropped ?? 0 },
    triage: toTriage(row),
    createdAt: row.created_at,
  };
}

function toSummary(row: SummaryRow): ConversationSummary {
  return {
    id: row.id,
    startedAt: row.started_at,
    lastAt: row.last_at,
    messages: row.message_count,
    firstQuestion: row.first_question,
    handoff: row.last_handoff,
    handoffs: JSON.parse(row.handoff_kinds) as HandoffKind[],
    grounded: row.grounded === 1,
    rating: row.rating,
    reviewed: row.reviewed === 1,
  };
}

/** The unique index of migration 7 on (conversation_id, client_message_id). */
function isClientMessageClash(error: unknown): boolean {
  return (
    error instanceof BetterSqlite3.SqliteError &&
    error.code === "SQLITE_CONSTRAINT_UNIQUE" &&
    error.message.includes("client_message_id")
  );
}

function isPrimaryKeyClash(error: unknown): boolean {
  return (
    error instanceof BetterSqlite3.SqliteError &&
    (error.code === "SQLITE_CONSTRAINT_PRIMARYKEY" || error.code === "SQLITE_CONSTRAINT_UNIQUE")
  );
}

/**
 * Transcripts in the SQLite database from `openDatabase`. Visitor text (and feedback comments)
 * pass through `redactContactDetails` (with `phoneRegion`, default "GB") before they are
 * written; bot text is stored as given.
 */
export function createSqliteTranscripts(
  db: Database,
  deps: StoreDeps & { phoneRegion?: PhoneRegion } = {},
): TranscriptRepository {
  const now = deps.now ?? (() => new Date());
  const redact = (text: string) => redactContactDetails(text, deps.phoneRegion);

  const upsertConversation = db.prepare<[string, string, string]>(
    `INSERT INTO conversations (id, started_at, last_at) VALUES (?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET last_at = max(last_at, excluded.last_at)`,
  );
  const lastSeq = db
    .prepare<[string], number>(
      "SELECT coalesce(max(seq), 0) FROM messages WHERE conversation_id = ?",
    )
    .pluck();
  // fts_rowid only has to be unique among live rows (deleted rows leave the index with them),
  // so max + 1 under the write lock is enough.
  const insertMessage = db.prepare<
    [
      {
        id: string;
        conversationId: string;
        seq: number;
        role: "visitor" | "bot";
        kind: ReplyKind | null;
        text: string;
        citations: string | null;
        grounded: 0 | 1 | null;
        handoff: string | null;
        source: string | null;
        latencyMs: number | null;
        tokensIn: number | null;
        tokensOut: number | null;
        verifiedKept: number | null;
        verifiedDropped: number | null;
        createdAt: string;
        clientMessageId: string | null;
      },
    ]
  >(
    `INSERT INTO messages (id, conversation_id, seq, role, kind, text, citations, grounded,
       handoff, source, latency_ms, tokens_in, tokens_out, verified_kept, verified_dropped,
       created_at, client_message_id, fts_rowid)
     VALUES (@id, @conversationId, @seq, @role, @kind, @text, @citations, @grounded, @handoff,
       @source, @latencyMs, @tokensIn, @tokensOut, @verifiedKept, @verifiedDropped, @createdAt,
       @clientMessageId, (SELECT coalesce(max(fts_rowid), 0) + 1 FROM messages))`,
  );
  const selectClientVisitor = db.prepare<[string, string], { id: string; seq: number }>(
    `SELECT id, seq FROM messages WHERE conversation_id = ? AND client_message_id = ?`,
  );
  const selectClientMessageIds = db.prepare<[string], { id: string; client_message_id: string }>(
    `SELECT id, client_message_id FROM messages
     WHERE conversation_id = ? AND client_message_id IS NOT NULL`,
  );
  const selectConversation = db.prepare<[string], ConversationRow>(
    `SELECT id, started_at, last_at, reviewed, reviewed_by, reviewed_at, note, note_by, note_at
     FROM conversations WHERE id = ?`,
  );
  const MESSAGE_COLUMNS = `m.id, m.role, m.kind, m.text, m.citations, m.grounded, m.handoff, m.source,
       f.rating, m.latency_ms, m.tokens_in, m.tokens_out, m.verified_kept, m.verified_dropped,
       t.action AS triage_action, t.doc_id AS triage_doc_id, t.heading AS triage_heading,
       t.actor AS triage_by, t.at AS triage_at, m.created_at
     FROM messages m LEFT JOIN feedback f ON f.message_id = m.id
       LEFT JOIN question_triage t ON t.message_id = m.id`;
  const selectMessages = db.prepare<[string], MessageRow>(
    `SELECT ${MESSAGE_COLUMNS} WHERE m.conversation_id = ? ORDER BY m.seq`,
  );
  const selectMessage = db.prepare<[string, string], MessageRow>(
    `SELECT ${MESSAGE_COLUMNS} WHERE m.conversation_id = ? AND m.id = ?`,
  );
  const selectMessageAt = db.prepare<[string, number], MessageRow>(
    `SELECT ${MESSAGE_COLUMNS} WHERE m.conversation_id = ? AND m.seq = ?`,
  );
  const upsertTriage = db.prepare<
    [
      {
        messageId: string;
        action: QuestionTriage["action"];
        docId: string | null;
        heading: string | null;
        by: string;
        at: string;
      },
    ]
  >(
    `INSERT INTO question_triage (message_id, action, doc_id, heading, actor, at)
     VALUES (@messageId, @action, @docId, @heading, @by, @at)
     ON CONFLICT (message_id) DO UPDATE SET action = excluded.action, doc_id = excluded.doc_id,
       heading = excluded.heading, actor = excluded.actor, at = excluded.at`,
  );
  const selectHistory = db.prepare<[string, number], HistoryTurn>(
    `SELECT role, text FROM messages WHERE conversation_id = ? ORDER BY seq DESC LIMIT ?`,
  );
  const selectBelongs = db
    .prepare<[string, string], number>(
      "SELECT 1 FROM messages WHERE id = ? AND conversation_id = ?",
    )
    .pluck();
  const selectRole = db
    .prepare<[string], "visitor" | "bot">("SELECT role FROM messages WHERE id = ?")
    .pluck();
  const upsertFeedback = db.prepare<[string, Rating, string | null, string]>(
    `INSERT INTO feedback (message_id, rating, comment, created_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (message_id) DO UPDATE SET
       rating = excluded.rating, comment = excluded.comment, created_at = excluded.created_at`,
  );
  const updateReviewed = db.prepare<[0 | 1, string | null, string, string]>(
    "UPDATE conversations SET reviewed = ?, reviewed_by = ?, reviewed_at = ? WHERE id = ?",
  );
  const updateNote = db.prepare<[string | null, string | null, string, string]>(
    "UPDATE conversations SET note = ?, note_by = ?, note_at = ? WHERE id = ?",
  );
  const deleteOne = db.prepare<[string]>("DELETE FROM conversations WHERE id = ?");
  const deleteInactiveBatch = db.prepare<[string, number]>(
    `DELETE FROM conversations WHERE id IN
       (SELECT id FROM conversations WHERE last_at < ? LIMIT ?)`,
  );
  // The visitor question is the message just before the reply (appendExchange writes them as
  // a pair). A reply that is both a no-answer and rated down counts once, as unanswered.
  const selectGaps = db.prepare<[string, string, number], GapRow>(
    `SELECT b.conversation_id, b.id AS message_id, v.id AS question_id, v.text AS question,
       b.text AS answer, v.created_at AS asked_at,
       CASE WHEN b.kind = 'no-answer' THEN 'unanswered'
         WHEN f.rating = 'down' THEN 'thumbs_down' ELSE 'marked' END AS reason,
       coalesce(t.action = 'unanswerable', 0) AS confirmed
     FROM messages b
     JOIN messages v ON v.conversation_id = b.conversation_id AND v.seq = b.seq - 1
       AND v.role = 'visitor'
     LEFT JOIN feedback f ON f.message_id = b.id
     LEFT JOIN question_triage t ON t.message_id = v.id
     WHERE b.role = 'bot' AND b.created_at >= ? AND b.created_at <= ?
       AND (t.action IS NULL OR t.action <> 'filed')
       AND (b.kind = 'no-answer' OR f.rating = 'down' OR t.action = 'unanswerable')
     ORDER BY b.created_at DESC, b.id DESC
     LIMIT ?`,
  );

  const applyReview = db.transaction((id: string, change: ReviewChange, by: string | null) => {
    const at = now().toISOString();
    let found = true;
    if (change.reviewed !== undefined) {
      found = updateReviewed.run(change.reviewed ? 1 : 0, by, at, id).changes > 0;
    }
    if (found && change.note !== undefined) {
      found = updateNote.run(change.note, by, at, id).changes > 0;
    }
    if (change.reviewed === undefined && change.note === undefined) {
      found = selectConversation.get(id) !== undefined;
    }
    return found;
  });

  const clientMessageClash = (input: ExchangeInput, cause?: unknown) =>
    new AppError("conflict", "This message is already stored", {
      cause,
      details: { clientMessageId: input.visitor.clientMessageId },
    });

  const appendInTransaction = db.transaction((input: ExchangeInput): boolean => {
    if (input.continues && !selectConversation.get(input.conversationId)) return false;
    // Under the write lock (IMMEDIATE): no other connection can store it between the check
    // and the insert. The unique index stays the last word.
    const clientMessageId = input.visitor.clientMessageId ?? null;
    if (
      clientMessageId !== null &&
      selectClientVisitor.get(input.conversationId, clientMessageId)
    ) {
      throw clientMessageClash(input);
    }
    const visitorAt = toIsoTimestamp(input.visitor.createdAt, "visitor.createdAt");
    const botAt = toIsoTimestamp(input.bot.createdAt, "bot.createdAt");
    upsertConversation.run(input.conversationId, visitorAt, botAt > visitorAt ? botAt : visitorAt);
    const seq = lastSeq.get(input.conversationId) ?? 0;
    insertMessage.run({
      id: input.visitor.id,
      conversationId: input.conversationId,
      seq: seq + 1,
      role: "visitor",
      kind: null,
      text: redact(input.visitor.text),
      citations: null,
      grounded: null,
      handoff: null,
      source: null,
      latencyMs: null,
      tokensIn: null,
      tokensOut: null,
      verifiedKept: null,
      verifiedDropped: null,
      createdAt: visitorAt,
      clientMessageId,
    });
    const { reply } = input.bot;
    insertMessage.run({
      id: input.bot.id,
      conversationId: input.conversationId,
      seq: seq + 2,
      role: "bot",
      kind: reply.kind,
      text: reply.answer,
      citations: JSON.stringify(reply.citations),
      grounded: reply.grounded ? 1 : 0,
      handoff: reply.handoff === null ? null : JSON.stringify(reply.handoff),
      source: reply.source,
      latencyMs: Math.round(input.bot.latencyMs),
      tokensIn: reply.usage?.inputTokens ?? null,
      tokensOut: reply.usage?.outputTokens ?? null,
      verifiedKept: reply.verified?.kept ?? null,
      verifiedDropped: reply.verified?.dropped ?? null,
      createdAt: botAt,
      clientMessageId: null,
    });
    return true;
  });

  return {
    appendExchange(input) {
      try {
        // IMMEDIATE takes the write lock before reading max(seq), so another connection
        // cannot take the same seq between the read and the insert.
        return appendInTransaction.immediate(input);
      } catch (error) {
        if (isClientMessageClash(error)) throw clientMessageClash(input, error);
        if (isPrimaryKeyClash(error)) {
          throw new AppError("invalid", "A message with this id is already stored", {
            cause: error,
            details: { visitorId: input.visitor.id, botId: input.bot.id },
          });
        }
        throw error;
      }
    },

    findExchange(conversationId, clientMessageId) {
      const visitor = selectClientVisitor.get(conversationId, clientMessageId);
      if (!visitor) return null;
      const question = selectMessageAt.get(conversationId, visitor.seq);
      const reply = selectMessageAt.get(conversationId, visitor.seq + 1);
      if (!question || !reply || reply.role !== "bot") return null;
      return { visitor: toMessage(question), bot: toMessage(reply) };
    },

    clientMessageIds(conversationId) {
      return new Map(
        selectClientMessageIds.all(conversationId).map((row) => [row.id, row.client_message_id]),
      );
    },

    getConversation(id) {
      const row = selectConversation.get(id);
      if (!row) return null;
      return {
        id: row.id,
        startedAt: row.started_at,
        lastAt: row.last_at,
        reviewed: row.reviewed === 1,
        reviewedBy: row.reviewed_by,
        reviewedAt: row.reviewed_at,
        note: row.note,
        noteBy: row.note_by,
        noteAt: row.note_at,
        messages: selectMessages.all(id).map(toMessage),
      };
    },

    history(conversationId, limit = DEFAULT_HISTORY) {
      if (!Number.isInteger(limit) || limit < 1) return [];
      return selectHistory.all(conversationId, limit).reverse();
    },

    messageBelongsTo(messageId, conversationId) {
      return selectBelongs.get(messageId, conversationId) !== undefined;
    },

    setFeedback({ messageId, rating, comment }) {
      const role = selectRole.get(messageId);
      if (role === undefined) {
        throw new AppError("not_found", "No such message", { details: { messageId } });
      }
      if (role !== "bot") {
        throw new AppError("invalid", "Only bot replies can be rated", { details: { messageId } });
      }
      const text = comment === undefined || comment === null ? null : comment.trim();
      upsertFeedback.run(messageId, rating, text ? redact(text) : null, now().toISOString());
    },

    listConversations(filter) {
      const limit = pageSize(filter.limit);
      const where: string[] = [];
      const params: (string | number)[] = [];
      if (filter.q !== undefined && filter.q.trim() !== "") {
        const match = toFtsQuery(filter.q);
        // Only punctuation: nothing can match it, and an empty FTS query is an error.
        if (match === null) return { items: [], nextCursor: null };
        where.push(`c.id IN (SELECT m.conversation_id FROM messages_fts
          JOIN messages m ON m.fts_rowid = messages_fts.rowid WHERE messages_fts MATCH ?)`);
        params.push(match);
      }
      if (filter.handoff !== undefined) {
        where.push(`EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id
          AND m.handoff IS NOT NULL AND json_extract(m.handoff, '$.kind') = ?)`);
        params.push(filter.handoff);
      }
      if (filter.grounded !== undefined) {
        where.push(`${filter.grounded ? "NOT EXISTS" : "EXISTS"} (${ungrounded("c")})`);
      }
      if (filter.rating === "down") where.push(`EXISTS (${rated("c", "down")})`);
      if (filter.rating === "up") {
        where.push(`EXISTS (${rated("c", "up")}) AND NOT EXISTS (${rated("c", "down")})`);
      }
      if (filter.reviewed !== undefined) {
        where.push("c.reviewed = ?");
        params.push(filter.reviewed ? 1 : 0);
      }
      if (filter.from !== undefined) {
        where.push("c.last_at >= ?");
        params.push(toIsoTimestamp(filter.from, "from"));
      }
      if (filter.to !== undefined) {
        where.push("c.last_at <= ?");
        params.push(toIsoTimestamp(filter.to, "to"));
      }
      if (filter.cursor !== undefined) {
        const after = decodeCursor(filter.cursor);
        where.push("(c.last_at, c.id) < (?, ?)");
        params.push(after.at, after.id);
      }
      const rows = db
        .prepare<(string | number)[], SummaryRow>(
          `SELECT ${SUMMARY_COLUMNS} FROM conversations c
           ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
           ORDER BY c.last_at DESC, c.id DESC LIMIT ?`,
        )
        .all(...params, limit + 1);
      const items = rows.slice(0, limit).map(toSummary);
      const last = items.at(-1);
      return {
        items,
        nextCursor:
          rows.length > limit && last ? encodeCursor({ at: last.lastAt, id: last.id }) : null,
      };
    },

    markReviewed(id, reviewed, by) {
      return applyReview(id, { reviewed }, by ?? null);
    },

    setNote(id, note, by) {
      return applyReview(id, { note }, by ?? null);
    },

    review(id, change, by) {
      return applyReview.immediate(id, change, by);
    },

    deleteConversation(id) {
      // One statement: ON DELETE CASCADE removes messages and feedback, and the messages
      // delete trigger removes the search entries, all in the statement's own transaction.
      return deleteOne.run(id).changes > 0;
    },

    deleteInactiveBefore(before) {
      const cutoff = toIsoTimestamp(before, "before");
      let deleted = 0;
      for (;;) {
        const { changes } = deleteInactiveBatch.run(cutoff, DELETE_BATCH);
        deleted += changes;
        if (changes < DELETE_BATCH) return deleted;
      }
    },

    gapQuestions({ from, to, limit }) {
      return selectGaps
        .all(toIsoTimestamp(from, "from"), toIsoTimestamp(to, "to"), limit)
        .map((row) => ({
          conversationId: row.conversation_id,
          messageId: row.message_id,
          questionId: row.question_id,
          question: row.question,
          answer: row.answer,
          askedAt: row.asked_at,
          reason: row.reason,
          confirmed: row.confirmed === 1,
        }));
    },

    findMessage(conversationId, messageId) {
      const row = selectMessage.get(conversationId, messageId);
      return row ? toMessage(row) : null;
    },

    setTriage(conversationId, messageId, change, by) {
      const row = selectMessage.get(conversationId, messageId);
      if (!row) throw new AppError("not_found", "No such message in this conversation");
      if (row.role !== "visitor") {
        throw new AppError("invalid", "Only a visitor's question can be filed or marked");
      }
      const at = now().toISOString();
      upsertTriage.run({
        messageId,
        action: change.action,
        docId: change.action === "filed" ? change.docId : null,
        heading: change.action === "filed" ? change.heading : null,
        by,
        at,
      });
      return change.action === "filed"
        ? { action: "filed", docId: change.docId, heading: change.heading, by, at }
        : { action: "unanswerable", by, at };
    },
  };
}
