import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { type Core, loadCore } from "../../src/core.js";
import { REPO_ROOT, tempDir } from "../helpers/core-fixtures.js";

const FIXTURES = path.join(REPO_ROOT, "tests/fixtures/retrieval");
let core: Core;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const temp = await tempDir();
  cleanup = temp.cleanup;
  const config = loadConfig({
    DATA_DIR: path.join(temp.dir, "data"),
    CORPUS_DIR: FIXTURES,
    CLINIC_PROFILE: path.join(REPO_ROOT, "corpus/clinic.json"),
  });
  core = await loadCore(config, { buildIfNeeded: true });
});
afterAll(() => cleanup());

const topSection = async (question: string, context?: string) =>
  (await core.retriever.retrieve(question, context ? { context } : {}))[0]?.chunk.section;

describe("createRetriever (hybrid)", () => {
  it("finds the passage that shares the question's words", async () => {
    expect(await topSection("how often should I reapply sunscreen?")).toBe(
      "Protecting healing skin",
    );
  });

  it("finds a paraphrase that shares a single word with the passage, through word vectors", async () => {
    // Only "acids" is shared; "freshen" and "dull complexion" align with "fresher skin".
    expect(await topSection("how do acids freshen a dull complexion")).toBe("What a peel does");
  });

  it("ranks a follow-up by the question it follows", async () => {
    expect(
      await topSection("and how long does that last?", "Will my skin flake after a chemical peel?"),
    ).toBe("Peeling and flaking");
  });

  it("scores relevant passages above the threshold and off-topic questions below it or off topic", async () => {
    const [relevant] = await core.retriever.retrieve("should I wear a hat in the sun?");
    expect(relevant?.score).toBeGreaterThanOrEqual(core.retriever.threshold);
    expect(core.retriever.onTopic("should I wear a hat in the sun?")).toBe(true);
    expect(core.retriever.onTopic("who won the football league last season?")).toBe(false);
  });

  it("compares baselines: dense-only and lexical-only modes use one source each", async () => {
    const dense = await core.retriever.retrieve("sunscreen", { mode: "dense" });
    const lexical = await core.retriever.retrieve("sunscreen", { mode: "lexical" });
    expect(dense.every((p) => p.lexical === 0)).toBe(true);
    expect(lexical[0]?.chunk.section).toBe("Protecting healing skin");
    expect(lexical.every((p) => p.lexical > 0)).toBe(true);
  });

  it("returns passages with heading paths, anchors and offsets into the source", async () => {
    const [top] = await core.retriever.retrieve("wide-brimmed hat");
    expect(top?.chunk).toMatchObject({
      docId: "sun-care",
      headingPath: ["Sun Care After Treatments", "Hats and shade"],
      url: "/articles/sun-care#hats-and-shade",
    });
    const doc = core.index.documents.find((d) => d.docId === "sun-care");
    expect(doc?.source.slice(top?.chunk.start, top?.chunk.end)).toContain("wide-brimmed hat");
  });
});
