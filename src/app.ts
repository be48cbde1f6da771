import type { Server as HttpServer } from "node:http";
import cors from "cors";
import express, { type Express, type Request } from "express";
import helmet from "helmet";
import { pinoHttp } from "pino-http";
import type { Logger } from "pino";
import { randomUUID } from "node:crypto";
import { Server } from "socket.io";
import { articleRoutes } from "./articles/article-routes.js";
import type { ChatService } from "./chat/chat-service.js";
import { visitorRoutes } from "./chat/http-routes.js";
import type { BookingService } from "./booking/booking-service.js";
import { type ChatServer, registerChatHandlers } from "./chat/socket-handlers.js";
import { registerAdminNamespace } from "./admin/admin-namespace.js";
import type { StaffAccount } from "./config.js";
import type { Core } from "./core.js";
import { errorHandler, notFound } from "./http/errors.js";
import type { FailureLimiter, VisitorRateLimiter } from "./http/rate-limit.js";
import { staffRoutes } from "./staff/staff-routes.js";
import type { StaffConsoleDeps } from "./staff/staff-console.js";
import { notifyingBookings, notifyingChat } from "./staff/staff-events.js";
import { registerStaffNamespace } from "./staff/staff-namespace.js";
import { type AdminRouteDeps, adminRoutes } from "./admin/admin-routes.js";
import type { BookingRepository } from "./store/bookings.js";
import type { TranscriptRepository } from "./store/transcripts.js";
import { consoleRoutes } from "./web/console-routes.js";
import { staticRoutes } from "./web/static-routes.js";

/** Everything the service needs, built by main.ts (or a test) and passed in. */
export interface AppDeps {
  logger: Logger;
  /** The loaded core, or undefined while the service is starting. */
  core: () => Core | undefined;
  chat: () => ChatService | undefined;
  transcripts: TranscriptRepository;
  bookings: BookingRepository;
  bookingService: BookingService;
  limiter: VisitorRateLimiter;
  staffAccounts: readonly StaffAccount[];
  allowedOrigins: readonly string[];
  trustProxy: number;
  /**
   * Wrong tokens and sign-ins per client address, one budget for every door: the staff
   * sign-in, both APIs' bearer tokens and both socket namespaces.
   */
  authFailures: FailureLimiter;
  /** The admin API (documents, re-index); absent, its routes answer 404. */
  admin?: Omit<AdminRouteDeps, "authFailures">;
  /**
   * The staff console's sign-in, live events, erasure and audit; absent, the staff API takes
   * bearer tokens only, those routes answer 404 and there is no `/staff` namespace.
   */
  staff?: StaffConsoleDeps;
  /** Registers work in flight (socket replies), for a graceful shutdown. */
  track?: (work: Promise<unknown>) => void;
}

/**
 * The path as logged: no query string (staff search carries visitor text) and no ids (a
 * session id is the key to a transcript): long id-like segments become `:id`.
 */
export function loggedPath(url: string): string {
  return (url.split("?")[0] ?? "")
    .split("/")
    .map((segment) => (/^[A-Za-z0-9_-]{16,}$/.test(segment) ? ":id" : segment))
    .join("/");
}

/** True for a request from the service's own origin or one listed in ALLOWED_ORIGINS. */
function originAllowed(
  origin: string,
  host: string | undefined,
  allowed: readonly string[],
): boolean {
  if (allowed.includes(origin)) return true;
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}

/**
 * Wires the HTTP routes: security headers, request logs, CORS for the visitor API, the
 * visitor, staff and article routes, and JSON errors. Builds nothing itself.
 */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.set("trust proxy", deps.trustProxy);
  app.disable("x-powered-by");

  app.use(
    pinoHttp({
      logger: deps.logger,
      genReqId: (req, res) => {
        const id = randomUUID();
        res.setHeader("X-Request-Id", id);
        return id;
      },
      // Paths only: query strings can carry visitor text (staff search) and stay out of logs.
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          path: loggedPath(req.url),
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      // Health probes come every few seconds from a load balancer or supervisor: not logged.
      autoLogging: { ignore: (req) => /^\/healthz\/?$/.test(loggedPath(req.url ?? "")) },
      // 503 is a state (starting, shutting down), not a fault: a warning, not an error.
      customLogLevel: (_req, res, error) =>
        error || (res.statusCode >= 500 && res.statusCode !== 503)
          ? "error"
          : res.statusCode >= 400
            ? "warn"
            : "info",
    }),
  );
  app.use(helmet());
  // The widget and the visitor API are used from the clinic's own site, on another origin.
  const visitorPaths = ["/widget.js", "/api/chat", "/api/feedback", "/api/bookings", "/articles"];
  app.use(visitorPaths, (_req, res, next) => {
    res.setHeader("Cross-Origin-Resource-Policy", "cross-origin");
    next();
  });
  app.use(
    ["/api/chat", "/api/feedback", "/api/bookings"],
    cors((req: Request, callback) => {
      const origin = req.get("origin");
      callback(null, {
        origin: origin ? originAllowed(origin, req.get("host"), deps.allowedOrigins) : false,
        methods: ["GET", "POST"],
        allowedHeaders: ["Content-Type"],
        maxAge: 600,
      });
    }),
  );

  app.get("/healthz", (_req, res) => {
    const core = deps.core();
    if (!core) return res.status(503).json({ status: "starting" });
    const m = core.index.manifest;
    res.json({
      status: "ok",
      index: {
        documents: m.documents,
        chunks: m.chunks,
        embeddings: m.embeddingModel,
        builtAt: m.builtAt,
      },
    });
  });

  app.use(
    visitorRoutes({
      chat: notifyingChat(deps.chat, deps.staff?.events),
      transcripts: deps.transcripts,
      bookings: notifyingBookings(deps.bookingService, deps.bookings, deps.staff?.events),
      limiter: deps.limiter,
    }),
  );
  app.use(
    staffRoutes({
      staffAccounts: deps.staffAccounts,
      transcripts: deps.transcripts,
      bookings: deps.bookings,
      console: deps.staff,
      authFailures: deps.authFailures,
      model: () => deps.core()?.model,
    }),
  );
  app.use(
    articleRoutes({
      documents: () => deps.core()?.index.documents,
      siteName: () => deps.core()?.clinic.name ?? "Clinic",
    }),
  );

  if (deps.admin) app.use(adminRoutes({ ...deps.admin, authFailures: deps.authFailures }));
  app.use(staticRoutes({ clinic: () => deps.core()?.clinic }));
  app.use(consoleRoutes());

  app.use(notFound);
  app.use(errorHandler(deps.logger));
  return app;
}

/** Socket messages are small; the same 16 KB bound as the HTTP chat body. */
export const MAX_SOCKET_MESSAGE_BYTES = 16 * 1024;

/** Attaches Socket.IO to the HTTP server, with the same origin rule as the visitor API. */
export function attachSockets(httpServer: HttpServer, deps: AppDeps): ChatServer {
  const io: ChatServer = new Server(httpServer, {
    maxHttpBufferSize: MAX_SOCKET_MESSAGE_BYTES,
    allowRequest: (req, callback) => {
      const origin = req.headers.origin;
      // No Origin header: not a browser (a server, a test, the bench), nothing to protect.
      callback(null, !origin || originAllowed(origin, req.headers.host, deps.allowedOrigins));
    },
    cors: {
      origin: (origin, callback) => callback(null, origin ? [...deps.allowedOrigins] : false),
      methods: ["GET", "POST"],
    },
  });
  if (deps.admin) {
    registerAdminNamespace(io, {
      adminToken: deps.admin.adminToken,
      staffTokens: deps.admin.staffTokens,
      authFailures: deps.authFailures,
      trustProxy: deps.trustProxy,
    });
  }
  if (deps.staff) {
    registerStaffNamespace(io, {
      staffAccounts: deps.staffAccounts,
      sessions: deps.staff.sessions,
      events: deps.staff.events,
      authFailures: deps.authFailures,
      trustProxy: deps.trustProxy,
    });
  }
  registerChatHandlers(io, {
    chat: notifyingChat(deps.chat, deps.staff?.events),
    limiter: deps.limiter,
    logger: deps.logger,
    trustProxy: deps.trustProxy,
    ...(deps.track ? { track: deps.track } : {}),
  });
  return io;
}
