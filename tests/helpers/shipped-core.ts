import path from "node:path";
import { type Core, loadCore } from "../../src/core.js";
import { SHIPPED_CORPUS, tempDir, testConfig } from "./core-fixtures.js";

/**
 * The real answering core over the shipped corpus, with its index built in a temporary
 * DATA_DIR (real hnswlib, real BM25, the real sentence encoder).
 */
export async function shippedCore(): Promise<{ core: Core; cleanup: () => Promise<void> }> {
  const { dir, cleanup } = await tempDir();
  const config = testConfig({ DATA_DIR: path.join(dir, "data"), CORPUS_DIR: SHIPPED_CORPUS });
  const core = await loadCore(config, { buildIfNeeded: true });
  return { core, cleanup };
}
