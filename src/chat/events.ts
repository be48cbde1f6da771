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
}

export type ChatSendAck =
  { ok: true; sessionId: string; messageId: string } | { ok: false; error: ErrorBody };

/** The full reply, as in `chat:done` and `POST /api/chat`. */
export type ChatDone = ChatReply & { sessionId: string; messageId: string };

export interface ClientToServerEvents {
  "chat:send": (payload: ChatSendPayload, ack: (response: ChatSendAck) => void) => void;
}

export interface ServerToClientEvents {
  "chat:delta": (event: { messageId: string; delta: string }) => void;
  "chat:done": (event: ChatDone) => void;
  "chat:error": (event: { messageId: string; error: ErrorBody }) => void;
}
