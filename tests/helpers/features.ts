import type { PassageFeatures } from "../../src/retrieval/retriever.js";

/** A candidate's features with every signal at 0 except those given. */
export function passageFeatures(values: Partial<PassageFeatures> = {}): PassageFeatures {
  return {
    dense: 0,
    bank: 0,
    bankless: 0,
    denseGap: 0,
    bankGap: 0,
    lexical: 0,
    bm25: 0,
    lexicalTop: 0,
    coverage: 0,
    missing: 0,
    unknownShare: 0,
    typeMissing: 0,
    offerMissing: 0,
    sentence: 0,
    intro: 0,
    followUp: 0,
    unanswered: 0,
    unansweredMargin: 0,
    ...values,
  };
}
