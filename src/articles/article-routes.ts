import { type Request, Router } from "express";
import {
  renderArticleList,
  renderArticlePage,
  renderArticleNotFound,
} from "../content/article-page.js";
import type { SourceDocument } from "../content/types.js";
import { AppError } from "../errors.js";

export interface ArticleRouteDeps {
  /** The documents of the index in service (citations point into them). */
  documents: () => readonly SourceDocument[] | undefined;
  siteName: () => string;
}

/** A browser asks for a page; API clients (and `fetch`'s default Accept) get JSON. */
const wantsPage = (req: Request) => req.accepts(["json", "html"]) === "html";

/**
 * `/articles/:docId`: every indexed document as a readable page with an anchor per heading,
 * so a citation link always resolves, also for documents without a public URL of their own;
 * `/articles` lists them. A browser following a citation to a document no longer indexed gets
 * a readable page linking to that list; API clients keep the JSON error.
 */
export function articleRoutes(deps: ArticleRouteDeps): Router {
  const router = Router();
  const documentsInService = () => {
    const documents = deps.documents();
    if (!documents)
      throw new AppError("unavailable", "The articles are loading; try again in a moment");
    return documents;
  };

  router.get("/articles", (req, res) => {
    const documents = documentsInService();
    if (wantsPage(req)) {
      res.type("html").send(renderArticleList(documents, { siteName: deps.siteName() }));
      return;
    }
    res.json({
      articles: documents.map((d) => ({
        docId: d.docId,
        title: d.title,
        url: `/articles/${encodeURIComponent(d.docId)}`,
      })),
    });
  });

  router.get("/articles/:docId", (req, res) => {
    const doc = documentsInService().find((d) => d.docId === req.params.docId);
    if (!doc && wantsPage(req)) {
      res
        .status(404)
        .type("html")
        .send(renderArticleNotFound({ siteName: deps.siteName() }));
      return;
    }
    if (!doc) throw new AppError("not_found", "No such article");
    res.type("html").send(renderArticlePage(doc, { siteName: deps.siteName() }));
  });
  return router;
}
