import express, { type RequestHandler, Router } from "express";
import { z } from "zod";
import { DOC_ID_PATTERN } from "../content/doc-id.js";
import { AppError } from "../errors.js";
import { bearerToken, matchToken } from "../http/auth.js";
import { parseWith, sendError } from "../http/errors.js";
import type { SearchIndex } from "../index/search-index.js";
import { deleteDocument, listDocuments, MAX_DOCUMENT_BYTES, putDocument } from "./documents.js";
import type { Reindexer } from "./reindexer.js";
import { glossarySchema, loadGlossary, saveGlossary } from "../content/glossary.js";

export interface AdminRouteDeps {
  adminToken: string;
  /** Staff tokens are recognised only to refuse them with 403 rather than 401. */
  staffTokens: readonly { name: string; token: string }[];
  corpusDir: string;
  index: () => SearchIndex | undefined;
  reindexer: Reindexer;
}

/** Admin routes need `Authorization: Bearer <ADMIN_TOKEN>`; a staff token gets 403. */
export function requireAdmin(
  deps: Pick<AdminRouteDeps, "adminToken" | "staffTokens">,
): RequestHandler {
  const admins = [{ name: "admin", token: deps.adminToken }];
  return (req, res, next) => {
    const token = bearerToken(req.get("authorization"));
    if (matchToken(token, admins)) return next();
    if (matchToken(token, deps.staffTokens)) {
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
    res.json(await listDocuments(deps.corpusDir, deps.index()));
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
