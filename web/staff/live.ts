/**
 * The `/staff` Socket.IO namespace: live `booking:new` and `handoff:new`. The console is served
 * by the service itself, so the handshake carries the session cookie; no token is handled here.
 */
import { io, type Socket } from "socket.io-client";
import type {
  StaffClientToServerEvents,
  StaffServerToClientEvents,
} from "../../src/staff/events.js";

export type LiveState = "connecting" | "live" | "reconnecting" | "refused";

export interface LiveHandlers extends StaffServerToClientEvents {
  state(state: LiveState): void;
}

export interface Live {
  close(): void;
}

export function connectLive(handlers: LiveHandlers): Live {
  const socket: Socket<StaffServerToClientEvents, StaffClientToServerEvents> = io("/staff", {
    withCredentials: true,
    reconnectionDelayMax: 10_000,
  });
  handlers.state("connecting");
  socket.on("connect", () => handlers.state("live"));
  socket.on("disconnect", (reason) => {
    // The server ends a socket whose session expired; anything else is the network.
    handlers.state(reason === "io server disconnect" ? "refused" : "reconnecting");
  });
  socket.on("connect_error", (error) => {
    handlers.state(error.message === "unauthorized" ? "refused" : "reconnecting");
  });
  socket.on("booking:new", (event) => handlers["booking:new"](event));
  socket.on("handoff:new", (event) => handlers["handoff:new"](event));
  return { close: () => void socket.disconnect() };
}
