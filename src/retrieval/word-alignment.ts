import { distance } from "fastest-levenshtein";
import {
  contentWords,
  contentWordsWithNext,
  STOP_WORDS,
  stem as porterStem,
  tokenize,
} from "../embeddings/text.js";
import type { WordVectors } from "../embeddings/word-vectors.js";
import type { Lexicon } from "../embeddings/wordnet.js";
import type { Glossary } from "../content/glossary.js";

/**
 * How telling a word is, from its frequency rank in the word-vector vocabulary (most frequent
 * first): "the" weighs almost nothing, "collagen" a lot, an unknown word the most.
 */
export function rarityWeight(vectors: WordVectors, row: number): number {
  const rank = row < 0 ? vectors.size : row;
  return Math.log1p((rank + 1) / 100);
}

/**
 * Where a query word comes from: the question itself, the earlier question a follow-up refers
 * to, or the glossary (an article term that a lay phrase of the question stands for).
 */
export type WordOrigin = "question" | "context" | "glossary";

/** The words of a question, each with how much it matters. */
export interface QueryTerms {
  words: string[];
  /** A two-word phrase each word starts, if the lexicon knows it ("sink in"), else "". */
  phrases: string[];
  origins: WordOrigin[];
  /** For a word of a glossary phrase ("dark marks"): the words of the term it stands for. */
  standsFor: string[][];
  rows: Int32Array;
  stems: string[];
  weights: Float64Array;
  totalWeight: number;
}

/** A word of the question itself, and how well a passage matches it. */
export interface WordMatch {
  word: string;
  stem: string;
  weight: number;
  /** Frequency rank in the word vectors (most frequent 0); the vocabulary size when unknown. */
  rank: number;
  /** Its best match in the passage, 0..1 (1: the same stem). */
  match: number;
  /** The best match of the term a glossary phrase it is part of stands for (0 if none). */
  termMatch: number;
}

/** The distinct words of a passage (or sentence), ready to be aligned against. */
export interface PassageTerms {
  stems: ReadonlySet<string>;
  /** Positions in the aligner's vocabulary of the passage's words. */
  slots: Int32Array;
}

/** Word-vector similarity below this is what unrelated words score; it counts as no match. */
export const SIMILARITY_FLOOR = 0.45;
/** Words more frequent than this are everyday English, too general to show a shared topic. */
export const GENERIC_RANK = 300;
/** Words rarer than this are what a question is specifically about. */
export const RARE_RANK = 2000;
/** Word-vector similarity that counts as the same topic word ("scar" and "scarring"). */
const TOPIC_SIMILARITY = 0.75;
/** How many of the most frequent English words a misspelt question word is checked against. */
const SPELLING_WORDS = 30_000;
/** Unknown words of one question looked up in everyday English, at most. */
const SPELLING_CHECKS_PER_QUERY = 8;
/** Spelling corrections, and phrase checks, remembered per aligner. */
const REMEMBERED_WORDS = 10_000;
/**
 * Vocabulary ranks past this are mostly misspellings and oddities in the word vectors; below
 * it, rare words are real ones ("router", "scarring"), not misspellings of a corpus word.
 */
const ODD_WORD_RANK = 150_000;
/** What two forms of one word ("saggy", "sagging") score, short of the same stem. */
const WORD_FORM_SIMILARITY = 0.9;
/** Endings that turn one word into another form of it, for `sameWordForm`. */
const SUFFIXES = new Set(
  "|s|es|y|ier|iest|ies|ied|ing|ed|er|ers|est|ly|ily|ness|ity|ment|ments|able|ible|al|ally|ive|ion|ions|ation|ations|ise|ize|ised|ized".split(
    "|",
  ),
);
/**
 * What a WordNet relation scores: the same sense ("put on" and "apply"), or one a kind of
 * the other ("facelift" and "surgery", "hole" and "puncture"). Below TOPIC_SIMILARITY, so a
 * relation alone never makes an off-topic question on-topic, and above what the answerer
 * takes as addressing a rare word (0.5), so a word related to a passage word is addressed.
 */
const SAME_SENSE_SIMILARITY = 0.72;
const KIND_OF_SIMILARITY = 0.66;
/** Corpus words more frequent than this are too general for a WordNet relation to count. */
const RELATED_WORD_RANK = 1000;
/** How many "is a kind of" steps up from a question word still relate it to a passage word. */
const KIND_OF_STEPS = 2;
/** Similarity rows kept per aligner, bounded by their total size. */
const ROW_CACHE_BYTES = 32 * 1024 * 1024;

/** "saggy" and "sagging", "risk" and "riskier": a shared start of four letters or more, and endings. */
export function sameWordForm(a: string, b: string): boolean {
  let common = 0;
  while (common < a.length && common < b.length && a[common] === b[common]) common++;
  return common >= 4 && SUFFIXES.has(a.slice(common)) && SUFFIXES.has(b.slice(common));
}

export interface AlignerOptions {
  /** Similarity that counts as no match (default SIMILARITY_FLOOR). */
  floor?: number;
  /** Frequency rank below which a word is too everyday to show a shared topic. */
  genericRank?: number;
  /**
   * The corpus's own words. Passages are aligned against this vocabulary, and a rare or
   * unknown question word one typo away from one of them is read as that word.
   */
  vocabulary: readonly string[];
  /** Word senses and "kind of" links (WordNet), for relations the vectors miss. */
  lexicon?: Lexicon;
  /** The clinic's lay terms: a question that says "dark marks" also asks about the term. */
  glossary?: Glossary;
}

/**
 * Word-alignment relevance: every question word is matched with its most similar passage
 * word (the same stem scores 1, another form of the word 0.9, otherwise the cosine of their
 * word vectors less what unrelated words score anyway), weighted by how rare the question
 * word is. A paraphrase ("lines around my eyes" for "wrinkles ... around the eyes") scores
 * high where averaged vectors blur and BM25 sees no shared word.
 *
 * Each question word's similarities to the whole corpus vocabulary are computed once and
 * cached, so scoring a passage is a handful of array look-ups.
 */
export interface WordAligner {
  query(text: string, contextText?: string, contextWeight?: number): QueryTerms;
  passage(text: string): PassageTerms;
  /** Several passages' terms as one (for "is this addressed anywhere in them?"). */
  merge(passages: PassageTerms[]): PassageTerms;
  /** 0 (nothing matches) to 1 (every question word found). */
  score(query: QueryTerms, passage: PassageTerms): number;
  /**
   * True when a question word that is not everyday English (a frequency rank past
   * `genericRank`, or not in the vocabulary) stands in the passage terms, or nearly so.
   * "Who won the league?" shares only everyday words ("last", "team") with a skin
   * clinic's articles; "Do you do laser hair removal?" shares "laser".
   */
  sharesTopic(query: QueryTerms, passage: PassageTerms): boolean;
  /**
   * The words of the question itself (not of its context or the glossary), each with how
   * well the passage matches it: "numbing" in "do you use numbing cream?" finds nothing when
   * no passage speaks of it. A question whose telling words go unanswered is not answered by
   * the passage.
   */
  questionWords(query: QueryTerms, passage: PassageTerms): WordMatch[];
}

export function createWordAligner(vectors: WordVectors, options: AlignerOptions): WordAligner {
  const floor = options.floor ?? SIMILARITY_FLOOR;
  const genericRank = options.genericRank ?? GENERIC_RANK;

  const stems = new Map<string, string>();
  const stemOf = (word: string) => {
    let s = stems.get(word);
    if (s === undefined) {
      s = porterStem(word);
      stems.set(word, s);
    }
    return s;
  };

  // The vocabulary: every distinct corpus word, with its vector row (-1 if it has none).
  const vocabWords: string[] = [];
  const slotOf = new Map<string, number>();
  const addWord = (word: string) => {
    let slot = slotOf.get(word);
    if (slot === undefined) {
      slot = vocabWords.length;
      vocabWords.push(word);
      slotOf.set(word, slot);
    }
    return slot;
  };
  for (const word of options.vocabulary) addWord(word);
  let vocabRows = Int32Array.from(vocabWords, (w) => vectors.lookup(w));
  const vocabStems = vocabWords.map(stemOf);
  // The vocabulary's vectors side by side (zeros where a word has none): comparing a question
  // word with all of them then reads a few hundred kilobytes in order, not rows scattered over
  // the 35 MB of the whole vector table.
  const dims = vectors.dimensions;
  let vocabMatrix = new Float32Array(vocabWords.length * dims);
  const placeVector = (slot: number) => {
    const row = vocabRows[slot] as number;
    if (row >= 0) vocabMatrix.set(vectors.vector(row), slot * dims);
  };
  vocabWords.forEach((_, slot) => placeVector(slot));
  const mendable = vocabWords.filter((w) => w.length >= 4);

  // Glossary phrases by their stemmed tokens ("dark mark"), with the words of the terms they
  // stand for. Left out: a phrase of only everyday words ("get in", "hours"), which would
  // drag a term into everyday questions, and a one-word phrase the articles use themselves
  // ("chat"), which already matches where it stands.
  const termsByPhrase = new Map<string, string[][]>();
  const corpusStems = new Set(vocabStems);
  const telling = (word: string) => {
    const row = vectors.lookup(word);
    return !STOP_WORDS.has(word) && (row < 0 || row >= RELATED_WORD_RANK);
  };
  let longestPhrase = 0;
  for (const { term, also } of options.glossary?.terms ?? []) {
    const termWords = contentWords(term);
    if (termWords.length === 0) continue;
    for (const phrase of also) {
      const tokens = tokenize(phrase);
      const stems = tokens.map(stemOf);
      if (!tokens.some(telling)) continue;
      if (stems.length === 1 && corpusStems.has(stems[0] as string)) continue;
      const key = stems.join(" ");
      termsByPhrase.set(key, [...(termsByPhrase.get(key) ?? []), termWords]);
      longestPhrase = Math.max(longestPhrase, stems.length);
    }
  }

  /** The glossary phrases a text contains: their stems, and the words of their terms. */
  function glossaryPhrases(text: string): { stems: string[]; termWords: string[] }[] {
    if (termsByPhrase.size === 0) return [];
    const tokens = tokenize(text).map(stemOf);
    const found: { stems: string[]; termWords: string[] }[] = [];
    for (let i = 0; i < tokens.length; i++) {
      let key = "";
      for (let n = 1; n <= longestPhrase && i + n <= tokens.length; n++) {
        key = n === 1 ? (tokens[i] as string) : `${key} ${tokens[i + n - 1] as string}`;
        const terms = termsByPhrase.get(key);
        if (!terms) continue;
        const stems = tokens.slice(i, i + n);
        for (const termWords of terms) found.push({ stems, termWords });
      }
    }
    return found;
  }

  // The vocabulary's word senses, and the senses just above them, each listing its slots.
  const lexicon = options.lexicon;
  const slotsBySense = new Map<number, number[]>();
  const slotsByBroader = new Map<number, number[]>();
  const push = (map: Map<number, number[]>, key: number, slot: number) => {
    const list = map.get(key);
    if (list) list.push(slot);
    else map.set(key, [slot]);
  };
  function relateSlot(slot: number) {
    if (!lexicon) return;
    // Everyday words ("change", "make", "side") sit above half the language; a question
    // word being a kind of one of them says nothing about the passage.
    const row = vocabRows[slot] as number;
    if (row >= 0 && row < RELATED_WORD_RANK) return;
    for (const sense of lexicon.senses(vocabWords[slot] as string)) {
      push(slotsBySense, sense, slot);
      for (const up of lexicon.broader(sense)) push(slotsByBroader, up, slot);
    }
  }
  vocabWords.forEach((_, slot) => relateSlot(slot));

  /**
   * Raises `out` (similarities to the vocabulary) where WordNet relates the question word, or
   * the phrase it starts, to a corpus word: a shared sense, the question word a kind of the
   * corpus word (up to KIND_OF_STEPS up), or the corpus word a kind of the question word.
   */
  function relate(word: string, phrase: string, out: Float32Array) {
    if (!lexicon) return;
    const raise = (slots: number[] | undefined, sim: number) => {
      for (const slot of slots ?? []) if ((out[slot] as number) < sim) out[slot] = sim;
    };
    const senses = phrase
      ? [...lexicon.senses(word), ...lexicon.senses(phrase)]
      : lexicon.senses(word);
    let level: readonly number[] = senses;
    for (const sense of senses) {
      raise(slotsBySense.get(sense), SAME_SENSE_SIMILARITY);
      raise(slotsByBroader.get(sense), KIND_OF_SIMILARITY);
    }
    for (let step = 0; step < KIND_OF_STEPS; step++) {
      // Past one step only the noun hierarchy is reliable ("facelift" → plastic surgery →
      // surgery); verbs climb to "change" and "make" at once.
      level = level.flatMap((sense) =>
        step === 0 || lexicon.isNoun(sense) ? lexicon.broader(sense) : [],
      );
      for (const sense of level) raise(slotsBySense.get(sense), KIND_OF_SIMILARITY);
    }
  }

  /**
   * The closest word of `candidates` within `allowed` edits of `word`, or undefined. Ties go
   * to the longer shared start ("swolen" is "swollen", not "stolen"), then to the earlier
   * candidate.
   */
  function closest(word: string, candidates: Iterable<string>, allowed: number) {
    let best: string | undefined;
    let bestDistance = allowed + 1;
    let bestStart = -1;
    for (const candidate of candidates) {
      if (Math.abs(candidate.length - word.length) > allowed) continue;
      const d = distance(word, candidate);
      if (d > allowed || d > bestDistance) continue;
      let start = 0;
      while (start < word.length && word[start] === candidate[start]) start++;
      if (d < bestDistance || start > bestStart) {
        best = candidate;
        bestDistance = d;
        bestStart = start;
      }
    }
    return best;
  }

  // Everyday English words by first letter, to spell-check a word the vectors do not know.
  let commonByStart: Map<string, string[]> | undefined;
  const mended = new Map<string, string>();

  /**
   * One or two edits away from a corpus word ("microneedlin"), for unknown or odd words;
   * failing that, an unknown word one or two edits away from an everyday English word
   * ("recieving"): a misspelling would otherwise count as the question's rarest word.
   * `spelling.checks` is how many more words may be looked up in everyday English.
   */
  function mend(word: string, spelling: { checks: number } = { checks: 0 }): string {
    const row = vectors.lookup(word);
    if (word.length < 4 || slotOf.has(word) || (row >= 0 && row < ODD_WORD_RANK)) return word;
    const remembered = mended.get(word);
    if (remembered !== undefined) return remembered;
    const allowed = word.length >= 8 ? 2 : 1;
    let found = closest(word, mendable, allowed);
    // A word the vectors know, however rare ("saggy"), is no misspelling of a word a letter
    // away ("baggy"), even where the vectors place the two close together; and only plain
    // English spellings are checked: "crème" is no misspelling of "crime".
    if (!found && row < 0 && /^[a-z]+$/.test(word)) {
      // A message of hundreds of made-up words must not cost a second of searching (the
      // words left unchecked are not remembered: a later question may check them).
      if (spelling.checks <= 0) return word;
      spelling.checks -= 1;
      if (!commonByStart) {
        commonByStart = new Map();
        for (let r = 0; r < Math.min(SPELLING_WORDS, vectors.size); r++) {
          const common = vectors.word(r);
          if (common.length < 4) continue;
          const bucket = commonByStart.get(common[0] as string);
          if (bucket) bucket.push(common);
          else commonByStart.set(common[0] as string, [common]);
        }
      }
      // Same first letter: misspellings rarely change it, and it keeps the search short.
      found = closest(word, commonByStart.get(word[0] as string) ?? [], allowed);
    }
    if (mended.size >= REMEMBERED_WORDS) mended.clear();
    mended.set(word, found ?? word);
    return found ?? word;
  }

  // Whether two words are a WordNet phrase ("sink_in"): asked for every pair of every
  // question, and the answer never changes.
  const phrases = new Map<string, boolean>();
  function isPhrase(candidate: string): boolean {
    let known = phrases.get(candidate);
    if (known === undefined) {
      known = (lexicon?.senses(candidate).length ?? 0) > 0;
      if (phrases.size >= REMEMBERED_WORDS) phrases.clear();
      phrases.set(candidate, known);
    }
    return known;
  }

  // Per question word: its match strength (before the floor) with every vocabulary word.
  const rowCache = new Map<string, Float32Array>();
  const maxRows = Math.max(64, Math.floor(ROW_CACHE_BYTES / (4 * Math.max(1, vocabWords.length))));
  function similarities(word: string, phrase = ""): Float32Array {
    const key = phrase ? `${word} ${phrase}` : word;
    const cached = rowCache.get(key);
    if (cached) return cached;
    const row = vectors.lookup(word);
    const s = stemOf(word);
    const out = new Float32Array(vocabWords.length);
    const own = row >= 0 ? vectors.vector(row) : undefined;
    for (let i = 0; i < vocabWords.length; i++) {
      let sim = 0;
      if (own) {
        for (let d = 0, at = i * dims; d < dims; d++, at++) {
          sim += (own[d] as number) * (vocabMatrix[at] as number);
        }
      }
      if (vocabStems[i] === s) sim = 1;
      else if (sim < WORD_FORM_SIMILARITY && sameWordForm(word, vocabWords[i] as string)) {
        sim = WORD_FORM_SIMILARITY;
      }
      out[i] = sim;
    }
    relate(word, phrase, out);
    if (rowCache.size >= maxRows) rowCache.delete(rowCache.keys().next().value as string);
    rowCache.set(key, out);
    return out;
  }

  /** The best match of a question word in a passage, 0..1 (1: same stem). */
  function bestMatch(word: string, phrase: string, passage: PassageTerms): number {
    if (passage.stems.has(stemOf(word))) return 1;
    const sims = similarities(word, phrase);
    let best = 0;
    const slots = passage.slots;
    for (let j = 0; j < slots.length; j++) {
      const sim = sims[slots[j] as number] as number;
      if (sim > best) best = sim;
    }
    return best;
  }

  return {
    query(text, contextText, contextWeight = 0.5) {
      interface Entry {
        word: string;
        phrase: string;
        row: number;
        weight: number;
        origin: WordOrigin;
        standsFor: string[];
      }
      const seen = new Map<string, Entry>();
      const spelling = { checks: SPELLING_CHECKS_PER_QUERY };
      const add = (source: string, factor: number, origin: WordOrigin) => {
        for (const { word: raw, next } of contentWordsWithNext(source)) {
          const word = mend(raw, spelling);
          const row = vectors.lookup(word);
          const weight = rarityWeight(vectors, row) * factor;
          const s = stemOf(word);
          const candidate = next ? `${word}_${next}` : "";
          const phrase = candidate && isPhrase(candidate) ? candidate : "";
          const prior = seen.get(s);
          // A word of the question stays one, whatever else brings it in too.
          if (prior && (prior.weight >= weight || prior.origin === "question")) continue;
          seen.set(s, { word, phrase, row, weight, origin, standsFor: [] });
        }
      };
      if (contextText) add(contextText, contextWeight, "context");
      add(text, 1, "question");
      // What the visitor's words stand for in the articles' own terms. These words rank the
      // passages; whether the question is answered is decided by the question's own words.
      for (const { stems, termWords } of glossaryPhrases(text)) {
        const own = stems.flatMap((s) => {
          const entry = seen.get(s);
          return entry?.origin === "question" ? [entry] : [];
        });
        if (own.length === 0) continue;
        for (const entry of own) entry.standsFor.push(...termWords);
        add(termWords.join(" "), 1, "glossary");
      }
      const entries = [...seen.entries()];
      const weights = Float64Array.from(entries, ([, e]) => e.weight);
      return {
        words: entries.map(([, e]) => e.word),
        phrases: entries.map(([, e]) => e.phrase),
        origins: entries.map(([, e]) => e.origin),
        standsFor: entries.map(([, e]) => e.standsFor),
        rows: Int32Array.from(entries, ([, e]) => e.row),
        stems: entries.map(([s]) => s),
        weights,
        totalWeight: weights.reduce((a, b) => a + b, 0),
      };
    },
    passage(text) {
      const words = contentWords(text);
      return {
        stems: new Set(words.map(stemOf)),
        slots: Int32Array.from(new Set(words.map(addWordForPassage))),
      };
    },
    merge(passages) {
      const stemsUnion = new Set<string>();
      const slots = new Set<number>();
      for (const p of passages) {
        for (const s of p.stems) stemsUnion.add(s);
        for (const slot of p.slots) slots.add(slot);
      }
      return { stems: stemsUnion, slots: Int32Array.from(slots) };
    },
    score(query, passage) {
      if (query.totalWeight === 0) return 0;
      let sum = 0;
      for (let i = 0; i < query.words.length; i++) {
        const best = bestMatch(query.words[i] as string, query.phrases[i] as string, passage);
        const credit = best >= 1 ? 1 : Math.max(0, (best - floor) / (1 - floor));
        sum += (query.weights[i] as number) * credit;
      }
      return sum / query.totalWeight;
    },
    sharesTopic(query, passage) {
      const specific = (row: number) => row < 0 || row >= genericRank;
      for (let i = 0; i < query.words.length; i++) {
        if (!specific(query.rows[i] as number)) continue;
        if (passage.stems.has(query.stems[i] as string)) return true;
        const sims = similarities(query.words[i] as string, query.phrases[i] as string);
        const slots = passage.slots;
        for (let j = 0; j < slots.length; j++) {
          const slot = slots[j] as number;
          if ((sims[slot] as number) >= TOPIC_SIMILARITY && specific(vocabRows[slot] as number)) {
            return true;
          }
        }
      }
      return false;
    },
    questionWords(query, passage) {
      const found: WordMatch[] = [];
      for (let i = 0; i < query.words.length; i++) {
        if (query.origins[i] !== "question") continue;
        const word = query.words[i] as string;
        const row = query.rows[i] as number;
        const termMatch = Math.max(
          0,
          ...(query.standsFor[i] ?? []).map((t) => bestMatch(mend(t), "", passage)),
        );
        found.push({
          word,
          stem: query.stems[i] as string,
          weight: query.weights[i] as number,
          rank: row < 0 ? vectors.size : row,
          match: bestMatch(word, query.phrases[i] as string, passage),
          termMatch,
        });
      }
      return found;
    },
  };

  /** Passage words outside the corpus vocabulary (tests, new text) join it on first sight. */
  function addWordForPassage(word: string): number {
    const known = slotOf.get(word);
    if (known !== undefined) return known;
    const slot = addWord(word);
    // Grow the parallel arrays and drop cached rows, which no longer cover every slot.
    const rows = new Int32Array(vocabWords.length);
    rows.set(vocabRows);
    rows[slot] = vectors.lookup(word);
    vocabRows = rows;
    const matrix = new Float32Array(vocabWords.length * dims);
    matrix.set(vocabMatrix);
    vocabMatrix = matrix;
    placeVector(slot);
    vocabStems.push(stemOf(word));
    relateSlot(slot);
    rowCache.clear();
    return slot;
  }
}
