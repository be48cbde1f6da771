/**
 * Seeded synthetic content for the scale and ingest benchmarks. Passages mix sentences from
 * different real chunks, so the grown corpus reads like the clinic's own and its vectors sit
 * where real ones do, but no passage is a copy of another: copies (or the same sentences in
 * another order, which a mean of sentence vectors cannot tell apart) make exact top-10 ties
 * and turn recall into noise.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { sentencesOf } from "../../src/answer/sentences.js";
import { createRng } from "../../src/eval/seeded-random.js";

export { createRng };

/** An integer in [0, n). */
export function randomInt(rng: () => number, n: number): number {
  return Math.floor(rng() * n);
}

/** One sentence of the real corpus and the chunk it comes from. */
export interface PoolSentence {
  text: string;
  chunk: number;
}

const MIN_WORDS = 4;

/**
 * The distinct sentences (and list items) of the real chunks with at least four words, each
 * ending in punctuation so that mixed passages keep their sentence boundaries.
 */
export function sentencePool(chunks: readonly { text: string }[]): PoolSentence[] {
  const seen = new Set<string>();
  const pool: PoolSentence[] = [];
  chunks.forEach((chunk, index) => {
    for (const line of chunk.text.split("\n")) {
      for (const raw of sentencesOf(line)) {
        const sentence = raw.trim();
        if (sentence.split(/\s+/).length < MIN_WORDS || seen.has(sentence)) continue;
        seen.add(sentence);
        pool.push({ text: /[.!?:…]$/.test(sentence) ? sentence : `${sentence}.`, chunk: index });
      }
    }
  });
  return pool;
}

export interface PassageGenerator {
  /** A passage of three to five sentences from as many different chunks, never seen before. */
  next(): string;
  /** The same, as the pool indexes of its sentences in reading order. */
  nextSentences(): number[];
}

const MIN_SENTENCES = 3;
const MAX_SENTENCES = 5;
const MAX_ATTEMPTS = 10_000;

export function createPassageGenerator(
  pool: readonly PoolSentence[],
  rng: () => number,
): PassageGenerator {
  const chunkCount = new Set(pool.map((s) => s.chunk)).size;
  if (chunkCount < MAX_SENTENCES) {
    throw new Error(
      `mixing needs sentences from ${MAX_SENTENCES} chunks; the pool has ${chunkCount}`,
    );
  }
  // Keyed by the set of sentences: order does not change a mean of vectors.
  const used = new Set<string>();
  const nextSentences = (): number[] => {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const count = MIN_SENTENCES + randomInt(rng, MAX_SENTENCES - MIN_SENTENCES + 1);
      const picked: number[] = [];
      const chunks = new Set<number>();
      while (picked.length < count) {
        const i = randomInt(rng, pool.length);
        const sentence = pool[i] as PoolSentence;
        if (chunks.has(sentence.chunk)) continue;
        chunks.add(sentence.chunk);
        picked.push(i);
      }
      const key = [...picked].sort((a, b) => a - b).join(",");
      if (used.has(key)) continue;
      used.add(key);
      return picked;
    }
    throw new Error("the sentence pool is too small for this many distinct passages");
  };
  return {
    nextSentences,
    next: () =>
      nextSentences()
        .map((i) => (pool[i] as PoolSentence).text)
        .join(" "),
  };
}

/** `count` distinct mixed passages. */
export function generatePassages(
  pool: readonly PoolSentence[],
  count: number,
  seed: number,
): string[] {
  const generator = createPassageGenerator(pool, createRng(seed));
  return Array.from({ length: count }, () => generator.next());
}

/** The same passages as `generatePassages` (same seed), as pool indexes of their sentences. */
export function generatePassageSentences(
  pool: readonly PoolSentence[],
  count: number,
  seed: number,
): number[][] {
  const generator = createPassageGenerator(pool, createRng(seed));
  return Array.from({ length: count }, () => generator.nextSentences());
}

/**
 * Benchmark queries: the eval questions, every distinct sentence of the corpus, then random
 * word spans of its sentences (how visitors quote half-remembered wording) up to `count`.
 */
export function sampleQueries(
  questions: readonly string[],
  pool: readonly PoolSentence[],
  count: number,
  seed: number,
): string[] {
  const rng = createRng(seed);
  const queries = [...new Set(questions)];
  for (const s of pool) queries.push(s.text);
  const seen = new Set(queries);
  for (let attempt = 0; queries.length < count && attempt < count * 100; attempt++) {
    const words = (pool[randomInt(rng, pool.length)] as PoolSentence).text.split(/\s+/);
    const length = Math.min(words.length, 4 + randomInt(rng, 6));
    const from = randomInt(rng, words.length - length + 1);
    const span = words.slice(from, from + length).join(" ");
    if (seen.has(span)) continue;
    seen.add(span);
    queries.push(span);
  }
  // Shuffled with the same seed, so a smaller count still mixes questions and sentences.
  for (let i = queries.length - 1; i > 0; i--) {
    const j = randomInt(rng, i + 1);
    [queries[i], queries[j]] = [queries[j] as string, queries[i] as string];
  }
  return queries.slice(0, count);
}

/**
 * Writes generated Markdown articles into `dir` until they hold about `chars` characters:
 * front matter, a title, and three to five sections of mixed passages, with headings
 * borrowed from the real corpus. Returns the files written and their total size.
 */
export async function writeSyntheticArticles(
  dir: string,
  options: {
    pool: readonly PoolSentence[];
    headings: readonly string[];
    chars: number;
    seed: number;
  },
): Promise<{ files: number; chars: number }> {
  const rng = createRng(options.seed);
  const generator = createPassageGenerator(options.pool, rng);
  const heading = () => options.headings[randomInt(rng, options.headings.length)] as string;
  let written = 0;
  let files = 0;
  while (written < options.chars) {
    files += 1;
    const title = `Generated article ${files}: ${heading()}`;
    const parts = [`---\ntitle: ${JSON.stringify(title)}\nsample: true\n---`, `# ${title}`];
    parts.push(generator.next());
    const sections = 3 + randomInt(rng, 3);
    for (let s = 1; s <= sections; s++) {
      parts.push(`## ${heading()} (${files}.${s})`);
      const paragraphs = 1 + randomInt(rng, 2);
      for (let p = 0; p < paragraphs; p++) parts.push(generator.next());
    }
    const text = `${parts.join("\n\n")}\n`;
    await writeFile(path.join(dir, `generated-${String(files).padStart(5, "0")}.md`), text);
    written += text.length;
  }
  return { files, chars: written };
}
