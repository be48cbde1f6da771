import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // Tests build real hnswlib indexes with the real sentence encoder; give them room on 2 cores.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Spawned services share one embedding cache, like the in-process tests (core-fixtures.ts).
    env: { EMBEDDING_CACHE_DIR: "node_modules/.cache/skin-faq/test-embeddings" },
  },
});
