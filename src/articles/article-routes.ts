import { Router } from "express";
import { renderArticlePage } from "../content/article-page.js";
import type { SourceDocument } from "../content/types.js";
import { AppError } from "../errors.js";

export interface ArticleRouteDeps {
  /** The documents of the index in service (citations point into them). */
  documents: () => readonly SourceDocument[] | undefined;
  siteName: () => string;
}

/**
 * `/articles/:docId`: every indexed document as a readable page with an anchor per heading,
 * so a citation link always resolves, also for documents without a public URL of their own.
 */
export function articleRoutes(deps: ArticleRouteDeps): Router {
  const router = Router();
  router.get("/articles/:docId", (req, res) => {
    const documents = deps.documents();
    if (!documents)
      throw new AppError("unavailable", "The articles are loading; try again in a moment");
    const doc = documents.find((d) => d.docId === req.params.docId);
    if (!doc) throw new AppError("not_found", "No such article");
    res.type("html").send(renderArticlePage(doc, { siteName: deps.siteName() }));
  });
  return router;
}
