import { describe, expect, it } from "vitest";
import { EMPTY_GLOSSARY, type Glossary } from "../../src/content/glossary.js";
import { contentWords, stem } from "../../src/embeddings/text.js";
import { createWordMatcher, type QuestionWord } from "../../src/retrieval/question-words.js";

const PASSAGES = [
  "Microneedling creates tiny punctures in the skin.",
  "Wear makeup only after 24 hours; skincare should be gentle.",
  "Injectables smooth wrinkles of the skin.",
  "Swollen skin settles within a day.",
];
const GLOSSARY: Glossary = {
  sample: false,
  terms: [{ term: "injectables", also: ["botox", "anti-wrinkle injections"] }],
};
/** Rarity as a table, so weights are easy to follow: unknown words rate 14. */
const RARITY: Record<string, number> = { the: 3, skin: 14, safe: 14, collagen: 26 };
const rarity = (word: string) => RARITY[word] ?? 14;

function matcher(
  options: { passages?: string[]; glossary?: Glossary; rarity?: (w: string) => number } = {},
) {
  const passages = options.passages ?? PASSAGES;
  return createWordMatcher(
    passages.flatMap((t) => contentWords(t)),
    options.glossary ?? GLOSSARY,
    options.rarity ?? rarity,
    passages.map((t) => new Set(contentWords(t).map(stem))),
  );
}

const byStem = (words: QuestionWord[]) => new Map(words.map((w) => [w.stem, w]));

describe("createWordMatcher: words", () => {
  it("keeps the question's content words, each stem once", () => {
    const words = matcher().words("Do scars and scar tissue heal?");
    expect(words.map((w) => w.stem)).toEqual(["scar", "tissu", "heal"]);
    expect(words.every((w) => w.origin === "question")).toBe(true);
  });

  it("weighs a word by its rarity above an everyday floor", () => {
    const words = byStem(
      matcher({ passages: [], rarity: (w) => (w === "collagen" ? 26 : 7) }).words(
        "collagen results",
      ),
    );
    expect(words.get("collagen")?.weight).toBe(20);
    expect(words.get("result")?.weight).toBe(1);
    expect(words.get("collagen")?.rarity).toBe(26);
  });

  it("gives an everyday word a small weight, never none", () => {
    const [word] = matcher({ passages: [], rarity: () => 2 }).words("results");
    expect(word?.weight).toBe(0.5);
  });

  it("weighs a word every passage has less than an equally rare word no passage has", () => {
    const words = byStem(matcher().words("is skin safe"));
    expect(words.get("skin")?.rarity).toBe(words.get("safe")?.rarity);
    expect(words.get("skin")?.weight).toBeLessThan((words.get("safe")?.weight as number) / 2);
  });

  it("reads a follow-up's earlier words at half weight, after the question's own", () => {
    const m = matcher();
    const words = m.words("and how long?", "is microneedling sore");
    expect(words.map((w) => [w.stem, w.origin])).toEqual([
      ["long", "question"],
      ["microneedl", "context"],
      ["sore", "context"],
    ]);
    const asked = byStem(m.words("is microneedling sore"));
    expect(byStem(words).get("sore")?.weight).toBeCloseTo(
      (asked.get("sore")?.weight as number) / 2,
      10,
    );
  });

  it("does not repeat an earlier word the follow-up also has", () => {
    const words = matcher().words("does skin peel?", "my skin after microneedling");
    expect(words.filter((w) => w.stem === "skin")).toEqual([
      expect.objectContaining({ origin: "question" }),
    ]);
  });
});

describe("createWordMatcher: spelling", () => {
  it("reads a misspelt word as the corpus word it stands for, keeping what was typed", () => {
    const words = byStem(matcher().words("does microneedlin hurt"));
    expect(words.get(stem("microneedling"))).toMatchObject({ word: "microneedlin" });
    // Two letters off is still read in a long word…
    expect(matcher().words("micronedlin")[0]?.stem).toBe(stem("microneedling"));
    // …one in a shorter one.
    expect(matcher().words("swolen")[0]?.stem).toBe(stem("swollen"));
  });

  it("leaves a word alone that is too far from every corpus word", () => {
    expect(matcher().words("swoln")[0]?.stem).toBe("swoln");
    expect(matcher().words("bitcoin")[0]?.stem).toBe("bitcoin");
  });

  it("normalizes text for the embedding model: chat spellings, compounds and typos mended", () => {
    expect(matcher().normalize("Teh skin care after microneedlin, is it swolen? u ok")).toBe(
      "the skincare after microneedling, is it swollen? you ok",
    );
    expect(matcher().normalize("Is Microneedling safe?")).toBe("Is Microneedling safe?");
  });

  it("mends chat shorthand and hurried weekdays, and leaves the sun as it is", () => {
    expect(matcher().normalize("r u open sat? wen do u close on fri")).toBe(
      "are you open saturday? when do you close on friday",
    );
    expect(matcher().normalize("does it help sun damage")).toBe("does it help sun damage");
  });
});

describe("createWordMatcher: compounds", () => {
  it("joins a hyphenated or spaced compound the corpus writes as one word", () => {
    expect(
      matcher()
        .words("can I wear make-up")
        .map((w) => w.stem),
    ).toEqual(["wear", "makeup"]);
    expect(
      matcher()
        .words("gentle skin care")
        .map((w) => w.stem),
    ).toEqual(["gentl", "skincar"]);
  });

  it("keeps the words apart when the corpus does not write them as one", () => {
    const m = matcher({ passages: ["Wear make up only after a day."] });
    expect(m.normalize("can I wear make-up")).toBe("can I wear make-up");
    expect(m.words("skin care").map((w) => w.stem)).toEqual(["skin", "care"]);
  });
});

describe("createWordMatcher: glossary", () => {
  it("lets a visitor's word stand for the glossary term the articles use", () => {
    const m = matcher();
    const words = m.words("is botox safe");
    expect(byStem(words).get("botox")?.alternatives).toEqual([[stem("injectables")]]);
    const injectables = m.stemsOf(PASSAGES[2] as string);
    expect(m.matched(words, injectables).map((w) => w.stem)).toEqual(["botox"]);
    expect(m.known(byStem(words).get("botox") as QuestionWord)).toBe(true);
  });

  it("counts a glossary phrase only when its words stand together", () => {
    const m = matcher();
    const together = m.words("anti-wrinkle injections");
    expect(together.every((w) => w.alternatives.length === 1)).toBe(true);
    const apart = m.words("injections for wrinkles");
    expect(apart.every((w) => w.alternatives.length === 0)).toBe(true);
  });

  it("has no alternatives without a glossary", () => {
    const words = matcher({ glossary: EMPTY_GLOSSARY }).words("is botox safe");
    expect(words.every((w) => w.alternatives.length === 0)).toBe(true);
  });
});

describe("createWordMatcher: coverage and known words", () => {
  it("is the weighted share of the words a text has", () => {
    const m = matcher({ passages: [], rarity: (w) => (w === "microneedling" ? 16 : 11) });
    const words = m.words("microneedling punctures bitcoin"); // weights 10, 5, 5
    expect(m.coverage(words, m.stemsOf(PASSAGES[0] as string))).toBeCloseTo(15 / 20, 10);
    expect(m.coverage(words, m.stemsOf("bitcoin"))).toBeCloseTo(5 / 20, 10);
    expect(m.coverage(words, new Set())).toBe(0);
    expect(m.coverage([], m.stemsOf(PASSAGES[0] as string))).toBe(0);
  });

  it("knows the words some passage has, and not the others", () => {
    const m = matcher();
    const words = byStem(m.words("bitcoin punctures"));
    expect(m.known(words.get("punctur") as QuestionWord)).toBe(true);
    expect(m.known(words.get("bitcoin") as QuestionWord)).toBe(false);
  });

  it("indexes a text's stems as passages are indexed", () => {
    expect([...matcher().stemsOf("The punctures heal quickly")].sort()).toEqual(
      ["heal", "punctur", "quickli"].sort(),
    );
  });
});
