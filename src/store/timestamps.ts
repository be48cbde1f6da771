import { AppError } from "../errors.js";

/** What every SQLite repository factory accepts besides the database. */
export interface StoreDeps {
  /** The clock for rows the repository timestamps itself; tests pass a fixed one. */
  now?: () => Date;
}

/**
 * The one timestamp format written to the database: ISO-8601 in UTC with milliseconds
 * (`2026-11-24T10:30:00.000Z`). Every row uses it, so timestamps compare correctly as text,
 * which the range filters and the pagination cursors rely on. Strings are parsed by `Date`
 * (one without an offset is read as local time) and rewritten in that format.
 */
export function toIsoTimestamp(value: string | Date, field: string): string {
  const date = typeof value === "string" ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) {
    throw new AppError("invalid", `${field} is not a valid timestamp`, {
      details: { field },
    });
  }
  return date.toISOString();
}
