/**
 * The visitor HTTP API as the widget uses it. Every call resolves (never throws) to a result
 * whose failure carries only a code (and a booking's per-field messages), so the view can say
 * something polite.
 */
import type { Citation, Handoff } from "../../src/answer/types.js";
import type { SentRequest } from "../../src/booking/booking-service.js";
import type { PublicClinicProfile } from "../../src/web/static-routes.js";
import type { Rating } from "./session.js";

export type { SentRequest };

export type ApiResult<T> =
  | { ok: true; value: T }
  | { ok: false; status: number; code: string; fields?: Record<string, string> };

export interface RestoredMessage {
  id: string;
  role: "visitor" | "bot";
  text: string;
  citations: Citation[];
  handoff: Handoff | null;
  /** A visitor message's client message id, when it was sent with one. */
  clientMessageId?: string;
  /** A bot reply's: the request sent from its form, if one was (no contact details). */
  request?: SentRequest;
}

export interface BookingBody {
  type: "consultation" | "callback";
  sessionId?: string;
  /** The bot reply whose handoff offered the form. */
  messageId?: string;
  name: string;
  email?: string;
  phone?: string;
  treatment?: string;
  preferredTime?: string;
  consent: boolean;
}

export interface WidgetApi {
  clinic(): Promise<ApiResult<PublicClinicProfile>>;
  conversation(sessionId: string): Promise<ApiResult<RestoredMessage[]>>;
  feedback(body: {
    sessionId: string;
    messageId: string;
    rating: Rating;
  }): Promise<ApiResult<null>>;
  booking(body: BookingBody): Promise<ApiResult<{ id: string }>>;
}

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function toRequest(value: unknown): SentRequest | undefined {
  if (!isObject(value)) return undefined;
  const { kind, sentAt } = value;
  if (kind !== "consultation" && kind !== "callback") return undefined;
  if (typeof sentAt !== "string" || Number.isNaN(Date.parse(sentAt))) return undefined;
  return { kind, sentAt };
}

function toMessage(value: unknown): RestoredMessage | undefined {
  if (!isObject(value)) return undefined;
  const { id, role, text, citations, handoff, clientMessageId } = value;
  if (typeof id !== "string" || typeof text !== "string") return undefined;
  if (role !== "visitor" && role !== "bot") return undefined;
  const request = role === "bot" ? toRequest(value.request) : undefined;
  return {
    id,
    role,
    text,
    citations: Array.isArray(citations) ? (citations as Citation[]) : [],
    handoff: isObject(handoff) ? (handoff as unknown as Handoff) : null,
    ...(typeof clientMessageId === "string" ? { clientMessageId } : {}),
    ...(request ? { request } : {}),
  };
}

/**
 * @param server - The service's origin.
 * @param fetchImpl - `fetch` (a stand-in in tests).
 */
export function createApi(server: string, fetchImpl: Fetch = (...a) => fetch(...a)): WidgetApi {
  async function call<T>(
    path: string,
    init: RequestInit,
    read: (body: unknown) => T | undefined,
  ): Promise<ApiResult<T>> {
    let response: Response;
    try {
      response = await fetchImpl(`${server}${path}`, {
        ...init,
        mode: "cors",
        credentials: "omit",
        headers: init.body ? { "content-type": "application/json" } : {},
      });
    } catch {
      return { ok: false, status: 0, code: "network" };
    }
    const body: unknown = response.status === 204 ? null : await response.json().catch(() => null);
    if (!response.ok) {
      const error = isObject(body) && isObject(body.error) ? body.error : {};
      const fields = isObject(error.fields) ? (error.fields as Record<string, string>) : undefined;
      return {
        ok: false,
        status: response.status,
        code: typeof error.code === "string" ? error.code : "internal",
        ...(fields ? { fields } : {}),
      };
    }
    const value = read(body);
    return value === undefined
      ? { ok: false, status: response.status, code: "internal" }
      : { ok: true, value };
  }

  const post = (body: unknown): RequestInit => ({ method: "POST", body: JSON.stringify(body) });

  return {
    clinic: () =>
      call("/api/clinic", { method: "GET" }, (body) =>
        isObject(body) && typeof body.name === "string"
          ? (body as unknown as PublicClinicProfile)
          : undefined,
      ),
    conversation: (sessionId) =>
      call(`/api/chat/${encodeURIComponent(sessionId)}`, { method: "GET" }, (body) => {
        if (!isObject(body) || !Array.isArray(body.messages)) return undefined;
        return body.messages.map(toMessage).filter((m) => m !== undefined);
      }),
    feedback: (body) => call("/api/feedback", post(body), () => null),
    booking: (body) =>
      call("/api/bookings", post(body), (response) =>
        isObject(response) && typeof response.id === "string" ? { id: response.id } : undefined,
      ),
  };
}
