/*
 * Visitors paste contact details into the chat ("call me on 07700 900123"). Transcripts are
 * kept for quality review, which does not need them, so they are replaced before storage.
 * Contact details a visitor means to give go through the booking form, not the transcript.
 *
 * The rules lean towards redacting: a number wrongly hidden costs a reviewer a little context,
 * a phone number wrongly kept is personal data at rest.
 */

/**
 * An email address, also in the "name(at)example.com" / "name [at] example.com" forms people
 * use to dodge scrapers. The domain must end in a dot and a 2+ letter top-level label.
 */
const EMAIL =
  /[\p{L}\p{N}._%+'-]+(?:@|\s?[([]at[)\]]\s?)(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?\.)+\p{L}{2,}/giu;

/**
 * A run of digit groups joined by short separators (space, no-break space, dash, en dash, dot,
 * parentheses), optionally led by "+" or "(". Not started inside a word or a longer number.
 * Colons, slashes and commas are not separators, which keeps "10:30", "24/11/2026" and
 * "1,000,000" out from the start. Whether a run is a phone number is decided in `isPhone`.
 */
const DIGIT_RUN =
  /(?<![\p{L}\p{N}_])\(?(?:\+[ \u00a0]?)?\(?\d+(?:[ \t\u00a0().\-\u2013]{1,3}\d+)*/gu;

/** Phone numbers have 7+ digits (a local number without area code); shorter runs never count. */
const MIN_PHONE_DIGITS = 7;

const CURRENCY_BEFORE = /[£$€]\s?$/u;

function isYear(group: string): boolean {
  return /^(?:19|20)\d\d$/.test(group);
}

function isDayAndMonth(a: number, b: number): boolean {
  // Either order, since both "24-11-2026" and the US "11-24-2026" are written.
  return a >= 1 && b >= 1 && ((a <= 31 && b <= 12) || (a <= 12 && b <= 31));
}

/** "2026-11-24", "2026.11.24", "24.11.2026", "24 11 2026", "11-24-2026". */
function isDate(run: string): boolean {
  const ymd = /^(\d{4})[-. ](\d{1,2})[-. ](\d{1,2})$/.exec(run);
  if (ymd) return isYear(ymd[1] ?? "") && isDayAndMonth(Number(ymd[3]), Number(ymd[2]));
  const dmy = /^(\d{1,2})[-. ](\d{1,2})[-. ](\d{4})$/.exec(run);
  if (dmy) return isYear(dmy[3] ?? "") && isDayAndMonth(Number(dmy[1]), Number(dmy[2]));
  return false;
}

/**
 * Decides whether a digit run is a phone number. Runs that are plainly something else stay:
 * dates, time ranges ("9.30-17.30"), number ranges ("500-1000", "0900-1730", "2025-2026"),
 * pairs of years, dot-grouped thousands ("1.000.000") and lists of small numbers ("1 2 3 4 5 6 7").
 * A bare seven or eight digit local number written "555-1234" therefore stays as well: it cannot
 * be told from a range, and numbers given to a UK clinic carry an area or mobile prefix.
 */
function isPhone(run: string): boolean {
  const body = run.replace(/^\(/, "");
  // An international prefix is never part of a date, range or amount.
  if (body.startsWith("+") || /^00[1-9]/.test(body)) return true;
  const groups = body.split(/\D+/).filter((group) => group.length > 0);
  if (isDate(body)) return false;
  if (/^\d{1,2}\.\d{2}\s?[-\u2013]\s?\d{1,2}\.\d{2}$/.test(body)) return false;
  if (groups.length === 2 && groups.every((group) => group.length <= 4)) {
    if (/[-\u2013]/.test(body)) return false;
    if (groups.every(isYear)) return false;
  }
  if (/^[1-9]\d{0,2}(?:\.\d{3})+$/.test(body)) return false;
  // "(0)" is the UK trunk prefix in "+44 (0)20 ...": not a group of its own.
  const singleDigitGroups = body
    .replace(/\(0\)/g, "")
    .split(/\D+/)
    .filter((group) => group.length === 1).length;
  return singleDigitGroups < 2;
}

function redactPhones(text: string): string {
  return text.replace(DIGIT_RUN, (run: string, offset: number) => {
    if (run.replace(/\D/g, "").length < MIN_PHONE_DIGITS) return run;
    if (CURRENCY_BEFORE.test(text.slice(Math.max(0, offset - 2), offset))) return run;
    if (isPhone(run)) return "[phone]";
    // The run may be a phone number glued to something else by a single space
    // ("sessions 1 2 07700 900123"): drop the first group and look at the rest again.
    const next = /^\(?\+?\d+[^\d]+/.exec(run);
    if (!next) return run;
    return next[0] + redactPhones(run.slice(next[0].length));
  });
}

/**
 * Replaces email addresses with `[email]` and phone numbers (UK, US and international formats,
 * 7+ digits, with spaces, dashes, dots or parentheses and an optional +country code) with
 * `[phone]`. Ordinary numbers stay: "24 hours", "2026", "1000", "2-3 sessions", "10:30",
 * dates, prices and ranges.
 */
export function redactContactDetails(text: string): string {
  // Emails first: their digits ("jane1980123@...") must not turn into a "[phone]" inside them.
  return redactPhones(text.replace(EMAIL, "[email]"));
}
