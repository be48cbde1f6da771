import { describe, expect, it } from "vitest";
import { glossaryToText, parseGlossaryText } from "../../web/admin/glossary.js";

describe("the admin console's glossary text", () => {
  it("reads one term a line, and writes the same text back", () => {
    const text = "injectables: botox, fillers\npenetrate: soak in, sink in";
    const parsed = parseGlossaryText(text);
    expect(parsed).toEqual({
      ok: true,
      terms: [
        { term: "injectables", also: ["botox", "fillers"] },
        { term: "penetrate", also: ["soak in", "sink in"] },
      ],
    });
    if (parsed.ok) expect(glossaryToText(parsed.terms)).toBe(text);
  });

  it("skips blank and # lines, lower-cases, and drops empty phrases", () => {
    expect(parseGlossaryText("# ours\n\n  Melasma :  Pregnancy Mask, , Chloasma  \n")).toEqual({
      ok: true,
      terms: [{ term: "melasma", also: ["pregnancy mask", "chloasma"] }],
    });
    expect(parseGlossaryText("")).toEqual({ ok: true, terms: [] });
  });

  it("names the line that is wrong and why", () => {
    expect(parseGlossaryText("melasma: chloasma\nbotox")).toMatchObject({
      ok: false,
      line: 2,
      message: expect.stringMatching(/^Line 2: write the article's term, a colon/),
    });
    expect(parseGlossaryText(": botox")).toMatchObject({ ok: false, line: 1 });
    expect(parseGlossaryText("injectables: , ")).toMatchObject({
      ok: false,
      message: 'Line 1: list at least one word visitors use for "injectables".',
    });
    expect(parseGlossaryText(`injectables: ${"x".repeat(81)}`)).toMatchObject({
      ok: false,
      message: "Line 1: a term or phrase is at most 80 characters.",
    });
  });
});
