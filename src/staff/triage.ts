/**
 * Staff triage of visitor questions, from the transcript: "File under section…" adds the
 * question (as stored, contact details already redacted) to that section's questions in the
 * question bank, so the next index build matches it to the section, and takes it out of the
 * content gaps; "Mark unanswerable" confirms it as a gap the articles do not answer and adds
 * it to the bank's questions the articles do not answer, so that from the next index build
 * questions like it are refused rather than answered from a passage that only looks near.
 * Each is recorded on the message and in the audit log with the staff account's name.
 */
import { questionBankSchema } from "../content/question-bank.js";
import {
  addQuestion,
  addUnanswered,
  type QuestionBankStore,
} from "../content/question-bank-store.js";
import { sectionKey } from "../content/sections.js";
import { AppError } from "../errors.js";
import type { AuditLog } from "../store/audit-log.js";
import type { QuestionTriage, TranscriptRepository } from "../store/transcripts.js";
import type { UnitOfWork } from "../store/unit-of-work.js";

export interface TriageDeps {
  unitOfWork: UnitOfWork;
  transcripts: TranscriptRepository;
  audit: AuditLog;
  questions: QuestionBankStore;
}

/** A section staff can file a question under. */
export interface SectionChoice {
  docId: string;
  title: string;
  heading: string;
}

export interface QuestionRef {
  conversationId: string;
  /** The visitor message. */
  messageId: string;
}

export interface Triage {
  /** The articles' sections, in document order. */
  sections(): Promise<SectionChoice[]>;
  /**
   * Files the visitor question under a section of the question bank (once: a question the
   * section already has is not added again). `added` is false when it was there already.
   */
  file(
    ref: QuestionRef,
    section: { docId: string; heading: string },
    actor: string,
  ): Promise<{ triage: QuestionTriage; added: boolean }>;
  /**
   * Marks the visitor question as one the articles do not answer, and adds it to the bank's
   * list of such questions (once). `added` is false when it was there already.
   */
  markUnanswerable(
    ref: QuestionRef,
    actor: string,
  ): Promise<{ triage: QuestionTriage; added: boolean }>;
}

const questionSchema = questionBankSchema.shape.sections.element.shape.questions.element;

export function createTriage(deps: TriageDeps): Triage {
  /** The visitor question's text; not found or not a visitor message is an error. */
  function questionText(ref: QuestionRef): string {
    const message = deps.transcripts.findMessage(ref.conversationId, ref.messageId);
    if (!message) throw new AppError("not_found", "No such message in this conversation");
    if (message.role !== "visitor") {
      throw new AppError("invalid", "Only a visitor's question can be filed or marked");
    }
    return message.text;
  }

  return {
    async sections() {
      return (await deps.questions.sections()).map(({ docId, title, heading }) => ({
        docId,
        title,
        heading,
      }));
    },

    async file(ref, section, actor) {
      const text = questionText(ref);
      const parsed = questionSchema.safeParse(text);
      if (!parsed.success) {
        throw new AppError(
          "invalid",
          `This message cannot be a question-bank question: it ${parsed.error.issues[0]?.message ?? "is not valid"}. An admin can add a shorter wording in the admin console.`,
        );
      }
      const sections = await deps.questions.sections();
      const key = sectionKey(section.docId, section.heading);
      if (!sections.some((s) => sectionKey(s.docId, s.heading) === key)) {
        throw new AppError("invalid", "The articles have no such section", {
          details: { fields: { heading: "is not a section of that document" } },
        });
      }
      const added = await deps.questions.update((bank) => {
        const result = addQuestion(bank, section, parsed.data);
        return result.added ? { bank: result.bank, result: true } : { result: false };
      });
      // The bank is a file and cannot join the transaction: it is written first, so a failure
      // here leaves at worst a filed question not yet marked, which filing again puts right.
      const triage = deps.unitOfWork.run(() => {
        const recorded = deps.transcripts.setTriage(
          ref.conversationId,
          ref.messageId,
          { action: "filed", docId: section.docId, heading: section.heading },
          actor,
        );
        deps.audit.record({
          actor,
          action: "file_question",
          details: { docId: section.docId, heading: section.heading, added },
        });
        return recorded;
      });
      return { triage, added };
    },

    async markUnanswerable(ref, actor) {
      const text = questionText(ref);
      const parsed = questionSchema.safeParse(text);
      // A message too short or too long for the bank is still marked; only the bank skips it.
      const added = parsed.success
        ? await deps.questions.update((bank) => {
            const result = addUnanswered(bank, parsed.data);
            return result.added ? { bank: result.bank, result: true } : { result: false };
          })
        : false;
      const triage = deps.unitOfWork.run(() => {
        const recorded = deps.transcripts.setTriage(
          ref.conversationId,
          ref.messageId,
          { action: "unanswerable" },
          actor,
        );
        deps.audit.record({ actor, action: "mark_unanswerable", details: { added } });
        return recorded;
      });
      return { triage, added };
    },
  };
}
