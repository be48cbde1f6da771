/**
 * Builds the front ends with esbuild: the website widget (web/widget/main.ts, socket.io-client
 * included) into `web/dist/widget.js`, measured against its size budget, and the staff and
 * admin consoles (web/staff/main.ts, web/admin/main.ts) into `web/dist/staff.js` and
 * `web/dist/admin.js`.
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

export const WEB_DIR = import.meta.dirname;
export const DIST_DIR = path.join(WEB_DIR, "dist");
export const WIDGET_FILE = path.join(DIST_DIR, "widget.js");

/** The budget: 40 KB gzipped, socket.io-client included. */
export const GZIP_BUDGET_BYTES = 40 * 1024;

export interface WidgetBuild {
  file: string;
  bytes: number;
  gzipBytes: number;
}

/** One bundle: an entry point, where it goes, and the comment at its top. */
interface Bundle {
  entry: string;
  outFile: string;
  banner: string;
}

/**
 * Bundles one entry point into a minified IIFE, written atomically (a running service never
 * serves half a file) and only when its content changed.
 */
async function buildBundle(bundle: Bundle): Promise<WidgetBuild> {
  const result = await build({
    entryPoints: [bundle.entry],
    bundle: true,
    minify: true,
    format: "iife",
    platform: "browser",
    // Browsers of the last few years: Shadow DOM, adoptedStyleSheets fallback, optional chaining.
    target: ["chrome100", "firefox100", "safari15.4", "edge100"],
    legalComments: "none",
    write: false,
    logLevel: "silent",
    define: { "process.env.NODE_ENV": '"production"' },
    banner: { js: bundle.banner },
  });
  const code = result.outputFiles[0]?.contents;
  if (!code) throw new Error("esbuild produced no output");
  const previous = await readFile(bundle.outFile).catch(() => undefined);
  // An unchanged build keeps its file (and so its ETag): browsers keep their cached copy.
  if (!previous?.equals(code)) {
    await mkdir(path.dirname(bundle.outFile), { recursive: true });
    const temp = `${bundle.outFile}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(temp, code);
    await rename(temp, bundle.outFile);
  }
  return {
    file: bundle.outFile,
    bytes: code.byteLength,
    gzipBytes: gzipSync(code, { level: 9 }).byteLength,
  };
}

/** Builds `widget.js`. */
export function buildWidget(outFile = WIDGET_FILE): Promise<WidgetBuild> {
  return buildBundle({
    entry: path.join(WEB_DIR, "widget", "main.ts"),
    outFile,
    banner: "/* Clinic chat widget. Includes socket.io-client (MIT, Socket.IO contributors). */",
  });
}

/** The consoles the service serves at `/staff` and `/admin`. */
export const CONSOLES = ["staff", "admin"] as const;
export type ConsoleName = (typeof CONSOLES)[number];

/** Builds `staff.js` and `admin.js` into `outDir`. */
export function buildConsoles(outDir = DIST_DIR): Promise<WidgetBuild[]> {
  return Promise.all(
    CONSOLES.map((name) =>
      buildBundle({
        entry: path.join(WEB_DIR, name, "main.ts"),
        outFile: path.join(outDir, `${name}.js`),
        banner: `/* Clinic ${name} console. Includes socket.io-client (MIT, Socket.IO contributors). */`,
      }),
    ),
  );
}
