import path from "node:path";
import { loadConfig } from "../../src/config.js";
import { type Core, loadCore } from "../../src/core.js";
import { SHIPPED_CORPUS, tempDir } from "./core-fixtures.js";

/**
 * The real answering core over the shipped corpus, with its index built in a temporary
 * DATA_DIR (real hnswlib, real BM25, real word vectors).
 */
export async function shippedCore(): Promise<{ core: Core; cleanup: () => Promise<void> }> {
  const { dir, cleanup } = await tempDir();
  const config = loadConfig({ DATA_DIR: path.join(dir, "data"), CORPUS_DIR: SHIPPED_CORPUS });
  const core = await loadCore(config, { buildIfNeeded: true });
  return { core, cleanup };
}
