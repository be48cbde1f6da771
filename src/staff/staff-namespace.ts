import type { Namespace, Server } from "socket.io";
import type { StaffAccount } from "../config.js";
import { checkToken, socketAuthError } from "../http/auth.js";
import { clientAddress, type FailureLimiter } from "../http/rate-limit.js";
import type { StaffClientToServerEvents, StaffServerToClientEvents } from "./events.js";
import type { StaffSessions } from "./session.js";
import type { StaffEvents } from "./staff-events.js";

export type StaffNamespace = Namespace<
  StaffClientToServerEvents,
  StaffServerToClientEvents,
  Record<string, never>,
  { staffName: string }
>;

export interface StaffNamespaceDeps {
  staffAccounts: readonly StaffAccount[];
  sessions?: StaffSessions | undefined;
  events: StaffEvents;
  /** Wrong tokens per client address, shared with the staff and admin APIs. */
  authFailures: FailureLimiter;
  trustProxy: number;
  now?: () => Date;
}

/** True when a handshake's Origin, if any, is the service's own host. */
function ownOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/**
 * `/staff`: live `booking:new` and `handoff:new` for the staff console. Only staff may join:
 * with `auth: { token }` (a staff token), or with the console's session cookie from the
 * service's own pages (a cross-origin page cannot ride a staff member's cookie). Anyone else
 * gets `connect_error` "unauthorized". A cookie session is disconnected when it expires.
 * Returns a function that stops forwarding events.
 */
export function registerStaffNamespace(io: Server, deps: StaffNamespaceDeps): () => void {
  const staff = io.of("/staff") as unknown as StaffNamespace;
  const now = deps.now ?? (() => new Date());
  const expiries = new WeakMap<object, Date>();

  staff.use((socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown }).token;
    if (typeof token === "string") {
      const address = clientAddress(
        socket.handshake.address,
        socket.handshake.headers["x-forwarded-for"],
        deps.trustProxy,
      );
      void checkToken(deps.authFailures, address, token, deps.staffAccounts)
        .then((result) => {
          if ("name" in result) socket.data.staffName = result.name;
          next(socketAuthError(result) ?? undefined);
        })
        .catch((error: unknown) => next(error instanceof Error ? error : new Error(String(error))));
      return;
    }
    const headers = socket.handshake.headers;
    const session = deps.sessions?.fromCookieHeader(headers.cookie);
    if (!session || !ownOrigin(headers.origin, headers.host)) {
      return next(new Error("unauthorized"));
    }
    socket.data.staffName = session.name;
    expiries.set(socket, session.expiresAt);
    next();
  });

  staff.on("connection", (socket) => {
    const expiresAt = expiries.get(socket);
    if (!expiresAt) return;
    const timer = setTimeout(
      () => socket.disconnect(true),
      Math.max(0, expiresAt.getTime() - now().getTime()),
    );
    timer.unref();
    socket.on("disconnect", () => clearTimeout(timer));
  });

  return deps.events.subscribe((event, payload) => {
    staff.emit(event, ...([payload] as Parameters<StaffServerToClientEvents[typeof event]>));
  });
}
