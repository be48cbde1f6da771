/**
 * The website widget's bundle size, gzipped as a server would send it. The widget is built
 * by its own script; the bench only reads `web/dist/widget.js` and says so when it is absent.
 */
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";

export const WIDGET_BUNDLE = "web/dist/widget.js";

export interface WidgetSize {
  file: string;
  bytes: number;
  gzipBytes: number;
  /** When the bundle was built (its modification time). */
  builtAt: string;
}

/** The bundle's size, or null when it has not been built. */
export async function measureWidget(root: string): Promise<WidgetSize | null> {
  const file = path.join(root, WIDGET_BUNDLE);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  return {
    file: WIDGET_BUNDLE,
    bytes: bytes.length,
    gzipBytes: gzipSync(bytes, { level: 9 }).length,
    builtAt: (await stat(file)).mtime.toISOString(),
  };
}
