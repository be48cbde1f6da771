/**
 * The clinic's glossary (`corpus/glossary.json`): the everyday words visitors use for the
 * articles' terms ("dark marks" for "post-inflammatory hyperpigmentation", "botox" for
 * "injectables"). Word vectors and WordNet miss many of these pairs; the clinic knows them.
 * It is content, like the articles: built into the index and swapped in with it.
 */
import { randomUUID } from "node:crypto";
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";

export const GLOSSARY_FILE = "glossary.json";

const phrase = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(80, "must be at most 80 characters")
  .transform((s) => s.toLowerCase());

/** Schema of `corpus/glossary.json`. Unknown keys are an error, so a typo fails loudly. */
export const glossarySchema = z.strictObject({
  /** True while the entries are a sample the clinic still has to review. */
  sample: z.boolean().default(false),
  note: z.string().optional(),
  terms: z
    .array(
      z.strictObject({
        /** The articles' word or phrase. */
        term: phrase,
        /** What visitors say for it. */
        also: z.array(phrase).min(1, "must list at least one phrase").max(200),
      }),
    )
    .max(5000, "must have at most 5000 terms"),
});

export type Glossary = z.infer<typeof glossarySchema>;

export const EMPTY_GLOSSARY: Glossary = { sample: false, terms: [] };

/**
 * Reads the glossary of a corpus folder. No file is an empty glossary; a file that cannot be
 * used is reported as `problem` (and an empty glossary is used), like a bad article: it never
 * stops a build.
 */
export async function loadGlossary(
  corpusDir: string,
): Promise<{ glossary: Glossary; problem?: string }> {
  let raw: string;
  try {
    raw = await readFile(path.join(corpusDir, GLOSSARY_FILE), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { glossary: EMPTY_GLOSSARY };
    return { glossary: EMPTY_GLOSSARY, problem: "the file could not be read" };
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { glossary: EMPTY_GLOSSARY, problem: "the file is not valid JSON" };
  }
  const parsed = glossarySchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    return { glossary: EMPTY_GLOSSARY, problem: `invalid glossary (${issues.join("; ")})` };
  }
  return { glossary: parsed.data };
}

/**
 * Writes a validated glossary as the corpus's `glossary.json` (to a temporary file renamed
 * into place, so a reader never sees half of it). It is used from the next re-index on.
 */
export async function saveGlossary(corpusDir: string, glossary: Glossary): Promise<void> {
  const file = path.join(corpusDir, GLOSSARY_FILE);
  const tmp = path.join(corpusDir, `.${GLOSSARY_FILE}.tmp-${randomUUID()}`);
  try {
    await writeFile(tmp, `${JSON.stringify(glossary, null, 2)}\n`);
    await rename(tmp, file);
  } finally {
    await rm(tmp, { force: true });
  }
}
