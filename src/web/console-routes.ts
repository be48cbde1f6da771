import path from "node:path";
import { type NextFunction, type RequestHandler, type Response, Router } from "express";
import { AppError } from "../errors.js";

export interface ConsoleRouteDeps {
  /** Where `staff.js` and `admin.js` are built (default: `web/dist`). */
  distDir?: string;
  /** The folder holding `staff/index.html`, `admin/index.html` and `console/console.css` (default: `web`). */
  webDir?: string;
}

const WEB_DIR = path.resolve(import.meta.dirname, "../../web");

/** The consoles' files change with each deployment; browsers revalidate them (ETag) each time. */
const CONSOLE_CACHE = "no-cache";

/** The staff console's views (each has its URL): the shell is served, its script shows the view. */
const STAFF_PAGES =
  /^\/staff(?:\/(?:gaps|erasure|audit|(?:bookings|conversations)(?:\/[A-Za-z0-9_-]{1,100})?))?\/?$/;

/**
 * The staff and admin consoles: their HTML shells (`/staff`, `/staff/…`, `/admin`), scripts
 * (`/console/staff.js`, `/console/admin.js`) and stylesheet (`/console/console.css`). Nothing
 * here is secret; the data comes from the staff and admin APIs, which check who is asking. The
 * pages load scripts from the service only, so helmet's `script-src 'self'` holds, and they are
 * kept out of search engines and of other sites' frames.
 */
export function consoleRoutes(deps: ConsoleRouteDeps = {}): Router {
  const router = Router();
  const webDir = deps.webDir ?? WEB_DIR;
  const distDir = deps.distDir ?? path.join(webDir, "dist");

  const send = (res: Response, file: string, next: NextFunction, missing: AppError) => {
    res.sendFile(file, { headers: { "Cache-Control": CONSOLE_CACHE } }, (error) => {
      if (!error || res.headersSent) return;
      next((error as NodeJS.ErrnoException).code === "ENOENT" ? missing : error);
    });
  };

  const page =
    (name: "staff" | "admin"): RequestHandler =>
    (_req, res, next) => {
      res.setHeader("X-Robots-Tag", "noindex, nofollow");
      res.type("html");
      const shell = path.join(webDir, name, "index.html");
      send(res, shell, next, new AppError("not_found", "No such page"));
    };

  router.get(STAFF_PAGES, page("staff"));
  router.get(/^\/admin\/?$/, page("admin"));

  for (const name of ["staff", "admin"] as const) {
    router.get(`/console/${name}.js`, (_req, res, next) => {
      res.type("text/javascript; charset=utf-8");
      send(
        res,
        path.join(distDir, `${name}.js`),
        next,
        new AppError("unavailable", `The ${name} console is not built yet (npm run build:web)`),
      );
    });
  }

  router.get("/console/console.css", (_req, res, next) => {
    res.type("text/css; charset=utf-8");
    send(
      res,
      path.join(webDir, "console", "console.css"),
      next,
      new AppError("not_found", "No such file"),
    );
  });

  return router;
}
