import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { AppError } from "../../src/errors.js";
import { DOC_ID_PATTERN, docIdFromFileName } from "../../src/content/doc-id.js";
import { loadCorpus, parseDocument } from "../../src/content/load-corpus.js";
import { invalidReason } from "../helpers/errors.js";

const corpusDir = fileURLToPath(new URL("../fixtures/content/corpus/", import.meta.url));

describe("docIdFromFileName", () => {
  it("lowercases the base name and turns other characters into single dashes", () => {
    expect(docIdFromFileName("FAQ.md")).toBe("faq");
    expect(docIdFromFileName("sub/Laser Hair Removal (2024).HTML")).toBe("laser-hair-removal-2024");
    expect(docIdFromFileName("__peel__notes__.txt")).toBe("peel-notes");
    expect(docIdFromFileName("v1.2-notes.md")).toBe("v1-2-notes");
  });

  it("returns null when no valid id is left", () => {
    expect(docIdFromFileName("!!!.md")).toBeNull();
    expect(docIdFromFileName(".md")).toBe("md");
    expect(docIdFromFileName(`${"a".repeat(65)}.md`)).toBeNull();
    expect(docIdFromFileName(`${"a".repeat(64)}.md`)).toBe("a".repeat(64));
  });

  it("only produces ids that match the exported pattern", () => {
    for (const name of ["A b.md", "x--y.txt", "Über uns.html", "9.txt"]) {
      const id = docIdFromFileName(name);
      expect(id === null || DOC_ID_PATTERN.test(id), name).toBe(true);
    }
    expect(DOC_ID_PATTERN.test("-faq")).toBe(false);
  });
});

describe("parseDocument", () => {
  it("picks the parser from the extension and fills in the document", () => {
    const md = parseDocument("Peel-FAQ.markdown", "# Peels\n\nThey refresh the skin.");
    expect(md).toMatchObject({
      docId: "peel-faq",
      format: "md",
      file: "Peel-FAQ.markdown",
      title: "Peels",
    });
    expect(parseDocument("a.HTM", "<p>Hello there.</p>").format).toBe("html");
    expect(parseDocument("a.txt", "Hello there.").format).toBe("txt");
  });

  it("hashes the file's bytes with sha256", () => {
    const bytes = Buffer.from("# Café\n\nOpen daily.\n", "utf8");
    const doc = parseDocument("cafe.md", bytes);
    expect(doc.contentHash).toBe(createHash("sha256").update(bytes).digest("hex"));
    expect(parseDocument("cafe.md", bytes.toString("utf8")).contentHash).toBe(doc.contentHash);
    expect(parseDocument("cafe.md", "# Café\n\nOpen daily!\n").contentHash).not.toBe(
      doc.contentHash,
    );
  });

  it("drops a byte-order mark so offsets match the text", () => {
    const doc = parseDocument("a.txt", Buffer.from("\uFEFFTitle\n\nBody text.", "utf8"));
    expect(doc.source.startsWith("Title")).toBe(true);
    expect(doc.source.slice(doc.blocks[0]?.start, doc.blocks[0]?.end)).toBe("Title");
  });

  it("rejects each kind of unusable file with a clear reason", () => {
    expect(invalidReason(() => parseDocument("brochure.pdf", "%PDF"))).toMatch(
      /unsupported file type "\.pdf"/,
    );
    expect(invalidReason(() => parseDocument("README", "text"))).toMatch(/unsupported file type/);
    expect(invalidReason(() => parseDocument("!!!.md", "Text."))).toMatch(/no usable document id/);
    expect(invalidReason(() => parseDocument("a.md", Buffer.alloc(0)))).toMatch(/empty/);
    expect(invalidReason(() => parseDocument("a.md", " \n\t\n"))).toMatch(/only whitespace/);
    expect(
      invalidReason(() => parseDocument("a.txt", Buffer.from([0x43, 0x61, 0x66, 0xe9]))),
    ).toMatch(/UTF-8/);
    expect(invalidReason(() => parseDocument("a.txt", Buffer.from("ab\u0000cd")))).toMatch(
      /binary/,
    );
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("Hi.", "utf16le")]);
    expect(invalidReason(() => parseDocument("a.txt", utf16))).toMatch(/UTF-16.*UTF-8/);
    expect(invalidReason(() => parseDocument("a.md", "---\ntitle: [x\n---\nText."))).toMatch(
      /front matter/,
    );
    expect(invalidReason(() => parseDocument("a.md", "# Only\n\n## Headings"))).toMatch(
      /no readable text/,
    );
    expect(invalidReason(() => parseDocument("a.html", "<script>alert(1)</script>"))).toMatch(
      /no readable text/,
    );
  });
});

describe("loadCorpus", () => {
  let tempDir: string | undefined;
  afterEach(async () => {
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
    tempDir = undefined;
  });

  it("loads the usable files, sorted by document id", async () => {
    const { documents } = await loadCorpus(corpusDir);
    expect(documents.map((doc) => [doc.docId, doc.file, doc.format])).toEqual([
      ["aftercare", "aftercare.md", "md"],
      ["faq", "faq.md", "md"],
      ["laser", "laser.html", "html"],
    ]);
    const bytes = await readFile(path.join(corpusDir, "laser.html"));
    expect(documents[2]?.contentHash).toBe(createHash("sha256").update(bytes).digest("hex"));
  });

  it("reports every other file with its reason, ignoring dotfiles and clinic.json", async () => {
    const { skipped } = await loadCorpus(corpusDir);
    const reasons = Object.fromEntries(skipped.map((entry) => [entry.file, entry.reason]));
    expect(Object.keys(reasons)).toEqual([
      "!!!.md",
      "bad-front-matter.md",
      "binary.txt",
      "blank.txt",
      "brochure.pdf",
      "drafts",
      "empty.md",
      "faq.txt",
      "headings-only.md",
      "latin1.txt",
    ]);
    expect(reasons).toMatchObject({
      "!!!.md": expect.stringMatching(/no usable document id/),
      "bad-front-matter.md": expect.stringMatching(/^malformed front matter: .+/),
      "binary.txt": expect.stringMatching(/binary/),
      "blank.txt": expect.stringMatching(/whitespace/),
      "brochure.pdf": expect.stringMatching(/unsupported file type "\.pdf"/),
      drafts: expect.stringMatching(/folder/),
      "empty.md": expect.stringMatching(/empty/),
      "headings-only.md": expect.stringMatching(/no readable text/),
      "latin1.txt": expect.stringMatching(/UTF-8/),
    });
  });

  it("keeps the first of two files with the same id and names the clash", async () => {
    const { documents, skipped } = await loadCorpus(corpusDir);
    expect(documents.find((doc) => doc.docId === "faq")?.file).toBe("faq.md");
    expect(skipped.find((entry) => entry.file === "faq.txt")?.reason).toBe(
      'duplicate document id "faq": faq.md already uses it',
    );
  });

  it("reports a file it cannot read and one over the size limit", async () => {
    tempDir = await mkdtemp(path.join(tmpdir(), "corpus-"));
    await writeFile(path.join(tempDir, "good.md"), "# Good\n\nFine text.");
    await writeFile(path.join(tempDir, "big.txt"), `Big\n\n${"word ".repeat(100)}`);
    await symlink(path.join(tempDir, "missing.md"), path.join(tempDir, "dangling.md"));
    const { documents, skipped } = await loadCorpus(tempDir, { maxFileBytes: 200 });
    expect(documents.map((doc) => doc.docId)).toEqual(["good"]);
    expect(skipped).toEqual([
      { file: "big.txt", reason: expect.stringMatching(/too large/) },
      { file: "dangling.md", reason: expect.stringMatching(/could not be read/) },
    ]);
  });

  it("throws index_missing when the directory itself cannot be read", async () => {
    await expect(loadCorpus(path.join(corpusDir, "no-such-dir"))).rejects.toMatchObject({
      code: "index_missing",
    });
    await expect(loadCorpus(path.join(corpusDir, "aftercare.md"))).rejects.toBeInstanceOf(AppError);
  });
});
