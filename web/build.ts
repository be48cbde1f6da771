/**
 * Builds the website widget (web/widget/main.ts, socket.io-client included) into one minified
 * `web/dist/widget.js`, and measures it against the size budget.
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

export const WEB_DIR = import.meta.dirname;
export const WIDGET_FILE = path.join(WEB_DIR, "dist", "widget.js");

/** The budget: 40 KB gzipped, socket.io-client included. */
export const GZIP_BUDGET_BYTES = 40 * 1024;

export interface WidgetBuild {
  file: string;
  bytes: number;
  gzipBytes: number;
}

/**
 * Builds `widget.js`, written atomically (a running service never serves half a file) and only
 * when its content changed.
 */
export async function buildWidget(outFile = WIDGET_FILE): Promise<WidgetBuild> {
  const result = await build({
    entryPoints: [path.join(WEB_DIR, "widget", "main.ts")],
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
    banner: {
      js: "/* Clinic chat widget. Includes socket.io-client (MIT, Socket.IO contributors). */",
    },
  });
  const code = result.outputFiles[0]?.contents;
  if (!code) throw new Error("esbuild produced no output");
  const previous = await readFile(outFile).catch(() => undefined);
  // An unchanged build keeps its file (and so its ETag): browsers keep their cached copy.
  if (!previous?.equals(code)) {
    await mkdir(path.dirname(outFile), { recursive: true });
    const temp = `${outFile}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(temp, code);
    await rename(temp, outFile);
  }
  return {
    file: outFile,
    bytes: code.byteLength,
    gzipBytes: gzipSync(code, { level: 9 }).byteLength,
  };
}
