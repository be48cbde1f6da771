/** A source shown under an answer; `n` is the number its `[n]` markers use. */
export interface Citation {
  n: number;
  docId: string;
  title: string;
  /** The deepest heading of the cited passage. */
  section: string;
  /** Link to the passage: the document's URL or `/articles/:docId`, with the section anchor. */
  url: string;
  /** The cited passage (up to about 300 characters). */
  snippet: string;
}

export type HandoffKind = "booking" | "clinician" | "staff";

export interface Handoff {
  kind: HandoffKind;
  message: string;
  bookingUrl?: string;
}

/**
 * What a reply is, for staff and reports: an answer from the articles, the honest "couldn't
 * find that", a refusal of an attempt to steer the bot, a booking, clinician or urgent-care
 * handoff, or small talk at the start or end of a conversation.
 */
export const REPLY_KINDS = [
  "answer",
  "no-answer",
  "refusal",
  "booking",
  "clinician",
  "urgent",
  "greeting",
  "closing",
] as const;
export type ReplyKind = (typeof REPLY_KINDS)[number];

/** What the bot says back to one visitor message. */
export interface ChatReply {
  kind: ReplyKind;
  answer: string;
  citations: Citation[];
  /** True only when the answer carries cited content. */
  grounded: boolean;
  handoff: Handoff | null;
  source: "extractive" | "llm" | "fallback";
  /** Generative mode: how many generated sentences were shown and how many dropped. */
  verified?: { kept: number; dropped: number };
  /** Generative mode: tokens used, when the model server reports them. */
  usage?: { inputTokens: number; outputTokens: number };
}

export interface HistoryTurn {
  role: "visitor" | "bot";
  text: string;
}

export interface AnswerInput {
  message: string;
  /** The conversation so far, oldest first. */
  history?: HistoryTurn[];
}

/** A piece of a streamed answer; the pieces add up exactly to `ChatReply.answer`. */
export interface AnswerDelta {
  delta: string;
}
