/**
 * The vector index at a multiple of the corpus size: hnswlib (the service's settings) against
 * exact brute force over the same vectors. Run once per size in its own process
 * (scale-worker.ts), so memory figures start from the same clean slate.
 *
 * The real passages, the corpus sentences and the queries are embedded by the given model.
 * A generated passage's vector is the normalised mean of its sentences' vectors rather than
 * an encoding of its text: the sentence encoder takes tens of milliseconds per passage on two
 * cores, so 20,000 passages would take far longer than the whole rest of the bench.
 */
import { mkdtemp, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import hnswlib from "hnswlib-node";
import { HNSW_EF_CONSTRUCTION, HNSW_M } from "../../src/index/build-index.js";
import type { Embeddings } from "@langchain/core/embeddings";
import { percentiles, type Percentiles } from "./stats.js";
import { generatePassageSentences, type PoolSentence } from "./synthetic.js";

export const RECALL_K = 10;
/** Distances this close count as a tie: either neighbour is a right answer. */
export const TIE_TOLERANCE = 1e-6;

export interface EfPoint {
  ef: number;
  recall: number;
  queryUs: Percentiles;
}

export interface ScaleResult {
  factor: number;
  vectors: number;
  dimensions: number;
  queries: number;
  /** Seconds to embed the real passages, the sentence pool and the queries, and mix the rest. */
  embedSeconds: number;
  hnsw: {
    buildSeconds: number;
    /** At the service's ef. */
    recall: number;
    ef: number;
    queryUs: Percentiles;
    diskBytes: number;
    rssDeltaBytes: number;
    heapDeltaBytes: number;
  };
  bruteForce: { buildSeconds: number; queryUs: Percentiles };
  /** Recall and query time across ef settings (empty unless asked for). */
  efSweep: EfPoint[];
}

/**
 * Recall@k of approximate results against exact ones: an approximate neighbour counts when
 * it is no farther than the exact k-th neighbour (within `tolerance`), so a tie broken the
 * other way is not a miss.
 */
export function recallAtK(
  exactDistances: readonly number[],
  approxDistances: readonly number[],
  k: number,
  tolerance = TIE_TOLERANCE,
): number {
  const exact = [...exactDistances].sort((a, b) => a - b).slice(0, k);
  if (exact.length === 0) return 1;
  const kth = exact[exact.length - 1] as number;
  const hits = approxDistances.slice(0, k).filter((d) => d <= kth + tolerance).length;
  return Math.min(hits, exact.length) / exact.length;
}

export interface ScaleOptions {
  factor: number;
  /** Embedding texts of the real chunks: the 1× corpus. */
  realTexts: string[];
  pool: PoolSentence[];
  queries: string[];
  embeddings: Pick<Embeddings, "embedDocuments">;
  /** The service's ef (HNSW_EF). */
  ef: number;
  efSweep: number[];
  seed: number;
  gc?: () => void;
}

async function memory(gc?: () => void) {
  // A few collections with turns of the event loop between them, so the garbage of the
  // embedding step is gone before the index is measured, not while it is.
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage();
}

function timeQueries(
  index: { searchKnn(q: number[], k: number): hnswlib.SearchResult },
  queries: number[][],
  k: number,
): { results: hnswlib.SearchResult[]; us: Percentiles } {
  // Warm caches and the JIT, so the first queries do not stand for the rest.
  for (const q of queries.slice(0, 20)) index.searchKnn(q, k);
  const times: number[] = [];
  const results = queries.map((q) => {
    const started = performance.now();
    const result = index.searchKnn(q, k);
    times.push((performance.now() - started) * 1000);
    return result;
  });
  return { results, us: percentiles(times) };
}

/** The normalised mean of some vectors: a generated passage made of those sentences. */
export function meanVector(vectors: readonly (readonly number[])[]): number[] {
  const dimensions = vectors[0]?.length ?? 0;
  const sum = new Array<number>(dimensions).fill(0);
  for (const v of vectors) {
    for (let i = 0; i < dimensions; i++) sum[i] = (sum[i] as number) + (v[i] as number);
  }
  const norm = Math.hypot(...sum) || 1;
  return sum.map((x) => x / norm);
}

export async function measureIndexScale(options: ScaleOptions): Promise<ScaleResult> {
  const { embeddings } = options;
  const n = options.realTexts.length * options.factor;
  const embedStarted = performance.now();
  const real = await embeddings.embedDocuments(options.realTexts);
  const sentenceVectors = await embeddings.embedDocuments(options.pool.map((s) => s.text));
  const generated = generatePassageSentences(
    options.pool,
    n - options.realTexts.length,
    options.seed,
  ).map((picked) => meanVector(picked.map((i) => sentenceVectors[i] as number[])));
  const vectors = [...real, ...generated];
  const queries = (await embeddings.embedDocuments(options.queries))
    // A query that embeds to zero (no content word, for some models) has no cosine neighbours.
    .filter((v) => v.some((x) => x !== 0));
  const embedSeconds = (performance.now() - embedStarted) / 1000;
  const dimensions = vectors[0]?.length ?? 0;
  const k = Math.min(RECALL_K, n);

  const before = await memory(options.gc);
  let started = performance.now();
  const hnsw = new hnswlib.HierarchicalNSW("cosine", dimensions);
  hnsw.initIndex(n, HNSW_M, HNSW_EF_CONSTRUCTION, 100);
  vectors.forEach((v, i) => hnsw.addPoint(v, i));
  const hnswBuild = (performance.now() - started) / 1000;
  const after = await memory(options.gc);

  started = performance.now();
  const brute = new hnswlib.BruteforceSearch("cosine", dimensions);
  brute.initIndex(n);
  vectors.forEach((v, i) => brute.addPoint(v, i));
  const bruteBuild = (performance.now() - started) / 1000;

  const exact = timeQueries(brute, queries, k);
  const at = (ef: number): EfPoint & { results: hnswlib.SearchResult[] } => {
    hnsw.setEf(ef);
    const approx = timeQueries(hnsw, queries, k);
    const recalls = approx.results.map((r, i) =>
      recallAtK((exact.results[i] as hnswlib.SearchResult).distances, r.distances, k),
    );
    return {
      ef,
      recall: recalls.reduce((s, r) => s + r, 0) / recalls.length,
      queryUs: approx.us,
      results: approx.results,
    };
  };
  const service = at(options.ef);
  const efSweep = options.efSweep.map((ef): EfPoint => {
    const point = at(ef);
    return { ef: point.ef, recall: point.recall, queryUs: point.queryUs };
  });

  const dir = await mkdtemp(path.join(os.tmpdir(), "skin-faq-bench-index-"));
  let diskBytes: number;
  try {
    const file = path.join(dir, "dense.hnsw");
    await hnsw.writeIndex(file);
    diskBytes = (await stat(file)).size;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  return {
    factor: options.factor,
    vectors: n,
    dimensions,
    queries: queries.length,
    embedSeconds,
    hnsw: {
      buildSeconds: hnswBuild,
      recall: service.recall,
      ef: options.ef,
      queryUs: service.queryUs,
      diskBytes,
      rssDeltaBytes: after.rss - before.rss,
      heapDeltaBytes: after.heapUsed - before.heapUsed,
    },
    bruteForce: { buildSeconds: bruteBuild, queryUs: exact.us },
    efSweep,
  };
}
