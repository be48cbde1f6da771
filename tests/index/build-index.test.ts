import { readdir, readFile, writeFile, mkdir } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { unitText } from "../../src/content/sentence-units.js";
import type { QuestionBank } from "../../src/content/question-bank.js";
import type { EmbeddingModel } from "../../src/embeddings/embedding-model.js";
import { FakeWordEmbeddings } from "../../src/embeddings/fake-embeddings.js";
import { AppError } from "../../src/errors.js";
import { buildIndex } from "../../src/index/build-index.js";
import { loadIndex, readManifest } from "../../src/index/index-store.js";
import { embeddingText, type SearchIndex } from "../../src/index/search-index.js";
import { copyCorpus, tempDir } from "../helpers/core-fixtures.js";

/** The deterministic word embeddings, failing on demand once this many texts were embedded. */
class FailingEmbeddings extends FakeWordEmbeddings {
  failAfter = Infinity;
  override async embedDocuments(texts: string[]): Promise<number[][]> {
    if (this.sent().length + texts.length > this.failAfter) {
      throw new Error("embedding server died");
    }
    return super.embedDocuments(texts);
  }
  /** Every text sent to the model so far. */
  sent(): string[] {
    return this.calls.flat();
  }
}

/** Every text an index holds a vector for: passages, bank questions, sentences, examples. */
function embeddedTexts(index: SearchIndex): Set<string> {
  return new Set([
    ...index.chunks.map(embeddingText),
    ...index.bank.items.map((q) => q.text),
    ...index.unanswered.items.map((q) => q.text),
    ...index.sentences.items.map(unitText),
    ...index.intents.items.map((e) => e.text),
  ]);
}

const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * (b[i] as number), 0);

/** Whether every vector of an hnswlib index is the embedding of the item with its label. */
function vectorsLineUp(
  dense: SearchIndex["dense"],
  texts: string[],
  embeddings: FakeWordEmbeddings,
): boolean {
  return texts.every((text, i) => dot(dense.getPoint(i), embeddings.embedSync(text)) > 0.9999);
}

describe("buildIndex", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let corpusDir: string;
  let embeddings: FailingEmbeddings;
  let model: EmbeddingModel;

  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
    corpusDir = await copyCorpus(dir);
    embeddings = new FailingEmbeddings();
    model = {
      modelId: embeddings.modelId,
      embeddings,
      wordRarity: (word) => embeddings.wordRarity(word),
    };
  });
  afterEach(() => cleanup());

  const options = () => ({
    corpusDir,
    clinicProfilePath: path.join(corpusDir, "clinic.json"),
    indexDir: path.join(dir, "data", "index"),
    cacheDir: path.join(dir, "data", "cache"),
    model,
  });
  const bankFile = () => path.join(corpusDir, "questions.json");
  const readBank = async () => JSON.parse(await readFile(bankFile(), "utf8")) as QuestionBank;

  it("builds, saves and loads an index whose rows line up with its passages", async () => {
    const summary = await buildIndex(options());
    // The two articles and the page generated from the clinic profile.
    expect(summary.documents).toBe(3);
    expect(summary.chunks).toBeGreaterThan(10);

    const index = await loadIndex(options().indexDir, { expectModel: model.modelId });
    expect(index.chunks).toHaveLength(summary.chunks);
    expect(index.dense.getCurrentCount()).toBe(summary.chunks);
    expect(index.manifest).toMatchObject({
      formatVersion: 3,
      embeddingModel: model.modelId,
      dimensions: 64,
      documents: 3,
      chunks: summary.chunks,
    });
    // Every distinct text went to the model once, and nothing else did.
    const texts = embeddedTexts(index);
    expect(summary.embedded).toBe(texts.size);
    expect(new Set(embeddings.sent())).toEqual(texts);
    expect(embeddings.sent()).toHaveLength(texts.size);
    // Vectors were stored under the right labels.
    expect(vectorsLineUp(index.dense, index.chunks.map(embeddingText), embeddings)).toBe(true);
    // And the lexical index finds a passage by a word only it contains.
    const melasma = index.lexical.search("melasma")[0];
    expect(index.chunks[melasma?.id as number]?.text).toContain("Melasma");
  });

  it("builds the question bank, every sentence and the booking examples into the index, and loads them back lined up", async () => {
    const bank = await readBank();
    const target = bank.sections[1] as QuestionBank["sections"][number];
    target.questions.push("Does the zorblax method work?");
    const gaps = bank.unanswered.length;
    expect(gaps).toBeGreaterThan(20);
    // A question marked unanswered twice (case aside) is built in once.
    bank.unanswered.push("Do you sell the glorbix serum?", "do you sell the GLORBIX serum?");
    await writeFile(bankFile(), JSON.stringify(bank));
    const summary = await buildIndex(options());
    const index = await loadIndex(options().indexDir);
    const examples = JSON.parse(
      await readFile(path.join(corpusDir, "booking-examples.json"), "utf8"),
    ) as { requests: string[]; notRequests: string[] };

    const { manifest } = summary;
    expect(manifest.bankQuestions).toBeGreaterThan(100);
    expect(index.manifest).toEqual(manifest);
    expect(index.bank.items).toHaveLength(manifest.bankQuestions);
    expect(index.bank.dense.getCurrentCount()).toBe(manifest.bankQuestions);
    expect(manifest.unansweredQuestions).toBe(gaps + 1);
    expect(index.unanswered.items.map((q) => q.text)).toEqual([
      ...bank.unanswered.slice(0, gaps),
      "Do you sell the glorbix serum?",
    ]);
    expect(index.unanswered.dense.getCurrentCount()).toBe(gaps + 1);
    expect(index.sentences.items).toHaveLength(manifest.sentences);
    expect(index.sentences.dense.getCurrentCount()).toBe(manifest.sentences);
    expect(manifest.bookingExamples).toBe(examples.requests.length + examples.notRequests.length);
    expect(index.intents.dense.getCurrentCount()).toBe(manifest.bookingExamples);

    // Each bank question points at the passages of its own section, and only those.
    // Every section of the shipped bank exists: all its questions are in, each once per section.
    const questions = bank.sections.flatMap((s) => [
      ...new Map(s.questions.map((q) => [q.toLowerCase(), q])).values(),
    ]);
    expect(index.bank.items.map((q) => q.text)).toEqual(questions);
    for (const q of index.bank.items) {
      const section = index.chunks.flatMap((c, row) =>
        c.docId === q.docId && c.section === q.heading ? [row] : [],
      );
      expect(q.rows).toEqual(section);
    }
    // Each sentence is quoted verbatim from its passage, in reading order.
    for (const s of index.sentences.items) {
      for (const line of s.lines) expect(index.chunks[s.row]?.text).toContain(line);
    }
    expect(new Set(index.sentences.items.map((s) => s.row)).size).toBe(index.chunks.length);
    // The examples keep whether they ask for a booking.
    expect(index.intents.items.filter((e) => e.booking).map((e) => e.text)).toEqual(
      examples.requests,
    );
    expect(index.intents.items.filter((e) => !e.booking).map((e) => e.text)).toEqual(
      examples.notRequests,
    );
    // Item i of each set is label i of its vectors.
    expect(
      vectorsLineUp(
        index.bank.dense,
        index.bank.items.map((q) => q.text),
        embeddings,
      ),
    ).toBe(true);
    expect(
      vectorsLineUp(
        index.unanswered.dense,
        index.unanswered.items.map((q) => q.text),
        embeddings,
      ),
    ).toBe(true);
    expect(
      vectorsLineUp(index.sentences.dense, index.sentences.items.map(unitText), embeddings),
    ).toBe(true);
    expect(
      vectorsLineUp(
        index.intents.dense,
        index.intents.items.map((e) => e.text),
        embeddings,
      ),
    ).toBe(true);
    // Questions the articles do not answer lead BM25 to no passage.
    expect(index.lexical.search("glorbix")).toEqual([]);
    // BM25 finds a section by a word only its bank questions have, but not as passage text.
    const hits = index.lexical.search("zorblax");
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.every((h) => index.chunks[h.id as number]?.section === target.heading)).toBe(true);
    expect(index.lexical.search("zorblax", { fields: ["text", "headings"] })).toEqual([]);
  });

  it("names a bank section that does not exist in skipped and leaves its questions out", async () => {
    const before = await buildIndex(options());
    const bank = await readBank();
    bank.sections.push(
      { docId: "microneedling-benefits", heading: "No Such Heading", questions: ["Is it vegan?"] },
      { docId: "removed-article", heading: "Gone", questions: [] },
    );
    await writeFile(bankFile(), JSON.stringify(bank));
    const summary = await buildIndex(options());
    expect(summary.skipped).toEqual([
      {
        file: "questions.json",
        reason:
          "no such section, its questions are left out: microneedling-benefits › No Such Heading",
      },
    ]);
    expect(summary.manifest.bankQuestions).toBe(before.manifest.bankQuestions);
    const index = await loadIndex(options().indexDir);
    expect(index.bank.items.map((q) => q.text)).not.toContain("Is it vegan?");
  });

  it("names a broken questions.json in skipped and builds without a bank", async () => {
    await writeFile(bankFile(), '{"sections": [');
    const summary = await buildIndex(options());
    expect(summary.skipped).toEqual([
      { file: "questions.json", reason: "the file is not valid JSON" },
    ]);
    expect(summary.manifest.bankQuestions).toBe(0);
    const index = await loadIndex(options().indexDir);
    expect(index.bank.items).toEqual([]);
    expect(index.chunks).toHaveLength(summary.chunks);
  });

  it("names a broken booking-examples.json in skipped and builds without examples", async () => {
    await writeFile(path.join(corpusDir, "booking-examples.json"), '{"requests": "book me"}');
    const summary = await buildIndex(options());
    expect(summary.skipped).toEqual([
      {
        file: "booking-examples.json",
        reason: expect.stringMatching(/^invalid booking-examples \(/),
      },
    ]);
    expect(summary.manifest.bookingExamples).toBe(0);
    const index = await loadIndex(options().indexDir);
    expect(index.intents.items).toEqual([]);
    expect(index.bank.items.length).toBeGreaterThan(0);
  });

  it("changes the corpus hash when the bank or the booking examples change, and embeds only the new text", async () => {
    const first = await buildIndex(options());
    const bank = await readBank();
    bank.sections[0]?.questions.push("Can I have microneedling on my neck?");
    await writeFile(bankFile(), JSON.stringify(bank));
    embeddings.calls.length = 0;
    const second = await buildIndex(options());
    expect(second.manifest.corpusHash).not.toBe(first.manifest.corpusHash);
    expect(second.manifest.bankQuestions).toBe(first.manifest.bankQuestions + 1);
    expect(embeddings.sent()).toEqual(["Can I have microneedling on my neck?"]);

    bank.unanswered.push("Do you do microneedling on the scalp?");
    await writeFile(bankFile(), JSON.stringify(bank));
    embeddings.calls.length = 0;
    const marked = await buildIndex(options());
    expect(marked.manifest.corpusHash).not.toBe(second.manifest.corpusHash);
    expect(marked.manifest.unansweredQuestions).toBe(second.manifest.unansweredQuestions + 1);
    expect(embeddings.sent()).toEqual(["Do you do microneedling on the scalp?"]);

    const examplesFile = path.join(corpusDir, "booking-examples.json");
    const examples = JSON.parse(await readFile(examplesFile, "utf8")) as { requests: string[] };
    examples.requests.push("squeeze me in on friday");
    await writeFile(examplesFile, JSON.stringify(examples));
    embeddings.calls.length = 0;
    const third = await buildIndex(options());
    expect(third.manifest.corpusHash).not.toBe(marked.manifest.corpusHash);
    expect(embeddings.sent()).toEqual(["squeeze me in on friday"]);

    embeddings.calls.length = 0;
    const again = await buildIndex(options());
    expect(again.manifest.corpusHash).toBe(third.manifest.corpusHash);
    expect(again.embedded).toBe(0);
    expect(embeddings.calls).toEqual([]);
  });

  it("embeds only the texts of a changed passage on the next build", async () => {
    await buildIndex(options());
    const before = embeddedTexts(await loadIndex(options().indexDir));
    const file = path.join(corpusDir, "booking-and-consultations.md");
    await writeFile(
      file,
      (await readFile(file, "utf8")).replace("as early as possible", "as soon as you can"),
    );
    embeddings.calls.length = 0;
    const second = await buildIndex(options());
    const after = embeddedTexts(await loadIndex(options().indexDir));
    const changed = [...after].filter((text) => !before.has(text));
    // The passage and its changed sentence, nothing else.
    expect(changed).toHaveLength(2);
    expect(changed.every((text) => text.includes("as soon as you can"))).toBe(true);
    expect(embeddings.sent().sort()).toEqual(changed.sort());
    expect(second.embedded).toBe(2);
    expect(second.reused).toBe(after.size - 2);
  });

  it("leaves the previous index serving when a build dies midway", async () => {
    const first = await buildIndex(options());
    await writeFile(
      path.join(corpusDir, "new-article.md"),
      "# New\n\nA new paragraph about peels.\n",
    );
    embeddings.failAfter = 0;
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
    expect(summary.documents).toBe(3);
    expect(summary.skipped.map((s) => s.file).sort()).toEqual(["empty.md", "notes.pdf"]);
  });

  it("skips a file nested too deeply, quickly and with the reason, and builds from the rest", async () => {
    // Before the depth limit, reading the first one took about 100 s, the second about 10 s.
    await writeFile(
      path.join(corpusDir, "deep.html"),
      `${"<div>".repeat(200_000)}Text${"</div>".repeat(200_000)}`,
    );
    const list = Array.from({ length: 1000 }, (_, i) => `${"  ".repeat(i)}- item\n`).join("");
    await writeFile(path.join(corpusDir, "deep-list.md"), list);
    const started = performance.now();
    const summary = await buildIndex(options());
    const seconds = (performance.now() - started) / 1000;
    expect(summary.documents).toBe(3);
    expect(summary.skipped).toEqual([
      {
        file: "deep-list.md",
        reason: expect.stringMatching(/nested 1000 levels deep; the limit is 200/),
      },
      {
        file: "deep.html",
        reason: expect.stringMatching(/nested 200000 levels deep; the limit is 200/),
      },
    ]);
    expect(seconds).toBeLessThan(30);
  });

  it("builds the page generated from the clinic profile, and names a broken profile or a clash", async () => {
    const built = await buildIndex(options());
    const index = await loadIndex(options().indexDir);
    expect(index.documents.map((d) => d.docId)).toContain("contact-and-opening-hours");
    expect(
      index.chunks.filter((c) => c.docId === "contact-and-opening-hours").map((c) => c.section),
    ).toEqual(expect.arrayContaining(["Opening hours", "Where to find us", "Phone and email"]));
    // Its bank questions found their sections.
    expect(built.skipped).toEqual([]);
    expect(index.bank.items.some((q) => q.docId === "contact-and-opening-hours")).toBe(true);

    await writeFile(path.join(corpusDir, "clinic.json"), '{"name": "Lumen"');
    const broken = await buildIndex(options());
    expect(broken.documents).toBe(2);
    expect(broken.skipped).toContainEqual({
      file: "clinic.json",
      reason: expect.stringMatching(/invalid JSON/),
    });

    await copyCorpus(dir);
    await writeFile(
      path.join(corpusDir, "contact-and-opening-hours.md"),
      "# Contact us\n\nRing the front desk.\n",
    );
    const clash = await buildIndex(options());
    expect(clash.documents).toBe(3);
    expect(clash.skipped).toContainEqual({
      file: "clinic.json",
      reason: expect.stringMatching(/corpus has its own document "contact-and-opening-hours"/),
    });
    const own = await loadIndex(options().indexDir);
    expect(own.documents.find((d) => d.docId === "contact-and-opening-hours")?.title).toBe(
      "Contact us",
    );
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
