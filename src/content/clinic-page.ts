/**
 * The clinic profile as a page of its own: "Contact and opening hours", generated from
 * `clinic.json` at every index build, so that "are you open on Saturday?" or "where are you
 * based?" is answered from the clinic's own facts and cited like any article, and an edit to
 * the profile reaches answers with the next re-index.
 */
import path from "node:path";
import { type ClinicProfile, loadClinicProfile } from "./clinic.js";
import { parseDocument } from "./load-corpus.js";
import type { Chunk, SkippedFile, SourceDocument } from "./types.js";

/** The page's document id (and its address, `/articles/contact-and-opening-hours`). */
export const CLINIC_PAGE_ID = "contact-and-opening-hours";
export const CLINIC_PAGE_TITLE = "Contact and opening hours";
/** The page's sections, for the question bank (`corpus/questions.json`) to name. */
export const CLINIC_PAGE_SECTIONS = {
  hours: "Opening hours",
  address: "Where to find us",
  contact: "Phone and email",
  urgent: "If something is wrong after a treatment",
} as const;

/** Profile values are the clinic's text, not Markdown: `*` or `[` in a name stays literal. */
function literal(value: string): string {
  return value.replace(/[\\`*_[\]<>#|~]/g, (c) => `\\${c}`).replace(/\s+/g, " ");
}

const WEEK = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
const DAY_GROUPS = new Map<string, number[]>([
  ["weekdays", [0, 1, 2, 3, 4]],
  ["weekends", [5, 6]],
  ["weekend", [5, 6]],
  ["daily", [0, 1, 2, 3, 4, 5, 6]],
  ["every day", [0, 1, 2, 3, 4, 5, 6]],
]);

/** A day's place in the week from its name ("Saturday", "sat", "Saturdays"), or -1. */
function weekday(name: string): number {
  const word = name.trim().toLowerCase().replace(/\.$/, "").replace(/s$/, "");
  if (word.length < 3) return -1;
  return WEEK.findIndex((day) => day.startsWith(word));
}

/**
 * The days of the week no line of the opening hours covers, in week order, read from lines
 * such as "Monday to Friday", "Tue–Thu", "Saturday and Sunday" or "Weekdays". Undefined when
 * a line says something else ("Bank holidays", "by appointment"): the page then claims nothing.
 */
export function closedDays(openingHours: readonly { days: string }[]): string[] | undefined {
  const open = new Set<number>();
  for (const { days } of openingHours) {
    for (const part of days.split(/\s*(?:,|&|\band\b)\s*/i).filter((p) => p.trim())) {
      const group = DAY_GROUPS.get(part.trim().toLowerCase());
      if (group) {
        for (const d of group) open.add(d);
        continue;
      }
      const range = part.split(/\s*(?:\bto\b|\bthrough\b|[-–—])\s*/i);
      const ends = range.map(weekday);
      if (range.length > 2 || ends.some((d) => d < 0)) return undefined;
      const [from, to = from] = ends as [number, number?];
      for (let d = from; ; d = (d + 1) % 7) {
        open.add(d);
        if (d === to) break;
      }
    }
  }
  return WEEK.flatMap((day, i) =>
    open.has(i) ? [] : [day.charAt(0).toUpperCase() + day.slice(1)],
  );
}

/**
 * The page's Markdown source, every fact written as a sentence that reads on its own and names
 * what it states with the words a contact page uses ("opening hours", "phone number").
 */
export function clinicPageMarkdown(profile: ClinicProfile): string {
  const name = literal(profile.name);
  const s = CLINIC_PAGE_SECTIONS;
  return [
    "---",
    `title: ${JSON.stringify(CLINIC_PAGE_TITLE)}`,
    `sample: ${profile.sample}`,
    "---",
    "",
    `# ${CLINIC_PAGE_TITLE}`,
    "",
    `How to contact ${name}, where it is based and when it is open.`,
    "",
    `## ${s.hours}`,
    "",
    `The opening hours of ${name} are:`,
    "",
    ...profile.openingHours.map((line) => `- ${literal(line.days)}: ${literal(line.hours)}`),
    ...(closedDays(profile.openingHours) ?? []).map((day) => `- ${day}: closed`),
    "",
    "At all other times the clinic is closed.",
    "",
    `## ${s.address}`,
    "",
    `The address of ${name} is ${literal(profile.address)}.`,
    "",
    `## ${s.contact}`,
    "",
    `To contact the clinic, call its phone number, ${literal(profile.phone)}, or send an email to ${literal(profile.email)}.`,
    "",
    `## ${s.urgent}`,
    "",
    literal(profile.urgentCare),
    "",
  ].join("\n");
}

/**
 * The urgent-care advice as an index publishes it: the text of every passage of the page's
 * "If something is wrong after a treatment", in order (a long advice spans several), and the
 * first passage, to cite. Undefined when the index has no generated page.
 */
export function urgentCarePassage(
  chunks: readonly Chunk[],
): { text: string; chunk: Chunk } | undefined {
  const parts = chunks.filter(
    (c) => c.docId === CLINIC_PAGE_ID && c.section === CLINIC_PAGE_SECTIONS.urgent,
  );
  const [chunk] = parts;
  // The chunker cuts between words with no overlap: one space joins the pieces again.
  return chunk ? { text: parts.map((c) => c.text).join(" "), chunk } : undefined;
}

/**
 * The generated page as a document, parsed exactly as a corpus file would be; its `file` is
 * the profile's, which is what an admin edits to change it.
 */
export function clinicPage(profile: ClinicProfile, file = "clinic.json"): SourceDocument {
  return { ...parseDocument(`${CLINIC_PAGE_ID}.md`, clinicPageMarkdown(profile)), file };
}

/**
 * Adds the page generated from the clinic profile to a loaded corpus, in id order. A broken
 * profile, or a corpus file that already uses the page's id, leaves it out with the reason.
 */
export async function addClinicPage(
  profilePath: string,
  corpus: { documents: SourceDocument[]; skipped: SkippedFile[] },
): Promise<void> {
  const file = path.basename(profilePath);
  if (corpus.documents.some((d) => d.docId === CLINIC_PAGE_ID)) {
    corpus.skipped.push({
      file,
      reason: `its page is not generated: the corpus has its own document "${CLINIC_PAGE_ID}"`,
    });
    return;
  }
  try {
    corpus.documents.push(clinicPage(await loadClinicProfile(profilePath), file));
  } catch (error) {
    corpus.skipped.push({ file, reason: error instanceof Error ? error.message : String(error) });
    return;
  }
  corpus.documents.sort((a, b) => (a.docId < b.docId ? -1 : a.docId > b.docId ? 1 : 0));
}
