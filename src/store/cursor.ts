import { AppError } from "../errors.js";

/** One page of a newest-first listing. `nextCursor` is null on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * The position after the last row of a page: its sort timestamp and id. Listings use keyset
 * pagination on `(timestamp, id)` rather than OFFSET, so rows inserted while someone pages
 * (all newer, so before the cursor) neither shift nor repeat the later pages.
 */
export interface CursorPosition {
  at: string;
  id: string;
}

/** Encodes a position as an opaque token (base64url of JSON) for clients to hand back. */
export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.at, position.id]), "utf8").toString("base64url");
}

/** Decodes a token from `encodeCursor`; anything else is `AppError("invalid")`. */
export function decodeCursor(cursor: string): CursorPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch (error) {
    throw new AppError("invalid", "The page cursor is not valid", { cause: error });
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 2 ||
    typeof parsed[0] !== "string" ||
    typeof parsed[1] !== "string"
  ) {
    throw new AppError("invalid", "The page cursor is not valid");
  }
  return { at: parsed[0], id: parsed[1] };
}

/** Largest page any listing returns, whatever the caller asks for. */
export const MAX_PAGE_SIZE = 200;

/** Checks a requested page size: a positive integer, capped at `MAX_PAGE_SIZE`. */
export function pageSize(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new AppError("invalid", "The page size must be a positive integer", {
      details: { limit },
    });
  }
  return Math.min(limit, MAX_PAGE_SIZE);
}
