import { describe, expect, it } from "vitest";
import { docIdFromFileName } from "../../src/content/doc-id.js";
import {
  checkDocId,
  checkFile,
  checkMarkdown,
  contentTypeFor,
  docIdFromName,
  docIdFromTitle,
  MAX_DOCUMENT_BYTES,
} from "../../web/admin/upload.js";
import { MAX_DOCUMENT_BYTES as SERVER_MAX } from "../../src/admin/documents.js";

describe("admin upload checks", () => {
  it("sends Markdown, HTML and text with their content types, whatever the browser guessed", () => {
    expect(contentTypeFor("Peels.MD")).toBe("text/markdown");
    expect(contentTypeFor("notes.markdown")).toBe("text/markdown");
    expect(contentTypeFor("page.htm")).toBe("text/html");
    expect(contentTypeFor("faq.txt")).toBe("text/plain");
    expect(contentTypeFor("brochure.pdf")).toBeUndefined();
    expect(contentTypeFor("README")).toBeUndefined();
  });

  it("says what is wrong with a wrong type, an empty file or one over 2 MB", () => {
    expect(checkFile({ name: "brochure.pdf", size: 10 })).toEqual({
      ok: false,
      message: expect.stringContaining("Upload Markdown (.md), HTML (.html) or plain text (.txt)"),
    });
    expect(checkFile({ name: "empty.md", size: 0 })).toEqual({
      ok: false,
      message: '"empty.md" is empty.',
    });
    expect(checkFile({ name: "big.html", size: MAX_DOCUMENT_BYTES + 1 })).toEqual({
      ok: false,
      message: '"big.html" is 2.0 MB; a document may be at most 2 MB.',
    });
    expect(checkFile({ name: "ok.md", size: MAX_DOCUMENT_BYTES })).toEqual({
      ok: true,
      contentType: "text/markdown",
    });
  });

  it("has the service's size limit", () => {
    expect(MAX_DOCUMENT_BYTES).toBe(SERVER_MAX);
  });

  it.each([
    "Chemical Peels.md",
    "microneedling-benefits.md",
    "FAQ (2026) – final!.html",
    "__notes__.txt",
    "---.md",
    `${"x".repeat(70)}.md`,
    "dir/sub/Laser Hair Removal.htm",
  ])("derives the same document id from %j as ingestion does", (name) => {
    expect(docIdFromName(name)).toBe(docIdFromFileName(name.split("/").pop() ?? "") ?? "");
  });

  it("suggests an id from a title, and checks ids as the service does", () => {
    expect(docIdFromTitle("  Chemical Peels: What to Expect! ")).toBe(
      "chemical-peels-what-to-expect",
    );
    expect(docIdFromTitle("Crème de la Crème")).toBe("creme-de-la-creme");
    expect(docIdFromTitle("x".repeat(80))).toHaveLength(64);
    expect(checkDocId("chemical-peels")).toBeUndefined();
    expect(checkDocId("")).toBe("Give the document an id.");
    expect(checkDocId("Bad_Id")).toMatch(/lower-case letters, digits and dashes/);
  });

  it("checks the Markdown form: title, http(s) URL, text", () => {
    expect(checkMarkdown({ title: "Peels", url: "", markdown: "# Peels\n\nText." })).toEqual({});
    expect(checkMarkdown({ title: " ", url: "javascript:alert(1)", markdown: "  " })).toEqual({
      title: "Give the document a title.",
      url: expect.stringContaining("http(s) address"),
      markdown: "The document is empty.",
    });
    expect(
      checkMarkdown({
        title: "Big",
        url: "https://clinic.example/big",
        markdown: "é".repeat(MAX_DOCUMENT_BYTES / 2 + 1),
      }),
    ).toEqual({ markdown: "A document may be at most 2 MB." });
  });
});
