import { cp, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { type Config, loadConfig } from "../../src/config.js";
import { loadWordVectors, type WordVectors } from "../../src/embeddings/word-vectors.js";
import { loadLexicon, type Lexicon } from "../../src/embeddings/wordnet.js";

export const REPO_ROOT = path.resolve(import.meta.dirname, "../..");

/**
 * One embedding cache for every test run on the machine: the sentence encoder embeds each
 * text of the test corpora once, not once per test's temporary DATA_DIR.
 */
export const TEST_EMBEDDING_CACHE = path.join(
  REPO_ROOT,
  "node_modules",
  ".cache",
  "skin-faq",
  "test-embeddings",
);

/** `loadConfig` for tests: the given variables, with the shared test embedding cache. */
export function testConfig(env: Record<string, string | undefined> = {}): Config {
  return loadConfig({ EMBEDDING_CACHE_DIR: TEST_EMBEDDING_CACHE, ...env });
}
export const SHIPPED_CORPUS = path.join(REPO_ROOT, "corpus");

let vectors: Promise<WordVectors> | undefined;

/** The real word vectors, loaded once per test worker from the shared cache. */
export function testVectors(): Promise<WordVectors> {
  vectors ??= loadWordVectors(loadConfig({}).vectorsCacheDir);
  return vectors;
}

let lexicon: Promise<Lexicon> | undefined;

/** The real WordNet lexicon, loaded once per test worker from the shared cache. */
export function testLexicon(): Promise<Lexicon> {
  lexicon ??= loadLexicon(loadConfig({}).vectorsCacheDir);
  return lexicon;
}

/** A temporary folder, with a function to remove it. */
export async function tempDir(
  prefix = "skin-faq-test-",
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A copy of the shipped corpus in `dir/corpus`, to change freely. */
export async function copyCorpus(dir: string): Promise<string> {
  const corpus = path.join(dir, "corpus");
  await cp(SHIPPED_CORPUS, corpus, { recursive: true });
  return corpus;
}
