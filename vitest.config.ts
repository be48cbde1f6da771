import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // Tests build real hnswlib indexes and load 137 MB of word vectors; give them room on 2 cores.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
