/**
 * The admin API as the console uses it: `Authorization: Bearer <ADMIN_TOKEN>` on every call.
 * Shapes are the server's own types (types only: nothing of the server is bundled).
 */
import type { DocumentListing } from "../../src/admin/documents.js";
import type { ReindexJob } from "../../src/admin/reindexer.js";
import type { BookingExamples } from "../../src/content/booking-examples.js";
import type { QuestionBank } from "../../src/content/question-bank.js";
import type { DraftSummary } from "../../src/content/suggest-questions.js";
import type { QuestionExplanation } from "../../src/admin/try-question.js";
import type { Http, Result } from "../console/http.js";
import type { GlossaryTerm } from "./glossary.js";

export type {
  BookingExamples,
  DocumentListing,
  DraftSummary,
  QuestionBank,
  QuestionExplanation,
  ReindexJob,
};

/** A section of the articles, as the question bank's GET lists them. */
export interface BankSection {
  docId: string;
  title: string;
  heading: string;
  anchor: string;
  /** sha256 of the section's text now: drafts written from other text are out of date. */
  contentHash: string;
  /** The index in service has it (false until the next re-index for a new section). */
  indexed: boolean;
}

export interface QuestionBankInfo {
  bank: QuestionBank;
  problem?: string;
  /** The file's version, sent back with a save so that it never overwrites newer changes. */
  version: string;
  sections: BankSection[];
  /** A chat model is configured, so "Draft questions" can work. */
  drafting: boolean;
}

export interface BookingExamplesInfo {
  examples: BookingExamples;
  problem?: string;
}

export interface DocumentList {
  documents: DocumentListing[];
  skipped: { file: string; reason: string }[];
}

export interface IndexInfo {
  index: {
    documents: number;
    chunks: number;
    embeddingModel: string;
    dimensions: number;
    builtAt: string;
    buildId: string;
  } | null;
  jobs: ReindexJob[];
}

export interface GlossaryInfo {
  glossary: { sample: boolean; note?: string; terms: GlossaryTerm[] };
  /** Why the glossary file on disk cannot be used, if it cannot. */
  problem?: string;
  /** Terms of the glossary the answers use now (null while the service is starting). */
  inService: number | null;
}

export interface Saved {
  docId: string;
  file: string;
  created: boolean;
}

export type Upload =
  | { kind: "file"; file: Blob; contentType: string }
  | { kind: "markdown"; title: string; url?: string; markdown: string };

export interface AdminApi {
  documents(): Promise<Result<DocumentList>>;
  index(): Promise<Result<IndexInfo>>;
  put(docId: string, upload: Upload): Promise<Result<Saved>>;
  remove(docId: string): Promise<Result<null>>;
  reindex(): Promise<Result<{ jobId: string; state: ReindexJob["state"] }>>;
  job(jobId: string): Promise<Result<ReindexJob>>;
  glossary(): Promise<Result<GlossaryInfo>>;
  putGlossary(terms: GlossaryTerm[]): Promise<Result<{ terms: number }>>;
  questions(): Promise<Result<QuestionBankInfo>>;
  putQuestions(
    bank: QuestionBank,
    version: string,
  ): Promise<
    Result<{
      sections: number;
      questions: number;
      drafts: number;
      unanswered: number;
      version: string;
    }>
  >;
  draftQuestions(): Promise<Result<DraftSummary>>;
  bookingExamples(): Promise<Result<BookingExamplesInfo>>;
  putBookingExamples(
    examples: BookingExamples,
  ): Promise<Result<{ requests: number; notRequests: number }>>;
  tryQuestion(question: string): Promise<Result<QuestionExplanation>>;
}

export function createAdminApi(http: Http): AdminApi {
  const doc = (docId: string) => `/api/admin/documents/${encodeURIComponent(docId)}`;
  return {
    documents: () => http.request("GET", "/api/admin/documents"),
    index: () => http.request("GET", "/api/admin/index"),
    put: (docId, upload) =>
      upload.kind === "file"
        ? http.request("PUT", doc(docId), { body: upload.file, contentType: upload.contentType })
        : http.request("PUT", doc(docId), {
            json: {
              title: upload.title,
              markdown: upload.markdown,
              ...(upload.url ? { url: upload.url } : {}),
            },
          }),
    remove: (docId) => http.request("DELETE", doc(docId)),
    reindex: () => http.request("POST", "/api/admin/reindex"),
    job: (jobId) => http.request("GET", `/api/admin/reindex/${encodeURIComponent(jobId)}`),
    glossary: () => http.request("GET", "/api/admin/glossary"),
    putGlossary: (terms) => http.request("PUT", "/api/admin/glossary", { json: { terms } }),
    questions: () => http.request("GET", "/api/admin/questions"),
    putQuestions: (bank, version) =>
      http.request("PUT", "/api/admin/questions", {
        json: bank,
        headers: { "if-match": `"${version}"` },
      }),
    draftQuestions: () => http.request("POST", "/api/admin/questions/drafts", { json: {} }),
    bookingExamples: () => http.request("GET", "/api/admin/booking-examples"),
    putBookingExamples: (examples) =>
      http.request("PUT", "/api/admin/booking-examples", { json: examples }),
    tryQuestion: (question) => http.request("POST", "/api/admin/try", { json: { question } }),
  };
}
