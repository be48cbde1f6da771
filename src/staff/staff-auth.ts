import type { Request, RequestHandler } from "express";
import type { StaffAccount } from "../config.js";
import { bearerToken, checkToken, sendTooManyFailures } from "../http/auth.js";
import { sendError } from "../http/errors.js";
import { type FailureLimiter, requestAddress } from "../http/rate-limit.js";
import type { StaffSessions } from "./session.js";

declare module "express-serve-static-core" {
  interface Locals {
    /** The signed-in staff account's name, for recording who did what. */
    staffName?: string;
    /** How the request was authenticated; a cookie session also has its expiry. */
    staffAuth?: { via: "token" } | { via: "cookie"; expiresAt: Date };
  }
}

export interface StaffAuthDeps {
  staffAccounts: readonly StaffAccount[];
  /** Cookie sessions; without them only the bearer token is accepted. */
  sessions?: StaffSessions | undefined;
  /** Wrong tokens per client address, shared with every other door. */
  failures: FailureLimiter;
}

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * True when a browser request comes from the service's own pages: its `Origin`, when sent,
 * names this host, and `Sec-Fetch-Site`, when sent, is not `cross-site`. Requests without
 * either header come from something other than a modern browser page.
 */
export function fromOwnOrigin(req: Request): boolean {
  const site = req.get("sec-fetch-site");
  if (site === "cross-site") return false;
  const origin = req.get("origin");
  if (origin === undefined) return true;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    // "null" (sandboxed frames, privacy redirects) or garbage: not our page.
    return false;
  }
  return host === req.get("host") || host === req.host;
}

/**
 * Staff routes accept `Authorization: Bearer <staff token>` or, from the console, the signed
 * session cookie. A cookie-authenticated POST, PUT, PATCH or DELETE must also come from the
 * service's own origin (403 otherwise): SameSite=Strict already keeps the cookie off
 * cross-site requests, the origin check covers browsers and paths where it does not.
 * A bearer header is judged alone; a missing or wrong credential is a 401, and an address
 * that sent too many wrong ones gets 429 for a while, whatever it sends.
 */
export function requireStaff(deps: StaffAuthDeps): RequestHandler {
  return async (req, res, next) => {
    const authorization = req.get("authorization");
    if (authorization !== undefined) {
      const result = await checkToken(
        deps.failures,
        requestAddress(req),
        bearerToken(authorization),
        deps.staffAccounts,
      );
      if ("blocked" in result) return sendTooManyFailures(res, result.blocked);
      if (!("name" in result)) return unauthorized(res);
      const name = result.name;
      res.locals.staffName = name;
      res.locals.staffAuth = { via: "token" };
      return next();
    }
    const sessions = deps.sessions;
    const cookie = sessions?.fromCookieHeader(req.get("cookie"));
    if (!sessions || !cookie) {
      // A stale or forged cookie is removed, so the console shows its sign-in form cleanly.
      if (sessions && req.get("cookie")?.includes(`${sessions.cookieName}=`)) {
        res.setHeader("Set-Cookie", sessions.signOut());
      }
      return unauthorized(res);
    }
    if (STATE_CHANGING.has(req.method) && !fromOwnOrigin(req)) {
      return sendError(res, "forbidden", "Staff changes must come from the staff console");
    }
    res.locals.staffName = cookie.name;
    res.locals.staffAuth = { via: "cookie", expiresAt: cookie.expiresAt };
    next();
  };
}

function unauthorized(res: Parameters<RequestHandler>[1]): void {
  res.setHeader("WWW-Authenticate", 'Bearer realm="staff"');
  sendError(res, "unauthorized", "Sign in, or send a valid staff token");
}
