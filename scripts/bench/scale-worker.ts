/**
 * One size of the index-scale benchmark, in its own process (started with --expose-gc) so
 * that its memory figures do not inherit another size's heap. Prints one JSON line.
 *
 *   node --expose-gc --import tsx scripts/bench/scale-worker.ts '{"factor":100,...}'
 */
import { z } from "zod";
import { chunkDocument } from "../../src/content/chunk.js";
import { loadCorpus } from "../../src/content/load-corpus.js";
import { SentenceEncoderEmbeddings } from "../../src/embeddings/sentence-encoder.js";
import { loadEvalCases } from "../../src/eval/eval-cases.js";
import { embeddingText } from "../../src/index/search-index.js";
import { measureIndexScale } from "./index-scale.js";
import { sampleQueries, sentencePool } from "./synthetic.js";

const argsSchema = z.object({
  factor: z.number().int().min(1).max(10_000),
  queries: z.number().int().min(1).max(10_000),
  ef: z.number().int().min(1),
  efSweep: z.array(z.number().int().min(1)).default([]),
  seed: z.number().int(),
  corpusDir: z.string(),
  casesFile: z.string(),
});

const args = argsSchema.parse(JSON.parse(process.argv[2] ?? "{}"));
const embeddings = await SentenceEncoderEmbeddings.load();
const { documents } = await loadCorpus(args.corpusDir);
const chunks = (await Promise.all(documents.map((doc) => chunkDocument(doc)))).flat();
const pool = sentencePool(chunks);
const questions = (await loadEvalCases(args.casesFile)).flatMap((c) => c.turns);
const gc = (globalThis as { gc?: () => void }).gc;
const result = await measureIndexScale({
  factor: args.factor,
  realTexts: chunks.map(embeddingText),
  pool,
  queries: sampleQueries(questions, pool, args.queries, args.seed + 1),
  embeddings,
  ef: args.ef,
  efSweep: args.efSweep,
  seed: args.seed,
  ...(gc ? { gc } : {}),
});
process.stdout.write(`${JSON.stringify(result)}\n`);
