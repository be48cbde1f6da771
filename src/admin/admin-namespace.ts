import type { Server } from "socket.io";
import { checkToken, socketAuthError } from "../http/auth.js";
import { clientAddress } from "../http/rate-limit.js";
import type { AdminRouteDeps } from "./admin-routes.js";
import type { ReindexJob } from "./reindexer.js";

/** Events on the `/admin` namespace. */
export interface AdminServerEvents {
  /** Every change of a re-index job: queued, progress, done or failed. */
  "reindex:update": (job: ReindexJob) => void;
}

/**
 * `/admin`: live re-index progress for the admin console. Only a client presenting the
 * admin token (`auth: { token }`) may join; the staff token is refused, and a wrong token
 * counts against the address's failure budget like one on the admin API.
 */
export function registerAdminNamespace(
  io: Server,
  deps: Pick<AdminRouteDeps, "adminToken" | "staffTokens" | "authFailures"> & {
    trustProxy: number;
  },
): void {
  const admin = io.of("/admin");
  admin.use((socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown }).token;
    const address = clientAddress(
      socket.handshake.address,
      socket.handshake.headers["x-forwarded-for"],
      deps.trustProxy,
    );
    const admins = [{ name: "admin", token: deps.adminToken }];
    const presented = typeof token === "string" ? token : undefined;
    void checkToken(deps.authFailures, address, presented, admins, deps.staffTokens)
      .then((result) => next(socketAuthError(result) ?? undefined))
      .catch((error: unknown) => next(error instanceof Error ? error : new Error(String(error))));
  });
}

/** Sends a job update to every admin client of the server. */
export function broadcastReindex(io: Server | undefined, job: ReindexJob): void {
  io?.of("/admin").emit("reindex:update", job);
}
