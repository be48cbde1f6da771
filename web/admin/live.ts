/** The `/admin` Socket.IO namespace: live re-index progress, for admins only. */
import { io, type Socket } from "socket.io-client";
import type { AdminServerEvents } from "../../src/admin/admin-namespace.js";
import type { ReindexJob } from "./api.js";

export interface AdminLiveHandlers {
  update(job: ReindexJob): void;
  /** `refused`: the token was not accepted. */
  state(state: "connecting" | "live" | "reconnecting" | "refused"): void;
}

export interface AdminLive {
  readonly connected: boolean;
  close(): void;
}

export function connectAdminLive(token: string, handlers: AdminLiveHandlers): AdminLive {
  const socket: Socket<AdminServerEvents, Record<string, never>> = io("/admin", {
    auth: { token },
    reconnectionDelayMax: 10_000,
  });
  handlers.state("connecting");
  socket.on("connect", () => handlers.state("live"));
  socket.on("disconnect", () => handlers.state("reconnecting"));
  socket.on("connect_error", (error) =>
    handlers.state(error.message === "unauthorized" ? "refused" : "reconnecting"),
  );
  socket.on("reindex:update", (job) => handlers.update(job));
  return {
    get connected() {
      return socket.connected;
    },
    close: () => void socket.disconnect(),
  };
}
