/**
 * The widget's view of the Socket.IO connection: the typed chat events plus connection state,
 * behind a small interface so the chat logic is tested against a fake socket.
 */
import { io, type Socket } from "socket.io-client";
import type {
  ChatSendAck,
  ChatSendPayload,
  ClientToServerEvents,
  ServerToClientEvents,
} from "../../src/chat/events.js";

export interface WidgetSocketEvents extends ServerToClientEvents {
  connect: () => void;
  /** `reason` is Socket.IO's, e.g. `transport close`; `io client disconnect` when we closed it. */
  disconnect: (reason: string) => void;
  connect_error: () => void;
}

export interface WidgetSocket {
  readonly connected: boolean;
  /** Sends a message; rejects when no acknowledgement arrives within `timeoutMs`. */
  send(payload: ChatSendPayload, timeoutMs: number): Promise<ChatSendAck>;
  on<E extends keyof WidgetSocketEvents>(event: E, listener: WidgetSocketEvents[E]): void;
  close(): void;
}

/** Connects to the chat service at `server` (an origin); reconnects by itself. */
export function connectSocket(server: string): WidgetSocket {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(server, {
    // Socket.IO's default: long-polling first, upgraded to WebSocket where the network allows.
    withCredentials: false,
    reconnectionDelayMax: 10_000,
  });
  return {
    get connected() {
      return socket.connected;
    },
    send: (payload, timeoutMs) => socket.timeout(timeoutMs).emitWithAck("chat:send", payload),
    on(event, listener) {
      // The union of reserved and chat events is more than socket.io-client's overloads infer.
      (socket.on as (event: string, listener: (...args: never[]) => void) => void)(event, listener);
    },
    close: () => void socket.disconnect(),
  };
}
