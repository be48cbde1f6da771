/**
 * The unread count: new bookings, call-back requests and clinician handoffs pushed live on the
 * `/staff` namespace since the console was opened, until someone looks at them. Kept in
 * `sessionStorage`, so a reload of the tab does not lose them. (Unanswered-question handoffs
 * are left to the content gaps view: they would drown the ones that need a person.)
 */
import type { BookingNotice, HandoffNotice } from "../../src/staff/events.js";
import type { StorageLike } from "../widget/session.js";
import { BASE } from "./routes.js";

export interface Notice {
  /** The booking's id or the bot reply's id. */
  key: string;
  kind: "consultation" | "callback" | "clinician";
  at: string;
  /** Where the console shows it. */
  href: string;
  /** A booking notice's id, or a handoff's conversation. */
  bookingId?: string;
  conversationId?: string;
}

/** The newest notices kept; older ones drop off. */
export const MAX_NOTICES = 50;
const KEY = "staff-console:notices:v1";

export function bookingNotice(event: BookingNotice): Notice {
  return {
    key: event.id,
    kind: event.type,
    at: event.createdAt,
    href: `${BASE}/bookings`,
    bookingId: event.id,
  };
}

/** A handoff worth a person's attention, or null (an unanswered question is not). */
export function handoffNotice(event: HandoffNotice): Notice | null {
  if (event.kind !== "clinician") return null;
  return {
    key: event.messageId,
    kind: "clinician",
    at: event.at,
    href: `${BASE}/conversations/${encodeURIComponent(event.conversationId)}`,
    conversationId: event.conversationId,
  };
}

export function noticeLabel(notice: Notice): string {
  switch (notice.kind) {
    case "consultation":
      return "New booking request";
    case "callback":
      return "New call-back request";
    case "clinician":
      return "Question handed to a clinician";
  }
}

export interface Notices {
  /** Newest first. */
  items(): readonly Notice[];
  unread(): number;
  /** Adds a notice (a repeated key is ignored); returns whether it was new. */
  add(notice: Notice): boolean;
  /** Removes the notices a view has now shown: every booking notice, or one conversation's. */
  seen(match: { bookings?: boolean; conversationId?: string; key?: string }): void;
  clear(): void;
  /** Called after every change. */
  onChange(listener: () => void): void;
}

function isNotice(value: unknown): value is Notice {
  const n = value as Partial<Notice> | null;
  return (
    typeof n === "object" &&
    n !== null &&
    typeof n.key === "string" &&
    typeof n.at === "string" &&
    typeof n.href === "string" &&
    (n.kind === "consultation" || n.kind === "callback" || n.kind === "clinician")
  );
}

export function createNotices(storage?: StorageLike): Notices {
  let items: Notice[] = [];
  try {
    const saved: unknown = JSON.parse(storage?.getItem(KEY) ?? "[]");
    if (Array.isArray(saved)) items = saved.filter(isNotice).slice(0, MAX_NOTICES);
  } catch {
    items = [];
  }
  const listeners: (() => void)[] = [];
  const changed = () => {
    try {
      if (items.length > 0) storage?.setItem(KEY, JSON.stringify(items));
      else storage?.removeItem(KEY);
    } catch {
      // Storage full or blocked: the count still works for this page view.
    }
    for (const listener of listeners) listener();
  };
  return {
    items: () => items,
    unread: () => items.length,
    add(notice) {
      if (items.some((n) => n.key === notice.key)) return false;
      items = [notice, ...items].slice(0, MAX_NOTICES);
      changed();
      return true;
    },
    seen(match) {
      const before = items.length;
      items = items.filter(
        (n) =>
          !(
            (match.bookings && n.bookingId !== undefined) ||
            (match.conversationId !== undefined && n.conversationId === match.conversationId) ||
            (match.key !== undefined && n.key === match.key)
          ),
      );
      if (items.length !== before) changed();
    },
    clear() {
      if (items.length === 0) return;
      items = [];
      changed();
    },
    onChange(listener) {
      listeners.push(listener);
    },
  };
}
