/**
 * The question's telling words, and which of them a passage (or a sentence) has. Coverage
 * is what a sentence encoder cannot see: "laser hair removal" is close to "laser
 * treatments" in meaning, but a passage that never names hair removal does not answer.
 */
import { distance } from "fastest-levenshtein";
import { LRUCache } from "lru-cache";
import type { Glossary } from "../content/glossary.js";
import { CHAT_SPELLINGS, contentWords, isContentWord, stem } from "../embeddings/text.js";

/** A question word: its stem, how much it tells, and glossary terms that stand for it. */
export interface QuestionWord {
  stem: string;
  /** The visitor's word as typed (before spelling repair). */
  word: string;
  weight: number;
  /** Rarity of the word (higher: rarer). */
  rarity: number;
  /** Stem sets, each of which also counts as this word (from the glossary). */
  alternatives: string[][];
  /** The glossary terms those stand for, as written ("hyperpigmentation"). */
  terms: string[];
  /** From the question itself, or from the earlier question a follow-up refers to. */
  origin: "question" | "context";
}

/** Everyday words weigh little: rarity below this counts for nothing. */
const RARITY_FLOOR = 6;
/** A follow-up's earlier words count for this much of their weight. */
const CONTEXT_WEIGHT = 0.5;

export interface WordMatcher {
  /** The question's words (and a follow-up's earlier ones), spelling repaired against the corpus. */
  words(question: string, context?: string): QuestionWord[];
  /** Weighted share of the words that `stems` has (a stem, or all of an alternative's). */
  coverage(words: QuestionWord[], stems: ReadonlySet<string>): number;
  /** The words `stems` has. */
  matched(words: QuestionWord[], stems: ReadonlySet<string>): QuestionWord[];
  /**
   * The text with chat spellings mended ("teh", "u"), compounds joined as the corpus writes
   * them and misspelt words replaced by the corpus word they stand for ("microneedlin"):
   * what the embedding model and BM25 are given.
   */
  normalize(text: string): string;
  /** Stems of a text, as passages and sentences are indexed. */
  stemsOf(text: string): Set<string>;
  /** Whether any text of the corpus has the word. */
  known(word: QuestionWord): boolean;
}

/**
 * @param vocabulary every word of the corpus (passages, headings, bank questions, glossary)
 * @param rarity how telling a word is (the embedding model's estimate)
 */
export function createWordMatcher(
  vocabulary: Iterable<string>,
  glossary: Glossary,
  rarity: (word: string) => number,
  /** For each passage, its stems: a word most passages have tells little about which one answers. */
  passages: readonly ReadonlySet<string>[] = [],
): WordMatcher {
  const documentFrequency = new Map<string, number>();
  for (const stems of passages) {
    for (const s of stems) documentFrequency.set(s, (documentFrequency.get(s) ?? 0) + 1);
  }
  const n = passages.length;
  /** Inverse document frequency scaled to 0..1: 1 for a stem no passage has. */
  const specificity = (s: string) =>
    n === 0 ? 1 : Math.log1p(n / ((documentFrequency.get(s) ?? 0) + 1)) / Math.log1p(n);
  const known = new Set(vocabulary);
  const words = [...known].filter((w) => w.length >= 4);
  const corpusStems = new Set(words.map(stem));
  for (const w of vocabulary) corpusStems.add(stem(w));
  const repairs = new LRUCache<string, string>({ max: 5000 });
  const stemList = (text: string) => contentWords(text).map(stem);
  const phrases = glossary.terms.flatMap((entry) =>
    entry.also.map((phrase) => ({
      phrase: stemList(phrase),
      term: stemList(entry.term),
      text: entry.term,
    })),
  );

  /** The corpus word a misspelt word stands for ("microneedlin"), or the word itself. */
  function spelling(word: string): string {
    if (known.has(word) || corpusStems.has(stem(word)) || word.length < 5) return word;
    const hit = repairs.get(word);
    if (hit !== undefined) return hit;
    const limit = word.length >= 8 ? 2 : 1;
    let best = word;
    let bestDistance = limit + 1;
    for (const candidate of words) {
      if (Math.abs(candidate.length - word.length) > limit) continue;
      const d = distance(word, candidate);
      if (d < bestDistance) {
        bestDistance = d;
        best = candidate;
      }
    }
    repairs.set(word, best);
    return best;
  }
  const repair = (word: string) => stem(spelling(word));

  /** "make-up" and "skin care" as the corpus writes them ("makeup", "skincare"). */
  function joinCompounds(text: string): string {
    const parts = text.split(/([\s-]+)/);
    for (let i = 0; i + 2 < parts.length; i += 2) {
      const joined = `${parts[i]}${parts[i + 2]}`;
      const letters = joined.toLowerCase().replace(/[^\p{L}]/gu, "");
      if (/^[\s-]$/.test(parts[i + 1] ?? "") && known.has(letters)) {
        parts.splice(i, 3, joined);
        i -= 2;
      }
    }
    return parts.join("");
  }

  function read(text: string, origin: QuestionWord["origin"]): QuestionWord[] {
    const typed = contentWords(joinCompounds(text));
    const stems = typed.map(repair);
    const out: QuestionWord[] = [];
    stems.forEach((s, i) => {
      const word = typed[i] as string;
      const r = rarity(word);
      const standing = phrases.filter((p) => p.phrase.includes(s) && containsRun(stems, p.phrase));
      const alternatives = standing.map((p) => p.term);
      const scale = origin === "context" ? CONTEXT_WEIGHT : 1;
      out.push({
        stem: s,
        word,
        rarity: r,
        weight: scale * Math.max(0.5, r - RARITY_FLOOR) * specificity(s),
        alternatives,
        terms: [...new Set(standing.map((p) => p.text))],
        origin,
      });
    });
    // One entry per stem: "scars and scar tissue" weighs "scar" once.
    const seen = new Set<string>();
    return out.filter((w) => !seen.has(w.stem) && seen.add(w.stem));
  }

  const has = (w: QuestionWord, stems: ReadonlySet<string>) =>
    stems.has(w.stem) || w.alternatives.some((alt) => alt.every((s) => stems.has(s)));

  return {
    words(question, context) {
      const own = read(question, "question");
      if (!context) return own;
      const mine = new Set(own.map((w) => w.stem));
      return [...own, ...read(context, "context").filter((w) => !mine.has(w.stem))];
    },
    coverage(list, stems) {
      const total = list.reduce((sum, w) => sum + w.weight, 0);
      if (total === 0) return 0;
      return list.filter((w) => has(w, stems)).reduce((sum, w) => sum + w.weight, 0) / total;
    },
    matched: (list, stems) => list.filter((w) => has(w, stems)),
    normalize(text) {
      return joinCompounds(text).replace(/[\p{L}\p{N}'\u2019]+/gu, (token) => {
        const lower = token.toLowerCase().replace(/[\u2019']/g, "");
        const mended = CHAT_SPELLINGS.get(lower) ?? lower;
        const fixed = isContentWord(mended) ? spelling(mended) : mended;
        return fixed === lower ? token : fixed;
      });
    },
    stemsOf: (text) => new Set(stemList(text)),
    known: (w) => has(w, corpusStems),
  };
}

/** Whether `run` occurs in `list` as consecutive items. */
function containsRun(list: string[], run: string[]): boolean {
  if (run.length === 0) return false;
  for (let i = 0; i + run.length <= list.length; i++) {
    if (run.every((s, j) => list[i + j] === s)) return true;
  }
  return false;
}
