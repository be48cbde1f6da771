import { readdir, readFile, writeFile, mkdir } from "node:fs/promises";
import path from "node:path";
import { Embeddings } from "@langchain/core/embeddings";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EmbeddingModel } from "../../src/embeddings/embedding-model.js";
import { LocalWordEmbeddings } from "../../src/embeddings/local-embeddings.js";
import { AppError } from "../../src/errors.js";
import { buildIndex } from "../../src/index/build-index.js";
import { loadIndex, readManifest } from "../../src/index/index-store.js";
import { copyCorpus, tempDir, testVectors } from "../helpers/core-fixtures.js";

/** Wraps the real local embeddings, counting what is embedded and failing on demand. */
class CountingEmbeddings extends Embeddings {
  embedded = 0;
  failAfter = Infinity;
  constructor(private readonly inner: LocalWordEmbeddings) {
    super({});
  }
  override async embedDocuments(texts: string[]): Promise<number[][]> {
    if (this.embedded + texts.length > this.failAfter) throw new Error("embedding server died");
    this.embedded += texts.length;
    return this.inner.embedDocuments(texts);
  }
  override async embedQuery(text: string): Promise<number[]> {
    return this.inner.embedQuery(text);
  }
}

describe("buildIndex", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let corpusDir: string;
  let counting: CountingEmbeddings;
  let model: EmbeddingModel;

  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
    corpusDir = await copyCorpus(dir);
    const local = new LocalWordEmbeddings(await testVectors());
    counting = new CountingEmbeddings(local);
    model = { modelId: local.modelId, embeddings: counting };
  });
  afterEach(() => cleanup());

  const options = () => ({
    corpusDir,
    indexDir: path.join(dir, "data", "index"),
    cacheDir: path.join(dir, "data", "cache"),
    model,
  });

  it("builds, saves and loads an index whose rows line up with its passages", async () => {
    const summary = await buildIndex(options());
    expect(summary.documents).toBe(2);
    expect(summary.chunks).toBeGreaterThan(10);
    expect(summary.embedded).toBe(summary.chunks);

    const index = await loadIndex(options().indexDir, { expectModel: model.modelId });
    expect(index.chunks).toHaveLength(summary.chunks);
    expect(index.dense.getCurrentCount()).toBe(summary.chunks);
    expect(index.manifest).toMatchObject({
      embeddingModel: model.modelId,
      dimensions: 100,
      documents: 2,
      chunks: summary.chunks,
    });
    // Each passage is its own nearest neighbour: vectors were stored under the right labels.
    for (const [row, chunk] of index.chunks.entries()) {
      const vector = await model.embeddings.embedQuery(
        [chunk.title, ...chunk.headingPath.slice(1), chunk.text].join("\n"),
      );
      expect(index.dense.searchKnn(vector, 1).neighbors[0]).toBe(row);
    }
    // And the lexical index finds a passage by a word only it contains.
    const melasma = index.lexical.search("melasma")[0];
    expect(index.chunks[melasma?.id as number]?.text).toContain("Melasma");
  });

  it("embeds only the passages of a changed document on the next build", async () => {
    const first = await buildIndex(options());
    const file = path.join(corpusDir, "booking-and-consultations.md");
    await writeFile(
      file,
      (await readFile(file, "utf8")).replace("as early as possible", "as soon as you can"),
    );
    counting.embedded = 0;
    const second = await buildIndex(options());
    expect(second.chunks).toBe(first.chunks);
    expect(second.embedded).toBeGreaterThanOrEqual(1);
    expect(second.embedded).toBeLessThan(3);
    expect(counting.embedded).toBe(second.embedded);
    expect(second.reused).toBe(second.chunks - second.embedded);
    expect(second.manifest.corpusHash).not.toBe(first.manifest.corpusHash);
  });

  it("leaves the previous index serving when a build dies midway", async () => {
    const first = await buildIndex(options());
    await writeFile(
      path.join(corpusDir, "new-article.md"),
      "# New\n\nA new paragraph about peels.\n",
    );
    counting.failAfter = 0;
    // A clean cache forces the whole corpus through the failing model.
    await expect(
      buildIndex({ ...options(), cacheDir: path.join(dir, "other-cache") }),
    ).rejects.toThrow(AppError);
    const manifest = await readManifest(options().indexDir);
    expect(manifest.buildId).toBe(first.manifest.buildId);
    const index = await loadIndex(options().indexDir, { expectModel: model.modelId });
    expect(index.chunks).toHaveLength(first.chunks);
    const leftovers = await readdir(path.join(options().indexDir, "builds"));
    expect(leftovers.filter((name) => name.startsWith(".tmp"))).toEqual([]);
  });

  it("ignores and clears a half-written build left by a killed process", async () => {
    const first = await buildIndex(options());
    // A writer killed mid-save leaves a temporary folder with a pid that no longer runs.
    const stray = path.join(options().indexDir, "builds", ".tmp-999999-20260101-000000-abcdef");
    await mkdir(stray, { recursive: true });
    await writeFile(path.join(stray, "dense.hnsw"), "half");
    const index = await loadIndex(options().indexDir);
    expect(index.manifest.buildId).toBe(first.manifest.buildId);
    await buildIndex(options());
    expect(
      (await readdir(path.join(options().indexDir, "builds"))).includes(path.basename(stray)),
    ).toBe(false);
  });

  it("skips broken files, names them, and still builds from the rest", async () => {
    await writeFile(path.join(corpusDir, "empty.md"), "   \n");
    await writeFile(path.join(corpusDir, "notes.pdf"), "%PDF-1.4");
    const summary = await buildIndex(options());
    expect(summary.documents).toBe(2);
    expect(summary.skipped.map((s) => s.file).sort()).toEqual(["empty.md", "notes.pdf"]);
  });

  it("fails, naming the reasons, when nothing usable is left", async () => {
    const emptyCorpus = path.join(dir, "empty-corpus");
    await mkdir(emptyCorpus);
    await writeFile(path.join(emptyCorpus, "blank.txt"), "");
    await expect(buildIndex({ ...options(), corpusDir: emptyCorpus })).rejects.toThrow(
      /blank\.txt/,
    );
  });

  it("refuses to load an index built with another embedding model", async () => {
    await buildIndex(options());
    const error = await loadIndex(options().indexDir, {
      expectModel: "openai:api.openai.com:x",
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("index_mismatch");
    expect((error as AppError).message).toMatch(/built with embedding model/);
  });

  it("says clearly that there is no index yet", async () => {
    await expect(loadIndex(path.join(dir, "nowhere"))).rejects.toMatchObject({
      code: "index_missing",
    });
  });

  it("builds the clinic's glossary into the index, and a change to it changes the corpus hash", async () => {
    const glossaryFile = path.join(corpusDir, "glossary.json");
    await writeFile(
      glossaryFile,
      JSON.stringify({ terms: [{ term: "Injectables", also: ["Botox", "dermal fillers"] }] }),
    );
    const first = await buildIndex(options());
    expect(first.manifest.glossaryTerms).toBe(1);
    expect(first.skipped).toEqual([]);
    const index = await loadIndex(options().indexDir);
    expect(index.glossary.terms).toEqual([
      { term: "injectables", also: ["botox", "dermal fillers"] },
    ]);

    await writeFile(
      glossaryFile,
      JSON.stringify({ terms: [{ term: "injectables", also: ["botox"] }] }),
    );
    const second = await buildIndex(options());
    expect(second.manifest.corpusHash).not.toBe(first.manifest.corpusHash);
    // The glossary is not an article, and changing it embeds nothing again.
    expect(second.documents).toBe(first.documents);
    expect(second.embedded).toBe(0);
  });

  it("names a broken glossary and builds without it", async () => {
    await writeFile(path.join(corpusDir, "glossary.json"), '{"terms": [{"term": "x"}]}');
    const summary = await buildIndex(options());
    expect(summary.skipped).toEqual([
      { file: "glossary.json", reason: expect.stringMatching(/invalid glossary \(terms\.0\.also/) },
    ]);
    expect(summary.manifest.glossaryTerms).toBe(0);
    expect((await loadIndex(options().indexDir)).glossary.terms).toEqual([]);
  });
});
