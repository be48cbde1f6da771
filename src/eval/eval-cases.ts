import { readFile } from "node:fs/promises";
import { z } from "zod";
import { AppError } from "../errors.js";

/**
 * The development sets, relative to the repository: what `npm run fit` fits the answer
 * decision on and the bench scores; the first is the project's own. Never the blind set.
 */
export const DEVELOPMENT_SETS = [
  "tests/eval/cases.jsonl",
  "tests/eval/held-out.jsonl",
  "tests/eval/held-out-2.jsonl",
];

/**
 * Validation sets: spent blind sets, reported beside the development sets and checked by the
 * quality floor, but never fitted on, so that they still say how a fit does on questions it
 * has not seen (tests/eval/README.md).
 */
export const VALIDATION_SETS = [
  "tests/eval/held-out-3.jsonl",
  "tests/eval/held-out-4.jsonl",
  "tests/eval/held-out-5.jsonl",
];

/** One evaluation case; the format is documented in tests/eval/README.md. */
export const evalCaseSchema = z.object({
  id: z.string().min(1),
  category: z.string().default("in-scope"),
  turns: z.array(z.string().min(1)).min(1),
  expect: z.object({
    sections: z.array(z.string()).default([]),
    keywords: z.array(z.string()).default([]),
    grounded: z.boolean().optional(),
    handoff: z.enum(["booking", "clinician", "staff"]).nullable().default(null),
  }),
});

export type EvalCase = z.infer<typeof evalCaseSchema>;

/** Reads a JSONL case file; a bad line is an error naming the line. */
export async function loadEvalCases(file: string): Promise<EvalCase[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    throw new AppError("invalid", `Cannot read ${file}`, { cause });
  }
  const cases: EvalCase[] = [];
  const ids = new Set<string>();
  text.split("\n").forEach((line, i) => {
    if (!line.trim()) return;
    let parsed: EvalCase;
    try {
      parsed = evalCaseSchema.parse(JSON.parse(line));
    } catch (cause) {
      throw new AppError("invalid", `${file}:${i + 1}: not a valid case`, { cause });
    }
    if (ids.has(parsed.id))
      throw new AppError("invalid", `${file}:${i + 1}: duplicate id ${parsed.id}`);
    ids.add(parsed.id);
    cases.push(parsed);
  });
  if (cases.length === 0) throw new AppError("invalid", `${file} has no cases`);
  return cases;
}
