/**
 * The consoles' HTTP client. Every call resolves (never throws) to a result; a failure keeps the
 * service's own message, which for the staff and admin APIs is written for people ("A document
 * may be at most 2 MB"), with the per-field messages of a validation error.
 */

export type Result<T> = { ok: true; value: T } | ({ ok: false } & Failure);

export interface Failure {
  /** The HTTP status; 0 when the service could not be reached. */
  status: number;
  /** The service's error code (`unauthorized`, `invalid`, …), `network` or `internal`. */
  code: string;
  /** A sentence to show: the service's message, with the field messages appended. */
  message: string;
  /** Seconds to wait, from `Retry-After` (rate limits). */
  retryAfter?: number;
  /** A validation error's messages by field (`sections.2.questions.4`), for forms to place. */
  fields?: Record<string, string>;
}

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export interface RequestOptions {
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as is, with `contentType` (a file upload). */
  body?: Blob | string;
  contentType?: string;
  /** Extra headers of this request (e.g. `If-Match`). */
  headers?: Record<string, string>;
}

export interface Http {
  request<T>(method: string, path: string, options?: RequestOptions): Promise<Result<T>>;
}

export interface HttpOptions {
  /** Extra headers of every request (the admin console's bearer token). */
  headers?: () => Record<string, string>;
  /** Told of every 401, e.g. to show the sign-in form again. */
  onUnauthorized?: (failure: Failure) => void;
  fetch?: Fetch;
}

export const NETWORK_MESSAGE = "The service can't be reached. Check your connection and try again.";
const INTERNAL_MESSAGE = "Something went wrong on the service. Please try again.";

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** The failure a response describes: `{ error: { code, message, fields? } }` when it is ours. */
export function failureOf(status: number, body: unknown, retryAfter?: string | null): Failure {
  const error = isObject(body) && isObject(body.error) ? body.error : {};
  const code = typeof error.code === "string" ? error.code : status >= 500 ? "internal" : "error";
  let message = typeof error.message === "string" && error.message ? error.message : "";
  if (!message) message = status >= 500 || status === 0 ? INTERNAL_MESSAGE : `Error ${status}`;
  const fields = isObject(error.fields)
    ? Object.fromEntries(
        Object.entries(error.fields).filter(
          (entry): entry is [string, string] => typeof entry[1] === "string",
        ),
      )
    : {};
  const details = Object.entries(fields).map(([field, text]) =>
    field && field !== "body" ? `${field}: ${text}` : text,
  );
  if (details.length > 0) message = `${message.replace(/\.?$/, ".")} ${details.join("; ")}.`;
  const seconds = Number(retryAfter);
  return {
    status,
    code,
    message,
    ...(retryAfter && Number.isFinite(seconds) ? { retryAfter: seconds } : {}),
    ...(details.length > 0 ? { fields } : {}),
  };
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

/** Same-origin JSON requests to the service (cookies included, as the browser does by default). */
export function createHttp(options: HttpOptions = {}): Http {
  const fetchImpl: Fetch = options.fetch ?? ((...args) => fetch(...args));
  return {
    async request<T>(method: string, path: string, request: RequestOptions = {}) {
      const headers: Record<string, string> = {
        accept: "application/json",
        ...options.headers?.(),
        ...request.headers,
      };
      let body: BodyInit | undefined;
      if (request.json !== undefined) {
        headers["content-type"] = "application/json";
        body = JSON.stringify(request.json);
      } else if (request.body !== undefined) {
        if (request.contentType) headers["content-type"] = request.contentType;
        body = request.body;
      }
      let response: Response;
      try {
        response = await fetchImpl(path, {
          method,
          headers,
          credentials: "same-origin",
          cache: "no-store",
          ...(body !== undefined ? { body } : {}),
        });
      } catch {
        return { ok: false, status: 0, code: "network", message: NETWORK_MESSAGE };
      }
      const text = await response.text().catch(() => "");
      const parsed = parseJson(text);
      if (!response.ok) {
        const failure = failureOf(response.status, parsed, response.headers.get("retry-after"));
        if (response.status === 401) options.onUnauthorized?.(failure);
        return { ok: false, ...failure };
      }
      // Our own API: the shapes are the ones its types (shared with the server) describe.
      return { ok: true, value: parsed as T };
    },
  };
}
