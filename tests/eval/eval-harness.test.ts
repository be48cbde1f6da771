import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Core } from "../../src/core.js";
import { loadEvalCases } from "../../src/eval/eval-cases.js";
import { runEval } from "../../src/eval/run-eval.js";
import { REPO_ROOT, tempDir } from "../helpers/core-fixtures.js";
import { shippedCore } from "../helpers/shipped-core.js";

const CASES = path.join(REPO_ROOT, "tests/eval/cases.jsonl");
let core: Core;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ core, cleanup } = await shippedCore());
});
afterAll(() => cleanup());

describe("the eval set", () => {
  it("has at least 60 cases covering every kind of question", async () => {
    const cases = await loadEvalCases(CASES);
    expect(cases.length).toBeGreaterThanOrEqual(60);
    const categories = new Set(cases.map((c) => c.category));
    for (const kind of [
      "in-scope",
      "follow-up",
      "unrelated",
      "booking",
      "clinician",
      "injection",
    ]) {
      expect(categories).toContain(kind);
    }
  });

  it("names only headings that exist in the corpus", async () => {
    const headings = new Set(core.index.chunks.flatMap((c) => c.headingPath));
    for (const c of await loadEvalCases(CASES)) {
      for (const section of c.expect.sections) expect(headings, c.id).toContain(section);
    }
  });

  it("covers every section of the article", async () => {
    const named = new Set((await loadEvalCases(CASES)).flatMap((c) => c.expect.sections));
    const sections = core.index.documents
      .find((d) => d.docId === "microneedling-benefits")
      ?.blocks.filter((b) => b.kind === "heading" && b.depth === 2)
      .map((b) => b.text);
    expect(sections).toHaveLength(7);
    for (const section of sections ?? []) expect(named).toContain(section);
  });
});

describe("runEval", () => {
  it("scores sections, keywords, handoffs and unrelated answers as documented", async () => {
    const { dir, cleanup: remove } = await tempDir();
    const file = path.join(dir, "cases.jsonl");
    const lines = [
      {
        id: "a",
        category: "in-scope",
        turns: ["Does microneedling help acne scars?"],
        expect: {
          sections: ["Minimizing Scars and Hyperpigmentation"],
          keywords: ["acne", "zzz-not-there"],
        },
      },
      {
        id: "b",
        category: "in-scope",
        turns: ["Does microneedling help acne scars?"],
        expect: { sections: ["Changing or cancelling"] },
      },
      {
        id: "c",
        category: "booking",
        turns: ["I'd like to book an appointment"],
        expect: { handoff: "booking" },
      },
      {
        id: "d",
        category: "unrelated",
        turns: ["What's the capital of Australia?"],
        expect: { grounded: false, handoff: "staff" },
      },
    ];
    await writeFile(file, `${lines.map((l) => JSON.stringify(l)).join("\n")}\n`);
    const report = await runEval(core.answerer, core.index, await loadEvalCases(file));
    await remove();
    expect(report.cases).toBe(4);
    expect(report.sectionCases).toBe(2);
    expect(report.sectionAt1).toBe(0.5);
    // The right section is cited first in "a" and nowhere in "b".
    expect(report.results.map((r) => r.reciprocalRank)).toEqual([1, 0, null, null]);
    expect(report.mrr).toBe(0.5);
    expect(report.keywordHitRate).toBe(0.5);
    expect(report.intentAccuracy).toBe(1);
    expect(report.wrongOnUnrelated).toBe(0);
    expect(report.unrelated).toBe(1);
    expect(report.medianMs).toBeGreaterThan(0);
  });

  it("rejects a malformed case file, naming the line", async () => {
    const { dir, cleanup: remove } = await tempDir();
    const file = path.join(dir, "bad.jsonl");
    await writeFile(file, '{"id":"x","turns":["hi"],"expect":{}}\n{"id":"y","turns":[]}\n');
    await expect(loadEvalCases(file)).rejects.toThrow(/bad\.jsonl:2/);
    await remove();
  });
});
