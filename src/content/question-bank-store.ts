/**
 * The question bank file as the service changes it: admins replace it from the console, staff
 * file visitors' questions into it, and drafting adds a model's suggestions. Every write goes
 * through one queue, so two changes made at once never lose one another, and each is a whole
 * file renamed into place.
 */
import { AppError } from "../errors.js";
import {
  loadQuestionBank,
  type QuestionBank,
  questionBankSchema,
  saveQuestionBank,
} from "./question-bank.js";
import { type CorpusSection, listCorpusSections, sectionKey } from "./sections.js";

/** The version of a bank that has no file yet. */
export const NO_FILE_VERSION = "none";

export interface QuestionBankRead {
  bank: QuestionBank;
  /** Why the file cannot be used (the bank is then empty). */
  problem?: string;
  /** sha256 of the file as read, or {@link NO_FILE_VERSION}: what `replace` can be made conditional on. */
  version: string;
}

export interface QuestionBankStore {
  read(): Promise<QuestionBankRead>;
  /**
   * Writes `bank` as the whole file. With `ifVersion`, only while the file is still that version:
   * otherwise `AppError("precondition_failed")`, and nothing is written.
   */
  replace(bank: QuestionBank, options?: { ifVersion?: string }): Promise<{ version: string }>;
  /**
   * Reads, changes and writes the bank with nothing else writing in between. `change` returns
   * the new bank, or undefined to write nothing. A file that cannot be used is never
   * overwritten this way: `AppError("conflict")` says to fix it first.
   */
  update<T>(change: (bank: QuestionBank) => { bank?: QuestionBank; result: T }): Promise<T>;
  /** The sections of the articles in the corpus folder now (and of the clinic's page). */
  sections(): Promise<CorpusSection[]>;
}

export function createQuestionBankStore(options: {
  corpusDir: string;
  /** The clinic profile, whose generated page has sections too. */
  clinicProfilePath?: string;
}): QuestionBankStore {
  const { corpusDir, clinicProfilePath } = options;
  let queue: Promise<unknown> = Promise.resolve();
  /** Runs `work` after every write queued before it. */
  const serialised = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  };

  const read = async (): Promise<QuestionBankRead> => {
    const { value, problem, version } = await loadQuestionBank(corpusDir);
    return { bank: value, ...(problem ? { problem } : {}), version: version ?? NO_FILE_VERSION };
  };

  const write = async (bank: QuestionBank): Promise<string> => {
    // The file is content other tools read: never write what they would reject.
    await saveQuestionBank(corpusDir, questionBankSchema.parse(bank));
    return (await read()).version;
  };

  return {
    read,
    replace: (bank, { ifVersion } = {}) =>
      serialised(async () => {
        if (ifVersion !== undefined && (await read()).version !== ifVersion) {
          throw new AppError(
            "precondition_failed",
            "The question bank changed since you opened it (a question was filed or drafted). Reload it, then make your change again.",
          );
        }
        return { version: await write(bank) };
      }),
    update: (change) =>
      serialised(async () => {
        const current = await read();
        if (current.problem) {
          throw new AppError(
            "conflict",
            `The question bank file cannot be used (${current.problem}). Fix it in the admin console first; saving there replaces it.`,
          );
        }
        const { bank, result } = change(current.bank);
        if (bank) await write(bank);
        return result;
      }),
    sections: () => listCorpusSections(corpusDir, clinicProfilePath),
  };
}

/** How questions are compared for duplicates: case, spacing and end punctuation aside. */
export function questionKey(text: string): string {
  return text
    .toLowerCase()
    .replace(/\s+/g, " ")
    .replace(/^[\s\p{P}]+|[\s\p{P}]+$/gu, "");
}

/**
 * The bank with `question` added to the section's questions (the section entry is created if
 * the bank has none), unless the section already has it. A question filed as answered is no
 * longer one the articles do not answer.
 */
export function addQuestion(
  bank: QuestionBank,
  section: { docId: string; heading: string },
  question: string,
): { bank: QuestionBank; added: boolean } {
  const text = question.trim();
  const key = sectionKey(section.docId, section.heading);
  const index = bank.sections.findIndex((s) => sectionKey(s.docId, s.heading) === key);
  const existing = index >= 0 ? bank.sections[index] : undefined;
  if (existing?.questions.some((q) => questionKey(q) === questionKey(text))) {
    return { bank, added: false };
  }
  const sections = [...bank.sections];
  if (existing) sections[index] = { ...existing, questions: [...existing.questions, text] };
  else sections.push({ docId: section.docId, heading: section.heading, questions: [text] });
  const unanswered = bank.unanswered.filter((q) => questionKey(q) !== questionKey(text));
  return { bank: { ...bank, sections, unanswered }, added: true };
}

/**
 * The bank with `question` among the questions the articles do not answer, unless it is
 * there already; taken out of any section's questions, since it is no longer taken as
 * answered there.
 */
export function addUnanswered(
  bank: QuestionBank,
  question: string,
): { bank: QuestionBank; added: boolean } {
  const text = question.trim();
  if (bank.unanswered.some((q) => questionKey(q) === questionKey(text))) {
    return { bank, added: false };
  }
  const sections = bank.sections.map((s) =>
    s.questions.some((q) => questionKey(q) === questionKey(text))
      ? { ...s, questions: s.questions.filter((q) => questionKey(q) !== questionKey(text)) }
      : s,
  );
  return { bank: { ...bank, sections, unanswered: [...bank.unanswered, text] }, added: true };
}
