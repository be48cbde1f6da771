/**
 * The staff API as the console uses it, over the session cookie. Shapes are the server's own
 * types (imported as types only: nothing of the server ends up in the bundle).
 */
import type { GapReport } from "../../src/staff/gaps.js";
import type { SectionChoice } from "../../src/staff/triage.js";
import type { bookingView, reviewView, staffTranscriptView } from "../../src/staff/views.js";
import type { AuditEntry } from "../../src/store/audit-log.js";
import type { Booking, BookingStatus } from "../../src/store/bookings.js";
import type { Page } from "../../src/store/cursor.js";
import type {
  ConversationSummary,
  QuestionTriage,
  TriageChange,
} from "../../src/store/transcripts.js";
import type { Http, Result } from "../console/http.js";
import { type BookingFilters, type ConversationFilters, conversationsApiPath } from "./routes.js";

export type Transcript = ReturnType<typeof staffTranscriptView>;
export type TranscriptMessage = Transcript["messages"][number];
export type Review = ReturnType<typeof reviewView>;
export type BookingWithHistory = ReturnType<typeof bookingView>;
export type {
  AuditEntry,
  Booking,
  BookingStatus,
  ConversationSummary,
  GapReport,
  Page,
  QuestionTriage,
  SectionChoice,
};

/** What staff decide about a visitor question: file it under a section, or mark it. */
export type TriageRequest =
  | { action: "file"; docId: string; heading: string }
  | Extract<TriageChange, { action: "unanswerable" }>;

export interface Me {
  name: string;
  via: "cookie" | "token";
  expiresAt: string | null;
}

export interface ErasureRequest {
  sessionId?: string;
  email?: string;
  phone?: string;
}

export interface StaffApi {
  signIn(token: string): Promise<Result<null>>;
  signOut(): Promise<Result<null>>;
  me(): Promise<Result<Me>>;
  conversations(
    filters: ConversationFilters,
    cursor?: string,
  ): Promise<Result<Page<ConversationSummary>>>;
  conversation(id: string): Promise<Result<Transcript>>;
  review(id: string, change: { reviewed?: boolean; note?: string | null }): Promise<Result<Review>>;
  bookings(filters: BookingFilters, cursor?: string): Promise<Result<Page<Booking>>>;
  booking(id: string): Promise<Result<BookingWithHistory>>;
  setBookingStatus(id: string, status: BookingStatus): Promise<Result<BookingWithHistory>>;
  gaps(period: { from?: string; to?: string }): Promise<Result<GapReport>>;
  erase(request: ErasureRequest): Promise<Result<{ conversations: number; bookings: number }>>;
  /** The audit log, newest first, a page at a time. */
  audit(cursor?: string): Promise<Result<Page<AuditEntry>>>;
  sections(): Promise<Result<{ sections: SectionChoice[] }>>;
  triage(
    conversationId: string,
    messageId: string,
    request: TriageRequest,
  ): Promise<Result<{ triage: QuestionTriage; added?: boolean }>>;
}

const id = (value: string) => encodeURIComponent(value);

export function createStaffApi(http: Http): StaffApi {
  return {
    signIn: (token) => http.request("POST", "/api/staff/session", { json: { token } }),
    signOut: () => http.request("DELETE", "/api/staff/session"),
    me: () => http.request("GET", "/api/staff/me"),
    conversations: (filters, cursor) => http.request("GET", conversationsApiPath(filters, cursor)),
    conversation: (conversationId) =>
      http.request("GET", `/api/staff/conversations/${id(conversationId)}`),
    review: (conversationId, change) =>
      http.request("PATCH", `/api/staff/conversations/${id(conversationId)}`, { json: change }),
    bookings: (filters, cursor) => {
      const params = new URLSearchParams({ limit: "25" });
      if (filters.status) params.set("status", filters.status);
      if (filters.type) params.set("type", filters.type);
      if (cursor) params.set("cursor", cursor);
      return http.request("GET", `/api/staff/bookings?${params.toString()}`);
    },
    booking: (bookingId) => http.request("GET", `/api/staff/bookings/${id(bookingId)}`),
    setBookingStatus: (bookingId, status) =>
      http.request("PATCH", `/api/staff/bookings/${id(bookingId)}`, { json: { status } }),
    gaps: (period) => {
      const params = new URLSearchParams();
      if (period.from) params.set("from", period.from);
      if (period.to) params.set("to", period.to);
      const query = params.toString();
      return http.request("GET", `/api/staff/gaps${query ? `?${query}` : ""}`);
    },
    erase: (request) => http.request("POST", "/api/staff/erasure", { json: request }),
    audit: (cursor) => {
      const params = new URLSearchParams({ limit: "50" });
      if (cursor) params.set("cursor", cursor);
      return http.request("GET", `/api/staff/audit?${params.toString()}`);
    },
    sections: () => http.request("GET", "/api/staff/sections"),
    triage: (conversationId, messageId, request) =>
      http.request(
        "POST",
        `/api/staff/conversations/${id(conversationId)}/messages/${id(messageId)}/triage`,
        { json: request },
      ),
  };
}
