/**
 * The retrieval port: what the answer layer asks of retrieval, and what it gets back. The
 * answerer, the extractive composer and the generative mode work only with `Evidence`; they
 * never see embeddings, word lists or indexes, so any retriever (or `createFakeRetriever`)
 * can stand behind them.
 */
import type { Chunk } from "../content/types.js";

/**
 * The named signals the answer decision weighs for one candidate passage (all roughly 0..1).
 * `src/retrieval/decision.ts` turns them into a probability that the passage answers.
 */
export interface PassageFeatures {
  /** Cosine similarity of the question and the passage. */
  dense: number;
  /** Best similarity of the question to a bank question of the passage's section (0: none). */
  bank: number;
  /** 1 when the passage's section has no bank questions (an article added without any). */
  bankless: number;
  /** `dense` minus the best candidate's (0 for the best, negative for the others). */
  denseGap: number;
  /** `bank` minus the best candidate's. */
  bankGap: number;
  /** BM25 over passage, headings and bank questions, relative to the best hit. */
  lexical: number;
  /** This passage's BM25 score, squashed to 0..1 with s / (s + 8). */
  bm25: number;
  /** The best BM25 hit's score, squashed to 0..1: whether any passage shares telling words. */
  lexicalTop: number;
  /** Rarity-weighted share of the question's words that the passage (or its section) has. */
  coverage: number;
  /** How rare the rarest question word is that nothing in the corpus has (0: none missing). */
  missing: number;
  /** Weighted share of the question's own words that nothing in the corpus has. */
  unknownShare: number;
  /**
   * 1 when the question asks for a type of answer (a price, a duration, an age, a count)
   * that the passage does not hold (see answer-type.ts), else 0.
   */
  typeMissing: number;
  /**
   * For "do you do X?", the share of X that the passage's section (its headings and bank
   * questions) is not about; 0 for other questions.
   */
  offerMissing: number;

  /** Best cosine similarity of the question and one of the passage's sentences. */
  sentence: number;
  /** 1 for an introduction (it touches every topic briefly), else 0. */
  intro: number;
  /** 1 when the question is a follow-up read with earlier words. */
  followUp: number;
  /** Best similarity of the question to one the articles do not answer (0: none known). */
  unanswered: number;
  /** `unanswered` minus the best `bank` similarity: closer to a known gap than to an answer. */
  unansweredMargin: number;
  /** Optional extras, such as word alignment in the bench's ablation. */
  [extra: string]: number;
}

/** A quotable sentence (or list with its lead-in) of a candidate, scored against the question. */
export interface ScoredSentence {
  lines: string[];
  /** Position in the passage. */
  order: number;
  /** Cosine similarity of the question and the sentence. */
  similarity: number;
  /** Rarity-weighted share of the question's words the sentence has. */
  overlap: number;
  /** The question's words (stems) the sentence has. */
  matched: string[];
}

export interface Candidate {
  row: number;
  chunk: Chunk;
  features: PassageFeatures;
  /** The ranker's probability that this is the passage that answers (candidates are in its order). */
  rank: number;
  /** The judge's probability that the articles answer the question with this passage. */
  probability: number;
  /** Its sentences, in reading order. */
  sentences: ScoredSentence[];
}

/**
 * "answer": the articles answer it; "unsure": a documented band below the threshold, where
 * a configured model may judge, and the offline mode refuses; "none": they do not.
 */
export type Judgement = "answer" | "unsure" | "none";

export interface Evidence {
  /** Candidates, best ranked first. */
  candidates: Candidate[];
  judgement: Judgement;
  /** The judge's probability for the best-ranked candidate. */
  confidence: number;
  /** The question's telling words (stems), with their weights, for composing the answer. */
  words: EvidenceWord[];
}

/** A telling word of the question, and (for explaining an answer) where it came from. */
export interface EvidenceWord {
  stem: string;
  weight: number;
  /** As the visitor typed it. */
  word?: string;
  /** From the question itself, or from the earlier question a follow-up refers to. */
  origin?: "question" | "context";
  /** Glossary terms a lay phrase with this word stands for. */
  terms?: string[];
  /** Whether any text of the corpus has it (or a term it stands for). */
  known?: boolean;
}

export interface RetrievalQuery {
  question: string;
  /** Earlier visitor text a follow-up refers to. */
  context?: string;
}

export interface Retriever {
  retrieve(query: RetrievalQuery): Promise<Evidence>;
  /**
   * How close a message is to the example booking requests, and to what is not one (the
   * examples of non-requests and the question bank): each the best cosine similarity.
   */
  bookingSimilarity(message: string): Promise<{ booking: number; other: number }>;
}
