import type { Logger } from "pino";
import type { Server, Socket } from "socket.io";
import { clientAddress, type VisitorRateLimiter } from "../http/rate-limit.js";
import type { ChatService } from "./chat-service.js";
import type { ClientToServerEvents, ErrorBody, ServerToClientEvents } from "./events.js";
import { chatRequestSchema, fieldErrors } from "./schemas.js";

export type ChatServer = Server<ClientToServerEvents, ServerToClientEvents>;
type ChatSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

export interface SocketDeps {
  chat: () => ChatService | undefined;
  limiter: VisitorRateLimiter;
  logger: Logger;
  trustProxy: number;
  /** Registers a reply in flight, so a graceful shutdown can wait for it. */
  track?: (work: Promise<unknown>) => void;
}

const INTERNAL: ErrorBody = {
  code: "internal",
  message: "Something went wrong on our side. Please try again.",
};

/**
 * `chat:send` on the default namespace: the ack says whether the message was taken (with
 * the same validation and rate limits as HTTP), then `chat:delta` pieces stream the answer
 * and `chat:done` carries the full reply, or `chat:error` says it failed. A message sent
 * again with the same `clientMessageId` is answered once: the repeat gets the same reply.
 */
export function registerChatHandlers(io: ChatServer, deps: SocketDeps): void {
  io.on("connection", (socket: ChatSocket) => {
    const address = clientAddress(
      socket.handshake.address,
      socket.handshake.headers["x-forwarded-for"],
      deps.trustProxy,
    );
    socket.on("chat:send", async (payload, ack) => {
      // A client may emit without an ack; it then gets the events but no acknowledgement.
      const reply = typeof ack === "function" ? ack : () => {};
      const parsed = chatRequestSchema.safeParse(payload);
      if (!parsed.success) {
        return reply({
          ok: false,
          error: {
            code: "invalid",
            message: "The message is not valid",
            fields: fieldErrors(parsed.error),
          },
        });
      }
      const chat = deps.chat();
      if (!chat) {
        return reply({
          ok: false,
          error: {
            code: "unavailable",
            message: "The assistant is starting; try again in a moment",
          },
        });
      }
      try {
        const limit = await deps.limiter.message(address, parsed.data.sessionId);
        if (!limit.ok) {
          return reply({
            ok: false,
            error: { code: "rate_limited", message: "Too many messages; please wait a moment" },
          });
        }
        // A repeated clientMessageId gets the turn of the same message: its stored reply, or
        // the answer being written for it.
        const turn = chat.start(parsed.data);
        const echo = turn.clientMessageId ? { clientMessageId: turn.clientMessageId } : {};
        reply({ ok: true, sessionId: turn.sessionId, messageId: turn.messageId });
        const work = turn
          .run((delta) => socket.emit("chat:delta", { messageId: turn.messageId, delta, ...echo }))
          .then((done) => socket.emit("chat:done", done))
          .catch((error: unknown) => {
            deps.logger.error({ err: error }, "socket reply failed");
            socket.emit("chat:error", { messageId: turn.messageId, error: INTERNAL, ...echo });
          });
        deps.track?.(work);
        await work;
      } catch (error) {
        deps.logger.error({ err: error }, "chat:send failed");
        reply({ ok: false, error: INTERNAL });
      }
    });
  });
}
