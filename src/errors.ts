/** Error codes shared by every edge (HTTP, sockets, scripts), with the HTTP status each maps to. */
export const errorStatus = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  /** The request clashes with the service's state (a run in progress, a file to fix first). */
  conflict: 409,
  /** A conditional write (`If-Match`) whose condition no longer holds. */
  precondition_failed: 412,
  too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  /** A service this one depends on (the chat model server) failed or could not be reached. */
  bad_gateway: 502,
  unavailable: 503,
  /** The saved index was built with another embedding model than the one configured. */
  index_mismatch: 500,
  /** No usable index or corpus. */
  index_missing: 503,
  /** Configuration is missing or wrong. */
  config: 500,
} as const;

export type ErrorCode = keyof typeof errorStatus;

/** The one error type services throw; edges turn it into a response. Keeps the original `cause`. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.details = options.details;
  }

  get status(): number {
    return errorStatus[this.code];
  }
}
