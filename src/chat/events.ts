/**
 * The Socket.IO event map, typed once and shared by the server and the widget (web/).
 * Types only: importing this file costs the widget nothing at run time.
 */
import type { ChatReply } from "../answer/types.js";

export interface ErrorBody {
  code: string;
  message: string;
  /** Per-field messages for a validation error. */
  fields?: Record<string, string>;
}

export interface ChatSendPayload {
  message: string;
  sessionId?: string;
  /**
   * The client's own id for this message (16-64 characters of [A-Za-z0-9_-]). Sent again with
   * the same id, it is the same message: answered once, stored once, its reply replayed.
   */
  clientMessageId?: string;
}

export type ChatSendAck =
  { ok: true; sessionId: string; messageId: string } | { ok: false; error: ErrorBody };

/**
 * The full reply, as in `chat:done` and `POST /api/chat`. `clientMessageId` echoes the id the
 * message was sent with; `messageId` may differ from the ack's when another instance of the
 * service stored the same message first (its reply is the one given).
 */
export type ChatDone = ChatReply & {
  sessionId: string;
  messageId: string;
  clientMessageId?: string;
};

export interface ClientToServerEvents {
  "chat:send": (payload: ChatSendPayload, ack: (response: ChatSendAck) => void) => void;
}

export interface ServerToClientEvents {
  "chat:delta": (event: { messageId: string; delta: string; clientMessageId?: string }) => void;
  "chat:done": (event: ChatDone) => void;
  "chat:error": (event: { messageId: string; error: ErrorBody; clientMessageId?: string }) => void;
}
