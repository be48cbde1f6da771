import { contentWords, stem } from "../embeddings/text.js";
import type { GapQuestion, TranscriptRepository } from "../store/transcripts.js";

/** Two questions are about the same thing when they share at least half their word stems. */
export const GAP_SIMILARITY = 0.5;

/** The newest questions looked at per request; older ones in the period are left out. */
export const MAX_GAP_QUESTIONS = 2000;

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

export interface GapReport {
  from: string;
  to: string;
  /** Questions grouped; fewer than the period had when `truncated`. */
  total: number;
  truncated: boolean;
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

interface Building {
  seed: Set<string>;
  seedText: string;
  members: GapQuestion[];
}

/**
 * Groups questions by similarity, deterministically and explainably: questions are taken
 * newest first; each joins the group whose first question it is most similar to (Jaccard
 * similarity of their word-stem sets, at least `threshold`; on a tie the older group), or
 * starts a new group. Questions without any content word group only with the same wording.
 * Groups are sorted by count, then by the latest question, then alphabetically.
 *
 * Word stems, not embeddings: averaged word vectors rate "how much does a peel cost" and
 * "how long does a peel take" as near-identical (both are mostly "peel"), which would merge
 * the two different articles a clinic needs to write.
 */
export function groupQuestions(
  questions: readonly GapQuestion[],
  threshold: number = GAP_SIMILARITY,
): GapGroup[] {
  const ordered = [...questions].sort(
    (a, b) => b.askedAt.localeCompare(a.askedAt) || a.messageId.localeCompare(b.messageId),
  );
  const groups: Building[] = [];
  for (const question of ordered) {
    const stems = questionStems(question.question);
    const text = normalise(question.question);
    let best: Building | undefined;
    let bestScore = -1;
    for (const group of groups) {
      const score =
        stems.size === 0 || group.seed.size === 0
          ? text === group.seedText
            ? 1
            : 0
          : jaccard(stems, group.seed);
      if (score >= threshold && score > bestScore) {
        best = group;
        bestScore = score;
      }
    }
    if (best) best.members.push(question);
    else groups.push({ seed: stems, seedText: text, members: [question] });
  }
  return groups
    .map((group): GapGroup => {
      const wordings = new Map<string, { text: string; count: number }>();
      for (const member of group.members) {
        const key = normalise(member.question);
        const entry = wordings.get(key);
        if (entry) entry.count += 1;
        else wordings.set(key, { text: member.question, count: 1 });
      }
      // Map keeps insertion order (newest first), so the strict ">" keeps the most recent.
      let example = group.members[0]?.question ?? "";
      let most = 0;
      for (const { text, count } of wordings.values()) {
        if (count > most) {
          example = text;
          most = count;
        }
      }
      return {
        count: group.members.length,
        example,
        unanswered: group.members.filter((m) => m.reason === "unanswered").length,
        thumbsDown: group.members.filter((m) => m.reason === "thumbs_down").length,
        confirmed: group.members.filter((m) => m.confirmed).length,
        lastAskedAt: group.members[0]?.askedAt ?? "",
        questions: group.members.map((m) => ({
          text: m.question,
          askedAt: m.askedAt,
          conversationId: m.conversationId,
          messageId: m.messageId,
          questionId: m.questionId,
          reason: m.reason,
          confirmed: m.confirmed,
        })),
      };
    })
    .sort(
      (a, b) =>
        b.count - a.count ||
        b.lastAskedAt.localeCompare(a.lastAskedAt) ||
        a.example.localeCompare(b.example),
    );
}

/**
 * The content gaps of a period: questions the articles did not answer (no-answer replies, not
 * greetings, booking or clinician handoffs, nor refusals of attempts to steer the bot),
 * answered questions rated down, and questions staff marked unanswerable, grouped by
 * similarity. Questions staff filed under a section of the question bank are left out.
 */
export function contentGaps(
  transcripts: TranscriptRepository,
  period: { from: string; to: string },
): GapReport {
  const found = transcripts.gapQuestions({ ...period, limit: MAX_GAP_QUESTIONS + 1 });
  const truncated = found.length > MAX_GAP_QUESTIONS;
  const questions = found.slice(0, MAX_GAP_QUESTIONS);
  return {
    from: period.from,
    to: period.to,
    total: questions.length,
    truncated,
    groups: groupQuestions(questions),
  };
}
