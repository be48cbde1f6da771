/**
 * The clinic profile: the practical facts (contact details, opening hours, urgent-care advice) the
 * assistant quotes verbatim instead of retrieving them from articles, so they live in one file the
 * clinic can edit without touching the corpus.
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { AppError } from "../errors.js";

const text = z.string().trim().min(1, "must not be empty");

/**
 * A URL the operator configures (the booking webhook, the scheduler, the profile's links):
 * any http(s) URL, internal receivers included (`http://127.0.0.1:9000/hook`,
 * `http://webhook:8080/x`). The stricter check (a public domain) is for URLs that come in
 * through the admin API.
 */
export const operatorUrl = () => z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });

/** One line of the opening hours, e.g. `{ days: "Monday to Friday", hours: "09:00–18:00" }`. */
const openingHoursSchema = z.strictObject({
  days: text,
  hours: text,
});

/**
 * Schema of `corpus/clinic.json`. Unknown keys are an error so a misspelt field (`openinghours`)
 * fails loudly instead of silently dropping the clinic's data. Links must be http(s) because they
 * are rendered to visitors.
 */
export const clinicProfileSchema = z.strictObject({
  name: text,
  phone: text,
  email: z.email(),
  address: text,
  openingHours: z.array(openingHoursSchema).min(1, "must list at least one entry"),
  bookingUrl: operatorUrl().optional(),
  privacyNoticeUrl: operatorUrl().optional(),
  /** What to tell a visitor who reports red-flag symptoms (fever, spreading redness, pus, ...). */
  urgentCare: text,
  /** True while the values are placeholders the clinic still has to replace. */
  sample: z.boolean().default(false),
});

/** A validated clinic profile. */
export type ClinicProfile = z.infer<typeof clinicProfileSchema>;

/**
 * Reads and validates a clinic profile JSON file.
 *
 * @param file - Path of the JSON file (usually `corpus/clinic.json`).
 * @returns The validated profile, with defaults applied.
 * @throws {AppError} code `config` when the file is missing or unreadable, is not valid JSON, or
 *   fails validation; the message names the file and every bad field as `path: message`, and the
 *   original error is kept as `cause`.
 */
export async function loadClinicProfile(file: string): Promise<ClinicProfile> {
  let raw: string;
  try {
    raw = await readFile(file, "utf8");
  } catch (error) {
    const reason = isErrnoException(error) && error.code === "ENOENT" ? "not found" : "unreadable";
    throw new AppError("config", `Clinic profile ${file}: file ${reason}`, { cause: error });
  }

  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new AppError("config", `Clinic profile ${file}: invalid JSON (${detail})`, {
      cause: error,
    });
  }

  // Zod's default for an absent field ("expected string, received undefined") reads like a type bug.
  const result = clinicProfileSchema.safeParse(json, {
    error: (issue) =>
      issue.code === "invalid_type" && issue.input === undefined ? "required" : undefined,
  });
  if (!result.success) {
    const problems = result.error.issues.map(formatIssue);
    throw new AppError("config", `Clinic profile ${file} is invalid: ${problems.join("; ")}`, {
      cause: result.error,
      details: { file, problems },
    });
  }
  return result.data;
}

function formatIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.length === 0 ? "(root)" : issue.path.map(String).join(".");
  return `${path}: ${issue.message}`;
}

function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && "code" in error;
}
