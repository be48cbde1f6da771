/**
 * `npm run ingest -- --suggest-questions`: after indexing, the chat model drafts questions
 * for the sections of the articles that have none in `questions.json` (src/content/
 * suggest-questions.ts). Drafts are stored beside the questions and used only once an admin
 * accepts them in the admin console.
 */
import { createChatModel } from "../src/answer/llm/chat-model.js";
import type { Config } from "../src/config.js";
import { createQuestionBankStore } from "../src/content/question-bank-store.js";
import { listCorpusSections } from "../src/content/sections.js";
import { suggestQuestions } from "../src/content/suggest-questions.js";
import { AppError } from "../src/errors.js";

export const SUGGEST_FLAG = "--suggest-questions";

/**
 * Whether the command line asks for drafts; with the flag but no chat model configured, a
 * clear error before any work is done.
 */
export function wantsQuestionDrafts(args: readonly string[], config: Config): boolean {
  if (!args.includes(SUGGEST_FLAG)) return false;
  if (!config.llm) {
    throw new AppError(
      "config",
      `${SUGGEST_FLAG} drafts questions with a chat model: set ANSWER_MODE=llm and CHAT_MODEL, with OPENAI_BASE_URL for a local model server or OPENAI_API_KEY for OpenAI.`,
    );
  }
  return true;
}

/** Drafts questions for the corpus's sections without any, printing what it did. */
export async function draftQuestions(config: Config, log: (line: string) => void): Promise<void> {
  const llm = config.llm;
  if (!llm) return;
  log(`Drafting questions with ${llm.model} for the sections that have none…`);
  const summary = await suggestQuestions({
    model: createChatModel(llm),
    store: createQuestionBankStore({
      corpusDir: config.corpusDir,
      clinicProfilePath: config.clinicProfilePath,
    }),
    sections: await listCorpusSections(config.corpusDir, config.clinicProfilePath),
    timeoutMs: llm.timeoutMs,
    onSection: (section, outcome) =>
      log(
        `  ${outcome === "drafted" ? "drafted" : "no usable question"}: ${section.title ?? section.docId} › ${section.heading}`,
      ),
  });
  log(
    `Drafted questions for ${summary.drafted} ${summary.drafted === 1 ? "section" : "sections"} ` +
      `(${summary.cached} already drafted from their current text, ${summary.withQuestions} with questions, ` +
      `${summary.empty.length} without a usable draft). Review them in the admin console's question bank; ` +
      "drafts are not used in answers until accepted.",
  );
}
