/**
 * The clinic's glossary (`corpus/glossary.json`): the everyday words visitors use for the
 * articles' terms ("dark marks" for "post-inflammatory hyperpigmentation", "botox" for
 * "injectables"). Word vectors and WordNet miss many of these pairs; the clinic knows them.
 * It is content, like the articles: built into the index and swapped in with it.
 */
import { z } from "zod";
import { loadContentFile, saveContentFile } from "./content-file.js";

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
  const { value, problem } = await loadContentFile(
    corpusDir,
    GLOSSARY_FILE,
    glossarySchema,
    EMPTY_GLOSSARY,
  );
  return problem ? { glossary: value, problem } : { glossary: value };
}

/** Writes a validated glossary as the corpus's `glossary.json`, used from the next re-index on. */
export async function saveGlossary(corpusDir: string, glossary: Glossary): Promise<void> {
  await saveContentFile(corpusDir, GLOSSARY_FILE, glossary);
}
