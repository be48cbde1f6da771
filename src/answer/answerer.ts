import type { ClinicProfile } from "../content/clinic.js";
import { contentWords, stem } from "../embeddings/text.js";
import { embeddingText } from "../index/search-index.js";
import type { DecisionModel } from "../retrieval/decision.js";
import type { Candidate, Evidence, Retriever } from "../retrieval/retriever.js";
import { composeExtractiveAnswer } from "./extractive.js";
import { followUpContext } from "./follow-up.js";
import { questionParts } from "./question-parts.js";
import { asksAboutBooking, detectIntent, ownConcern, stripMarkup } from "./intents.js";
import {
  BOOKING_ANSWER,
  bookingHandoff,
  CLINICIAN_ANSWER,
  clinicianHandoff,
  CLOSING,
  consultationOffer,
  GREETING,
  NO_ANSWER,
  NOTHING_MORE,
  PARTLY_ANSWERED,
  STEERING_REFUSAL,
  staffHandoff,
} from "./messages.js";
import type {
  AnswerDelta,
  AnswerInput,
  ChatReply,
  Citation,
  HistoryTurn,
  ReplyKind,
} from "./types.js";

export interface AnswererDeps {
  retriever: Retriever;
  clinic: ClinicProfile;
  /** The fitted decision: booking-similarity thresholds, and the band of passages a model may see. */
  decision: DecisionModel;
  /** An external scheduler's URL, offered with booking handoffs. */
  bookingUrl?: string;
  /**
   * The urgent-care advice as the index publishes it (the contact page generated from the
   * clinic profile), quoted and cited from there, so a re-indexed profile is what it says;
   * absent when the index has no such page.
   */
  urgentSource?: { text: string; citation: Citation };
}

export interface Answerer {
  answerQuestion(input: AnswerInput): Promise<ChatReply>;
  /** Yields `{ delta }` pieces that add up exactly to the answer, then the full reply. */
  streamAnswer(input: AnswerInput): AsyncGenerator<AnswerDelta | ChatReply, void, undefined>;
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
  | { kind: "reply"; reply: ChatReply }
  | {
      kind: "question";
      question: string;
      /** The earlier question a follow-up refers back to (`followUpContext`), found once here. */
      context?: string;
      /**
       * Set for a question about a skin concern the visitor has (`concern`): answered only
       * when the best passage names that concern, with a consultation offer; otherwise `reply`.
       */
      personal?: { concern: string; reply: ChatReply };
    };

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
  classify(message: string, history?: HistoryTurn[]): Promise<Classified>;
  /**
   * Retrieval and the answer decision, for each part of the question (one, or each part of
   * a two-part question). `context` is earlier text a follow-up refers to.
   */
  findEvidence(question: string, context?: string): Promise<Evidence[]>;
  /**
   * The reply for parts of which at least one is judged "answer": quoted sentences, each
   * with its `[n]`, and a word that the rest is not covered when a part is not.
   */
  extractive(parts: Evidence[], classified?: Classified): ChatReply;
  /** The honest "I couldn't find that" reply, with the clinic's contact. */
  noAnswer(classified?: Classified): ChatReply;
  /**
   * The answer, and when it is word for word the bot's last reply, first that the articles say
   * no more, with the clinic's team offered (the same sentences again, unannounced, read as if
   * the question went unheard).
   */
  notRepeated(answer: ChatReply, history?: HistoryTurn[]): ChatReply;
  /**
   * The passages a model may be given for evidence judged "answer" or "unsure": the best
   * one, and up to three more within the unsure band of the threshold.
   */
  modelPassages(parts: Evidence[]): Candidate[];
}

/** The best judgement over a question's parts: answered if any part is. */
export function judgementOf(parts: Evidence[]): Evidence["judgement"] {
  if (parts.some((p) => p.judgement === "answer")) return "answer";
  if (parts.some((p) => p.judgement === "unsure")) return "unsure";
  return "none";
}

/** Passages given to a model at most. */
const MODEL_PASSAGES = 4;

export function createAnswerSteps(deps: AnswererDeps): AnswerSteps {
  const { retriever, clinic, decision } = deps;

  const reply = (
    kind: ReplyKind,
    answer: string,
    handoff: ChatReply["handoff"],
    rest: Partial<ChatReply> = {},
  ): ChatReply => ({
    kind,
    answer,
    citations: [],
    grounded: false,
    handoff,
    source: "extractive",
    ...rest,
  });

  function clinicianReply(redFlag: boolean): ChatReply {
    // No article passage is quoted here: general facts read as "yes, that's fine" to
    // someone asking about their own health. Red-flag symptoms get the clinic's
    // urgent-care advice first, in the answer itself.
    if (!redFlag) return reply("clinician", CLINICIAN_ANSWER, clinicianHandoff(clinic));
    const source = deps.urgentSource;
    return source
      ? reply("urgent", `${source.text} [${source.citation.n}]`, clinicianHandoff(clinic), {
          citations: [source.citation],
          grounded: true,
        })
      : reply("urgent", clinic.urgentCare, clinicianHandoff(clinic));
  }

  const personal = (concern: string) => ({ concern, reply: clinicianReply(false) });

  const bookingReply = () =>
    reply("booking", BOOKING_ANSWER, bookingHandoff(clinic, deps.bookingUrl));

  /** Whether a message reads like the example booking requests rather than anything else. */
  async function soundsLikeBooking(message: string): Promise<boolean> {
    if (asksAboutBooking(message)) return false;
    const { booking, other } = await retriever.bookingSimilarity(message);
    return booking >= decision.booking.threshold && booking - other >= decision.booking.margin;
  }

  /**
   * A message the booking rule took for a request that reads, by similarity, more like
   * something else than like any example request (the fitted `booking.veto`).
   */
  async function readsLikeQuestion(message: string): Promise<boolean> {
    const veto = decision.booking.veto;
    if (veto === undefined) return false;
    const { booking, other } = await retriever.bookingSimilarity(message);
    return booking - other < veto;
  }

  async function classify(message: string, history: HistoryTurn[] = []): Promise<Classified> {
    const classified = await classifyOne(message);
    if (classified.kind !== "question") return classified;
    // A follow-up inherits the clinician handoff of the message it follows: "how long does
    // it last?" after "my face has pus" must not be answered with "a few days".
    const context = followUpContext(classified.question, history);
    if (!context) return classified;
    const earlier = detectIntent(context);
    if (earlier.kind === "clinician") {
      return { kind: "reply", reply: clinicianReply(earlier.redFlag) };
    }
    // A follow-up to a question about the visitor's own skin concern keeps its caution.
    const concern = classified.personal ? undefined : ownConcern(context);
    return concern
      ? { ...classified, context, personal: personal(concern) }
      : { ...classified, context };
  }

  async function classifyOne(message: string): Promise<Classified> {
    let intent = detectIntent(message);
    let question = stripMarkup(message);
    if (intent.kind === "injection") {
      const refusal = {
        kind: "reply",
        reply: reply("refusal", STEERING_REFUSAL, staffHandoff(clinic)),
      } as const;
      if (!intent.question) return refusal;
      question = intent.question;
      intent = detectIntent(question);
      // A second steering attempt inside what was left is still steering.
      if (intent.kind === "injection") return refusal;
    }
    switch (intent.kind) {
      case "booking":
        if (!(await readsLikeQuestion(question))) return { kind: "reply", reply: bookingReply() };
        break;
      case "clinician":
        return { kind: "reply", reply: clinicianReply(intent.redFlag) };
      case "greeting":
        return { kind: "reply", reply: reply("greeting", GREETING, null) };
      case "closing":
        return { kind: "reply", reply: reply("closing", CLOSING, null) };
      case "question":
        if (await soundsLikeBooking(question)) return { kind: "reply", reply: bookingReply() };
        break;
    }
    const concern = ownConcern(question);
    return concern
      ? { kind: "question", question, personal: personal(concern) }
      : { kind: "question", question };
  }

  function findEvidence(question: string, context?: string): Promise<Evidence[]> {
    return Promise.all(
      questionParts(question).map((part) =>
        retriever.retrieve(context ? { question: part, context } : { question: part }),
      ),
    );
  }

  /**
   * A question about the visitor's own skin concern is answered only when the best passage
   * has the concern's own words: "I have rosacea, will it help?" finds passages about other
   * conditions, which must not read as "yes".
   */
  function namesConcern(evidence: Evidence, concern: string): boolean {
    const chunk = evidence.candidates[0]?.chunk;
    if (!chunk) return false;
    const has = new Set(contentWords(embeddingText(chunk)).map(stem));
    // The concern's noun ("pores" of "big pores"), which the passage must name, itself or as
    // a glossary term the visitor's phrase stands for ("dark marks": hyperpigmentation).
    const noun = contentWords(concern).at(-1);
    if (noun === undefined) return false;
    const nounStem = stem(noun);
    const terms = evidence.words.filter((w) => w.stem === nounStem).flatMap((w) => w.terms ?? []);
    return (
      has.has(nounStem) ||
      terms.some((term) => contentWords(term).every((word) => has.has(stem(word))))
    );
  }

  function extractive(parts: Evidence[], classified?: Classified): ChatReply {
    const personal = classified?.kind === "question" ? classified.personal : undefined;
    const answered = parts.filter((p) => p.judgement === "answer");
    if (personal && !answered.some((p) => namesConcern(p, personal.concern))) {
      return personal.reply;
    }
    const found = composeExtractiveAnswer(answered);
    if (!found) return noAnswer(classified);
    const partly = answered.length < parts.length;
    const handoff = personal ? consultationOffer(clinic) : partly ? staffHandoff(clinic) : null;
    return reply("answer", partly ? `${found.answer} ${PARTLY_ANSWERED}` : found.answer, handoff, {
      citations: found.citations,
      grounded: true,
    });
  }

  function noAnswer(classified?: Classified): ChatReply {
    const personal = classified?.kind === "question" ? classified.personal : undefined;
    return personal?.reply ?? reply("no-answer", NO_ANSWER, staffHandoff(clinic));
  }

  function modelPassages(parts: Evidence[]): Candidate[] {
    const floor = decision.judge.threshold - decision.judge.unsureBand;
    const chosen = new Map<string, Candidate>();
    for (const evidence of parts) {
      const [best, ...rest] = evidence.candidates;
      if (!best || evidence.judgement === "none") continue;
      for (const c of [
        best,
        ...rest.filter((r) => r.probability >= floor && r.sentences.length > 0),
      ]) {
        if (!chosen.has(c.chunk.chunkId)) chosen.set(c.chunk.chunkId, c);
      }
    }
    return [...chosen.values()].slice(0, MODEL_PASSAGES);
  }

  function notRepeated(answer: ChatReply, history?: HistoryTurn[]): ChatReply {
    const previous = history?.findLast((turn) => turn.role === "bot");
    return answer.kind === "answer" && previous?.text === answer.answer
      ? { ...answer, answer: `${NOTHING_MORE} ${answer.answer}`, handoff: staffHandoff(clinic) }
      : answer;
  }

  return { classify, findEvidence, extractive, noAnswer, notRepeated, modelPassages };
}

/**
 * The offline, extractive answerer: intents first, then retrieval and the answer decision,
 * then an answer quoted from the best passage with a `[n]` after every sentence. It never
 * states anything that is not in a cited passage, and refuses whenever the decision is not
 * sure (the generative mode may let a model judge those).
 */
export function createAnswerer(deps: AnswererDeps): Answerer {
  const steps = createAnswerSteps(deps);

  async function answerQuestion(input: AnswerInput): Promise<ChatReply> {
    const classified = await steps.classify(input.message, input.history);
    if (classified.kind === "reply") return classified.reply;
    const parts = await steps.findEvidence(classified.question, classified.context);
    return judgementOf(parts) === "answer"
      ? steps.notRepeated(steps.extractive(parts, classified), input.history)
      : steps.noAnswer(classified);
  }

  async function* streamAnswer(input: AnswerInput) {
    const full = await answerQuestion(input);
    for (const delta of toDeltas(full.answer)) yield { delta };
    yield full;
  }

  return { answerQuestion, streamAnswer };
}
