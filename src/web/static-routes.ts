import { readFile } from "node:fs/promises";
import path from "node:path";
import { Router } from "express";
import type { ClinicProfile } from "../content/clinic.js";
import { escapeHtml } from "../content/escape-html.js";
import { AppError } from "../errors.js";

/** The clinic profile fields the widget shows visitors (not the urgent-care text or flags). */
export type PublicClinicProfile = Pick<
  ClinicProfile,
  "name" | "phone" | "email" | "address" | "openingHours" | "bookingUrl" | "privacyNoticeUrl"
>;

export interface StaticRouteDeps {
  /** The clinic profile, or undefined while the service is starting. */
  clinic: () => ClinicProfile | undefined;
  /** Where `widget.js` is built (default: `web/dist`). */
  widgetDir?: string;
  /** The demo page (default: `web/demo/index.html`). */
  demoPage?: string;
}

const WEB_DIR = path.resolve(import.meta.dirname, "../../web");

/** The widget's URL never changes, so caches revalidate it (ETag) after a few minutes. */
const WIDGET_CACHE = "public, max-age=300, stale-while-revalidate=86400";

export function publicClinicProfile(clinic: ClinicProfile): PublicClinicProfile {
  return {
    name: clinic.name,
    phone: clinic.phone,
    email: clinic.email,
    address: clinic.address,
    openingHours: clinic.openingHours,
    ...(clinic.bookingUrl ? { bookingUrl: clinic.bookingUrl } : {}),
    ...(clinic.privacyNoticeUrl ? { privacyNoticeUrl: clinic.privacyNoticeUrl } : {}),
  };
}

/**
 * The website widget's routes: `/widget.js` (embeddable from any site), `GET /api/clinic` (the
 * public clinic profile the widget shows) and the demo page at `/`, which embeds the widget
 * exactly as a clinic would.
 */
export function staticRoutes(deps: StaticRouteDeps): Router {
  const router = Router();
  const widgetFile = path.join(deps.widgetDir ?? path.join(WEB_DIR, "dist"), "widget.js");
  const demoFile = deps.demoPage ?? path.join(WEB_DIR, "demo", "index.html");
  let demoTemplate: Promise<string> | undefined;

  router.get("/widget.js", (_req, res, next) => {
    res.setHeader("Content-Type", "text/javascript; charset=utf-8");
    res.setHeader("Cross-Origin-Resource-Policy", "cross-origin");
    res.sendFile(widgetFile, { headers: { "Cache-Control": WIDGET_CACHE } }, (error) => {
      if (!error || res.headersSent) return;
      const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
      next(
        missing
          ? new AppError("unavailable", "The widget is not built yet (npm run build:web)")
          : error,
      );
    });
  });

  router.get("/api/clinic", (_req, res) => {
    const clinic = deps.clinic();
    if (!clinic)
      throw new AppError("unavailable", "The service is starting; try again in a moment");
    // Public contact details, read by the widget on the clinic's own site.
    res.setHeader("Access-Control-Allow-Origin", "*");
    res.setHeader("Cross-Origin-Resource-Policy", "cross-origin");
    res.setHeader("Cache-Control", "public, max-age=300");
    res.json(publicClinicProfile(clinic));
  });

  // The service's own pages (demo, articles) have no icon; a 404 would be a console error.
  router.get("/favicon.ico", (_req, res) => {
    res.setHeader("Cache-Control", "public, max-age=86400");
    res.status(204).end();
  });

  router.get("/", async (_req, res) => {
    demoTemplate ??= readFile(demoFile, "utf8");
    let template: string;
    try {
      template = await demoTemplate;
    } catch (error) {
      demoTemplate = undefined;
      throw new AppError("not_found", "No demo page", { cause: error });
    }
    const name = escapeHtml(deps.clinic()?.name ?? "Our skin clinic");
    res.setHeader("Cache-Control", "no-cache");
    res.type("html").send(template.replaceAll("%CLINIC_NAME%", name));
  });

  return router;
}
