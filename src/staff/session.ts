import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { MIN_SESSION_SECRET_LENGTH, type StaffAccount } from "../config.js";
import { AppError } from "../errors.js";

/** How long a console sign-in lasts: one working day. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

/** A verified console sign-in. */
export interface StaffSession {
  name: string;
  expiresAt: Date;
  /** Random, per sign-in: what signing out revokes. */
  id: string;
}

export interface StaffSessionOptions {
  /** The HMAC key; at least 32 characters. */
  secret: string;
  accounts: readonly StaffAccount[];
  /** Secure cookies (HTTPS only), with the `__Host-` prefix: on in production. */
  secure: boolean;
  ttlMs?: number;
  now?: () => Date;
}

/**
 * Signs and checks the staff console's session cookie. Nearly stateless: only the ids of
 * sessions signed out before they expired are kept, in memory, until they would have expired.
 */
export interface StaffSessions {
  /** The cookie's name: `__Host-staff_session` when secure, else `staff_session`. */
  readonly cookieName: string;
  /** A `Set-Cookie` value signing `name` in for the session length. */
  signIn(name: string): { setCookie: string; expiresAt: Date };
  /**
   * A `Set-Cookie` value that removes the cookie. Given the request's `Cookie` header, the
   * session in it is also revoked: a copy of the cookie kept elsewhere no longer works.
   */
  signOut(cookieHeader?: string): string;
  /** The session in a `Cookie` header, or null when absent, forged, expired or revoked. */
  fromCookieHeader(header: string | undefined): StaffSession | null;
  /** Checks one cookie value; null when forged, expired or revoked. */
  verify(value: string): StaffSession | null;
}

/** `name=value` pairs of a `Cookie` header; the first of a repeated name wins. */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!cookies.has(name)) cookies.set(name, part.slice(eq + 1).trim());
  }
  return cookies;
}

/**
 * Session cookies of the form `<base64url name>.<expiry ms>.<session id>.<base64url
 * HMAC-SHA256>`. The MAC covers the name, the expiry, the id and a digest of the account's
 * current token, so a session ends when it expires, when it is signed out, when SESSION_SECRET
 * changes, or when the account's token is changed or the account removed. An expiry further
 * away than one session length from now is refused, whoever signed it. Checking compares MACs
 * in constant time.
 */
export function createStaffSessions(options: StaffSessionOptions): StaffSessions {
  if (options.secret.length < MIN_SESSION_SECRET_LENGTH) {
    throw new AppError(
      "config",
      `The session secret must be at least ${MIN_SESSION_SECRET_LENGTH} characters`,
    );
  }
  const ttlMs = options.ttlMs ?? SESSION_TTL_MS;
  const now = options.now ?? (() => new Date());
  const cookieName = options.secure ? "__Host-staff_session" : "staff_session";
  const attributes = `Path=/; HttpOnly; SameSite=Strict${options.secure ? "; Secure" : ""}`;
  /** Session id -> expiry (ms) of sessions signed out early; pruned as they expire. */
  const revoked = new Map<string, number>();
  const prune = () => {
    const at = now().getTime();
    for (const [id, expiry] of revoked) if (expiry <= at) revoked.delete(id);
  };

  const mac = (payload: string, token: string): Buffer =>
    createHmac("sha256", options.secret)
      .update(payload)
      .update("\n")
      .update(createHash("sha256").update(token).digest())
      .digest();

  function verify(value: string): StaffSession | null {
    const parts = value.split(".");
    if (parts.length !== 4) return null;
    const [encodedName, expiry, id, signature] = parts as [string, string, string, string];
    if (!/^\d{1,15}$/.test(expiry) || !/^[A-Za-z0-9_-]{16,64}$/.test(id)) return null;
    const name = Buffer.from(encodedName, "base64url").toString("utf8");
    const account = options.accounts.find((a) => a.name === name);
    if (!account) return null;
    const presented = Buffer.from(signature, "base64url");
    const expected = mac(`${encodedName}.${expiry}.${id}`, account.token);
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) return null;
    const expiresAt = new Date(Number(expiry));
    const at = now().getTime();
    if (expiresAt.getTime() <= at || expiresAt.getTime() > at + ttlMs) return null;
    if (revoked.has(id)) return null;
    return { name, expiresAt, id };
  }

  return {
    cookieName,
    signIn(name) {
      const account = options.accounts.find((a) => a.name === name);
      if (!account) throw new AppError("unauthorized", "No such staff account");
      const expiresAt = new Date(now().getTime() + ttlMs);
      const id = randomBytes(16).toString("base64url");
      const payload = `${Buffer.from(name, "utf8").toString("base64url")}.${expiresAt.getTime()}.${id}`;
      const value = `${payload}.${mac(payload, account.token).toString("base64url")}`;
      return {
        setCookie: `${cookieName}=${value}; ${attributes}; Max-Age=${Math.floor(ttlMs / 1000)}`,
        expiresAt,
      };
    },
    signOut(cookieHeader) {
      const value = parseCookies(cookieHeader).get(cookieName);
      const session = value ? verify(value) : null;
      if (session) {
        prune();
        revoked.set(session.id, session.expiresAt.getTime());
      }
      return `${cookieName}=; ${attributes}; Max-Age=0`;
    },
    fromCookieHeader(header) {
      const value = parseCookies(header).get(cookieName);
      return value ? verify(value) : null;
    },
    verify,
  };
}
