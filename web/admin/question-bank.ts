/**
 * The question bank as the admin console edits it: every section of every article, with its
 * questions one per line, and a model's drafts to accept or discard. The service checks the
 * result again (src/content/question-bank.ts); this says what is wrong, and on which line,
 * before anything is sent, and places the service's own field errors on their lines.
 */
import type { QuestionBank, QuestionBankInfo } from "./api.js";

/** The question rules of the service's schema. */
export const MIN_QUESTION = 3;
export const MAX_QUESTION = 300;
export const MAX_QUESTIONS = 200;
export const MAX_DRAFTS = 50;
export const MAX_UNANSWERED = 5000;

/** One section as the card shows it. */
export interface BankRow {
  docId: string;
  heading: string;
  /** The document's title, or its id when the document is gone. */
  title: string;
  /** The heading's anchor on the article page; null when the section is gone. */
  anchor: string | null;
  /** The section is in the articles now; false when it was renamed or removed. */
  inArticles: boolean;
  /** The index in service has the section. */
  indexed: boolean;
  questions: string[];
  drafts?: {
    contentHash: string;
    questions: string[];
    /** Written from another version of the section's text. */
    stale: boolean;
  };
}

export interface BankDocument {
  docId: string;
  title: string;
  rows: BankRow[];
}

const key = (docId: string, heading: string) => `${docId}\u0000${heading}`;

/** "Title › Heading", how a section is named to people. */
export function sectionLabel(row: { title: string; heading: string }): string {
  return row.title === row.heading ? row.title : `${row.title} › ${row.heading}`;
}

/**
 * The sections to show, by document in the articles' order, each with what the bank has for
 * it; then the bank's sections that are no longer in the articles, by document.
 */
export function bankDocuments(info: Pick<QuestionBankInfo, "bank" | "sections">): BankDocument[] {
  const entries = new Map(info.bank.sections.map((s) => [key(s.docId, s.heading), s]));
  const documents = new Map<string, BankDocument>();
  const current = new Map(info.sections.map((s) => [key(s.docId, s.heading), s]));
  for (const section of info.sections) {
    const entry = entries.get(key(section.docId, section.heading));
    let doc = documents.get(section.docId);
    if (!doc) {
      doc = { docId: section.docId, title: section.title, rows: [] };
      documents.set(section.docId, doc);
    }
    doc.rows.push({
      docId: section.docId,
      heading: section.heading,
      title: section.title,
      anchor: section.anchor,
      inArticles: true,
      indexed: section.indexed,
      questions: entry?.questions ?? [],
      ...(entry?.drafts
        ? {
            drafts: {
              ...entry.drafts,
              stale: entry.drafts.contentHash !== section.contentHash,
            },
          }
        : {}),
    });
  }
  const gone = new Map<string, BankDocument>();
  for (const entry of info.bank.sections) {
    if (current.has(key(entry.docId, entry.heading))) continue;
    const title = documents.get(entry.docId)?.title ?? entry.docId;
    let doc = gone.get(entry.docId);
    if (!doc) {
      doc = { docId: entry.docId, title, rows: [] };
      gone.set(entry.docId, doc);
    }
    doc.rows.push({
      docId: entry.docId,
      heading: entry.heading,
      title,
      anchor: null,
      inArticles: false,
      indexed: false,
      questions: entry.questions,
      ...(entry.drafts ? { drafts: { ...entry.drafts, stale: true } } : {}),
    });
  }
  return [...documents.values(), ...gone.values()];
}

export function questionsToText(questions: readonly string[]): string {
  return questions.join("\n");
}

/** The questions of a text, one per non-blank line, with the line (1-based) each came from. */
export function textToQuestions(text: string): { questions: string[]; lines: number[] } {
  const questions: string[] = [];
  const lines: number[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const question = line.trim();
    if (!question) return;
    questions.push(question);
    lines.push(i + 1);
  });
  return { questions, lines };
}

/** What is wrong with a section's lines, named by line, or null. */
export function checkQuestions(
  label: string,
  parsed: { questions: string[]; lines: number[] },
  max: number,
  what = "questions",
  per = " per section",
): string | null {
  for (const [i, question] of parsed.questions.entries()) {
    const line = parsed.lines[i];
    if (question.length < MIN_QUESTION) {
      return `${label}, line ${line}: a question is at least ${MIN_QUESTION} characters.`;
    }
    if (question.length > MAX_QUESTION) {
      return `${label}, line ${line}: a question is at most ${MAX_QUESTION} characters (this one has ${question.length}).`;
    }
  }
  if (parsed.questions.length > max) {
    return `${label}: at most ${max} ${what}${per} (there are ${parsed.questions.length}).`;
  }
  return null;
}

/** Questions added to `existing` that it does not have yet (case, spaces and end marks aside). */
export function mergeQuestions(existing: readonly string[], added: readonly string[]): string[] {
  const norm = (q: string) =>
    q
      .toLowerCase()
      .replace(/\s+/g, " ")
      .replace(/^[\s\p{P}]+|[\s\p{P}]+$/gu, "");
  const seen = new Set(existing.map(norm));
  const merged = [...existing];
  for (const question of added) {
    if (seen.has(norm(question))) continue;
    seen.add(norm(question));
    merged.push(question);
  }
  return merged;
}

/** A section as edited: its questions and drafts, each with the line numbers they came from. */
export interface EditedSection {
  row: BankRow;
  questions: { questions: string[]; lines: number[] };
  drafts?: { contentHash: string; questions: string[]; lines: number[] };
}

/**
 * The bank to save: sections in the order shown, leaving out those with neither questions nor
 * drafts (nothing to keep), the questions the articles do not answer as edited (as loaded
 * when not given), and no longer a sample once an admin saved it.
 */
export function editedBank(
  previous: QuestionBank,
  edited: readonly EditedSection[],
  unanswered: readonly string[] = previous.unanswered,
): { bank: QuestionBank; saved: EditedSection[] } {
  const saved = edited.filter((s) => s.questions.questions.length > 0 || s.drafts);
  return {
    bank: {
      sample: false,
      ...(previous.note !== undefined ? { note: previous.note } : {}),
      unanswered: [...unanswered],
      sections: saved.map((s) => ({
        docId: s.row.docId,
        heading: s.row.heading,
        questions: s.questions.questions,
        ...(s.drafts
          ? { drafts: { contentHash: s.drafts.contentHash, questions: s.drafts.questions } }
          : {}),
      })),
    },
    saved,
  };
}

/**
 * The line of the questions the articles do not answer that the service's field error
 * `unanswered.4` names (the fifth question), or undefined for another field.
 */
export function unansweredErrorLine(
  field: string,
  parsed: { lines: number[] },
): number | null | undefined {
  const match = /^unanswered(?:\.(\d+))?/.exec(field);
  if (!match) return undefined;
  return match[1] === undefined ? null : (parsed.lines[Number(match[1])] ?? null);
}

/**
 * The service's field error for a saved bank, placed on its section and line:
 * `sections.2.questions.4` → the third saved section's questions, at the line of the fifth.
 */
export function placeFieldError(
  field: string,
  message: string,
  saved: readonly EditedSection[],
): { section: EditedSection; part: "questions" | "drafts"; text: string } | null {
  const match = /^sections\.(\d+)(?:\.(questions|drafts\.questions)(?:\.(\d+))?)?/.exec(field);
  const section = match ? saved[Number(match[1])] : undefined;
  if (!match || !section) return null;
  const part = match[2] === "drafts.questions" ? "drafts" : "questions";
  const lines = part === "drafts" ? section.drafts?.lines : section.questions.lines;
  const line = match[3] === undefined ? undefined : lines?.[Number(match[3])];
  const label = `${part === "drafts" ? "Drafts for " : ""}${sectionLabel(section.row)}`;
  return {
    section,
    part,
    text: `${label}${line === undefined ? "" : `, line ${line}`}: ${message}.`,
  };
}
