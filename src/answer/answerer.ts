import type { ClinicProfile } from "../content/clinic.js";
import type {
  RetrievedPassage,
  RetrieveOptions,
  Retriever,
} from "../retrieval/hybrid-retriever.js";
import { RARE_RANK, type QueryTerms, type WordMatch } from "../retrieval/word-alignment.js";
import { composeExtractiveAnswer, createUnitSource } from "./extractive.js";
import { detectIntent, focusOf, stripMarkup, unansweredPriceQuestion } from "./intents.js";
import {
  BOOKING_ANSWER,
  bookingHandoff,
  CLINICIAN_ANSWER,
  clinicianHandoff,
  GREETING,
  NO_ANSWER,
  STEERING_REFUSAL,
  staffHandoff,
} from "./messages.js";
import type { AnswerDelta, AnswerInput, ChatReply, HistoryTurn } from "./types.js";
import { contentWords } from "../embeddings/text.js";

export interface AnswererDeps {
  retriever: Retriever;
  clinic: ClinicProfile;
  /** An external scheduler's URL, offered with booking handoffs. */
  bookingUrl?: string;
  /** Retrieval variant; the bench compares them. Default: the full hybrid pipeline. */
  retrieveMode?: RetrieveOptions["mode"];
}

export interface Answerer {
  answerQuestion(input: AnswerInput): Promise<ChatReply>;
  /** Yields `{ delta }` pieces that add up exactly to the answer, then the full reply. */
  streamAnswer(input: AnswerInput): AsyncGenerator<AnswerDelta | ChatReply, void, undefined>;
}

/** Words that point back at an earlier question ("which kinds respond best?"). */
const ANAPHORA =
  /\b(it|its|they|them|their|this|that|these|those|which ones?|which kinds?|what kinds?|what types?|what about|how about|and|also|else|more|same|there)\b/i;
const PASSAGES = 4;

/** Similarity at which a rare question word counts as addressed by a passage word. */
const ADDRESSED_SIMILARITY = 0.5;
/** What the same word, or another form of it, scores: a passage that names the thing. */
const NAMED_SIMILARITY = 0.9;
/**
 * Relevance of the best passage from which retrieval is confident enough to let side words
 * go unaddressed ("on my nose and cheeks" in a question about pores).
 */
const CONFIDENT_SCORE = 0.55;
/** Share of the rare words' weight that may go unaddressed when retrieval is confident. */
const UNADDRESSED_SHARE = 0.5;
/** Words this frequent ("put", "face") are everyday English: no focus a passage must name. */
const EVERYDAY_RANK = 1000;
/** A word this rare, or unknown ("bitcoin"), is never a side word: it must be addressed. */
const VERY_RARE_RANK = 50_000;

/**
 * Whether the passages speak to what the question is specifically about, from the question's
 * own words and how well the passages match each:
 * - a focus word (the stems from `focusOf`) that is not everyday English must be named in
 *   them by the visitor's own word, not merely related to them, nor stood for by a glossary
 *   term ("do you offer Botox?");
 * - a rare word is addressed by a match of its own, or of the glossary term whose lay
 *   phrase it is part of ("soak" in "soak in", through "penetrate");
 * - when the best passage is a confident match, side words may go unaddressed as long as
 *   they are not very rare, carry at most half of the rare words' weight, and the most
 *   telling word is not one of them;
 * - otherwise every rare word must be addressed.
 */
export function addressed(
  words: readonly WordMatch[],
  focus: ReadonlySet<string>,
  bestScore: number,
): boolean {
  const named = (w: WordMatch) => w.rank < EVERYDAY_RANK || w.match >= NAMED_SIMILARITY;
  if (words.some((w) => focus.has(w.stem) && !named(w))) return false;
  const rare = words.filter((w) => w.rank >= RARE_RANK);
  const missing = rare.filter((w) => Math.max(w.match, w.termMatch) < ADDRESSED_SIMILARITY);
  if (missing.length === 0) return true;
  if (bestScore < CONFIDENT_SCORE) return false;
  if (missing.some((w) => w.rank >= VERY_RARE_RANK)) return false;
  const mostTelling = rare.reduce((a, b) => (b.weight > a.weight ? b : a));
  if (missing.includes(mostTelling)) return false;
  const total = rare.reduce((sum, w) => sum + w.weight, 0);
  return missing.reduce((sum, w) => sum + w.weight, 0) <= UNADDRESSED_SHARE * total;
}

/**
 * The earlier visitor text a follow-up refers to: the last visitor message, when this one
 * points back at something or is too short to stand alone.
 */
export function followUpContext(message: string, history: HistoryTurn[] = []): string | undefined {
  const previous = [...history].reverse().find((t) => t.role === "visitor");
  if (!previous) return undefined;
  if (ANAPHORA.test(message) || contentWords(message).length <= 2) {
    return stripMarkup(previous.text);
  }
  return undefined;
}

/**
 * Splits an answer into stream pieces, one quoted sentence (with its marker) each; they
 * concatenate exactly to the answer. An extractive answer is ready at once, so finer pieces
 * would only cost more socket frames.
 */
export function toDeltas(answer: string): string[] {
  const pieces = answer.match(/[\s\S]*?\[\d+\]\s*|[\s\S]+$/g) ?? [];
  return pieces.filter((p) => p.length > 0);
}

/** What `classify` decides: a fixed reply, or a question for the articles. */
export type Classified =
  { kind: "reply"; reply: ChatReply } | { kind: "question"; question: string };

/** Passages that answer a question, with the question's terms for sentence selection. */
export interface Evidence {
  passages: RetrievedPassage[];
  query: QueryTerms;
}

/**
 * The steps every answer mode shares, so the generative mode makes exactly the same
 * decisions as the extractive one before (and instead of) calling a model.
 */
export interface AnswerSteps {
  /**
   * Intents and guardrails: handoffs, refusals and greetings never reach retrieval. With the
   * history, a follow-up to the visitor's own health situation ("is it safe?" after "I'm
   * pregnant") stays with the clinician.
   */
  classify(message: string, history?: HistoryTurn[]): Classified;
  /**
   * Hybrid retrieval and the "is it answered?" checks. `context` is earlier visitor text a
   * follow-up refers to. Null when the articles do not answer.
   */
  findEvidence(question: string, context?: string): Promise<Evidence | null>;
  /** The extractive answer from evidence: quoted sentences, each with its `[n]`. */
  extractive(evidence: Evidence): ChatReply;
  /** The honest "I couldn't find that" reply, with the clinic's contact. */
  noAnswer(): ChatReply;
}

export function createAnswerSteps(deps: AnswererDeps): AnswerSteps {
  const { retriever, clinic } = deps;
  const units = createUnitSource(retriever.aligner);

  const reply = (
    answer: string,
    handoff: ChatReply["handoff"],
    rest: Partial<ChatReply> = {},
  ): ChatReply => ({
    answer,
    citations: [],
    grounded: false,
    handoff,
    source: "extractive",
    ...rest,
  });

  function classify(message: string, history: HistoryTurn[] = []): Classified {
    const classified = classifyOne(message);
    if (classified.kind !== "question") return classified;
    // A follow-up inherits the clinician handoff of the message it follows: "how long does
    // it last?" after "my face has pus" must not be answered with "a few days".
    const context = followUpContext(classified.question, history);
    if (context) {
      const earlier = detectIntent(context);
      if (earlier.kind === "clinician") return clinicianReply(earlier.redFlag);
    }
    return classified;
  }

  function clinicianReply(redFlag: boolean): Classified {
    // No article passage is quoted here: general facts read as "yes, that's fine" to
    // someone asking about their own health. Red-flag symptoms get the clinic's
    // urgent-care advice first, in the answer itself.
    return {
      kind: "reply",
      reply: reply(redFlag ? clinic.urgentCare : CLINICIAN_ANSWER, clinicianHandoff(clinic)),
    };
  }

  function classifyOne(message: string): Classified {
    let intent = detectIntent(message);
    let question = stripMarkup(message);
    if (intent.kind === "injection") {
      const refusal = {
        kind: "reply",
        reply: reply(STEERING_REFUSAL, staffHandoff(clinic)),
      } as const;
      if (!intent.question) return refusal;
      question = intent.question;
      intent = detectIntent(question);
      // A second steering attempt inside what was left is still steering.
      if (intent.kind === "injection") return refusal;
    }
    switch (intent.kind) {
      case "booking":
        return {
          kind: "reply",
          reply: reply(BOOKING_ANSWER, bookingHandoff(clinic, deps.bookingUrl)),
        };
      case "clinician":
        return clinicianReply(intent.redFlag);
      case "greeting":
        return { kind: "reply", reply: reply(GREETING, null) };
      case "question":
        return { kind: "question", question };
    }
  }

  /** The stems of a focus phrase's words, read (and spell-checked) as the question's are. */
  function focusStems(focus: string): Set<string> {
    if (!focus) return new Set();
    const terms = retriever.aligner.query(focus);
    return new Set(terms.stems.filter((_, i) => terms.origins[i] === "question"));
  }

  async function findEvidence(question: string, context?: string): Promise<Evidence | null> {
    // The question's terms are built once and serve the topic check, ranking and sentences.
    const query = retriever.aligner.query(question, context);
    if (!retriever.onTopic(question, context, query)) return null;
    const passages = await retriever.retrieve(question, {
      context,
      limit: PASSAGES,
      ...(deps.retrieveMode ? { mode: deps.retrieveMode } : {}),
      query,
    });
    const relevant = passages.filter((p) => p.score >= retriever.threshold);
    if (relevant.length === 0) return null;
    // The passages must speak to what the question is specifically about.
    const top = relevant.slice(0, 3);
    const focus = focusStems(focusOf(question));
    if (!addressed(retriever.questionWords(query, top), focus, top[0]?.score ?? 0)) return null;
    if (
      unansweredPriceQuestion(
        question,
        top.map((p) => p.chunk.text),
      )
    )
      return null;
    return { passages: relevant, query };
  }

  function extractive(evidence: Evidence): ChatReply {
    const found = composeExtractiveAnswer(
      evidence.passages,
      evidence.query,
      retriever.aligner,
      units,
    );
    if (!found) return noAnswer();
    return reply(found.answer, null, { citations: found.citations, grounded: true });
  }

  const noAnswer = () => reply(NO_ANSWER, staffHandoff(clinic));

  return { classify, findEvidence, extractive, noAnswer };
}

/**
 * The offline, extractive answerer: intents first, then hybrid retrieval, then an answer
 * quoted from the best passages with a `[n]` after every sentence. It never states
 * anything that is not in a cited passage.
 */
export function createAnswerer(deps: AnswererDeps): Answerer {
  const steps = createAnswerSteps(deps);

  async function answerQuestion(input: AnswerInput): Promise<ChatReply> {
    const classified = steps.classify(input.message, input.history);
    if (classified.kind === "reply") return classified.reply;
    const context = followUpContext(classified.question, input.history);
    const evidence = await steps.findEvidence(classified.question, context);
    return evidence ? steps.extractive(evidence) : steps.noAnswer();
  }

  async function* streamAnswer(input: AnswerInput) {
    const full = await answerQuestion(input);
    for (const delta of toDeltas(full.answer)) yield { delta };
    yield full;
  }

  return { answerQuestion, streamAnswer };
}
