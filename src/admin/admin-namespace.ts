import type { Server } from "socket.io";
import { matchToken } from "../http/auth.js";
import type { AdminRouteDeps } from "./admin-routes.js";
import type { ReindexJob } from "./reindexer.js";

/** Events on the `/admin` namespace. */
export interface AdminServerEvents {
  /** Every change of a re-index job: queued, progress, done or failed. */
  "reindex:update": (job: ReindexJob) => void;
}

/**
 * `/admin`: live re-index progress for the admin console. Only a client presenting the
 * admin token (`auth: { token }`) may join; the staff token is refused.
 */
export function registerAdminNamespace(io: Server, deps: Pick<AdminRouteDeps, "adminToken">): void {
  const admin = io.of("/admin");
  admin.use((socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown }).token;
    if (typeof token === "string" && matchToken(token, [{ name: "admin", token: deps.adminToken }]))
      return next();
    next(new Error("unauthorized"));
  });
}

/** Sends a job update to every admin client of the server. */
export function broadcastReindex(io: Server | undefined, job: ReindexJob): void {
  io?.of("/admin").emit("reindex:update", job);
}
