/**
 * A test double for the retrieval port: answers with the evidence a test gives it, and
 * records what it was asked. Lets answer tests run without an index or an embedding model.
 */
import type { Evidence, RetrievalQuery, Retriever } from "./retriever.js";

export interface FakeRetriever extends Retriever {
  readonly queries: RetrievalQuery[];
}

export function createFakeRetriever(
  answer: (query: RetrievalQuery) => Evidence,
  booking: (message: string) => { booking: number; other: number } = () => ({
    booking: 0,
    other: 1,
  }),
): FakeRetriever {
  const queries: RetrievalQuery[] = [];
  return {
    queries,
    async retrieve(query) {
      queries.push(query);
      return answer(query);
    },
    async bookingSimilarity(message) {
      return booking(message);
    },
  };
}

/** Evidence for "the articles do not answer". */
export const NO_EVIDENCE: Evidence = {
  candidates: [],
  judgement: "none",
  confidence: 0,
  words: [],
};
