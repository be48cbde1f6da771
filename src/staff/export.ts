import type { Writable } from "node:stream";
import type {
  ConversationFilter,
  StoredConversation,
  TranscriptRepository,
} from "../store/transcripts.js";
import { csvRow, formulaSafe } from "./csv.js";
import { transcriptView } from "./views.js";

export type ExportFormat = "csv" | "jsonl";

/** The list's filters without its paging. */
export type ExportFilter = Omit<ConversationFilter, "limit" | "cursor">;

/** Conversations read per step: memory stays bounded whatever the export's size. */
const EXPORT_PAGE = 100;

export const CSV_COLUMNS = [
  "conversation_id",
  "conversation_started_at",
  "message_id",
  "role",
  "created_at",
  "text",
  "grounded",
  "handoff",
  "source",
  "rating",
  "latency_ms",
  "cited_sections",
  // Added last, so spreadsheets built on the earlier columns keep working.
  "kind",
] as const;

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: "text/csv; charset=utf-8",
  jsonl: "application/x-ndjson; charset=utf-8",
};

/** `conversations-2026-03-01.csv`: the export's UTC date. */
export function exportFileName(format: ExportFormat, at: Date): string {
  return `conversations-${at.toISOString().slice(0, 10)}.${format}`;
}

/** One CSV record per message. */
function csvRecords(c: StoredConversation): string {
  return c.messages
    .map((m) =>
      csvRow([
        c.id,
        c.startedAt,
        m.id,
        m.role,
        m.createdAt,
        formulaSafe(m.text),
        m.grounded,
        m.handoff?.kind,
        m.source,
        m.rating,
        m.latencyMs,
        formulaSafe(
          m.citations.map((cite) => `[${cite.n}] ${cite.title} › ${cite.section}`).join("; "),
        ),
        m.kind,
      ]),
    )
    .join("");
}

/** Resolves once `out` can take more, or has closed (then `closed` is true). */
async function drained(out: Writable): Promise<void> {
  await new Promise<void>((resolve) => {
    const done = () => {
      out.off("drain", done);
      out.off("close", done);
      resolve();
    };
    out.on("drain", done);
    out.on("close", done);
  });
}

/**
 * Writes the filtered conversations, newest activity first, as CSV (a header, then one record
 * per message; UTF-8 with a byte-order mark so spreadsheets read it as UTF-8) or JSONL (one
 * conversation per line, as the transcript route shows it). Reads a page of conversations at
 * a time and waits whenever `out` is full, so a large export never sits in memory. Stops early
 * if `out` closes (the client went away). Resolves to the number of conversations written.
 */
export async function writeExport(
  out: Writable,
  format: ExportFormat,
  filter: ExportFilter,
  transcripts: TranscriptRepository,
): Promise<number> {
  if (format === "csv") out.write(`\uFEFF${csvRow([...CSV_COLUMNS])}`);
  let cursor: string | undefined;
  let written = 0;
  do {
    const page = transcripts.listConversations({
      ...filter,
      limit: EXPORT_PAGE,
      ...(cursor ? { cursor } : {}),
    });
    for (const summary of page.items) {
      if (out.destroyed || out.writableEnded) return written;
      // Deleted since the page was read (erasure, retention): left out.
      const conversation = transcripts.getConversation(summary.id);
      if (!conversation) continue;
      const chunk =
        format === "csv"
          ? csvRecords(conversation)
          : `${JSON.stringify(transcriptView(conversation))}\n`;
      written += 1;
      if (!out.write(chunk)) await drained(out);
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return written;
}
