/**
 * Where an answer's time goes: the shipped answerer over the shipped decision, wired like the
 * service's (src/core.ts), with every part that costs time wrapped in a stopwatch through its
 * dependencies: the embedding model (query embeddings), the word-alignment feature and the
 * retriever. Answers one question at a time, so the parts add up to the answer's wall time.
 *
 * Run in a fresh process (speed-worker.ts): the sentence encoder's query cache starts empty,
 * and a question whose text was already embedded in this process is not timed, so every timed
 * answer embeds its question for the first time.
 */
import { Embeddings } from "@langchain/core/embeddings";
import { createAnswerer } from "../../src/answer/answerer.js";
import type { Core } from "../../src/core.js";
import type { EmbeddingModel } from "../../src/embeddings/embedding-model.js";
import type { EvalCase } from "../../src/eval/eval-cases.js";
import type { HistoryTurn } from "../../src/answer/types.js";
import { createAlignmentFeature, usesAlignment } from "../../src/retrieval/alignment-feature.js";
import { createHybridRetriever } from "../../src/retrieval/hybrid-retriever.js";
import type { Retriever } from "../../src/retrieval/retriever.js";
import { mean, percentiles, type Percentiles } from "./stats.js";

/** Milliseconds spent in each part during one answer. */
interface Clock {
  embed: number;
  /** Query texts sent to the model (not found in its cache). */
  modelCalls: number;
  alignment: number;
  /** `retrieve` and `bookingSimilarity`, embedding and alignment included. */
  retriever: number;
}

const zero = (): Clock => ({ embed: 0, modelCalls: 0, alignment: 0, retriever: 0 });

/** An `Embeddings` that times the queries of another and counts which ones it had not seen. */
class TimedEmbeddings extends Embeddings {
  readonly seen = new Set<string>();
  constructor(
    private readonly inner: Embeddings,
    private readonly clock: () => Clock,
  ) {
    super({});
  }

  override async embedQuery(text: string): Promise<number[]> {
    const fresh = !this.seen.has(text);
    this.seen.add(text);
    const started = performance.now();
    try {
      return await this.inner.embedQuery(text);
    } finally {
      const clock = this.clock();
      clock.embed += performance.now() - started;
      if (fresh) clock.modelCalls += 1;
    }
  }

  override embedDocuments(texts: string[]): Promise<number[][]> {
    return this.inner.embedDocuments(texts);
  }
}

function timedRetriever(inner: Retriever, clock: () => Clock): Retriever {
  const timed =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const started = performance.now();
      try {
        return await call(...args);
      } finally {
        clock().retriever += performance.now() - started;
      }
    };
  return {
    retrieve: timed((query) => inner.retrieve(query)),
    bookingSimilarity: timed((message) => inner.bookingSimilarity(message)),
  };
}

export interface PartTimes {
  /** Per answer. */
  ms: Percentiles & { mean: number };
  /** Share of all timed answers' summed time. */
  share: number;
}

export interface AnswerSpeed {
  /** Last turns timed whose answer sent the question to the sentence encoder. */
  answers: number;
  /** Last turns timed that an intent rule answered without the encoder (hand-offs, greetings). */
  withoutModel: number;
  /** Last turns left out because their text had been embedded already (a repeated question). */
  repeated: number;
  /** Per answer that reached the sentence encoder: the figures below are over these. */
  total: Percentiles & { mean: number };
  /** Per timed last turn, those answered by an intent rule included. */
  allTurns: Percentiles & { mean: number };
  /**
   * The answers of `total` once more, right after: every query embedding now comes from the
   * cache, as for a question visitors keep asking.
   */
  warm: Percentiles & { mean: number; modelCalls: number };
  parts: {
    /** The sentence encoder, for the question (and its parts, and a mended spelling). */
    embedding: PartTimes;
    /** Word alignment over the candidates (GloVe + WordNet). */
    alignment: PartTimes;
    /** The rest of retrieval: hnswlib, BM25, features, the decision, sentence scores. */
    retrieval: PartTimes;
    /** Intent rules, composing the extractive answer, citations. */
    composing: PartTimes;
  };
  /** Query texts sent to the model per answer. */
  modelCalls: Percentiles & { mean: number };
}

function summary(values: number[]) {
  return { ...percentiles(values), mean: mean(values) };
}

/**
 * Answers every case as the eval does (earlier turns first, untimed, to build the history)
 * and times the reply to the last turn, part by part. `warmUp` is answered first, untimed, so
 * the model's first call (compiling its WebAssembly kernels) is not charged to a question.
 */
export async function measureAnswerSpeed(
  core: Pick<Core, "index" | "model" | "clinic" | "decision" | "words">,
  cases: readonly EvalCase[],
  warmUp: string,
): Promise<AnswerSpeed> {
  let clock = zero();
  const now = () => clock;
  const embeddings = new TimedEmbeddings(core.model.embeddings, now);
  const model: EmbeddingModel = {
    modelId: core.model.modelId,
    embeddings,
    wordRarity: (word) => core.model.wordRarity(word),
  };
  let extraFeatures: ReturnType<typeof createAlignmentFeature> | undefined;
  if (usesAlignment(core.decision)) {
    if (!core.words)
      throw new Error("the shipped decision weighs alignment: load the word vectors");
    const alignment = createAlignmentFeature(core.index, core.words.vectors, core.words.lexicon);
    extraFeatures = (query, row) => {
      const started = performance.now();
      try {
        return alignment(query, row);
      } finally {
        clock.alignment += performance.now() - started;
      }
    };
  }
  const retriever = createHybridRetriever({
    index: core.index,
    model,
    decision: core.decision,
    ...(extraFeatures ? { extraFeatures } : {}),
  });
  const answerer = createAnswerer({
    retriever: timedRetriever(retriever, now),
    clinic: core.clinic,
    decision: core.decision,
  });

  await answerer.answerQuestion({ message: warmUp });
  const timed: (Clock & { total: number; message: string; history: HistoryTurn[] })[] = [];
  let repeated = 0;
  for (const c of cases) {
    const history: HistoryTurn[] = [];
    for (const turn of c.turns.slice(0, -1)) {
      const earlier = await answerer.answerQuestion({ message: turn, history: [...history] });
      history.push({ role: "visitor", text: turn }, { role: "bot", text: earlier.answer });
    }
    const message = c.turns.at(-1) as string;
    if (embeddings.seen.has(message)) {
      repeated += 1;
      continue;
    }
    clock = zero();
    const started = performance.now();
    await answerer.answerQuestion({ message, history });
    timed.push({ ...clock, total: performance.now() - started, message, history });
  }

  const asked = timed.filter((t) => t.modelCalls > 0);
  const warm: number[] = [];
  clock = zero();
  for (const t of asked) {
    const started = performance.now();
    await answerer.answerQuestion({ message: t.message, history: t.history });
    warm.push(performance.now() - started);
  }
  const warmCalls = clock.modelCalls;
  const sum = (values: number[]) => values.reduce((s, v) => s + v, 0);
  const all = sum(asked.map((t) => t.total)) || 1;
  const part = (pick: (t: (typeof asked)[number]) => number): PartTimes => {
    const values = asked.map(pick);
    return { ms: summary(values), share: sum(values) / all };
  };
  return {
    answers: asked.length,
    withoutModel: timed.length - asked.length,
    repeated,
    total: summary(asked.map((t) => t.total)),
    allTurns: summary(timed.map((t) => t.total)),
    warm: { ...summary(warm), modelCalls: warmCalls },
    parts: {
      embedding: part((t) => t.embed),
      alignment: part((t) => t.alignment),
      retrieval: part((t) => t.retriever - t.embed - t.alignment),
      composing: part((t) => t.total - t.retriever),
    },
    modelCalls: summary(asked.map((t) => t.modelCalls)),
  };
}
