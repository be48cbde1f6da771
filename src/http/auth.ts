import { createHash, timingSafeEqual } from "node:crypto";
import type { Response } from "express";
import { sendError } from "./errors.js";
import type { FailureLimiter } from "./rate-limit.js";

/**
 * Compares a presented token with the expected ones in constant time: both sides are
 * hashed first, so neither the content nor the length of a token leaks through timing.
 * Returns the matching account's name, or null.
 */
export function matchToken(
  presented: string | undefined,
  accounts: readonly { name: string; token: string }[],
): string | null {
  if (!presented) return null;
  const digest = createHash("sha256").update(presented).digest();
  let found: string | null = null;
  for (const account of accounts) {
    const expected = createHash("sha256").update(account.token).digest();
    // Every account is compared, so the time does not depend on which one matched.
    if (timingSafeEqual(digest, expected) && found === null) found = account.name;
  }
  return found;
}

/**
 * `matchToken` behind the failure budget of the client's address: "blocked" (with the
 * seconds to wait) while the address is over it, whatever it presents, so guessing stays
 * slow; a wrong token counts against it, a missing one does not. `accepted` lists the accounts that pass; `known`
 * those recognised but refused (a staff token at an admin door), which count as no failure.
 */
export async function checkToken(
  failures: FailureLimiter,
  address: string,
  presented: string | undefined,
  accepted: readonly { name: string; token: string }[],
  known: readonly { name: string; token: string }[] = [],
): Promise<{ name: string } | { known: string } | { wrong: true } | { blocked: number }> {
  // No token is no guess: a console's first, signed-out request must not count.
  if (!presented) return { wrong: true };
  const wait = await failures.blockedFor(address);
  if (wait > 0) return { blocked: wait };
  const name = matchToken(presented, accepted);
  if (name) return { name };
  const other = matchToken(presented, known);
  if (other) return { known: other };
  const blocked = await failures.fail(address);
  return blocked > 0 ? { blocked } : { wrong: true };
}

/** The 429 for an address over its failure budget, with when to try again. */
export function sendTooManyFailures(res: Response, retryAfter: number): void {
  res.setHeader("Retry-After", String(retryAfter));
  sendError(
    res,
    "rate_limited",
    `Too many wrong tokens or sign-ins from this address; try again in ${retryAfter} s`,
  );
}

/**
 * The error a socket namespace's middleware passes on for `checkToken`'s result, or null to
 * let the client in: "rate_limited" (with `retryAfter` in its data) or "unauthorized".
 */
export function socketAuthError(
  result: Awaited<ReturnType<typeof checkToken>>,
): (Error & { data?: { retryAfter: number } }) | null {
  if ("name" in result) return null;
  if ("blocked" in result) {
    return Object.assign(new Error("rate_limited"), { data: { retryAfter: result.blocked } });
  }
  return new Error("unauthorized");
}

/** The token of an `Authorization: Bearer <token>` header. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return match?.[1];
}
