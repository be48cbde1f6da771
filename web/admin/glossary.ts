/**
 * The glossary as the admin console edits it: one line per article term, then a colon and
 * the words visitors use for it, separated by commas ("injectables: botox, fillers"). The
 * service checks the result again (src/content/glossary.ts); this says what is wrong in words
 * before anything is sent.
 */

export interface GlossaryTerm {
  term: string;
  also: string[];
}

/** The longest term or phrase the service accepts. */
const MAX_PHRASE = 80;

export function glossaryToText(terms: readonly GlossaryTerm[]): string {
  return terms.map((t) => `${t.term}: ${t.also.join(", ")}`).join("\n");
}

export type ParsedGlossary =
  { ok: true; terms: GlossaryTerm[] } | { ok: false; line: number; message: string };

/** Reads the console's text back into terms; blank lines and lines starting with # are skipped. */
export function parseGlossaryText(text: string): ParsedGlossary {
  const terms: GlossaryTerm[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (!line || line.startsWith("#")) continue;
    const fail = (message: string): ParsedGlossary => ({ ok: false, line: i + 1, message });
    const colon = line.indexOf(":");
    const term = colon > 0 ? line.slice(0, colon).trim().toLowerCase() : "";
    if (!term) {
      return fail(
        `Line ${i + 1}: write the article's term, a colon, then what visitors say for it, separated by commas, e.g. "injectables: botox, fillers".`,
      );
    }
    const also = line
      .slice(colon + 1)
      .split(",")
      .map((phrase) => phrase.trim().toLowerCase())
      .filter(Boolean);
    if (also.length === 0) {
      return fail(`Line ${i + 1}: list at least one word visitors use for "${term}".`);
    }
    if ([term, ...also].some((phrase) => phrase.length > MAX_PHRASE)) {
      return fail(`Line ${i + 1}: a term or phrase is at most ${MAX_PHRASE} characters.`);
    }
    terms.push({ term, also });
  }
  return { ok: true, terms };
}
