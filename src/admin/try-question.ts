/**
 * "Try a question" for admins: what the bot answers a question with the index in service, and
 * why: the question's telling words (with the glossary terms a lay phrase stood for, and
 * whether the articles have them), the passages it weighed with the decision's scores, and
 * whether the judge's confidence cleared the threshold. It explains an edit that made no
 * difference ("tca treatment" added to the glossary, and the answer the same as before).
 */
import type { Core } from "../core.js";
import type { ChatReply } from "../answer/types.js";
import { vetoed } from "../retrieval/decision.js";
import type { EvidenceWord, Judgement } from "../retrieval/retriever.js";

/** Passages shown, best ranked first: those whose sentences the retriever scored. */
const PASSAGES = 4;

export interface QuestionExplanation {
  reply: Pick<ChatReply, "kind" | "answer" | "citations">;
  decision: {
    judgement: Judgement;
    /** The judge's probability for the best-ranked passage. */
    confidence: number;
    /** From which it answers (below by the unsure band: a configured model may judge). */
    threshold: number;
    unsureFrom: number;
    /** Refused because the question is much closer to one the articles do not answer. */
    vetoed: boolean;
  };
  words: Required<Pick<EvidenceWord, "word" | "stem" | "weight" | "terms" | "known">>[];
  passages: {
    title: string;
    section: string;
    /** The ranker's probability that it is the passage that answers. */
    rank: number;
    /** The judge's probability that it answers. */
    probability: number;
    /** The question's words (as typed) the passage's quotable sentences have. */
    matched: string[];
    similarity: { passage: number; bankQuestion: number; closerToUnanswered: number };
  }[];
}

const round = (x: number) => Math.round(x * 1000) / 1000;

export async function explainQuestion(
  core: Pick<Core, "answerer" | "retriever" | "decision">,
  question: string,
): Promise<QuestionExplanation> {
  const [reply, evidence] = await Promise.all([
    core.answerer.answerQuestion({ message: question }),
    core.retriever.retrieve({ question }),
  ]);
  const { judge } = core.decision;
  const own = evidence.words.filter((w) => w.origin !== "context");
  const typed = new Map(own.map((w) => [w.stem, w.word ?? w.stem]));
  const best = evidence.candidates[0];
  return {
    reply: { kind: reply.kind, answer: reply.answer, citations: reply.citations },
    decision: {
      judgement: evidence.judgement,
      confidence: round(evidence.confidence),
      threshold: judge.threshold,
      unsureFrom: round(judge.threshold - judge.unsureBand),
      vetoed: best !== undefined && vetoed(judge, best.features),
    },
    words: own.map((w) => ({
      word: w.word ?? w.stem,
      stem: w.stem,
      weight: round(w.weight),
      terms: w.terms ?? [],
      known: w.known ?? true,
    })),
    passages: evidence.candidates.slice(0, PASSAGES).map((c) => ({
      title: c.chunk.title,
      section: c.chunk.section,
      rank: round(c.rank),
      probability: round(c.probability),
      matched: [...new Set(c.sentences.flatMap((s) => s.matched))].map((s) => typed.get(s) ?? s),
      similarity: {
        passage: round(c.features.dense),
        bankQuestion: round(c.features.bank),
        closerToUnanswered: round(c.features.unansweredMargin),
      },
    })),
  };
}
