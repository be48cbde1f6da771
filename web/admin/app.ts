/**
 * The admin console: sign in with the admin token (kept in this tab's sessionStorage), then the
 * index in service with a live re-index, the documents, and forms to add, replace and delete
 * them, and the content beside them: the glossary, the question bank and the booking
 * examples (each card in its own module). Every change takes effect in answers after a
 * re-index.
 */
import {
  formatBytes,
  formatDate,
  formatDateTime,
  formatSeconds,
  plural,
} from "../console/format.js";
import { createHttp } from "../console/http.js";
import { showSignInCard } from "../console/sign-in.js";
import { confirmDialog, field, h, isBusy, messageArea, setBusy, uid } from "../console/ui.js";
import type { StorageLike } from "../widget/session.js";
import {
  type AdminApi,
  createAdminApi,
  type DocumentList,
  type IndexInfo,
  type ReindexJob,
  type Upload,
} from "./api.js";
import { bookingExamplesCard } from "./booking-examples-card.js";
import { type AdminLive, type AdminLiveHandlers, connectAdminLive } from "./live.js";
import { glossaryToText, parseGlossaryText } from "./glossary.js";
import { describeJob, isFinished, jobState, QUEUED_LABEL, supersedes } from "./progress.js";
import { questionBankCard } from "./question-bank-card.js";
import {
  ACCEPT,
  checkDocId,
  checkFile,
  checkMarkdown,
  docIdFromName,
  docIdFromTitle,
} from "./upload.js";
import {
  announceReindexed,
  onReindexed,
  showSavedUntilReindex,
  showUntilReindex,
} from "./reindex-hint.js";
import { tryQuestionCard } from "./try-question-card.js";

export interface AdminConsoleOptions {
  root: HTMLElement;
  /** Where the token is kept for this tab (sessionStorage). */
  storage?: StorageLike;
  connect?: (token: string, handlers: AdminLiveHandlers) => AdminLive;
}

const TOKEN_KEY = "admin-console:token";
const TITLE = "Admin console";
/** How often a job is polled while the live connection is down. */
const POLL_MS = 500;

export function startAdminConsole(options: AdminConsoleOptions): void {
  const { root, storage } = options;
  const connect = options.connect ?? connectAdminLive;
  let token = readToken();
  let session: { close(): void } | undefined;

  const http = createHttp({
    headers: (): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {}),
    onUnauthorized: () => {
      if (!session) return;
      endSession("The admin token was not accepted. Please sign in again.");
    },
  });
  const api = createAdminApi(http);

  function readToken(): string | undefined {
    try {
      return storage?.getItem(TOKEN_KEY) ?? undefined;
    } catch {
      return undefined;
    }
  }
  function saveToken(value: string | undefined): void {
    token = value;
    try {
      if (value) storage?.setItem(TOKEN_KEY, value);
      else storage?.removeItem(TOKEN_KEY);
    } catch {
      // Blocked storage: the token lives in memory for this page view.
    }
  }

  function endSession(reason: string): void {
    session?.close();
    session = undefined;
    saveToken(undefined);
    showSignIn(reason);
  }

  function showSignIn(reason?: string): void {
    showSignInCard(root, {
      title: TITLE,
      explanation:
        "Sign in with the admin token (ADMIN_TOKEN) to manage the clinic's articles and the search index.",
      label: "Admin token",
      hint: "Kept in this browser tab only, until you sign out or close it.",
      missing: "Enter the admin token.",
      reason,
      submit: async (candidate) => {
        const previous = token;
        token = candidate;
        const check = await api.index();
        if (!check.ok) {
          token = previous;
          return check.status === 403
            ? "That is a staff token. The admin console needs the admin token (ADMIN_TOKEN)."
            : check.status === 401
              ? "That is not the admin token. Check it and try again."
              : check.message;
        }
        saveToken(candidate);
        showConsole(check.value);
        return null;
      },
    });
  }

  async function boot(): Promise<void> {
    if (!token) return showSignIn();
    root.replaceChildren(h("main", { class: "center" }, h("p", { class: "muted" }, "Loading…")));
    const info = await api.index();
    if (info.ok) return showConsole(info.value);
    if (info.status === 401 || info.status === 403) return endSession("Please sign in again.");
    root.replaceChildren(
      h(
        "main",
        { class: "center" },
        h("p", { class: "message", "data-tone": "error" }, info.message),
      ),
    );
  }

  function showConsole(initial: IndexInfo): void {
    document.title = TITLE;
    const adminToken = token as string;
    const view = createConsoleView(api, initial, () => endSession("You are signed out."));
    root.replaceChildren(...view.elements);
    const live = connect(adminToken, {
      update: (job) => view.jobUpdate(job),
      state: (state) => {
        view.liveState(state);
        if (state === "refused")
          endSession("The admin token was not accepted. Please sign in again.");
      },
    });
    view.setLive(live);
    session = {
      close() {
        live.close();
        view.close();
      },
    };
  }

  void boot();
}

interface ConsoleView {
  elements: HTMLElement[];
  jobUpdate(job: ReindexJob): void;
  liveState(state: string): void;
  setLive(live: AdminLive): void;
  close(): void;
}

function createConsoleView(api: AdminApi, initial: IndexInfo, signOut: () => void): ConsoleView {
  let info = initial;
  let documents: DocumentList | undefined;
  let live: AdminLive | undefined;
  let pollTimer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const announcer = h("div", { class: "sr-only", "aria-live": "polite" });
  const announce = (text: string) => announcer.replaceChildren(text);

  // --- header ---------------------------------------------------------------------------
  const liveIndicator = h(
    "span",
    { class: "live-state", "data-state": "connecting" },
    "Connecting…",
  );
  const signOutButton = h("button", { type: "button", class: "button subtle" }, "Sign out");
  signOutButton.addEventListener("click", signOut);
  const clinicName = h("span", { class: "brand-clinic" });
  const header = h(
    "header",
    { class: "topbar" },
    h("a", { class: "skip-link", href: "#main" }, "Skip to content"),
    h("div", { class: "brand" }, h("span", { class: "brand-name" }, TITLE), clinicName),
    h(
      "div",
      { class: "account" },
      liveIndicator,
      h("span", { class: "who" }, "Signed in as ", h("strong", {}, "admin")),
      signOutButton,
    ),
  );
  void fetch("/api/clinic")
    .then((r) => (r.ok ? (r.json() as Promise<{ name?: unknown }>) : null))
    .then((clinic) => {
      if (typeof clinic?.name === "string") clinicName.textContent = clinic.name;
    })
    .catch(() => undefined);

  // --- index and re-index -----------------------------------------------------------------
  const stats = h("dl", { class: "stats" });
  const pending = h("p", { class: "message", "data-tone": "info", hidden: true });
  const reindexButton = h("button", { type: "button", class: "button primary" }, "Re-index");
  const jobLine = h("p", { class: "job-line", "data-state": "idle" });
  const progress = h("progress", {
    class: "job-progress",
    max: 1,
    hidden: true,
    "aria-label": "Re-index progress",
  });
  const historyBody = h("tbody");
  const indexSection = h(
    "section",
    { class: "card", "aria-labelledby": "index-heading" },
    h("h2", { id: "index-heading" }, "Search index"),
    stats,
    pending,
    h("div", { class: "reindex" }, reindexButton, h("div", { class: "job" }, jobLine, progress)),
    h(
      "details",
      { class: "history-box" },
      h("summary", {}, "Past re-index jobs"),
      h(
        "div",
        { class: "table-wrap" },
        h(
          "table",
          {},
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              ...[
                "Started",
                "By",
                "State",
                "Took",
                "Documents",
                "Passages",
                "Embedded / reused",
                "Error",
              ].map((label) => h("th", { scope: "col" }, label)),
            ),
          ),
          historyBody,
        ),
      ),
    ),
  );

  let currentJob: ReindexJob | undefined;

  function renderStats(): void {
    const index = info.index;
    const lastDone = info.jobs.find((job) => job.state === "done" && job.stats);
    const entries: [string, string][] = index
      ? [
          ["Documents", String(index.documents)],
          ["Passages", String(index.chunks)],
          ["Embedding model", index.embeddingModel],
          ["Built", formatDateTime(index.builtAt)],
          ["Build took", lastDone?.stats ? formatSeconds(lastDone.stats.seconds) : "—"],
        ]
      : [["Index", "Not loaded yet (the service is starting)"]];
    stats.replaceChildren(
      ...entries.map(([term, value]) =>
        h("div", { class: "stat" }, h("dt", {}, term), h("dd", {}, value)),
      ),
    );
    historyBody.replaceChildren(
      ...(info.jobs.length === 0
        ? [h("tr", {}, h("td", { colspan: 8, class: "muted" }, "No re-index has run yet."))]
        : info.jobs.map((job) =>
            h(
              "tr",
              {},
              h("td", {}, formatDateTime(job.createdAt)),
              h("td", {}, job.requestedBy),
              h(
                "td",
                {},
                h(
                  "span",
                  {
                    class: `badge ${job.state === "done" ? "ok" : job.state === "failed" ? "bad" : ""}`,
                  },
                  jobState(job),
                ),
              ),
              h("td", {}, job.stats ? formatSeconds(job.stats.seconds) : "—"),
              h("td", {}, job.stats ? String(job.stats.documents) : "—"),
              h("td", {}, job.stats ? String(job.stats.chunks) : "—"),
              h("td", {}, job.stats ? `${job.stats.embedded} / ${job.stats.reused}` : "—"),
              h("td", {}, job.error ?? ""),
            ),
          )),
    );
    renderPending();
  }

  function renderPending(): void {
    const index = info.index;
    if (!documents || !index) {
      pending.hidden = true;
      return;
    }
    const waiting = documents.documents.filter((d) => d.chunks === null).length;
    const removed = index.documents - (documents.documents.length - waiting);
    const parts = [
      waiting > 0 ? `${plural(waiting, "document")} new or changed` : "",
      removed > 0 ? `${plural(removed, "document")} deleted` : "",
    ].filter(Boolean);
    pending.hidden = parts.length === 0;
    pending.textContent = parts.length
      ? `${parts.join(", ")} since the last re-index. Re-index to bring the answers up to date.`
      : "";
  }

  function running(): boolean {
    return currentJob?.state === "queued" || currentJob?.state === "running";
  }

  function showJob(job: ReindexJob): void {
    const view = describeJob(job);
    jobLine.textContent = view.label;
    jobLine.dataset.state = job.state;
    if (view.progress) {
      progress.hidden = false;
      progress.max = view.progress.total;
      progress.value = view.progress.done;
    } else if (view.finished) {
      progress.hidden = !!view.failed;
      progress.max = 1;
      progress.value = 1;
    } else {
      progress.hidden = false;
      progress.removeAttribute("value"); // indeterminate
    }
    if (running()) setBusy(reindexButton, true, "Re-indexing…");
    else setBusy(reindexButton, false);
  }

  async function refresh(): Promise<void> {
    const [index, docs] = await Promise.all([api.index(), api.documents()]);
    if (index.ok) info = index.value;
    if (docs.ok) {
      documents = docs.value;
      renderDocuments();
    } else documentsMessage.show(docs.message, "error");
    renderStats();
  }

  /** Shows a job's progress; another admin's job too (only one runs at a time). */
  function jobUpdate(job: ReindexJob): void {
    if (closed || !supersedes(currentJob, job)) return;
    currentJob = job;
    showJob(job);
    if (isFinished(job)) {
      clearTimeout(pollTimer);
      announce(describeJob(job).label);
      if (job.state === "done") announceReindexed();
      void refresh();
    }
  }

  async function poll(jobId: string): Promise<void> {
    if (closed || live?.connected || currentJob?.id !== jobId || !running()) return;
    const result = await api.job(jobId);
    if (result.ok) jobUpdate(result.value);
    if (running()) pollTimer = setTimeout(() => void poll(jobId), POLL_MS);
  }

  reindexButton.addEventListener("click", async () => {
    if (isBusy(reindexButton)) return;
    setBusy(reindexButton, true, "Re-indexing…");
    // As the queued job will say, so the line does not go back and forth.
    jobLine.textContent = QUEUED_LABEL;
    jobLine.dataset.state = "queued";
    const result = await api.reindex();
    if (!result.ok) {
      setBusy(reindexButton, false);
      jobLine.textContent = `Could not start: ${result.message}`;
      jobLine.dataset.state = "failed";
      return;
    }
    announce("Re-index started.");
    // The live updates may have come first; otherwise fetch where the job is.
    if (currentJob?.id !== result.value.jobId) {
      const job = await api.job(result.value.jobId);
      if (job.ok) jobUpdate(job.value);
    }
    if (!live?.connected && running()) {
      pollTimer = setTimeout(() => void poll(result.value.jobId), POLL_MS);
    }
  });

  // --- documents --------------------------------------------------------------------------
  const documentsMessage = messageArea();
  const docBody = h("tbody");
  const skippedBox = h("div", { class: "skipped", hidden: true });
  const documentsSection = h(
    "section",
    { class: "card", "aria-labelledby": "documents-heading" },
    h("h2", { id: "documents-heading" }, "Documents"),
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "documents" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            ...["Title", "Updated", "Passages", "Size", "Actions"].map((label) =>
              h("th", { scope: "col" }, label),
            ),
          ),
        ),
        docBody,
      ),
    ),
    skippedBox,
    documentsMessage.element,
  );

  function renderDocuments(): void {
    const list = documents;
    if (!list) return;
    docBody.replaceChildren(
      ...(list.documents.length === 0
        ? [h("tr", {}, h("td", { colspan: 5, class: "muted" }, "No documents yet."))]
        : list.documents.map((doc) => {
            const replace = h("button", { type: "button", class: "button subtle" }, "Replace…");
            replace.setAttribute("aria-label", `Replace ${doc.title}`);
            replace.addEventListener("click", () => upload.prefill(doc.docId));
            const remove = h(
              "button",
              { type: "button", class: "button subtle danger-text" },
              "Delete…",
            );
            remove.setAttribute("aria-label", `Delete ${doc.title}`);
            remove.addEventListener(
              "click",
              () => void deleteDocument(doc.docId, doc.title, remove),
            );
            return h(
              "tr",
              { "data-doc": doc.docId },
              h(
                "td",
                {},
                h("span", { class: "doc-title" }, doc.title),
                doc.sample ? h("span", { class: "badge" }, "Sample") : null,
                h(
                  "span",
                  { class: "doc-file muted small" },
                  doc.generated
                    ? `Generated from ${doc.file}: edit that file to change it`
                    : doc.file,
                ),
              ),
              h("td", {}, formatDate(doc.updated)),
              h(
                "td",
                {},
                doc.chunks === null
                  ? h("span", { class: "badge warn" }, "Not indexed")
                  : String(doc.chunks),
              ),
              h("td", {}, formatBytes(doc.bytes)),
              h(
                "td",
                {},
                h(
                  "div",
                  { class: "row-actions" },
                  doc.chunks === null
                    ? null
                    : h(
                        "a",
                        {
                          href: `/articles/${encodeURIComponent(doc.docId)}`,
                          target: "_blank",
                          rel: "noopener",
                          class: "button subtle",
                        },
                        "View",
                      ),
                  ...(doc.generated ? [] : [replace, remove]),
                ),
              ),
            );
          })),
    );
    skippedBox.hidden = list.skipped.length === 0;
    skippedBox.replaceChildren(
      h("h3", {}, "Files ingestion cannot use"),
      h("ul", {}, ...list.skipped.map((s) => h("li", {}, h("code", {}, s.file), `: ${s.reason}`))),
    );
    upload.documentsChanged(list);
  }

  async function deleteDocument(
    docId: string,
    title: string,
    button: HTMLButtonElement,
  ): Promise<void> {
    const confirmed = await confirmDialog({
      title: `Delete "${title}"?`,
      message: `This removes ${docId} from the clinic's articles. Answers stop citing it after the next re-index.`,
      confirm: "Delete document",
    });
    if (!confirmed) return;
    setBusy(button, true, "Deleting…");
    const result = await api.remove(docId);
    setBusy(button, false);
    if (!result.ok) return documentsMessage.show(result.message, "error");
    showUntilReindex(
      documentsMessage,
      `Deleted "${title}". Re-index to take it out of the answers.`,
      `Deleted "${title}". It is out of the answers since the re-index.`,
    );
    await refresh();
    // The row is gone: keep focus in the documents section.
    (documentsSection.querySelector("h2") as HTMLElement | null)?.focus();
  }

  const upload = uploadForms(api, refresh);
  const glossary = glossaryCard(api);
  (documentsSection.querySelector("h2") as HTMLElement).setAttribute("tabindex", "-1");

  const main = h(
    "main",
    { id: "main", tabindex: -1, class: "admin" },
    h("h1", { class: "sr-only" }, TITLE),
    indexSection,
    documentsSection,
    upload.element,
    glossary,
    questionBankCard(api),
    bookingExamplesCard(api),
    tryQuestionCard(api),
  );

  renderStats();
  const latest = info.jobs[0];
  if (latest) {
    currentJob = latest;
    showJob(latest);
    if (isFinished(latest)) {
      jobLine.textContent = `Last re-index, ${formatDateTime(latest.finishedAt ?? latest.createdAt)}. ${describeJob(latest).label}`;
      progress.hidden = true;
    }
  }
  void api.documents().then((docs) => {
    if (docs.ok) {
      documents = docs.value;
      renderDocuments();
      renderPending();
    } else documentsMessage.show(docs.message, "error");
  });

  return {
    elements: [header, main, announcer],
    jobUpdate,
    liveState(state) {
      liveIndicator.dataset.state = state;
      liveIndicator.textContent =
        state === "live"
          ? "Live"
          : state === "connecting"
            ? "Connecting…"
            : state === "refused"
              ? "Live updates off"
              : "Reconnecting…";
    },
    setLive(value) {
      live = value;
    },
    close() {
      closed = true;
      clearTimeout(pollTimer);
    },
  };
}

/**
 * The clinic's glossary: the words visitors use for the articles' terms, one term a line.
 * Saved to the corpus; the answers use it from the next re-index.
 */
function glossaryCard(api: AdminApi): HTMLElement {
  const text = h("textarea", {
    name: "glossary",
    rows: 14,
    spellcheck: "false",
    class: "glossary-text",
  });
  const status = h("p", { class: "hint" });
  const save = h("button", { type: "submit", class: "button primary" }, "Save glossary");
  const message = messageArea();
  const form = h(
    "form",
    { class: "card glossary", novalidate: true, "aria-labelledby": "glossary-heading" },
    h("h2", { id: "glossary-heading" }, "Glossary"),
    h(
      "p",
      {},
      "The words visitors use for your articles' terms, so that a question about “dark marks” finds the passage on “hyperpigmentation”. One term a line: the article's word, a colon, then what visitors say, separated by commas.",
    ),
    field("Terms", text, "For example: injectables: botox, fillers, anti-wrinkle injections"),
    status,
    h("div", { class: "actions" }, save),
    message.element,
  );

  const describe = (info: { terms: number; inService: number | null; sample: boolean }) => {
    const used =
      info.inService === null
        ? ""
        : info.inService === info.terms
          ? " The answers use them."
          : ` The answers use ${plural(info.inService, "term")} until the next re-index.`;
    status.textContent = `${plural(info.terms, "term")}.${used}${info.sample ? " These are sample terms: review them for your clinic." : ""}`;
  };

  // After a re-index the answers use the saved terms: say so.
  onReindexed(() => {
    void api.glossary().then((result) => {
      if (!result.ok) return;
      const { glossary, inService } = result.value;
      describe({ terms: glossary.terms.length, inService, sample: glossary.sample });
    });
  });

  void api.glossary().then((result) => {
    if (!result.ok) return message.show(result.message, "error");
    const { glossary, problem, inService } = result.value;
    text.value = glossaryToText(glossary.terms);
    describe({ terms: glossary.terms.length, inService, sample: glossary.sample });
    if (problem) {
      message.show(`The glossary file cannot be used (${problem}). Saving replaces it.`, "error");
    }
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (isBusy(save)) return;
    message.clear();
    const parsed = parseGlossaryText(text.value);
    if (!parsed.ok) {
      message.show(parsed.message, "error");
      text.focus();
      return;
    }
    setBusy(save, true, "Saving…");
    const result = await api.putGlossary(parsed.terms);
    setBusy(save, false);
    if (!result.ok) return message.show(result.message, "error");
    const info = await api.glossary();
    if (info.ok) {
      describe({ terms: result.value.terms, inService: info.value.inService, sample: false });
    }
    showSavedUntilReindex(message, `Saved ${plural(result.value.terms, "term")}.`);
  });
  return form;
}

/** The two ways to add or replace a document: upload a file, or write Markdown. */
function uploadForms(api: AdminApi, onSaved: () => Promise<void>) {
  let known = new Map<string, string>();

  // --- a file -----------------------------------------------------------------------------
  const file = h("input", { type: "file", name: "file", accept: ACCEPT });
  const fileId = h("input", {
    type: "text",
    name: "docId",
    autocomplete: "off",
    spellcheck: "false",
    maxlength: 64,
  });
  const fileIdNote = h("p", { class: "hint", id: uid("replaces") });
  const fileSubmit = h("button", { type: "submit", class: "button primary" }, "Upload");
  const fileMessage = messageArea();
  let fileIdEdited = false;
  const fileForm = h(
    "form",
    { class: "upload-form", novalidate: true, "aria-labelledby": "upload-file-heading" },
    h("h3", { id: "upload-file-heading" }, "Upload a file"),
    field("File", file, "Markdown (.md), HTML (.html) or plain text (.txt), up to 2 MB."),
    field("Document id", fileId),
    fileIdNote,
    h("div", { class: "actions" }, fileSubmit),
    fileMessage.element,
  );
  fileId.setAttribute("aria-describedby", fileIdNote.id);

  const describeId = (input: HTMLInputElement, note: HTMLElement) => {
    const title = known.get(input.value.trim());
    note.textContent = title
      ? `Replaces the existing document "${title}".`
      : "A new document. Lower-case letters, digits and dashes; it becomes the article's address.";
  };
  describeId(fileId, fileIdNote);

  file.addEventListener("change", () => {
    fileMessage.clear();
    const chosen = file.files?.[0];
    if (!chosen) return;
    const check = checkFile(chosen);
    if (!check.ok) fileMessage.show(check.message, "error");
    if (!fileIdEdited || !fileId.value) {
      fileId.value = docIdFromName(chosen.name);
      fileIdEdited = false;
    }
    describeId(fileId, fileIdNote);
  });
  fileId.addEventListener("input", () => {
    fileIdEdited = true;
    describeId(fileId, fileIdNote);
  });

  fileForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (isBusy(fileSubmit)) return;
    fileMessage.clear();
    const chosen = file.files?.[0];
    if (!chosen) {
      fileMessage.show("Choose a file to upload.", "error");
      file.focus();
      return;
    }
    const check = checkFile(chosen);
    if (!check.ok) {
      fileMessage.show(check.message, "error");
      file.focus();
      return;
    }
    const docId = fileId.value.trim();
    const idProblem = checkDocId(docId);
    if (idProblem) {
      fileMessage.show(idProblem, "error");
      fileId.focus();
      return;
    }
    const upload: Upload = {
      kind: "file",
      file: chosen,
      contentType: `${check.contentType}; charset=utf-8`,
    };
    const replacing = known.get(docId);
    if (replacing && !(await confirmReplace(replacing))) return;
    setBusy(fileSubmit, true, "Uploading…");
    const result = await api.put(docId, upload);
    setBusy(fileSubmit, false);
    if (!result.ok) return fileMessage.show(uploadError(result), "error");
    fileForm.reset();
    fileIdEdited = false;
    describeId(fileId, fileIdNote);
    showSavedUntilReindex(fileMessage, savedMessage(result.value), "it");
    await onSaved();
  });

  // --- Markdown ---------------------------------------------------------------------------
  const title = h("input", { type: "text", name: "title", maxlength: 200, autocomplete: "off" });
  const url = h("input", {
    type: "url",
    name: "url",
    autocomplete: "off",
    placeholder: "https://",
  });
  const markdownId = h("input", {
    type: "text",
    name: "docId",
    autocomplete: "off",
    spellcheck: "false",
    maxlength: 64,
  });
  const markdownIdNote = h("p", { class: "hint", id: uid("replaces") });
  const markdown = h("textarea", { name: "markdown", rows: 10, spellcheck: "true" });
  const markdownSubmit = h("button", { type: "submit", class: "button primary" }, "Save document");
  const markdownMessage = messageArea();
  let markdownIdEdited = false;
  const markdownForm = h(
    "form",
    { class: "upload-form", novalidate: true, "aria-labelledby": "write-heading" },
    h("h3", { id: "write-heading" }, "Write in Markdown"),
    field("Title", title),
    field("Document id", markdownId),
    markdownIdNote,
    field("Public page (optional)", url, "The article's page on the clinic's site, if it has one."),
    field(
      "Text (Markdown)",
      markdown,
      "Use ## headings for sections: each section can be cited on its own.",
    ),
    h("div", { class: "actions" }, markdownSubmit),
    markdownMessage.element,
  );
  markdownId.setAttribute("aria-describedby", markdownIdNote.id);
  describeId(markdownId, markdownIdNote);
  title.addEventListener("input", () => {
    if (!markdownIdEdited) markdownId.value = docIdFromTitle(title.value);
    describeId(markdownId, markdownIdNote);
  });
  markdownId.addEventListener("input", () => {
    markdownIdEdited = markdownId.value !== "";
    describeId(markdownId, markdownIdNote);
  });

  markdownForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (isBusy(markdownSubmit)) return;
    markdownMessage.clear();
    const problems = checkMarkdown({
      title: title.value,
      url: url.value,
      markdown: markdown.value,
    });
    const idProblem = checkDocId(markdownId.value.trim());
    const first =
      problems.title ?? (idProblem ? idProblem : undefined) ?? problems.url ?? problems.markdown;
    for (const [input, problem] of [
      [title, problems.title],
      [markdownId, idProblem],
      [url, problems.url],
      [markdown, problems.markdown],
    ] as const) {
      if (problem) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    }
    if (first) {
      markdownMessage.show(first, "error");
      (markdownForm.querySelector('[aria-invalid="true"]') as HTMLElement | null)?.focus();
      return;
    }
    const docId = markdownId.value.trim();
    const replacing = known.get(docId);
    if (replacing && !(await confirmReplace(replacing))) return;
    setBusy(markdownSubmit, true, "Saving…");
    const result = await api.put(docId, {
      kind: "markdown",
      title: title.value.trim(),
      markdown: markdown.value,
      ...(url.value.trim() ? { url: url.value.trim() } : {}),
    });
    setBusy(markdownSubmit, false);
    if (!result.ok) return markdownMessage.show(uploadError(result), "error");
    markdownForm.reset();
    markdownIdEdited = false;
    describeId(markdownId, markdownIdNote);
    showSavedUntilReindex(markdownMessage, savedMessage(result.value), "it");
    await onSaved();
  });

  const element = h(
    "section",
    { class: "card", "aria-labelledby": "add-heading" },
    h("h2", { id: "add-heading" }, "Add or replace a document"),
    h(
      "p",
      { class: "muted" },
      "A document with an existing id replaces it. Changes are used in answers after the next re-index.",
    ),
    h("div", { class: "upload-grid" }, fileForm, markdownForm),
  );

  return {
    element,
    /** "Replace…" on a row: the file form, set to that document. */
    prefill(docId: string) {
      fileId.value = docId;
      fileIdEdited = true;
      describeId(fileId, fileIdNote);
      fileForm.scrollIntoView({ block: "nearest" });
      file.focus();
    },
    documentsChanged(list: DocumentList) {
      known = new Map(list.documents.map((d) => [d.docId, d.title]));
      describeId(fileId, fileIdNote);
      describeId(markdownId, markdownIdNote);
    },
  };
}

function savedMessage(saved: { file: string; created: boolean }): string {
  return `${saved.created ? "Added" : "Replaced"} ${saved.file}.`;
}

function confirmReplace(title: string): Promise<boolean> {
  return confirmDialog({
    title: `Replace "${title}"?`,
    message: `The new content replaces "${title}". Answers use it after the next re-index.`,
    confirm: "Replace document",
  });
}

/** The service's reason, said for an upload. */
function uploadError(result: { status: number; message: string }): string {
  if (result.status === 413) return "The document is too large: a document may be at most 2 MB.";
  if (result.status === 415) {
    return "That type of file is not accepted. Upload Markdown (.md), HTML (.html) or plain text (.txt).";
  }
  return result.message;
}
