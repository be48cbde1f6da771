/**
 * The composition root: config -> logger -> database -> HTTP + Socket.IO (listening at
 * once, answering 503 while starting) -> core (building the index if needed) -> ready.
 * SIGTERM/SIGINT: stop taking new work, let replies in flight finish, close the database.
 */
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import path from "node:path";
import { pino } from "pino";
import { attachSockets, createApp } from "./app.js";
import { createBookingService } from "./booking/booking-service.js";
import { createWebhookDelivery, type WebhookDelivery } from "./booking/webhook-delivery.js";
import { type ChatService, createChatService } from "./chat/chat-service.js";
import { type Config, loadConfig, loadDotEnv, type StaffAccount } from "./config.js";
import { buildOptions, type Core, loadCore, withIndex } from "./core.js";
import { broadcastReindex } from "./admin/admin-namespace.js";
import { createChatModel } from "./answer/llm/chat-model.js";
import { createQuestionBankStore } from "./content/question-bank-store.js";
import { loadClinicProfile } from "./content/clinic.js";
import { createReindexer } from "./admin/reindexer.js";
import type { ChatServer } from "./chat/socket-handlers.js";
import { buildIndex } from "./index/build-index.js";
import { loadIndex } from "./index/index-store.js";
import { createSqliteReindexJobs } from "./store/reindex-jobs.js";
import { AppError } from "./errors.js";
import {
  AUTH_FAILURES_PER_MIN,
  createFailureLimiter,
  createVisitorRateLimiter,
} from "./http/rate-limit.js";
import { createSqliteBookings } from "./store/bookings.js";
import { checkpointDatabase, closeDatabase, openDatabase } from "./store/database.js";
import { createSqliteOutbox } from "./store/outbox.js";
import { createSqliteTranscripts } from "./store/transcripts.js";
import { createRetention } from "./staff/retention.js";
import { createStaffConsole } from "./staff/staff-console.js";
import { explainQuestion } from "./admin/try-question.js";

/** How long a shutdown waits for replies in flight. */
const SHUTDOWN_GRACE_MS = 10_000;

/** Development only: tokens nobody set are generated, so staff and admin routes are never open. */
function resolveTokens(config: Config): {
  staff: StaffAccount[];
  admin: string;
  generated: string[];
} {
  const generated: string[] = [];
  let staff = config.staffAccounts;
  if (staff.length === 0) {
    staff = [{ name: "staff", token: randomBytes(18).toString("base64url") }];
    generated.push(`STAFF_TOKEN=${staff[0]?.token}`);
  }
  let admin = config.adminToken;
  if (!admin) {
    admin = randomBytes(18).toString("base64url");
    generated.push(`ADMIN_TOKEN=${admin}`);
  }
  return { staff, admin, generated };
}

async function main(): Promise<void> {
  loadDotEnv();
  const config = loadConfig(process.env);
  const logger = pino({ level: config.logLevel });
  const tokens = resolveTokens(config);
  if (tokens.generated.length > 0) {
    // Printed once, to the terminal only: set them in .env to keep them across restarts.
    process.stderr.write(`Generated for this run (development): ${tokens.generated.join("  ")}\n`);
  }

  const db = openDatabase(path.join(config.dataDir, "app.db"));
  const transcripts = createSqliteTranscripts(db, { phoneRegion: config.phoneRegion });
  const outbox = createSqliteOutbox(db);
  const bookings = createSqliteBookings(db, { phoneRegion: config.phoneRegion });
  const webhook: WebhookDelivery | undefined = config.bookingWebhook
    ? createWebhookDelivery({ outbox, ...config.bookingWebhook, logger })
    : undefined;
  const bookingService = createBookingService({
    db,
    bookings,
    transcripts,
    outbox: webhook ? outbox : undefined,
    onCreated: () => webhook?.wake(),
  });
  // The question bank is written by admins, by drafting and by staff filing questions: one
  // store for all of them, so their changes queue instead of overwriting each other.
  const questions = createQuestionBankStore({
    corpusDir: config.corpusDir,
    clinicProfilePath: config.clinicProfilePath,
  });
  // Staff console: sessions signed with SESSION_SECRET (generated per process in development,
  // so a restart signs staff out), live updates, erasure, filing questions and the audit log.
  const staff = createStaffConsole({
    db,
    transcripts,
    bookings,
    outbox,
    staffAccounts: tokens.staff,
    sessionSecret: config.sessionSecret ?? randomBytes(32).toString("base64url"),
    secureCookies: config.production,
    questions,
    onEventError: (error) => logger.error({ err: error }, "staff live update failed"),
  });
  const retention = createRetention({
    days: config.transcriptRetentionDays,
    transcripts,
    bookings,
    outbox,
    audit: staff.audit,
    logger,
    // Expired text leaves the write-ahead log at once, not at the next clean stop.
    checkpoint: () => checkpointDatabase(db),
  });
  retention.start();

  // Filled in once the core is loaded; until then the service answers 503.
  const state: { core?: Core; chat?: ChatService; accepting: boolean } = { accepting: true };
  const inFlight = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>) => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  };

  // Re-index from the admin console: build beside the index in service, then swap.
  // Sockets exist only once the server does; progress updates look them up when sent.
  const sockets: { io?: ChatServer } = {};
  const reindexer = createReindexer({
    jobs: createSqliteReindexJobs(db),
    build: (onProgress) => {
      const core = state.core;
      if (!core) throw new AppError("unavailable", "The service is still starting");
      return buildIndex({ ...buildOptions(config, core.model), onProgress });
    },
    activate: async () => {
      const core = state.core as Core;
      const index = await loadIndex(config.indexDir, {
        expectModel: core.model.modelId,
        ef: config.hnswEf,
      });
      // The profile as the build read it; a broken one keeps the profile in service, as the
      // build left its page out.
      const clinic = await loadClinicProfile(config.clinicProfilePath).catch((error: unknown) => {
        logger.warn({ err: error }, "clinic profile not reloaded; keeping the one in service");
        return undefined;
      });
      state.core = withIndex(core, index, clinic);
      logger.info(
        { chunks: index.manifest.chunks, buildId: index.manifest.buildId },
        "new index in service",
      );
    },
    onUpdate: (job) => broadcastReindex(sockets.io, job),
    logError: (error, jobId) => logger.error({ err: error, jobId }, "re-index failed"),
  });

  const deps = {
    logger,
    core: () => state.core,
    chat: () => (state.accepting ? state.chat : undefined),
    transcripts,
    bookings,
    bookingService,
    limiter: createVisitorRateLimiter(config.rateLimitPerMin),
    staffAccounts: tokens.staff,
    allowedOrigins: config.allowedOrigins,
    trustProxy: config.trustProxy,
    authFailures: createFailureLimiter(AUTH_FAILURES_PER_MIN, "auth"),
    admin: {
      adminToken: tokens.admin,
      staffTokens: tokens.staff,
      corpusDir: config.corpusDir,
      clinicProfilePath: config.clinicProfilePath,
      index: () => state.core?.index,
      explain: (question: string) => state.core && explainQuestion(state.core, question),
      reindexer,
      questions,
      // Drafting questions uses the generative mode's model settings, with its own client.
      drafting: config.llm
        ? { model: createChatModel(config.llm), timeoutMs: config.llm.timeoutMs }
        : undefined,
    },
    track,
    staff,
  };
  const app = createApp(deps);
  const server = createServer(app);
  const io = attachSockets(server, deps);
  sockets.io = io;
  await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  logger.info({ port, host: config.host }, "listening (starting up)");

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, inFlight: inFlight.size }, "shutting down");
    state.accepting = false;
    server.close();
    server.closeIdleConnections();
    // One grace period bounds everything: replies in flight, a delivery, a re-index, sockets.
    const deadline = Date.now() + SHUTDOWN_GRACE_MS;
    const withinGrace = (work: Promise<unknown>) =>
      Promise.race([
        work.catch(() => undefined),
        new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now())).unref()),
      ]);
    await withinGrace(Promise.allSettled([...inFlight]));
    retention.stop();
    await withinGrace(webhook?.stop() ?? Promise.resolve());
    await withinGrace(reindexer.idle());
    await withinGrace(io.close());
    closeDatabase(db);
    logger.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));

  const loaded = await loadCore(config, { buildIfNeeded: true, log: logger });
  if (loaded.rebuilt) {
    logger.info(
      {
        reason: loaded.rebuilt.reason,
        chunks: loaded.rebuilt.summary.chunks,
        skipped: loaded.rebuilt.summary.skipped,
      },
      "built the index",
    );
  }
  state.core = loaded;
  // Each message takes the answerer in service when it starts: a re-index swap never mixes
  // two indexes in one answer.
  state.chat = createChatService({
    answerer: () => (state.core as Core).answerer,
    transcripts,
  });
  webhook?.start();
  logger.info(
    { port, documents: loaded.index.manifest.documents, chunks: loaded.index.manifest.chunks },
    "ready",
  );
  // Plain line for humans and scripts waiting for the service.
  process.stdout.write(`Ready on http://localhost:${port}\n`);
}

main().catch((error: unknown) => {
  const message = error instanceof AppError ? error.message : String(error);
  process.stderr.write(`Cannot start: ${message}\n`);
  if (!(error instanceof AppError)) console.error(error);
  process.exit(1);
});
