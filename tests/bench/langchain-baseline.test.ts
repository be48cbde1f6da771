import { describe, expect, it } from "vitest";
import { chunkDocument } from "../../src/content/chunk.js";
import { loadCorpus, parseDocument } from "../../src/content/load-corpus.js";
import { sentencesOf } from "../../src/answer/sentences.js";
import { FakeWordEmbeddings } from "../../src/embeddings/fake-embeddings.js";
import {
  createLangChainBaseline,
  plainText,
  spanAt,
  splitCorpus,
} from "../../scripts/bench/langchain-baseline.js";
import { SHIPPED_CORPUS } from "../helpers/core-fixtures.js";

describe("the LangChain baseline's plain text", () => {
  it("credits every offset to the heading it falls under", () => {
    const doc = parseDocument(
      "guide.md",
      "# Guide\n\nAn introduction.\n\n## Aftercare\n\nKeep it clean:\n\n- wash gently\n- no make-up\n\n### Sun\n\nUse sunscreen.\n",
    );
    const plain = plainText(doc);
    expect(plain.text).toBe(
      "Guide\n\nAn introduction.\n\nAftercare\n\nKeep it clean:\n\n- wash gently\n- no make-up\n\nSun\n\nUse sunscreen.",
    );
    const at = (text: string) => spanAt(plain.spans, plain.text.indexOf(text));
    expect(at("An intro").headingPath).toEqual(["Guide"]);
    expect(at("no make-up").headingPath).toEqual(["Guide", "Aftercare"]);
    expect(at("no make-up").anchor).toBe("aftercare");
    expect(at("Use sun").headingPath).toEqual(["Guide", "Aftercare", "Sun"]);
  });
});

describe("splitCorpus", () => {
  it("splits with 1000/200 and gives each chunk a heading path and URL the real index has", async () => {
    const { documents } = await loadCorpus(SHIPPED_CORPUS);
    const real = (await Promise.all(documents.map((doc) => chunkDocument(doc)))).flat();
    const urls = new Map(real.map((c) => [c.url, c.headingPath]));
    const chunks = await splitCorpus(documents);
    expect(chunks.length).toBeGreaterThan(documents.length);
    for (const chunk of chunks) {
      expect(chunk.text.length).toBeLessThanOrEqual(1000);
      const doc = documents.find((d) => d.docId === chunk.docId);
      expect(doc && plainText(doc).text.slice(chunk.start, chunk.start + chunk.text.length)).toBe(
        chunk.text,
      );
      expect(urls.get(chunk.url)).toEqual(chunk.headingPath);
    }
  });
});

describe("createLangChainBaseline", () => {
  it("always answers, quoting sentences of the first passage it cites", async () => {
    const { documents } = await loadCorpus(SHIPPED_CORPUS);
    const baseline = await createLangChainBaseline({
      documents,
      embeddings: new FakeWordEmbeddings(),
    });
    for (const message of [
      "Does microneedling help with acne scars?",
      "What is the capital of Peru?",
    ]) {
      const reply = await baseline.answerQuestion({ message });
      expect(reply.grounded).toBe(true);
      expect(reply.handoff).toBeNull();
      expect(reply.citations).toHaveLength(3);
      const cited = reply.citations[0];
      const first = baseline.chunks.find(
        (c) => c.url === cited?.url && c.text.startsWith(cited.snippet),
      );
      const quoted = reply.answer.replace(/ \[1\]$/, "");
      // Its sentences (list items without their "- "), and every two of them in reading order.
      const units = (first?.text ?? "")
        .split("\n")
        .flatMap((line) => sentencesOf(line.replace(/^- /, "")))
        .map((s) => s.trim())
        .filter(Boolean);
      const quotes = units.flatMap((a, i) => [a, ...units.slice(i + 1).map((b) => `${a} ${b}`)]);
      expect(quoted.length).toBeGreaterThan(0);
      expect(quotes).toContain(quoted);
    }
  });
});
