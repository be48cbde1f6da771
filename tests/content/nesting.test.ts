import { readFileSync } from "node:fs";
import { Parser } from "htmlparser2";
import { afterAll, describe, expect, it } from "vitest";
import { parseDocument } from "../../src/content/load-corpus.js";
import {
  htmlNestingDepth,
  markdownNestingDepth,
  MAX_NESTING_DEPTH,
} from "../../src/content/nesting.js";
import { parseDocumentOffThread, stopParseWorker } from "../../src/content/parse-off-thread.js";
import { invalidReason } from "../helpers/errors.js";

afterAll(() => stopParseWorker());

/** The deepest element stack htmlparser2 itself builds for a text: what the scan must match. */
function parserDepth(html: string): number {
  let max = 0;
  const parser: Parser = new Parser({
    onopentag() {
      // Its own stack (private), which void elements never enter.
      max = Math.max(max, (parser as unknown as { stack: string[] }).stack.length);
    },
  });
  parser.end(html);
  return max;
}

const divs = (depth: number) => `${"<div>".repeat(depth)}Text${"</div>".repeat(depth)}`;
const nestedList = (depth: number) =>
  Array.from({ length: depth }, (_, i) => `${"  ".repeat(i)}- item ${i}\n`).join("");

describe("htmlNestingDepth", () => {
  const cases: [string, string][] = [
    [
      "the fixture article",
      readFileSync(new URL("../fixtures/content/laser-hair-removal.html", import.meta.url), "utf8"),
    ],
    ["nested divs", divs(50)],
    ["unclosed divs", "<div>".repeat(50)],
    ["unclosed paragraphs", "<p>one ".repeat(300)],
    ["unclosed list items", `<ul>${"<li>item ".repeat(300)}</ul>`],
    ["a table without end tags", `<table>${"<tr><td>a<td>b".repeat(100)}</table>`],
    ["definition lists", `<dl>${"<dt>term<dd>meaning".repeat(100)}</dl>`],
    ["headings", "<h1>a<h2>b<h3>c<p>d<h2>e".repeat(50)],
    ["select options", `<select>${"<option>a<optgroup><option>b".repeat(50)}</select>`],
    ["self-closing HTML tags (the slash is ignored)", "<div/>".repeat(60)],
    ["void elements", "<br><img src=a.png><hr/><input><meta charset=utf-8>".repeat(100)],
    ["SVG self-closing shapes", `<svg>${"<path d='M0 0'/><g><rect/></g>".repeat(200)}</svg>`],
    ["HTML inside SVG", `<svg><foreignObject>${"<div/>".repeat(40)}</foreignObject></svg>`],
    ["MathML", `<math>${"<mi/><mrow><mn>1</mn></mrow>".repeat(50)}</math>`],
    [
      "markup in script, style and comments",
      `<script>${"'<div>'".repeat(300)}</script><style>a>b{}</style><!-- ${"<div>".repeat(300)} -->`,
    ],
    [
      "markup in a textarea and title",
      `<title>${"<b>".repeat(300)}</title><textarea>${"<i>".repeat(300)}</textarea>`,
    ],
    ["quoted attributes holding >", `${"<div title=\"a > b\" data-x='<div>'>".repeat(30)}`],
    ["upper-case tags", `${"<DIV><Span>".repeat(30)}${"</SPAN></div>".repeat(30)}`],
    [
      "end tags closing several elements",
      `${"<section><div><span>".repeat(20)}</section>`.repeat(3),
    ],
    ["end tags with nothing open", "</div></span></ul>text".repeat(50)],
    ["a form inside a form", "<form><form><div>".repeat(40)],
    ["image outside SVG", "<image src=a>".repeat(60)],
    [
      "doctype, CDATA and processing instructions",
      "<!DOCTYPE html><?xml x?><![CDATA[<div>]]><p>a".repeat(40),
    ],
    ["empty comments", "<!--><div><!---><div>".repeat(20)],
    ["a script end tag look-alike", `<script>${"</scriptx><div>".repeat(50)}</script><p>a`],
    ["a paragraph end tag with none open", `${"<div>".repeat(10)}</p>`],
    [
      "the same element in and out of MathML",
      `<foreignObject><math>${"<foreignObject><iframe>".repeat(20)}`,
    ],
  ];
  it.each(cases)("gives the depth htmlparser2 builds, for %s", (_name, html) => {
    expect(htmlNestingDepth(html)).toBe(parserDepth(html));
  });

  it("takes linear time: 200,000 nested divs in well under a second", () => {
    const started = performance.now();
    expect(htmlNestingDepth(divs(200_000))).toBe(200_000);
    expect(htmlNestingDepth("<div>".repeat(200_000))).toBe(200_000);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe("markdownNestingDepth", () => {
  it("counts lists nested by indentation, on one line, and with block quotes", () => {
    expect(markdownNestingDepth(nestedList(300))).toBe(300);
    expect(markdownNestingDepth("- ".repeat(300) + "item\n")).toBe(300);
    expect(markdownNestingDepth("1. ".repeat(300) + "item\n")).toBe(300);
    expect(markdownNestingDepth("> ".repeat(300) + "quote\n")).toBe(300);
    expect(markdownNestingDepth("> - ".repeat(150) + "item\n")).toBe(300);
    expect(markdownNestingDepth("- a\n\t- b\n\t\t- c\n")).toBe(3);
    // A `>` under an open quote continues it, with the lists and quotes inside it.
    expect(markdownNestingDepth("> - a\n>   - b\n>     - c\n")).toBe(4);
    expect(markdownNestingDepth("> - a\n>   > b\n>   > - c\n")).toBe(4);
    expect(markdownNestingDepth("> a\n> > b\n> > > c\n> d\n")).toBe(3);
  });

  it("does not add up what a real article has: long flat lists, breaks, ended lists", () => {
    expect(markdownNestingDepth("- item\n  - sub\n".repeat(5000))).toBe(2);
    expect(markdownNestingDepth("* * *\n- - -\n___\n".repeat(500))).toBe(0);
    // A paragraph after a blank line ends the list: the next one starts afresh.
    expect(markdownNestingDepth("- a\n\nText.\n\n  - b\n\n".repeat(500))).toBe(1);
    expect(markdownNestingDepth("Text with a - dash and 3. numbers.\n".repeat(500))).toBe(0);
  });
});

describe("parseDocument and nesting", () => {
  it("refuses 200,000 nested <div>, naming the depth and the limit, quickly", () => {
    const started = performance.now();
    expect(invalidReason(() => parseDocument("deep.html", divs(200_000)))).toBe(
      "the HTML is nested 200000 levels deep; the limit is 200",
    );
    expect(invalidReason(() => parseDocument("deep.html", "<div>".repeat(200_000)))).toMatch(
      /nested 200000 levels deep/,
    );
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it("refuses Markdown lists and quotes nested thousands deep, quickly", () => {
    const started = performance.now();
    expect(invalidReason(() => parseDocument("deep.md", "- ".repeat(4000) + "item\n"))).toBe(
      "the Markdown lists and quotes are nested 4000 levels deep; the limit is 200",
    );
    expect(invalidReason(() => parseDocument("deep.md", nestedList(1000)))).toMatch(
      /nested 1000 levels deep; the limit is 200/,
    );
    expect(invalidReason(() => parseDocument("deep.md", "> ".repeat(4000) + "x\n"))).toMatch(
      /nested 4000 levels deep/,
    );
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it("refuses an HTML block nested too deeply inside Markdown", () => {
    expect(invalidReason(() => parseDocument("deep.md", `Intro.\n\n${divs(5000)}\n`))).toBe(
      "the HTML is nested 5000 levels deep; the limit is 200",
    );
  });

  it("takes nesting up to the limit, and refuses one level more", () => {
    expect(MAX_NESTING_DEPTH).toBe(200);
    expect(parseDocument("ok.html", divs(200)).blocks).toHaveLength(1);
    expect(invalidReason(() => parseDocument("deep.html", divs(201)))).toMatch(/nested 201/);
    expect(parseDocument("ok.md", nestedList(200)).blocks).toHaveLength(200);
    expect(invalidReason(() => parseDocument("deep.md", nestedList(201)))).toMatch(/nested 201/);
  });
});

describe("parseDocumentOffThread", () => {
  it("gives what parseDocument gives, and its refusals", async () => {
    const source = "---\ntitle: Peels\n---\n\n# Peels\n\n- A peel\n  - refreshes the skin.\n";
    expect(await parseDocumentOffThread("peels.md", Buffer.from(source))).toEqual(
      parseDocument("peels.md", Buffer.from(source)),
    );
    await expect(parseDocumentOffThread("deep.html", divs(200_000))).rejects.toMatchObject({
      code: "invalid",
      message: "the HTML is nested 200000 levels deep; the limit is 200",
    });
    await expect(parseDocumentOffThread("a.md", "  ")).rejects.toMatchObject({
      code: "invalid",
      message: "the file has only whitespace",
    });
  });

  it("refuses a file that takes longer than the time limit, and parses the next one", async () => {
    await parseDocumentOffThread("warm.md", "Warm up.");
    // marked slows with the square of a list item's lines: this one takes tens of seconds.
    const slow = `- item\n${"lazy continuation words here\n".repeat(30_000)}`;
    const started = performance.now();
    await expect(
      parseDocumentOffThread("slow.md", slow, { timeLimitMs: 300 }),
    ).rejects.toMatchObject({
      code: "invalid",
      message: expect.stringMatching(/^the file took too long to read \(over 300 ms\)/),
    });
    expect(performance.now() - started).toBeLessThan(5000);
    expect((await parseDocumentOffThread("next.md", "# Next\n\nText.")).title).toBe("Next");
  });
});
