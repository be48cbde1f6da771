import type { ErrorRequestHandler, RequestHandler, Response } from "express";
import type { Logger } from "pino";
import { z } from "zod";
import { fieldErrors } from "../chat/schemas.js";
import { AppError, type ErrorCode, errorStatus } from "../errors.js";

/** Codes a client may see; anything else is reported as `internal`. */
const PUBLIC_CODES = new Set<ErrorCode>([
  "invalid",
  "unauthorized",
  "forbidden",
  "not_found",
  "conflict",
  "precondition_failed",
  "too_large",
  "unsupported_media_type",
  "rate_limited",
  "bad_gateway",
  "unavailable",
]);

/** `{ error: { code, message, fields? } }` with the code's status. */
export function sendError(
  res: Response,
  code: ErrorCode,
  message: string,
  fields?: Record<string, string>,
): void {
  res.status(errorStatus[code]).json({ error: { code, message, ...(fields ? { fields } : {}) } });
}

/** Body-parser errors carry a `type`; map the ones a client causes. */
function bodyParserError(error: unknown): { code: ErrorCode; message: string } | null {
  const type = (error as { type?: unknown }).type;
  if (type === "entity.too.large")
    return { code: "too_large", message: "The request body is too large" };
  if (type === "entity.parse.failed")
    return { code: "invalid", message: "The request body is not valid JSON" };
  if (type === "encoding.unsupported" || type === "charset.unsupported") {
    return { code: "unsupported_media_type", message: "Unsupported body encoding" };
  }
  return null;
}

/**
 * The last middleware: every error becomes a JSON error response. Visitors never see a
 * stack trace or an internal message; the log keeps the cause.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    if (res.headersSent) return;
    const parsed = bodyParserError(error);
    if (parsed) return sendError(res, parsed.code, parsed.message);
    // Express's own client errors (a malformed percent-encoding in the path, say).
    const status = (error as { status?: unknown }).status;
    if (
      typeof status === "number" &&
      status >= 400 &&
      status < 500 &&
      !(error instanceof AppError)
    ) {
      return sendError(res, "invalid", "The request is not valid");
    }
    if (error instanceof z.ZodError) {
      return sendError(res, "invalid", "The request is not valid", fieldErrors(error));
    }
    if (error instanceof AppError && PUBLIC_CODES.has(error.code)) {
      const fields = error.details?.fields as Record<string, string> | undefined;
      return sendError(res, error.code, error.message, fields);
    }
    logger.error({ err: error, reqId: (req as { id?: unknown }).id }, "request failed");
    sendError(res, "internal", "Something went wrong on our side. Please try again.");
  };
}

export const notFound: RequestHandler = (_req, res) => sendError(res, "not_found", "No such route");

/** Refuses a body that is not JSON with 415, before anything reads it. */
export const requireJson: RequestHandler = (req, res, next) => {
  if (!req.is("application/json")) {
    return sendError(res, "unsupported_media_type", "Send the body as application/json");
  }
  next();
};

/** Parses with a zod schema; a failure is a 400 naming each field. */
export function parseWith<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new AppError("invalid", "The request is not valid", {
      details: { fields: fieldErrors(result.error) },
      cause: result.error,
    });
  }
  return result.data;
}
