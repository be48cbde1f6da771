/**
 * Runs at `npm ci` (the `prepare` script): converts the word vectors and WordNet into their
 * caches once, so the first ingest or start does not pay for it. Safe to run again.
 */
import { loadConfig } from "../src/config.js";
import { buildWordVectorCache, hasWordVectorCache } from "../src/embeddings/word-vectors.js";
import { buildLexiconCache, hasLexiconCache } from "../src/embeddings/wordnet.js";

const config = loadConfig(process.env);
if (hasWordVectorCache(config.vectorsCacheDir)) {
  console.log(`Word vectors already cached in ${config.vectorsCacheDir}`);
} else {
  const started = performance.now();
  console.log("Converting word vectors into a binary cache (once per machine)...");
  await buildWordVectorCache(config.vectorsCacheDir);
  console.log(
    `Cached in ${config.vectorsCacheDir} (${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );
}
if (!hasLexiconCache(config.vectorsCacheDir)) {
  const started = performance.now();
  await buildLexiconCache(config.vectorsCacheDir);
  console.log(`WordNet cached (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
