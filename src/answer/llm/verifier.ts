import type { Embeddings } from "@langchain/core/embeddings";
import { lengthRarity } from "../../embeddings/embedding-model.js";
import { contentWords, stem, tokenize } from "../../embeddings/text.js";
import type { Candidate } from "../../retrieval/retriever.js";
import { citedNumbers, withoutMarkers } from "./sentence-stream.js";
import { cosine } from "../../embeddings/cosine.js";

/**
 * A generated sentence's support in the passages it cites, 0..1: half lexical overlap (the
 * share of its content-word stems the passages contain) and half meaning (its best cosine
 * similarity with one of their sentences, rescaled so that 0.4 counts as none and 0.85 as
 * full). Calibrated on the article (tests/answer/llm/verifier.test.ts): its own sentences
 * score 1.0, faithful paraphrases well above the threshold, claims the passage does not make
 * well below it; the threshold sits nearer the claims, since a dropped sentence costs less
 * than an unsupported one shown.
 */
export const SUPPORT_THRESHOLD = 0.45;
const NO_MEANING = 0.4;
const FULL_MEANING = 0.85;

/**
 * A whole sentence can score well by copying a passage and still add a claim ("…boxcar scars,
 * so you can stop taking your blood thinners"), so every part of it is checked too:
 *
 * - each clause (split at punctuation and at the words that join claims) of two or more
 *   content words must have at least this share of them in the cited passages (or their
 *   headings, or another form of the word: "responds" for "response");
 * - every number, number word and unit of time must be in the passages ("24 hours", not
 *   "2 hours"; "a few days", not "a few minutes");
 * - a negation must agree with the passage clause the clause restates ("not safe" for
 *   "safe", "designed to cause damage" for "designed not to");
 * - no word the passages lack may be rarer than `NOVEL_RARITY` (the encoder's unigram
 *   surprisal): names of drugs, conditions and body parts, guarantees and prices are rare
 *   words, while a paraphrase's own words ("suits", "settle", "older") are everyday ones.
 *
 * Calibrated on tests/answer/llm/verifier.test.ts with the offline encoder's rarity: the
 * probe's five harmful sentences and twelve more, written before the check changed, are
 * dropped; 16 of 17 faithful paraphrases are kept (the one dropped says "serums", which the
 * cited passage calls "topical products"). With an embedding model that has no vocabulary of
 * its own, word length stands in for rarity: stricter, so more paraphrases are dropped, never
 * more claims shown.
 */
const CLAUSE_OVERLAP = 0.5;
export const NOVEL_RARITY = 14;
/** Words of at least this many letters sharing their first this many are forms of one word. */
const PREFIX = 6;

const CLAUSE_BREAK =
  /[,;:()[\]\u2013\u2014]|\s(?:and|but|so|or|unless|although|though|while|whereas|because|since|yet|plus|even if|even though|in which case|which means|so that)\s/i;

const NEGATION = new Set([
  "not",
  "no",
  "never",
  "without",
  "cannot",
  "cant",
  "dont",
  "doesnt",
  "isnt",
  "arent",
  "wont",
  "shouldnt",
  "none",
  "neither",
  "nor",
  "nothing",
  "nobody",
]);

const NUMBER_WORDS = new Set(
  (
    "one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty " +
    "hundred thousand million dozen once twice single double half"
  ).split(" "),
);
const TIME_UNITS = new Set(
  "second minute hour day week month year overnight".split(" ").map((w) => stem(w)),
);

/** The numbers, number words and units of time in a text, as compared: digits, words, stems. */
function quantities(text: string): string[] {
  return tokenize(text).flatMap((t) => {
    if (/^\d/.test(t) || NUMBER_WORDS.has(t)) return [t];
    const s = stem(t);
    return TIME_UNITS.has(s) ? [s] : [];
  });
}

const negated = (text: string) =>
  tokenize(text.replace(/n['\u2019]t\b/gi, " not")).some((t) => NEGATION.has(t));

/** A sentence's clauses that hold content words. */
export function clausesOf(text: string): string[] {
  return text
    .split(CLAUSE_BREAK)
    .map((c) => c.trim())
    .filter((c) => contentWords(c).length > 0);
}

export type Verdict =
  | { ok: true; cited: number[]; text: string; support: number }
  | {
      ok: false;
      reason: "no citation" | "unknown citation" | "unsupported" | "empty";
      /** For "unsupported": what part is not in the passages. */
      detail?: "sentence" | "clause" | "quantity" | "negation" | "novel word";
      support: number;
    };

export interface SentenceVerifier {
  check(sentence: string): Promise<Verdict>;
}

/** The support of `sentence` in passages made of `sentences` (their quotable units). */
export async function supportScore(
  embeddings: Embeddings,
  sentence: string,
  sentences: string[],
): Promise<number> {
  const stems = [...new Set(contentWords(sentence).map(stem))];
  const have = new Set(sentences.flatMap((s) => contentWords(s).map(stem)));
  const overlap = stems.length === 0 ? 0 : stems.filter((s) => have.has(s)).length / stems.length;
  const vector = await embeddings.embedQuery(sentence);
  let best = 0;
  // embedQuery remembers what it embedded, so a passage's sentences cost once per process.
  for (const s of sentences) best = Math.max(best, cosine(vector, await embeddings.embedQuery(s)));
  const meaning = Math.min(1, Math.max(0, (best - NO_MEANING) / (FULL_MEANING - NO_MEANING)));
  return 0.5 * overlap + 0.5 * meaning;
}

/**
 * What part of a sentence the passage units do not hold, checked word by word (no model
 * call): undefined when every part is there.
 */
export function unsupportedPart(
  sentence: string,
  passage: { units: string[]; headings: string[] },
  rarity: (word: string) => number = lengthRarity,
): Exclude<Verdict, { ok: true }>["detail"] {
  const { units } = passage;
  const passageQuantities = new Set(units.flatMap(quantities));
  if (quantities(sentence).some((q) => !passageQuantities.has(q))) return "quantity";
  // What the passage speaks of: its words, and its headings' ("microneedling" where the
  // passage says "this method").
  const words = [...units, ...passage.headings].flatMap(contentWords);
  const stems = new Set(words.map(stem));
  const prefixes = new Set(words.filter((w) => w.length >= PREFIX).map((w) => w.slice(0, PREFIX)));
  // Another form of a passage word ("responds" for "response") is the passage's word too.
  const has = (w: string) =>
    stems.has(stem(w)) || (w.length >= PREFIX && prefixes.has(w.slice(0, PREFIX)));
  if (contentWords(sentence).some((w) => !has(w) && rarity(w) >= NOVEL_RARITY)) {
    return "novel word";
  }
  const passageClauses = units.flatMap(clausesOf).map((text) => ({
    text,
    stems: new Set(contentWords(text).map(stem)),
  }));
  for (const clause of clausesOf(sentence)) {
    const own = [...new Set(contentWords(clause))];
    if (own.length >= 2 && own.filter(has).length / own.length < CLAUSE_OVERLAP) return "clause";
    // The passage clauses it may restate, those sharing most of its words: a negation
    // must agree with one of them.
    const ownStems = own.map(stem);
    const shared = passageClauses.map((p) => ownStems.filter((s) => p.stems.has(s)).length);
    const most = Math.max(0, ...shared);
    const restated = passageClauses.filter((_, i) => most > 0 && shared[i] === most);
    if (restated.length > 0 && !restated.some((p) => negated(p.text) === negated(clause))) {
      return "negation";
    }
  }
  return undefined;
}

/** Verifies generated sentences against the numbered passages the model was given (1-based). */
export function createSentenceVerifier(
  embeddings: Embeddings,
  passages: Candidate[],
  options: { threshold?: number; rarity?: (word: string) => number } = {},
): SentenceVerifier {
  const threshold = options.threshold ?? SUPPORT_THRESHOLD;
  return {
    async check(sentence) {
      const text = withoutMarkers(sentence);
      if (contentWords(text).length === 0) return { ok: false, reason: "empty", support: 0 };
      const cited = citedNumbers(sentence);
      if (cited.length === 0) return { ok: false, reason: "no citation", support: 0 };
      if (cited.some((n) => n < 1 || n > passages.length)) {
        return { ok: false, reason: "unknown citation", support: 0 };
      }
      const given = cited.map((n) => passages[n - 1] as Candidate);
      const units = given.flatMap((c) => c.sentences.map((s) => s.lines.join(" ")));
      const support = await supportScore(embeddings, text, units);
      if (support < threshold) {
        return { ok: false, reason: "unsupported", detail: "sentence", support };
      }
      const headings = given.flatMap((c) => c.chunk.headingPath);
      const part = unsupportedPart(text, { units, headings }, options.rarity);
      if (part) return { ok: false, reason: "unsupported", detail: part, support };
      return { ok: true, cited, text, support };
    },
  };
}
