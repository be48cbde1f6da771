import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import express, { type Request, type RequestHandler, type Response, Router } from "express";
import { z } from "zod";
import {
  type BookingExamples,
  bookingExamplesSchema,
  loadBookingExamples,
  saveBookingExamples,
} from "../content/booking-examples.js";
import { DOC_ID_PATTERN } from "../content/doc-id.js";
import { type QuestionBank, questionBankSchema } from "../content/question-bank.js";
import { questionKey, type QuestionBankStore } from "../content/question-bank-store.js";
import { sectionKey } from "../content/sections.js";
import { suggestQuestions } from "../content/suggest-questions.js";
import { AppError } from "../errors.js";
import { bearerToken, checkToken, sendTooManyFailures } from "../http/auth.js";
import { type FailureLimiter, requestAddress } from "../http/rate-limit.js";
import { parseWith, sendError } from "../http/errors.js";
import type { SearchIndex } from "../index/search-index.js";
import { deleteDocument, listDocuments, MAX_DOCUMENT_BYTES, putDocument } from "./documents.js";
import type { Reindexer } from "./reindexer.js";
import type { QuestionExplanation } from "./try-question.js";
import { MAX_MESSAGE_CHARS } from "../chat/schemas.js";
import { glossarySchema, loadGlossary, saveGlossary } from "../content/glossary.js";

export interface AdminRouteDeps {
  adminToken: string;
  /** Staff tokens are recognised only to refuse them with 403 rather than 401. */
  staffTokens: readonly { name: string; token: string }[];
  corpusDir: string;
  /** The clinic profile, from which the "Contact and opening hours" page is generated. */
  clinicProfilePath?: string;
  index: () => SearchIndex | undefined;
  reindexer: Reindexer;
  /** The question bank file, shared with the staff routes that file questions into it. */
  questions: QuestionBankStore;
  /** The chat model that drafts questions; absent without ANSWER_MODE=llm and CHAT_MODEL. */
  drafting?: { model: BaseChatModel; timeoutMs: number } | undefined;
  /** Wrong tokens per client address, shared with the staff API and sockets. */
  authFailures: FailureLimiter;
  /** "Try a question": the answer with the index in service, and why (undefined: not ready). */
  explain?: (question: string) => Promise<QuestionExplanation> | undefined;
}

/**
 * Admin routes need `Authorization: Bearer <ADMIN_TOKEN>`; a staff token gets 403, a wrong
 * one 401, and an address that sent too many wrong ones 429 for a while.
 */
export function requireAdmin(
  deps: Pick<AdminRouteDeps, "adminToken" | "staffTokens" | "authFailures">,
): RequestHandler {
  const admins = [{ name: "admin", token: deps.adminToken }];
  return async (req, res, next) => {
    const token = bearerToken(req.get("authorization"));
    const result = await checkToken(
      deps.authFailures,
      requestAddress(req),
      token,
      admins,
      deps.staffTokens,
    );
    if ("name" in result) return next();
    if ("blocked" in result) return sendTooManyFailures(res, result.blocked);
    if ("known" in result) {
      return sendError(
        res,
        "forbidden",
        "This needs the admin token; a staff token cannot manage content",
      );
    }
    res.setHeader("WWW-Authenticate", 'Bearer realm="admin"');
    sendError(res, "unauthorized", "A valid admin token is required");
  };
}

const markdownUpload = z.strictObject({
  title: z.string().trim().min(1, "Give the document a title").max(200),
  url: z.httpUrl("The URL must be an http(s) address").optional(),
  markdown: z.string().min(1, "The document is empty"),
});

const docIdParam = z.string().regex(DOC_ID_PATTERN, "not a document id");

/** The bank as a PUT gives it: each section once, and no question both answered and not. */
const questionBankBody = questionBankSchema.superRefine((bank, ctx) => {
  const answered = new Map<string, string>();
  bank.sections.forEach((section, i) =>
    section.questions.forEach((q, j) =>
      answered.set(questionKey(q), `sections.${i}.questions.${j}`),
    ),
  );
  bank.unanswered.forEach((q, i) => {
    const where = answered.get(questionKey(q));
    if (where !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["unanswered", i],
        message: `is also a question a section answers (${where})`,
      });
    }
  });
  const first = new Map<string, number>();
  bank.sections.forEach((section, i) => {
    const key = sectionKey(section.docId, section.heading);
    const earlier = first.get(key);
    if (earlier === undefined) first.set(key, i);
    else {
      ctx.addIssue({
        code: "custom",
        path: ["sections", i],
        message: `the same section as sections.${earlier} (${section.docId} › ${section.heading})`,
      });
    }
  });
});

/** Booking examples as a PUT gives them: a message is in one list, not both. */
const bookingExamplesBody = bookingExamplesSchema.superRefine((examples, ctx) => {
  const requests = new Map(examples.requests.map((text, i) => [text.toLowerCase(), i]));
  examples.notRequests.forEach((text, i) => {
    const both = requests.get(text.toLowerCase());
    if (both !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["notRequests", i],
        message: `is also a booking request (requests.${both})`,
      });
    }
  });
});

const draftBody = z.strictObject({});

/** A question to try, as a visitor could send it (the chat's own limit). */
const tryBody = z.strictObject({
  question: z.string().trim().min(1, "Write a question to try").max(MAX_MESSAGE_CHARS),
});

/** `If-Match: "<version>"` (or a bare version); undefined when the header is absent. */
function ifMatch(req: Request): string | undefined {
  const header = req.get("if-match");
  if (header === undefined) return undefined;
  const version = header.trim().replace(/^W\//, "").replace(/^"|"$/g, "");
  if (!/^[a-z0-9]{1,64}$/.test(version)) {
    throw new AppError("invalid", 'If-Match must be the version GET gave, as "<version>"');
  }
  return version;
}

function requireJsonBody(req: Request, what: string): void {
  if (!req.is("application/json")) throw new AppError("unsupported_media_type", what);
}

function bankFigures(bank: QuestionBank) {
  return {
    sections: bank.sections.length,
    questions: bank.sections.reduce((n, s) => n + s.questions.length, 0),
    drafts: bank.sections.reduce((n, s) => n + (s.drafts?.questions.length ?? 0), 0),
    unanswered: bank.unanswered.length,
  };
}

function sendVersion(res: Response, version: string): void {
  res.setHeader("ETag", `"${version}"`);
}

/** The admin API: the corpus documents and re-indexing. */
export function adminRoutes(deps: AdminRouteDeps): Router {
  const router = Router();
  router.use("/api/admin", requireAdmin(deps));
  const json = express.json({ limit: MAX_DOCUMENT_BYTES + 64 * 1024, type: "application/json" });
  const raw = express.raw({
    limit: MAX_DOCUMENT_BYTES,
    type: ["text/markdown", "text/x-markdown", "text/html", "text/plain"],
  });

  router.get("/api/admin/documents", async (_req, res) => {
    res.json(await listDocuments(deps.corpusDir, deps.index(), deps.clinicProfilePath));
  });

  router.put("/api/admin/documents/:docId", json, raw, async (req, res) => {
    const docId = parseWith(docIdParam, req.params.docId);
    let result: { created: boolean; file: string };
    if (req.is("application/json")) {
      const body = parseWith(markdownUpload, req.body);
      result = await putDocument(deps.corpusDir, docId, { kind: "markdown", ...body });
    } else if (Buffer.isBuffer(req.body)) {
      result = await putDocument(deps.corpusDir, docId, {
        kind: "file",
        contentType: req.get("content-type") ?? "",
        bytes: req.body,
      });
    } else {
      throw new AppError(
        "unsupported_media_type",
        "Send JSON { title, url?, markdown } or the file as text/markdown, text/html or text/plain",
      );
    }
    res
      .status(result.created ? 201 : 200)
      .json({ docId, file: result.file, created: result.created });
  });

  router.delete("/api/admin/documents/:docId", async (req, res) => {
    const docId = parseWith(docIdParam, req.params.docId);
    if (!(await deleteDocument(deps.corpusDir, docId)))
      throw new AppError("not_found", "No such document");
    res.status(204).end();
  });

  router.get("/api/admin/glossary", async (_req, res) => {
    const { glossary, problem } = await loadGlossary(deps.corpusDir);
    res.json({
      glossary,
      ...(problem ? { problem } : {}),
      // What the answers use now; an edit counts from the next re-index.
      inService: deps.index()?.glossary.terms.length ?? null,
    });
  });

  router.put("/api/admin/glossary", json, async (req, res) => {
    if (!req.is("application/json")) {
      throw new AppError("unsupported_media_type", "Send the glossary as JSON { terms: [...] }");
    }
    const glossary = parseWith(glossarySchema, req.body);
    await saveGlossary(deps.corpusDir, glossary);
    res.json({ terms: glossary.terms.length });
  });

  router.get("/api/admin/questions", async (_req, res) => {
    const [{ bank, problem, version }, sections] = await Promise.all([
      deps.questions.read(),
      deps.questions.sections(),
    ]);
    const indexed = new Set(deps.index()?.chunks.map((c) => sectionKey(c.docId, c.section)));
    sendVersion(res, version);
    res.json({
      bank,
      ...(problem ? { problem } : {}),
      version,
      // Every section of the articles now, so the console can show those without questions.
      sections: sections.map((s) => ({
        docId: s.docId,
        title: s.title,
        heading: s.heading,
        anchor: s.anchor,
        contentHash: s.contentHash,
        indexed: indexed.has(sectionKey(s.docId, s.heading)),
      })),
      drafting: deps.drafting !== undefined,
    });
  });

  router.put("/api/admin/questions", json, async (req, res) => {
    requireJsonBody(req, "Send the question bank as JSON { sections: [...] }");
    const expected = ifMatch(req);
    const bank = parseWith(questionBankBody, req.body);
    const { version } = await deps.questions.replace(
      bank,
      expected === undefined ? {} : { ifVersion: expected },
    );
    sendVersion(res, version);
    res.json({ ...bankFigures(bank), version });
  });

  // One drafting run at a time: a second click must not pay for the same drafts twice.
  let drafting = false;
  router.post("/api/admin/questions/drafts", json, async (req, res) => {
    if (req.is("application/json")) parseWith(draftBody, req.body);
    const settings = deps.drafting;
    if (!settings) {
      throw new AppError(
        "conflict",
        "Drafting questions needs a chat model: start the service with ANSWER_MODE=llm and CHAT_MODEL (and OPENAI_BASE_URL for a local model server).",
      );
    }
    if (drafting) throw new AppError("conflict", "Questions are being drafted already");
    drafting = true;
    try {
      const summary = await suggestQuestions({
        model: settings.model,
        store: deps.questions,
        sections: await deps.questions.sections(),
        timeoutMs: settings.timeoutMs,
      });
      res.json(summary);
    } catch (error) {
      // The admin sees what went wrong in words; the log keeps the model client's own error.
      if (error instanceof AppError && error.code === "bad_gateway") {
        req.log.warn({ err: error.cause }, "drafting questions failed");
      }
      throw error;
    } finally {
      drafting = false;
    }
  });

  router.get("/api/admin/booking-examples", async (_req, res) => {
    const { value, problem } = await loadBookingExamples(deps.corpusDir);
    res.json({ examples: value, ...(problem ? { problem } : {}) });
  });

  router.put("/api/admin/booking-examples", json, async (req, res) => {
    requireJsonBody(
      req,
      "Send the booking examples as JSON { requests: [...], notRequests: [...] }",
    );
    const examples: BookingExamples = parseWith(bookingExamplesBody, req.body);
    await saveBookingExamples(deps.corpusDir, examples);
    res.json({ requests: examples.requests.length, notRequests: examples.notRequests.length });
  });

  router.post("/api/admin/try", json, async (req, res) => {
    requireJsonBody(req, "Send the question as JSON { question }");
    const { question } = parseWith(tryBody, req.body);
    const explained = deps.explain?.(question);
    if (!explained) throw new AppError("index_missing", "The answerer is not ready yet");
    res.json(await explained);
  });

  router.post("/api/admin/reindex", (_req, res) => {
    const job = deps.reindexer.start("admin");
    res.status(202).json({ jobId: job.id, state: job.state });
  });

  router.get("/api/admin/reindex/:jobId", (req, res) => {
    const job = deps.reindexer.get(req.params.jobId);
    if (!job) throw new AppError("not_found", "No such job");
    res.json({
      id: job.id,
      state: job.state,
      progress: job.progress,
      createdAt: job.createdAt,
      finishedAt: job.finishedAt,
      ...(job.error ? { error: job.error } : {}),
      ...(job.stats ? { stats: job.stats } : {}),
    });
  });

  router.get("/api/admin/index", (_req, res) => {
    const index = deps.index();
    res.json({
      index: index
        ? {
            documents: index.manifest.documents,
            chunks: index.manifest.chunks,
            embeddingModel: index.manifest.embeddingModel,
            dimensions: index.manifest.dimensions,
            builtAt: index.manifest.builtAt,
            buildId: index.manifest.buildId,
          }
        : null,
      jobs: deps.reindexer.history(20),
    });
  });

  return router;
}
