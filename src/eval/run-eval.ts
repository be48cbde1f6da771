import type { Answerer } from "../answer/answerer.js";
import type { ChatReply, HistoryTurn } from "../answer/types.js";
import type { SearchIndex } from "../index/search-index.js";
import type { EvalCase } from "./eval-cases.js";

export interface CaseResult {
  id: string;
  category: string;
  question: string;
  reply: ChatReply;
  /** Heading paths of the cited passages, in citation order. */
  citedPaths: string[][];
  sectionAt1: boolean | null;
  sectionAt3: boolean | null;
  /** 1 / rank of the first citation under an expected section; 0 when none is; null when not scored. */
  reciprocalRank: number | null;
  keywordsFound: number;
  keywordsExpected: number;
  handoffOk: boolean | null;
  groundedOk: boolean | null;
  /** An unrelated question answered with content. */
  wrongAnswer: boolean;
  ms: number;
}

export interface EvalReport {
  cases: number;
  sectionAt1: number;
  sectionAt3: number;
  sectionCases: number;
  /** Mean reciprocal rank of the first right citation, over the section@1 cases. */
  mrr: number;
  keywordHitRate: number;
  unrelated: number;
  wrongOnUnrelated: number;
  intentAccuracy: number;
  intentCases: number;
  groundedAccuracy: number;
  medianMs: number;
  results: CaseResult[];
}

function ratio(hits: number, total: number): number {
  return total === 0 ? 1 : hits / total;
}

function mean(values: number[]): number {
  return values.length === 0 ? 1 : values.reduce((s, v) => s + v, 0) / values.length;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return 0;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * Runs every case through the answerer (earlier turns first, to build the history) and
 * scores the reply to the last turn. Definitions: tests/eval/README.md.
 */
export async function runEval(
  answerer: Answerer,
  index: SearchIndex,
  cases: EvalCase[],
): Promise<EvalReport> {
  const pathOf = new Map<string, string[]>();
  for (const chunk of index.chunks) pathOf.set(`${chunk.url}`, chunk.headingPath);
  const results: CaseResult[] = [];
  for (const c of cases) {
    const history: HistoryTurn[] = [];
    for (const turn of c.turns.slice(0, -1)) {
      const earlier = await answerer.answerQuestion({ message: turn, history: [...history] });
      history.push({ role: "visitor", text: turn }, { role: "bot", text: earlier.answer });
    }
    const question = c.turns[c.turns.length - 1] as string;
    const started = performance.now();
    const reply = await answerer.answerQuestion({ message: question, history });
    const ms = performance.now() - started;

    const citedPaths = reply.citations.map(
      (cit) => pathOf.get(cit.url) ?? [cit.title, cit.section],
    );
    const matches = (path: string[]) => c.expect.sections.some((s) => path.includes(s));
    const hasSections = c.expect.sections.length > 0;
    const firstRight = citedPaths.findIndex(matches);
    const answer = reply.answer.toLowerCase();
    const keywordsFound = c.expect.keywords.filter((k) => answer.includes(k.toLowerCase())).length;
    const unrelated = c.category === "unrelated";
    results.push({
      id: c.id,
      category: c.category,
      question,
      reply,
      citedPaths,
      sectionAt1: hasSections ? citedPaths.slice(0, 1).some(matches) : null,
      sectionAt3: hasSections ? citedPaths.slice(0, 3).some(matches) : null,
      reciprocalRank: hasSections ? (firstRight < 0 ? 0 : 1 / (firstRight + 1)) : null,
      keywordsFound,
      keywordsExpected: c.expect.keywords.length,
      handoffOk: c.expect.handoff === null ? null : reply.handoff?.kind === c.expect.handoff,
      groundedOk: c.expect.grounded === undefined ? null : reply.grounded === c.expect.grounded,
      wrongAnswer: unrelated && (reply.grounded || reply.citations.length > 0),
      ms,
    });
  }
  const scored = <K extends keyof CaseResult>(key: K) => results.filter((r) => r[key] !== null);
  const count = <K extends keyof CaseResult>(key: K) =>
    results.filter((r) => r[key] === true).length;
  const keywordTotal = results.reduce((s, r) => s + r.keywordsExpected, 0);
  const keywordHits = results.reduce((s, r) => s + r.keywordsFound, 0);
  const unrelatedCount = results.filter((r) => r.category === "unrelated").length;
  return {
    cases: results.length,
    sectionAt1: ratio(count("sectionAt1"), scored("sectionAt1").length),
    sectionAt3: ratio(count("sectionAt3"), scored("sectionAt3").length),
    sectionCases: scored("sectionAt1").length,
    mrr: mean(results.flatMap((r) => (r.reciprocalRank === null ? [] : [r.reciprocalRank]))),
    keywordHitRate: ratio(keywordHits, keywordTotal),
    unrelated: unrelatedCount,
    wrongOnUnrelated: results.filter((r) => r.wrongAnswer).length,
    intentAccuracy: ratio(count("handoffOk"), scored("handoffOk").length),
    intentCases: scored("handoffOk").length,
    groundedAccuracy: ratio(count("groundedOk"), scored("groundedOk").length),
    medianMs: median(results.map((r) => r.ms)),
    results,
  };
}
