import type { Chunk } from "../content/types.js";
import { dot, unit } from "../embeddings/cosine.js";
import type { EmbeddingModel } from "../embeddings/embedding-model.js";
import { contentWords, stem } from "../embeddings/text.js";
import { embeddingText, type SearchIndex } from "../index/search-index.js";
import { type DecisionModel, probability, vetoed } from "./decision.js";
import { expectedAnswerTypes, holdsAnswerTypes } from "./answer-type.js";
import { offeredThing, offerMissing } from "./offer-question.js";
import { createWordMatcher, type QuestionWord } from "./question-words.js";
import type {
  Candidate,
  Evidence,
  Judgement,
  PassageFeatures,
  RetrievalQuery,
  Retriever,
  ScoredSentence,
} from "./retriever.js";

/** Candidates from each source (dense, BM25, question bank) before the decision ranks them. */
const CANDIDATES = 20;
/** Bank questions looked at per query. */
const BANK_NEIGHBOURS = 64;
/** Candidates whose sentences are scored for the answer. */
const SCORED_CANDIDATES = 4;
/** BM25 scores are squashed with s / (s + this) for `lexicalTop`. */
const BM25_HALF = 8;
/** `missing` is the rarity of the rarest unknown word over this, capped at 1.5. */
const RARITY_SCALE = 30;

function vectorsOf(dense: SearchIndex["dense"], count: number): Float32Array[] {
  return Array.from({ length: count }, (_, i) => Float32Array.from(dense.getPoint(i)));
}

export interface HybridRetrieverDeps {
  index: SearchIndex;
  model: EmbeddingModel;
  decision: DecisionModel;
  /** Extra named features per candidate (word alignment). */
  extraFeatures?: (query: RetrievalQuery, row: number) => Record<string, number>;
  /**
   * Retrieve as if the bank were empty (no section with questions, none marked unanswered):
   * the fit learns from it how to judge articles added without any (the bench compares it too).
   */
  withoutBank?: boolean;
}

/**
 * Hybrid retrieval: candidates from the passage vectors (hnswlib), BM25 (MiniSearch) and the
 * question bank (question-to-question similarity, hnswlib), each described by named features
 * and ranked by the fitted answer decision, whose best probability also decides whether the
 * articles answer at all.
 */
export function createHybridRetriever(deps: HybridRetrieverDeps): Retriever {
  const { index, model, decision } = deps;
  const count = index.chunks.length;
  // Read once: fetching stored vectors from the native indexes per query costs more.
  const passageVectors = vectorsOf(index.dense, count);
  const bankVectors = vectorsOf(index.bank.dense, index.bank.items.length);
  const sentenceVectors = vectorsOf(index.sentences.dense, index.sentences.items.length);
  const exampleVectors = vectorsOf(index.intents.dense, index.intents.items.length);
  const unansweredVectors = deps.withoutBank
    ? []
    : vectorsOf(index.unanswered.dense, index.unanswered.items.length);

  const bankOfRow = new Map<number, number[]>();
  index.bank.items.forEach((q, i) => {
    for (const row of q.rows) bankOfRow.set(row, [...(bankOfRow.get(row) ?? []), i]);
  });
  const sentencesOfRow = new Map<number, number[]>();
  index.sentences.items.forEach((s, i) => {
    sentencesOfRow.set(s.row, [...(sentencesOfRow.get(s.row) ?? []), i]);
  });

  // What a passage "has" is what it states: its text and headings. Bank questions help find
  // a passage, but their words ("does it hurt?") are not the article's.
  const stemsOf = (text: string) => new Set(contentWords(text).map(stem));
  const texts = index.chunks.map(embeddingText);
  const rowStems = texts.map(stemsOf);
  const matcher = createWordMatcher(
    texts.flatMap((t) => contentWords(t)),
    index.glossary,
    model.wordRarity,
    rowStems,
  );
  const sentenceStems = index.sentences.items.map((s) => matcher.stemsOf(s.lines.join(" ")));
  // What a passage's section is about: its headings and the questions it is known to answer.
  const aboutStems = index.chunks.map(
    (chunk, row) =>
      new Set([
        ...stemsOf([chunk.title, ...chunk.headingPath].join(" ")),
        ...(bankOfRow.get(row) ?? []).flatMap((i) => [...stemsOf(index.bank.items[i]?.text ?? "")]),
      ]),
  );

  async function embed(text: string): Promise<Float32Array> {
    return unit(await model.embeddings.embedQuery(text));
  }

  /**
   * A follow-up's meaning: the mean direction of its own vector and the earlier question's
   * (weighting the earlier one 0.4 to 1.3 made no difference on the development sets). Both
   * are embedded and cached on their own, so the earlier question, embedded when it was asked,
   * costs no model call; embedding the two texts joined missed the cache every time.
   */
  async function embedFollowUp(question: string, context: string): Promise<Float32Array> {
    const [own, earlier] = await Promise.all([embed(question), embed(context)]);
    return unit(own.map((x, i) => x + (earlier[i] as number)));
  }

  function judge(confidence: number): Judgement {
    if (confidence >= decision.judge.threshold) return "answer";
    if (confidence >= decision.judge.threshold - decision.judge.unsureBand) return "unsure";
    return "none";
  }

  function scoreSentences(row: number, similarities: Float32Array, words: QuestionWord[]) {
    return (sentencesOfRow.get(row) ?? []).map((i): ScoredSentence => {
      const s = index.sentences.items[i] as (typeof index.sentences.items)[number];
      const stems = sentenceStems[i] as Set<string>;
      return {
        lines: s.lines,
        order: s.order,
        similarity: similarities[i] as number,
        overlap: matcher.coverage(words, stems),
        matched: matcher.matched(words, stems).map((w) => w.stem),
      };
    });
  }

  async function retrieve(query: RetrievalQuery): Promise<Evidence> {
    // Spelling mended as the corpus writes it: "teh", "microneedlin" embed as what they mean.
    const question = matcher.normalize(query.question);
    const context = query.context ? matcher.normalize(query.context) : undefined;
    const text = context ? `${context}\n${question}` : question;
    const words = matcher.words(query.question, query.context);
    if (count === 0) return { candidates: [], judgement: "none", confidence: 0, words: [] };
    const vector = context ? await embedFollowUp(question, context) : await embed(question);

    const rows = new Set<number>();
    const { neighbors } = index.dense.searchKnn([...vector], Math.min(CANDIDATES, count));
    neighbors.forEach((row) => rows.add(row));

    const lexical = new Map<number, number>();
    const bm25 = new Map<number, number>();
    const expansion = words.flatMap((w) => w.alternatives.flat()).join(" ");
    const hits = index.lexical.search(`${text} ${expansion}`).slice(0, CANDIDATES);
    const topLexical = hits[0]?.score ?? 0;
    for (const hit of hits) {
      lexical.set(hit.id as number, topLexical > 0 ? hit.score / topLexical : 0);
      bm25.set(hit.id as number, hit.score / (hit.score + BM25_HALF));
      rows.add(hit.id as number);
    }

    const bankSimilarity = new Map<number, number>();
    const bankCount = deps.withoutBank ? 0 : index.bank.items.length;
    if (bankCount > 0) {
      const near = index.bank.dense.searchKnn([...vector], Math.min(BANK_NEIGHBOURS, bankCount));
      for (const i of near.neighbors) {
        const similarity = dot(vector, bankVectors[i] as Float32Array);
        for (const row of index.bank.items[i]?.rows ?? []) {
          if (similarity > (bankSimilarity.get(row) ?? -1)) bankSimilarity.set(row, similarity);
          if (rows.size < 3 * CANDIDATES) rows.add(row);
        }
      }
    }

    const types = expectedAnswerTypes(query.question);
    const offered = offeredThing(question);

    const own = words.filter((w) => w.origin === "question");
    const unknown = own.filter((w) => !matcher.known(w));
    const missing = Math.min(1.5, Math.max(0, ...unknown.map((w) => w.rarity)) / RARITY_SCALE);
    const ownWeight = own.reduce((sum, w) => sum + w.weight, 0);

    const unknownShare =
      ownWeight > 0 ? unknown.reduce((sum, w) => sum + w.weight, 0) / ownWeight : 0;
    const sentenceSimilarity = Float32Array.from(sentenceVectors, (v) => dot(vector, v));
    const raw = [...rows].map((row) => ({
      row,
      dense: dot(vector, passageVectors[row] as Float32Array),
      bank: Math.max(0, bankSimilarity.get(row) ?? 0),
    }));
    const bestDense = Math.max(...raw.map((r) => r.dense));
    const bestBank = Math.max(...raw.map((r) => r.bank));
    // How close the question is to one the articles are known not to answer.
    const unanswered = Math.max(0, ...unansweredVectors.map((u) => dot(vector, u)));
    // Closer to a known gap than to any answered question; 0 (no evidence either way) without
    // a bank or without questions marked unanswered.
    const unansweredMargin = bestBank > 0 && unanswered > 0 ? unanswered - bestBank : 0;

    const candidates: Candidate[] = raw.map(({ row, dense, bank }) => {
      const chunk = index.chunks[row] as Chunk;
      const features: PassageFeatures = {
        dense,
        bank,
        bankless: !deps.withoutBank && bankOfRow.has(row) ? 0 : 1,
        denseGap: dense - bestDense,
        bankGap: bank - bestBank,
        lexical: lexical.get(row) ?? 0,
        lexicalTop: topLexical / (topLexical + BM25_HALF),
        bm25: bm25.get(row) ?? 0,
        coverage: matcher.coverage(words, rowStems[row] as Set<string>),
        missing,
        unknownShare,
        typeMissing: types.length > 0 && !holdsAnswerTypes(types, chunk.text) ? 1 : 0,
        offerMissing: offerMissing(offered, aboutStems[row] as Set<string>),
        sentence: Math.max(
          0,
          ...(sentencesOfRow.get(row) ?? []).map((i) => sentenceSimilarity[i] as number),
        ),
        intro: chunk.section === chunk.title ? 1 : 0,
        followUp: query.context ? 1 : 0,
        unanswered,
        unansweredMargin,
        ...deps.extraFeatures?.(query, row),
      };
      return {
        row,
        chunk,
        features,
        rank: probability(decision.ranker, features),
        probability: probability(decision.judge, features),
        sentences: [],
      };
    });
    candidates.sort((a, b) => b.rank - a.rank || a.row - b.row);
    for (const c of candidates.slice(0, SCORED_CANDIDATES)) {
      c.sentences = scoreSentences(c.row, sentenceSimilarity, words);
    }
    const best = candidates[0];
    const confidence = best?.probability ?? 0;
    return {
      candidates,
      judgement: best && vetoed(decision.judge, best.features) ? "none" : judge(confidence),
      confidence,
      words: words.map((w) => ({
        stem: w.stem,
        weight: w.weight,
        word: w.word,
        origin: w.origin,
        terms: w.terms,
        known: matcher.known(w),
      })),
    };
  }

  async function bookingSimilarity(message: string) {
    const vector = await embed(message);
    let booking = 0;
    let other = 0;
    index.intents.items.forEach((example, i) => {
      const similarity = dot(vector, exampleVectors[i] as Float32Array);
      if (example.booking) booking = Math.max(booking, similarity);
      else other = Math.max(other, similarity);
    });
    if (index.bank.items.length > 0) {
      const near = index.bank.dense.searchKnn([...vector], 1);
      const i = near.neighbors[0];
      if (i !== undefined) other = Math.max(other, dot(vector, bankVectors[i] as Float32Array));
    }
    return { booking, other };
  }

  return { retrieve, bookingSimilarity };
}
