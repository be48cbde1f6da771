import { createHash, timingSafeEqual } from "node:crypto";

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

/** The token of an `Authorization: Bearer <token>` header. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return match?.[1];
}
