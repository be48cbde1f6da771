/**
 * The admin API as the console uses it: `Authorization: Bearer <ADMIN_TOKEN>` on every call.
 * Shapes are the server's own types (types only: nothing of the server is bundled).
 */
import type { DocumentListing } from "../../src/admin/documents.js";
import type { ReindexJob } from "../../src/admin/reindexer.js";
import type { Http, Result } from "../console/http.js";
import type { GlossaryTerm } from "./glossary.js";

export type { DocumentListing, ReindexJob };

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
  };
}
