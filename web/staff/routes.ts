/**
 * The staff console's URLs: which view is shown, and every filter of it, live in the path and
 * the query string, so a filtered view can be bookmarked or shared. The conversation filters
 * use the staff API's own query names, so the same query string lists and exports them.
 *
 *   /staff?q=peel&grounded=false              conversations, filtered
 *   /staff/conversations/:id?q=peel           one transcript, beside the same list
 *   /staff/bookings?status=new&type=callback  bookings and call-back requests
 *   /staff/bookings/:id                       one request
 *   /staff/gaps?from=2026-03-01&to=2026-03-31 content gaps of a period
 *   /staff/erasure?sessionId=…                delete on request
 *   /staff/audit                              the audit log (paged with "Load more")
 */
import type { HandoffKind } from "../../src/answer/types.js";
import type { BookingStatus, BookingType } from "../../src/store/bookings.js";

export interface ConversationFilters {
  /** Full-text search over the messages. */
  q?: string;
  handoff?: HandoffKind;
  /** false: has an unanswered reply; true: every reply grounded. */
  grounded?: boolean;
  rating?: "up" | "down";
  reviewed?: boolean;
  /** YYYY-MM-DD, inclusive, compared with the last message. */
  from?: string;
  to?: string;
}

export interface BookingFilters {
  status?: BookingStatus;
  type?: BookingType;
}

export type StaffRoute =
  | { view: "conversations"; filters: ConversationFilters; open?: string }
  | { view: "bookings"; filters: BookingFilters; open?: string }
  | { view: "gaps"; from?: string; to?: string }
  | { view: "erasure"; sessionId?: string }
  | { view: "audit" }
  | { view: "not-found" };

export const BASE = "/staff";

export const HANDOFF_KINDS = ["booking", "clinician", "staff"] as const;
export const BOOKING_STATUSES = ["new", "contacted", "booked", "closed"] as const;
export const BOOKING_TYPES = ["consultation", "callback"] as const;

const MAX_QUERY = 200;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** Conversation ids are the visitor's session id (base64url). */
const CONVERSATION_ID = /^[A-Za-z0-9_-]{1,100}$/;
/** Booking ids are UUIDs; the console's pages take any id of these characters. */
const BOOKING_ID = /^[A-Za-z0-9_-]{1,100}$/;

/** A real calendar day as YYYY-MM-DD, or undefined. */
export function validDay(value: string | null | undefined): string | undefined {
  if (!value || !DAY.test(value)) return undefined;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value) ? value : undefined;
}

function oneOf<T extends string>(values: readonly T[], value: string | null): T | undefined {
  return values.find((v) => v === value);
}

function flag(value: string | null): boolean | undefined {
  return value === "true" ? true : value === "false" ? false : undefined;
}

/** The filters a query string names; unknown or malformed values are left out. */
export function parseFilters(params: URLSearchParams): ConversationFilters {
  const q = params.get("q")?.trim().slice(0, MAX_QUERY);
  const handoff = oneOf(HANDOFF_KINDS, params.get("handoff"));
  const grounded = flag(params.get("grounded"));
  const rating = oneOf(["up", "down"] as const, params.get("rating"));
  const reviewed = flag(params.get("reviewed"));
  const from = validDay(params.get("from"));
  const to = validDay(params.get("to"));
  return {
    ...(q ? { q } : {}),
    ...(handoff ? { handoff } : {}),
    ...(grounded !== undefined ? { grounded } : {}),
    ...(rating ? { rating } : {}),
    ...(reviewed !== undefined ? { reviewed } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
  };
}

/** The filters as a query string, in a fixed order (the API takes the same names). */
export function filterQuery(filters: ConversationFilters): string {
  const params = new URLSearchParams();
  if (filters.q) params.set("q", filters.q);
  if (filters.handoff) params.set("handoff", filters.handoff);
  if (filters.grounded !== undefined) params.set("grounded", String(filters.grounded));
  if (filters.rating) params.set("rating", filters.rating);
  if (filters.reviewed !== undefined) params.set("reviewed", String(filters.reviewed));
  if (filters.from) params.set("from", filters.from);
  if (filters.to) params.set("to", filters.to);
  return params.toString();
}

export function hasFilters(filters: ConversationFilters): boolean {
  return filterQuery(filters) !== "";
}

/** A short description of the filters, e.g. `unanswered · not reviewed · matching "peel"`. */
export function describeFilters(filters: ConversationFilters): string {
  const parts: string[] = [];
  if (filters.grounded === false) parts.push("unanswered");
  if (filters.grounded === true) parts.push("all answered");
  if (filters.rating === "down") parts.push("thumbs-down");
  if (filters.rating === "up") parts.push("thumbs-up");
  if (filters.handoff)
    parts.push(
      `handed to ${filters.handoff === "booking" ? "booking" : filters.handoff === "clinician" ? "a clinician" : "the team"}`,
    );
  if (filters.reviewed === true) parts.push("reviewed");
  if (filters.reviewed === false) parts.push("not reviewed");
  if (filters.from && filters.to) parts.push(`${filters.from} to ${filters.to}`);
  else if (filters.from) parts.push(`since ${filters.from}`);
  else if (filters.to) parts.push(`until ${filters.to}`);
  if (filters.q) parts.push(`matching "${filters.q}"`);
  return parts.join(" · ");
}

function withQuery(path: string, query: string): string {
  return query ? `${path}?${query}` : path;
}

/** The route a location shows; unknown paths are `not-found`. */
export function parseRoute(pathname: string, search: string): StaffRoute {
  const params = new URLSearchParams(search);
  const path = pathname.replace(/\/+$/, "") || "/";
  if (path === BASE || path === `${BASE}/conversations`) {
    return { view: "conversations", filters: parseFilters(params) };
  }
  const open = new RegExp(`^${BASE}/conversations/([^/]+)$`).exec(path)?.[1];
  if (open !== undefined) {
    // Conversation ids are base64url: nothing in them is ever percent-encoded.
    if (!CONVERSATION_ID.test(open)) return { view: "not-found" };
    const id = open;
    return { view: "conversations", filters: parseFilters(params), open: id };
  }
  const booking = new RegExp(`^${BASE}/bookings/([^/]+)$`).exec(path)?.[1];
  if (booking !== undefined) {
    if (!BOOKING_ID.test(booking)) return { view: "not-found" };
    return { view: "bookings", filters: {}, open: booking };
  }
  if (path === `${BASE}/bookings`) {
    const status = oneOf(BOOKING_STATUSES, params.get("status"));
    const type = oneOf(BOOKING_TYPES, params.get("type"));
    return {
      view: "bookings",
      filters: { ...(status ? { status } : {}), ...(type ? { type } : {}) },
    };
  }
  if (path === `${BASE}/gaps`) {
    const from = validDay(params.get("from"));
    const to = validDay(params.get("to"));
    return { view: "gaps", ...(from ? { from } : {}), ...(to ? { to } : {}) };
  }
  if (path === `${BASE}/erasure`) {
    const sessionId = params.get("sessionId")?.trim();
    return {
      view: "erasure",
      ...(sessionId && CONVERSATION_ID.test(sessionId) ? { sessionId } : {}),
    };
  }
  if (path === `${BASE}/audit`) return { view: "audit" };
  return { view: "not-found" };
}

/** The URL (path and query) of a route: `parseRoute(routeHref(r))` gives `r` back. */
export function routeHref(route: StaffRoute): string {
  switch (route.view) {
    case "conversations": {
      const path = route.open ? `${BASE}/conversations/${encodeURIComponent(route.open)}` : BASE;
      return withQuery(path, filterQuery(route.filters));
    }
    case "bookings": {
      if (route.open) return `${BASE}/bookings/${encodeURIComponent(route.open)}`;
      const params = new URLSearchParams();
      if (route.filters.status) params.set("status", route.filters.status);
      if (route.filters.type) params.set("type", route.filters.type);
      return withQuery(`${BASE}/bookings`, params.toString());
    }
    case "gaps": {
      const params = new URLSearchParams();
      if (route.from) params.set("from", route.from);
      if (route.to) params.set("to", route.to);
      return withQuery(`${BASE}/gaps`, params.toString());
    }
    case "erasure":
      return withQuery(
        `${BASE}/erasure`,
        route.sessionId ? new URLSearchParams({ sessionId: route.sessionId }).toString() : "",
      );
    case "audit":
      return `${BASE}/audit`;
    case "not-found":
      return BASE;
  }
}

/** The export links of a filtered list. */
export function exportHref(format: "csv" | "jsonl", filters: ConversationFilters): string {
  return withQuery(`/api/staff/export.${format}`, filterQuery(filters));
}

/** The API path of a page of the filtered list. */
export function conversationsApiPath(filters: ConversationFilters, cursor?: string): string {
  const params = new URLSearchParams(filterQuery(filters));
  params.set("limit", "25");
  if (cursor) params.set("cursor", cursor);
  return `/api/staff/conversations?${params.toString()}`;
}
