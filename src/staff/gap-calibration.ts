/**
 * The calibration of the content-gap grouping (`npm run calibrate:gaps`): on a set of visitor
 * questions grouped by meaning (tests/fixtures/gaps/paraphrases.json), how well each
 * similarity threshold keeps paraphrases together and different questions apart, and which
 * threshold does it best. GAP_MEANING_SIMILARITY is the threshold it picks.
 *
 * Scored on pairs of questions: two of one group are paraphrases (one gap), two of different
 * groups are different questions (two gaps), the hard ones when the groups share a topic
 * ("how long is the recovery" and "how long do the results last", both about
 * microneedling). A group without a topic (a follow-up such as "does it hurt?") is not scored
 * against other topics' groups: asked after a question about microneedling it may well mean
 * "does microneedling hurt?".
 */
import { readFile } from "node:fs/promises";
import type { Embeddings } from "@langchain/core/embeddings";
import { z } from "zod";
import { AppError } from "../errors.js";
import type { GapQuestion } from "../store/transcripts.js";
import {
  type GapGroup,
  GAP_WORDING_SIMILARITY,
  groupByMeaning,
  groupByWording,
  type Meaning,
  meaningOf,
  meaningSimilarity,
} from "./gaps.js";
import { createRng } from "../eval/seeded-random.js";

/** The calibration set, relative to the repository. */
export const CALIBRATION_SET = "tests/fixtures/gaps/paraphrases.json";

export const calibrationSetSchema = z.object({
  note: z.string().optional(),
  groups: z
    .array(
      z.object({
        /** What the questions are about; null for follow-ups that do not say. */
        topic: z.string().min(1).nullable(),
        meaning: z.string().min(1),
        questions: z.array(z.string().min(1)).min(2),
      }),
    )
    .min(2)
    .refine(
      (groups) => {
        const all = groups.flatMap((g) => g.questions);
        return new Set(all).size === all.length;
      },
      { message: "a question is listed twice" },
    ),
});

export type CalibrationSet = z.infer<typeof calibrationSetSchema>;

export async function loadCalibrationSet(file: string): Promise<CalibrationSet> {
  try {
    return calibrationSetSchema.parse(JSON.parse(await readFile(file, "utf8")));
  } catch (cause) {
    throw new AppError("invalid", `${file} is not a readable calibration set`, { cause });
  }
}

/** Thresholds tried, in hundredths: 0.40 to 0.80. */
const GRID = Array.from({ length: 41 }, (_, i) => (40 + i) / 100);

/** Orders the questions are grouped in (grouping depends on the order they come in). */
const ORDERS = 20;

/** What becomes of the set's pairs at one threshold. */
export interface Outcome {
  threshold: number;
  /** Of the paraphrase pairs, the share joined (right). */
  paraphrasesJoined: number;
  /** Of the pairs of different questions on one topic, the share joined (wrong). */
  sameTopicJoined: number;
  /** Of the pairs of different questions on different topics, the share joined (wrong). */
  otherTopicJoined: number;
  /** Of all the pairs joined, the share that are paraphrases. */
  precision: number;
  /** The harmonic mean of `precision` and `paraphrasesJoined` (recall). */
  f1: number;
}

export interface CalibrationReport {
  questions: number;
  groups: number;
  pairs: { paraphrases: number; sameTopic: number; otherTopic: number };
  /** The threshold with the best F1 of `groupByMeaning` (mean of ORDERS orders; see bestOf). */
  chosen: Outcome;
  /** `groupByMeaning` at each threshold of the grid. */
  curve: Outcome[];
  /** Each pair on its own at the chosen threshold: `meaningSimilarity` at least it. */
  pairsAtChosen: Outcome;
  /** The chance that a paraphrase pair is more similar than a pair of different questions. */
  auc: number;
  /** `groupByWording`, the fallback, at its threshold. */
  wording: Outcome;
  /**
   * Chosen on the groups of even place and scored on the odd ones, and the other way round:
   * whether the threshold holds for questions it was not chosen on. Empty with
   * `heldOut: false` (it costs twice the rest).
   */
  heldOut: { threshold: number; f1: number; f1AtChosen: number }[];
  /** The paraphrases scored lowest and the different questions scored highest. */
  hardest: { paraphrases: ScoredPair[]; different: ScoredPair[] };
}

export interface ScoredPair {
  a: string;
  b: string;
  similarity: number;
}

interface Item {
  text: string;
  group: number;
  topic: string | null;
}

type PairKind = "paraphrases" | "sameTopic" | "otherTopic";

function pairKind(a: Item, b: Item): PairKind | undefined {
  if (a.group === b.group) return "paraphrases";
  if (a.topic === b.topic) return "sameTopic";
  return a.topic === null || b.topic === null ? undefined : "otherTopic";
}

interface Pair {
  i: number;
  j: number;
  kind: PairKind;
}

/** Counts of joined pairs per kind, over one or more groupings. */
type Tally = Record<PairKind, { joined: number; all: number }>;

const emptyTally = (): Tally => ({
  paraphrases: { joined: 0, all: 0 },
  sameTopic: { joined: 0, all: 0 },
  otherTopic: { joined: 0, all: 0 },
});

function outcome(threshold: number, tally: Tally): Outcome {
  const share = (k: PairKind) => (tally[k].all === 0 ? 0 : tally[k].joined / tally[k].all);
  const joined = tally.paraphrases.joined + tally.sameTopic.joined + tally.otherTopic.joined;
  const precision = joined === 0 ? 0 : tally.paraphrases.joined / joined;
  const recall = share("paraphrases");
  return {
    threshold,
    paraphrasesJoined: recall,
    sameTopicJoined: share("sameTopic"),
    otherTopicJoined: share("otherTopic"),
    precision,
    f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
  };
}

/**
 * The threshold of the best F1, averaged with its neighbours' on the grid: the middle of the
 * best plateau rather than its edge, so that a slightly different model build or order does
 * not tip it over. On a tie, the higher threshold (fewer wrong joins).
 */
function bestOf(curve: readonly Outcome[]): Outcome {
  const smoothed = curve.map((_, i) => {
    const near = curve.slice(Math.max(0, i - 1), i + 2);
    return near.reduce((sum, o) => sum + o.f1, 0) / near.length;
  });
  let best = 0;
  smoothed.forEach((f1, i) => {
    if (f1 >= (smoothed[best] as number) - 1e-12) best = i;
  });
  return curve[best] as Outcome;
}

/** The set's questions as gap questions, asked in ORDERS reproducible shuffled orders. */
function orders(items: readonly Item[]): GapQuestion[][] {
  const next = createRng(15);
  return Array.from({ length: ORDERS }, () =>
    items.map((item, i) => ({
      conversationId: `c${i}`,
      messageId: `m${String(i).padStart(4, "0")}`,
      questionId: `v${i}`,
      question: item.text,
      answer: "",
      askedAt: new Date(Date.UTC(2026, 0, 1) + Math.floor(next() * 1e9)).toISOString(),
      reason: "unanswered",
      confirmed: false,
    })),
  );
}

/** Adds which of `pairs` a grouping joined to `tally`. */
function tallyGroups(
  tally: Tally,
  groups: readonly GapGroup[],
  items: readonly Item[],
  pairs: readonly Pair[],
) {
  const groupOf = new Map<string, number>();
  groups.forEach((group, g) => group.questions.forEach((q) => groupOf.set(q.text, g)));
  for (const { i, j, kind } of pairs) {
    tally[kind].all += 1;
    if (groupOf.get((items[i] as Item).text) === groupOf.get((items[j] as Item).text)) {
      tally[kind].joined += 1;
    }
  }
}

/** Embeds the set's questions and measures the grouping at each threshold of the grid. */
export async function calibrate(
  embeddings: Embeddings,
  set: CalibrationSet,
  options: { heldOut?: boolean } = {},
): Promise<CalibrationReport> {
  const items: Item[] = set.groups.flatMap((group, g) =>
    group.questions.map((text) => ({ text, group: g, topic: group.topic })),
  );
  const vectors = await embeddings.embedDocuments(items.map((item) => item.text));
  const meanings: Meaning[] = items.map((item, i) => meaningOf(item.text, vectors[i] ?? []));
  const byText = new Map(items.map((item, i) => [item.text, meanings[i] as Meaning]));

  const pairs: Pair[] = [];
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      const kind = pairKind(items[i] as Item, items[j] as Item);
      if (kind) pairs.push({ i, j, kind });
    }
  }
  const similarity = ({ i, j }: Pair) =>
    meaningSimilarity(meanings[i] as Meaning, meanings[j] as Meaning);

  const shuffled = orders(items);
  /** `groupByMeaning` of some groups' questions, at each threshold. */
  async function curveOf(keep: (item: Item) => boolean): Promise<Outcome[]> {
    const kept = pairs.filter((p) => keep(items[p.i] as Item) && keep(items[p.j] as Item));
    const curve: Outcome[] = [];
    for (const threshold of GRID) {
      const tally = emptyTally();
      for (const questions of shuffled) {
        const asked = questions.filter((_, i) => keep(items[i] as Item));
        const groups = await groupByMeaning(
          asked,
          (text) => byText.get(text) as Meaning,
          threshold,
        );
        tallyGroups(tally, groups, items, kept);
      }
      curve.push(outcome(threshold, tally));
    }
    return curve;
  }

  const curve = await curveOf(() => true);
  const chosen = bestOf(curve);

  const alone = emptyTally();
  for (const pair of pairs) {
    alone[pair.kind].all += 1;
    if (similarity(pair) >= chosen.threshold) alone[pair.kind].joined += 1;
  }
  const scored = pairs.map((pair) => ({ pair, similarity: similarity(pair) }));
  const paraphraseScores = scored.filter((s) => s.pair.kind === "paraphrases");
  const differentScores = scored.filter((s) => s.pair.kind !== "paraphrases");
  let wins = 0;
  for (const p of paraphraseScores) {
    for (const d of differentScores) {
      wins += p.similarity > d.similarity ? 1 : p.similarity === d.similarity ? 0.5 : 0;
    }
  }

  const wordingTally = emptyTally();
  for (const questions of shuffled) {
    tallyGroups(wordingTally, await groupByWording(questions), items, pairs);
  }

  const heldOut: CalibrationReport["heldOut"] = [];
  for (const half of options.heldOut === false ? [] : [0, 1]) {
    const fitted = bestOf(await curveOf((item) => item.group % 2 === half));
    const other = await curveOf((item) => item.group % 2 !== half);
    const at = (t: number) => other.find((o) => o.threshold === t)?.f1 ?? 0;
    heldOut.push({
      threshold: fitted.threshold,
      f1: at(fitted.threshold),
      f1AtChosen: at(chosen.threshold),
    });
  }

  const asPair = ({ pair, similarity: s }: (typeof scored)[number]): ScoredPair => ({
    a: (items[pair.i] as Item).text,
    b: (items[pair.j] as Item).text,
    similarity: s,
  });
  return {
    questions: items.length,
    groups: set.groups.length,
    pairs: {
      paraphrases: alone.paraphrases.all,
      sameTopic: alone.sameTopic.all,
      otherTopic: alone.otherTopic.all,
    },
    chosen,
    curve,
    pairsAtChosen: outcome(chosen.threshold, alone),
    auc: wins / (paraphraseScores.length * differentScores.length),
    wording: outcome(GAP_WORDING_SIMILARITY, wordingTally),
    heldOut,
    hardest: {
      paraphrases: [...paraphraseScores]
        .sort((a, b) => a.similarity - b.similarity)
        .slice(0, 5)
        .map(asPair),
      different: [...differentScores]
        .sort((a, b) => b.similarity - a.similarity)
        .slice(0, 5)
        .map(asPair),
    },
  };
}
