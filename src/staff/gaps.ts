import type { Embeddings } from "@langchain/core/embeddings";
import { LRUCache } from "lru-cache";
import { dot, unit } from "../embeddings/cosine.js";
import type { EmbeddingModel } from "../embeddings/embedding-model.js";
import { contentWords, stem } from "../embeddings/text.js";
import { AppError } from "../errors.js";
import { expectedAnswerTypes } from "../retrieval/answer-type.js";
import type { GapQuestion, TranscriptRepository } from "../store/transcripts.js";

/**
 * A question joins a group when it is at least this similar in meaning to the group's
 * questions on average (`groupByMeaning`, `meaningSimilarity`).
 *
 * Calibrated, not guessed: `npm run calibrate:gaps` (src/staff/gap-calibration.ts) groups the
 * 89 questions of tests/fixtures/gaps/paraphrases.json (visitor questions written from the
 * articles in corpus/, in 27 groups of one meaning each) at every threshold from 0.40 to 0.80,
 * in 20 shuffled orders, and keeps the one with the best pairwise F1 (the middle of the best
 * plateau). With the local sentence encoder (local:use-lite-512:v1), at 0.57 the report keeps
 * 55.6% of the 107 paraphrase pairs in one group, and joins 4.1% of the 1193 pairs of
 * different questions on one topic ("how long is the recovery" and "how long do the results
 * last") and 1.1% of the 1566 pairs on different topics: precision 47.8%, F1 0.514. Grouping
 * by word stems, as before, keeps 11.2% of the paraphrase pairs together (F1 0.187). Pair by
 * pair, 75.7% of the paraphrases reach 0.57 and 9.3% of the same-topic different questions
 * do (AUC 0.950). Chosen on either half of the groups alone, the threshold is 0.57 or 0.58,
 * with F1 0.637 and 0.717 on the other half.
 *
 * USE-lite weighs the topic more than what is asked about it: "How long is the recovery after
 * microneedling?" and "How long do microneedling results last?" are 0.86 alike, "price?" and
 * "how much does it cost?" 0.59. No threshold tells every pair apart; the figures above are
 * what the report can promise. tests/staff/gap-calibration.test.ts fails when the calibration
 * picks another threshold than this one.
 */
export const GAP_MEANING_SIMILARITY = 0.57;

/**
 * The embedding model GAP_MEANING_SIMILARITY was calibrated with (SENTENCE_ENCODER_ID; the
 * calibration test checks that they agree). Another model's similarities mean something else.
 */
export const GAP_CALIBRATED_MODEL = "local:use-lite-512:v1";

/** The calibrated threshold per embedding model; questions embedded by others group by wording. */
export const GAP_MEANING_THRESHOLDS: Readonly<Record<string, number>> = {
  [GAP_CALIBRATED_MODEL]: GAP_MEANING_SIMILARITY,
};

/**
 * The fallback, when the sentence encoder cannot be used: two questions are about the same
 * thing when they share at least half their word stems.
 */
export const GAP_WORDING_SIMILARITY = 0.5;

/** The newest questions looked at per request; older ones in the period are left out. */
export const MAX_GAP_QUESTIONS = 2000;

/**
 * Texts per `embedDocuments` call, so that a failure keeps the batches embedded before it (the
 * local encoder still runs them 16 at a time; for an OpenAI model it is one request).
 */
const EMBED_BATCH = 64;

/** Grouping work between two turns of the event loop, in ms, so that answering goes on. */
const SLICE_MS = 10;

export interface GapGroupQuestion {
  text: string;
  askedAt: string;
  conversationId: string;
  /** The bot reply's id. */
  messageId: string;
  /** The visitor message's id, which staff file or mark. */
  questionId: string;
  reason: GapQuestion["reason"];
  /** Staff confirmed that the articles do not answer it. */
  confirmed: boolean;
}

export interface GapGroup {
  /** How many times a question of this group was asked. */
  count: number;
  /** The group's most frequent wording (ties: the most recent). */
  example: string;
  /** Of `count`: answered "I couldn't find that", and answered but rated down. */
  unanswered: number;
  thumbsDown: number;
  /** Of `count`: confirmed by staff as not answered by the articles (whatever the reply). */
  confirmed: number;
  lastAskedAt: string;
  /** Newest first. */
  questions: GapGroupQuestion[];
}

/**
 * How the questions were grouped: by meaning (sentence embeddings), or by shared word stems
 * when the sentence encoder was busy, failed or is not loaded yet.
 */
export type GapGrouping = "meaning" | "wording";

export interface GapReport {
  from: string;
  to: string;
  /** Questions grouped; fewer than the period had when `truncated`. */
  total: number;
  truncated: boolean;
  grouping: GapGrouping;
  groups: GapGroup[];
}

/** The stems of a question's content words: what similarity is measured on. */
export function questionStems(text: string): Set<string> {
  return new Set(contentWords(text).map(stem));
}

/** |A ∩ B| / |A ∪ B|; two empty sets are not similar (nothing to compare). */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let shared = 0;
  for (const word of a) if (b.has(word)) shared += 1;
  const union = a.size + b.size - shared;
  return union === 0 ? 0 : shared / union;
}

/** Lower case, single spaces, no surrounding punctuation: how wordings are counted. */
function normalise(text: string): string {
  return text
    .toLowerCase()
    .replace(/\s+/g, " ")
    .replace(/^[\s\p{P}]+|[\s\p{P}]+$/gu, "");
}

/** What the meaning of a question is compared on. */
export interface Meaning {
  /** The normalised wording: all that tells apart questions without a content word. */
  wording: string;
  wordless: boolean;
  /** Unit length (or zero). */
  vector: Float32Array;
  /** The kinds of answer it asks for: a price, a duration, an age, a count. */
  answerTypes: readonly string[];
}

/** A question's `Meaning`, from its text and its sentence embedding. */
export function meaningOf(text: string, embedding: ArrayLike<number>): Meaning {
  const vector = unit(embedding);
  const answerTypes = expectedAnswerTypes(text);
  return {
    wording: normalise(text),
    // "how much is it" is all stop words, but asks for a price.
    wordless: contentWords(text).length === 0 && answerTypes.length === 0,
    vector,
    answerTypes,
  };
}

/**
 * How alike two questions are in meaning: the cosine similarity of their embeddings, but 0
 * when both ask for a kind of answer and not the same kind ("How long does a peel take?",
 * "How much does a peel cost?": 0.82 by cosine); for a question with neither a content word
 * nor a kind of answer ("???"), 1 for the same wording and 0 otherwise: it means nothing to
 * compare.
 *
 * The answer-type rule is kept because the calibration shows it helps: grouping F1 0.514
 * with it, 0.488 without (a question naming no kind of answer, such as "how much time should
 * I set aside", conflicts with none). Joining questions that share half their word stems as
 * well made it worse (0.481), so the word-stem rule is only the fallback.
 */
export function meaningSimilarity(a: Meaning, b: Meaning): number {
  if (a.wordless || b.wordless) return a.wording === b.wording ? 1 : 0;
  if (
    a.answerTypes.length > 0 &&
    b.answerTypes.length > 0 &&
    !a.answerTypes.some((t) => b.answerTypes.includes(t))
  ) {
    return 0;
  }
  return dot(a.vector, b.vector);
}

interface Wording {
  stems: Set<string>;
  text: string;
}

function wordingSimilarity(a: Wording, b: Wording): number {
  return a.stems.size === 0 || b.stems.size === 0
    ? a.text === b.text
      ? 1
      : 0
    : jaccard(a.stems, b.stems);
}

/** A group being built: its first question's features, and those of all its questions. */
interface Building<F> {
  seed: F;
  /** Each distinct feature value (one per wording) and how many questions have it. */
  counts: Map<F, number>;
  size: number;
  members: GapQuestion[];
}

/**
 * The greedy grouping both rules share, deterministic and explainable: questions are taken
 * newest first; each joins the group it is most similar to (`score` at least `threshold`; on
 * a tie the older group), or starts a new group. Groups are sorted by count, then by the
 * latest question, then alphabetically.
 */
async function greedyGroups<F>(
  questions: readonly GapQuestion[],
  featuresOf: (question: GapQuestion) => F,
  score: (features: F, group: Building<F>) => number,
  threshold: number,
): Promise<GapGroup[]> {
  const ordered = [...questions].sort(
    (a, b) => b.askedAt.localeCompare(a.askedAt) || a.messageId.localeCompare(b.messageId),
  );
  const groups: Building<F>[] = [];
  let sliceStart = performance.now();
  for (const question of ordered) {
    // 2000 different questions are 2 million comparisons: a second of work, in slices.
    if (performance.now() - sliceStart > SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
    const features = featuresOf(question);
    let best: Building<F> | undefined;
    let bestScore = -Infinity;
    for (const group of groups) {
      const s = score(features, group);
      if (s >= threshold && s > bestScore) {
        best = group;
        bestScore = s;
      }
    }
    if (best) {
      best.counts.set(features, (best.counts.get(features) ?? 0) + 1);
      best.size += 1;
      best.members.push(question);
    } else {
      groups.push({
        seed: features,
        counts: new Map([[features, 1]]),
        size: 1,
        members: [question],
      });
    }
  }
  return groups
    .map(({ members }) => summarise(members))
    .sort(
      (a, b) =>
        b.count - a.count ||
        b.lastAskedAt.localeCompare(a.lastAskedAt) ||
        a.example.localeCompare(b.example),
    );
}

/** A group's counts and example, from its members (newest first). */
function summarise(members: readonly GapQuestion[]): GapGroup {
  const wordings = new Map<string, { text: string; count: number }>();
  for (const member of members) {
    const key = normalise(member.question);
    const entry = wordings.get(key);
    if (entry) entry.count += 1;
    else wordings.set(key, { text: member.question, count: 1 });
  }
  // Map keeps insertion order (newest first), so the strict ">" keeps the most recent.
  let example = members[0]?.question ?? "";
  let most = 0;
  for (const { text, count } of wordings.values()) {
    if (count > most) {
      example = text;
      most = count;
    }
  }
  return {
    count: members.length,
    example,
    unanswered: members.filter((m) => m.reason === "unanswered").length,
    thumbsDown: members.filter((m) => m.reason === "thumbs_down").length,
    confirmed: members.filter((m) => m.confirmed).length,
    lastAskedAt: members[0]?.askedAt ?? "",
    questions: members.map((m) => ({
      text: m.question,
      askedAt: m.askedAt,
      conversationId: m.conversationId,
      messageId: m.messageId,
      questionId: m.questionId,
      reason: m.reason,
      confirmed: m.confirmed,
    })),
  };
}

/**
 * Groups questions by meaning: `greedyGroups`, a question joining the group whose questions
 * it is most similar to on average (`meaningSimilarity`; `meaningOfText` gives a question
 * text's `Meaning`, the same object for the same text). "price?" and "how much does it cost?" make one
 * group, "is it painful" and "does it hurt much" another.
 *
 * The mean over a group's questions (average linkage), not the similarity to its first
 * question nor to its centroid: on the calibration set it keeps the most paraphrases together
 * for as few wrong joins (pairwise F1 0.514, against 0.449 for the first question and 0.446
 * for the centroid, each at its own best threshold, measured when this was written). It
 * costs a comparison with every question grouped so far, not only with each group's first.
 */
export function groupByMeaning(
  questions: readonly GapQuestion[],
  meaningOfText: (text: string) => Meaning,
  threshold: number = GAP_MEANING_SIMILARITY,
): Promise<GapGroup[]> {
  return greedyGroups(
    questions,
    ({ question }) => meaningOfText(question),
    (meaning, group) => {
      let sum = 0;
      for (const [member, count] of group.counts) sum += count * meaningSimilarity(meaning, member);
      return sum / group.size;
    },
    threshold,
  );
}

/**
 * Groups questions by wording, the fallback: `greedyGroups` with the Jaccard similarity of
 * their word-stem sets. Questions without any content word group only with the same wording.
 */
export function groupByWording(
  questions: readonly GapQuestion[],
  threshold: number = GAP_WORDING_SIMILARITY,
): Promise<GapGroup[]> {
  return greedyGroups(
    questions,
    ({ question }) => ({ stems: questionStems(question), text: normalise(question) }),
    // Against the group's first question: the rule as it always was.
    (wording, group) => wordingSimilarity(wording, group.seed),
    threshold,
  );
}

export interface GapReporterDeps {
  transcripts: Pick<TranscriptRepository, "gapQuestions">;
  /** The loaded core's embedding model; undefined while the service starts. */
  model: () => Pick<EmbeddingModel, "modelId" | "embeddings"> | undefined;
  /** Default GAP_MEANING_THRESHOLDS: a model without a calibrated threshold groups by wording. */
  thresholds?: Readonly<Record<string, number>>;
}

export interface GapReporter {
  /**
   * The content gaps of a period: questions the articles did not answer (no-answer replies,
   * not greetings, booking or clinician handoffs, nor refusals of attempts to steer the bot),
   * answered questions rated down, and questions staff marked unanswerable, grouped by
   * meaning. Questions staff filed under a section of the question bank are left out. When
   * the questions cannot be embedded (the model is busy, fails, is not loaded yet, or has no
   * calibrated threshold), they are grouped by wording instead, and `onFallback` hears why
   * (not while loading); the report itself does not fail for it.
   */
  report(
    period: { from: string; to: string },
    options?: { onFallback?: (error: unknown) => void },
  ): Promise<GapReport>;
}

/**
 * The content-gap report, remembering the embeddings of the questions it grouped.
 *
 * Why embed on request and remember in memory, rather than store vectors with the messages:
 * stored vectors would need a migration, a backfill, invalidation when the embedding model
 * changes, and would be personal data derived from visitor text that erasure and retention
 * must delete too. Embedding on request costs once per question text per process: the memo
 * holds the newest MAX_GAP_QUESTIONS texts' vectors (4 MB), so a report asked again, or
 * for a period that overlaps, embeds only the questions new since. A cold report of the full
 * 2000 questions takes the local encoder about half a minute on two cores, a few seconds for
 * a typical month's hundred or two. The memo lives in memory only: a question erased on
 * request leaves it as the memo turns over or the process restarts, as it leaves the
 * encoder's own query cache.
 *
 * Why `embedDocuments` in batches and not `embedQuery` per question: the model's query cache
 * is shared with the visitors' questions and holds about as many texts as one report, so a
 * report would flush it for every visitor; and for an OpenAI model `embedQuery` is one HTTP
 * request per text, `embedDocuments` one per batch. The local encoder runs a document batch
 * as one job of its queue (16 texts, about 200 ms), so a visitor's question waits behind one
 * batch at most, never behind the whole report. Only one report embeds at a time: a second
 * one waits, then finds the first one's vectors in the memo.
 */
export function createGapReporter(deps: GapReporterDeps): GapReporter {
  const thresholds = deps.thresholds ?? GAP_MEANING_THRESHOLDS;
  let memo: { embeddings: Embeddings; meanings: LRUCache<string, Meaning> } | undefined;
  let embedding: Promise<unknown> = Promise.resolve();

  async function meaningsOf(
    embeddings: Embeddings,
    texts: readonly string[],
  ): Promise<Map<string, Meaning>> {
    // Another model (a new core) means other vectors.
    if (memo?.embeddings !== embeddings) {
      memo = { embeddings, meanings: new LRUCache({ max: MAX_GAP_QUESTIONS }) };
    }
    const { meanings } = memo;
    // Taken out of the memo first: what this report embeds must not evict what it needs.
    const found = new Map<string, Meaning>();
    const missing: string[] = [];
    for (const text of new Set(texts)) {
      const meaning = meanings.get(text);
      if (meaning) found.set(text, meaning);
      else missing.push(text);
    }
    for (let from = 0; from < missing.length; from += EMBED_BATCH) {
      const batch = missing.slice(from, from + EMBED_BATCH);
      const vectors = await embeddings.embedDocuments(batch);
      batch.forEach((text, i) => {
        const vector = vectors[i];
        if (!vector) {
          throw new AppError("internal", "The embedding model returned fewer vectors than texts");
        }
        const meaning = meaningOf(text, vector);
        meanings.set(text, meaning);
        found.set(text, meaning);
      });
    }
    return found;
  }

  /** `meaningsOf`, one report at a time. */
  function meaningsInTurn(
    embeddings: Embeddings,
    texts: readonly string[],
  ): Promise<Map<string, Meaning>> {
    const turn = embedding.then(() => meaningsOf(embeddings, texts));
    embedding = turn.catch(() => undefined);
    return turn;
  }

  return {
    async report(period, options = {}) {
      const found = deps.transcripts.gapQuestions({ ...period, limit: MAX_GAP_QUESTIONS + 1 });
      const truncated = found.length > MAX_GAP_QUESTIONS;
      const questions = found.slice(0, MAX_GAP_QUESTIONS);
      const head = { from: period.from, to: period.to, total: questions.length, truncated };
      const model = deps.model();
      const threshold = model && thresholds[model.modelId];
      if (model && threshold === undefined) {
        options.onFallback?.(
          new AppError(
            "config",
            `No content-gap similarity threshold is calibrated for ${model.modelId} (see npm run calibrate:gaps)`,
          ),
        );
      }
      if (model && threshold !== undefined) {
        let meanings: Map<string, Meaning> | undefined;
        try {
          meanings = await meaningsInTurn(
            model.embeddings,
            questions.map((q) => q.question),
          );
        } catch (error) {
          options.onFallback?.(error);
        }
        if (meanings) {
          const known = meanings;
          const groups = await groupByMeaning(
            questions,
            (text) => known.get(text) as Meaning,
            threshold,
          );
          return { ...head, grouping: "meaning", groups };
        }
      }
      return { ...head, grouping: "wording", groups: await groupByWording(questions) };
    },
  };
}
