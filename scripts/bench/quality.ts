/**
 * Answer quality per retrieval variant, scored by the eval harness over one loaded index:
 * only the retrieval changes between the first four rows; the fifth is the LangChain
 * default baseline over the same documents and embeddings.
 */
import { createAnswerer, type Answerer } from "../../src/answer/answerer.js";
import type { Core } from "../../src/core.js";
import { LocalWordEmbeddings } from "../../src/embeddings/local-embeddings.js";
import type { EvalCase } from "../../src/eval/eval-cases.js";
import { runEval, type EvalReport } from "../../src/eval/run-eval.js";
import type { RetrieveOptions } from "../../src/retrieval/hybrid-retriever.js";
import { createLangChainBaseline } from "./langchain-baseline.js";

export type QualityRowId = "lexical" | "dense" | "hybrid-no-rerank" | "full" | "langchain";

export interface QualityRow {
  id: QualityRowId;
  label: string;
  /** Passages in the index this row searches. */
  passages: number;
  report: EvalReport;
}

const VARIANTS: { id: QualityRowId; label: string; mode: RetrieveOptions["mode"] }[] = [
  { id: "lexical", label: "BM25 only", mode: "lexical" },
  { id: "dense", label: "dense (hnswlib) only", mode: "dense" },
  { id: "hybrid-no-rerank", label: "hybrid, no re-ranking (RRF)", mode: "hybrid-no-rerank" },
  { id: "full", label: "full pipeline", mode: "hybrid" },
];

export async function measureQuality(
  core: Pick<Core, "retriever" | "clinic" | "index" | "vectors">,
  cases: EvalCase[],
): Promise<QualityRow[]> {
  const score = (answerer: Answerer) => runEval(answerer, core.index, cases);
  const rows: QualityRow[] = [];
  for (const variant of VARIANTS) {
    const answerer = createAnswerer({
      retriever: core.retriever,
      clinic: core.clinic,
      retrieveMode: variant.mode,
    });
    rows.push({
      id: variant.id,
      label: variant.label,
      passages: core.index.chunks.length,
      report: await score(answerer),
    });
  }
  const baseline = await createLangChainBaseline({
    documents: core.index.documents,
    embeddings: new LocalWordEmbeddings(core.vectors),
  });
  rows.push({
    id: "langchain",
    label: "LangChain default (1000/200, top-4 cosine)",
    passages: baseline.chunks.length,
    report: await score(baseline),
  });
  return rows;
}
