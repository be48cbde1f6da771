/**
 * The clinic's question bank (`corpus/questions.json`): for each section of an article, the
 * questions visitors ask that it answers. A visitor's question is matched against these
 * question to question, which finds the right section far more often than matching it
 * against the passage's prose. It is content, like the articles: written from them (never to
 * make a test pass), built into the index and swapped in with it.
 */
import { z } from "zod";
import { loadContentFile, type LoadedContent, saveContentFile } from "./content-file.js";
import { DOC_ID_PATTERN } from "./doc-id.js";

export const QUESTION_BANK_FILE = "questions.json";

const question = z
  .string()
  .trim()
  .min(3, "must be at least 3 characters")
  .max(300, "must be at most 300 characters");

/** Schema of `corpus/questions.json`. Unknown keys are an error, so a typo fails loudly. */
export const questionBankSchema = z.strictObject({
  /** True while the questions are a sample the clinic still has to review. */
  sample: z.boolean().default(false),
  note: z.string().optional(),
  sections: z
    .array(
      z.strictObject({
        docId: z.string().regex(DOC_ID_PATTERN, "must be a document id"),
        /** The section's own heading, exactly as written (the title for the introduction). */
        heading: z.string().trim().min(1, "must not be empty").max(200),
        /** Questions this section answers: used in answers from the next re-index on. */
        questions: z.array(question).max(200, "must have at most 200 questions"),
        /**
         * Questions a model drafted for this section, not used until an admin accepts them;
         * `contentHash` is the section text they were drafted from.
         */
        drafts: z
          .strictObject({ contentHash: z.string(), questions: z.array(question).max(50) })
          .optional(),
      }),
    )
    .max(20_000, "must have at most 20000 sections"),
  /**
   * Questions on the articles' topics that the articles do not answer (staff mark them so
   * from a transcript). A visitor's question closer to one of these than to any answered
   * question is refused instead of answered from a passage that only looks near.
   */
  unanswered: z.array(question).max(5000, "must have at most 5000 questions").default([]),
});

export type QuestionBank = z.infer<typeof questionBankSchema>;

export const EMPTY_QUESTION_BANK: QuestionBank = { sample: false, sections: [], unanswered: [] };

/** Reads the question bank; no file is an empty bank, a broken one is reported as `problem`. */
export function loadQuestionBank(corpusDir: string): Promise<LoadedContent<QuestionBank>> {
  return loadContentFile(corpusDir, QUESTION_BANK_FILE, questionBankSchema, EMPTY_QUESTION_BANK);
}

export async function saveQuestionBank(corpusDir: string, bank: QuestionBank): Promise<void> {
  await saveContentFile(corpusDir, QUESTION_BANK_FILE, bank);
}
