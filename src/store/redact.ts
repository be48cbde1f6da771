/*
 * Visitors paste contact details into the chat ("call me on 07700 900123"). Transcripts are
 * kept for quality review, which does not need them, so they are replaced before storage.
 * Contact details a visitor means to give go through the booking form, not the transcript.
 *
 * The rules lean towards redacting: a number wrongly hidden costs a reviewer a little context,
 * a phone number wrongly kept is personal data at rest.
 */
import { DEFAULT_PHONE_REGION, isValidPhoneNumberIn, type PhoneRegion } from "./phone.js";

/**
 * An email address, also in the "name(at)example.com" / "name [at] example.com" forms people
 * use to dodge scrapers. The domain must end in a dot and a 2+ letter top-level label.
 */
const EMAIL =
  /[\p{L}\p{N}._%+'-]+(?:@|\s?[([]at[)\]]\s?)(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?\.)+\p{L}{2,}/giu;

/**
 * Characters written in phone numbers, as libphonenumber-js (which erasure and staff search use
 * to read them, see phone.ts) accepts them, each with the ASCII character it stands for: digits
 * in full width and Arabic-Indic forms, the full-width plus, dashes and the minus sign, slashes
 * ("030/1234567"), dots, brackets, tildes, and spaces including the invisible ones (soft hyphen,
 * zero-width space, word joiner). Replacing one character by one keeps every offset, so runs
 * found in the plain form are cut out of the visitor's own text.
 */
const PLAIN_FORMS: readonly (readonly [RegExp, (char: string) => string])[] = [
  [/[\uff10-\uff19]/gu, (c) => String(c.charCodeAt(0) - 0xff10)],
  [/[\u0660-\u0669]/gu, (c) => String(c.charCodeAt(0) - 0x0660)],
  [/[\u06f0-\u06f9]/gu, (c) => String(c.charCodeAt(0) - 0x06f0)],
  [/\uff0b/gu, () => "+"],
  [/[\u2010-\u2015\u2212\u30fc\uff0d]/gu, () => "-"],
  [/\uff0f/gu, () => "/"],
  [/\uff0e/gu, () => "."],
  [/[\uff08\uff3b[]/gu, () => "("],
  [/[\uff09\uff3d\]]/gu, () => ")"],
  [/[\u2053\u223c\uff5e]/gu, () => "~"],
  [/[\u00a0\u00ad\u200b\u2060\u3000]/gu, () => " "],
];

function plainForm(text: string): string {
  return PLAIN_FORMS.reduce((plain, [pattern, ascii]) => plain.replace(pattern, ascii), text);
}

/**
 * In the plain form: a run of digit groups joined by short separators (space, tab, dash, dot,
 * slash, tilde, parentheses), optionally led by "+" or "(". Not started inside a word or a
 * longer number. Colons and commas are not separators, which keeps "10:30" and "1,000,000" out
 * from the start. Whether a run is a phone number is decided in `isPhone`.
 */
const DIGIT_RUN = /(?<![\p{L}\p{N}_])\(?(?:\+ ?)?\(?\d+(?:[ \t().\-/~]{1,3}\d+)*/gu;

/** Phone numbers have 7+ digits (a local number without area code); shorter runs never count. */
const MIN_PHONE_DIGITS = 7;

const CURRENCY_BEFORE = /[£$€]\s?$/u;

/** A date at the start of a run, then separators: "24/11/2026 10:30", "24.11.2026-30.11.2026". */
const LEADING_DATE = /^(\d{4}[-. /]\d{1,2}[-. /]\d{1,2}|\d{1,2}[-. /]\d{1,2}[-. /]\d{4})\D+/;
/** A date at the end of a run, after separators: "07700 900123 24/11/2026". */
const TRAILING_DATE = /\D+(\d{4}[-. /]\d{1,2}[-. /]\d{1,2}|\d{1,2}[-. /]\d{1,2}[-. /]\d{4})$/;

function isYear(group: string): boolean {
  return /^(?:19|20)\d\d$/.test(group);
}

function isDayAndMonth(a: number, b: number): boolean {
  // Either order, since both "24-11-2026" and the US "11-24-2026" are written.
  return a >= 1 && b >= 1 && ((a <= 31 && b <= 12) || (a <= 12 && b <= 31));
}

/** "2026-11-24", "2026.11.24", "2026/11/24", "24.11.2026", "24/11/2026", "11-24-2026". */
function isDate(run: string): boolean {
  const ymd = /^(\d{4})[-. /](\d{1,2})[-. /](\d{1,2})$/.exec(run);
  if (ymd) return isYear(ymd[1] ?? "") && isDayAndMonth(Number(ymd[3]), Number(ymd[2]));
  const dmy = /^(\d{1,2})[-. /](\d{1,2})[-. /](\d{4})$/.exec(run);
  if (dmy) return isYear(dmy[3] ?? "") && isDayAndMonth(Number(dmy[1]), Number(dmy[2]));
  return false;
}

/**
 * Decides whether a digit run (plain form) is a phone number. Runs that are plainly something
 * else stay: dates, time ranges ("9.30-17.30"), number ranges ("500-1000", "0900-1730",
 * "2025-2026", "1000/2000"), pairs of years, dot-grouped thousands ("1.000.000") and lists of
 * small numbers ("1 2 3 4 5 6 7"), unless such a list is a real number of `region` typed digit by
 * digit ("0 2 0 7 9 4 6 0 9 5 8"). A bare seven or eight digit local number written "555-1234"
 * therefore stays as well: it cannot be told from a range, and numbers given to a UK clinic
 * carry an area or mobile prefix.
 */
function isPhone(run: string, region: PhoneRegion): boolean {
  const body = run.replace(/^\(/, "");
  // An international prefix is never part of a date, range or amount.
  if (body.startsWith("+") || /^00[1-9]/.test(body)) return true;
  const groups = body.split(/\D+/).filter((group) => group.length > 0);
  if (isDate(body)) return false;
  if (/^\d{1,2}\.\d{2}\s?[-~]\s?\d{1,2}\.\d{2}$/.test(body)) return false;
  if (groups.length === 2 && groups.every((group) => group.length <= 4)) {
    if (/[-~/]/.test(body)) return false;
    if (groups.every(isYear)) return false;
  }
  if (/^[1-9]\d{0,2}(?:\.\d{3})+$/.test(body)) return false;
  // "(0)" is the UK trunk prefix in "+44 (0)20 ...": not a group of its own.
  const singleDigitGroups = body
    .replace(/\(0\)/g, "")
    .split(/\D+/)
    .filter((group) => group.length === 1).length;
  return singleDigitGroups < 2 || isValidPhoneNumberIn(body, region);
}

/** Where `run` (found at `offset` of the plain text `plain`) holds a phone number, if it does. */
function phoneIn(
  run: string,
  offset: number,
  plain: string,
  region: PhoneRegion,
): { start: number; end: number } | null {
  if (run.replace(/\D/g, "").length < MIN_PHONE_DIGITS) return null;
  if (CURRENCY_BEFORE.test(plain.slice(Math.max(0, offset - 2), offset))) return null;
  // A date beside the number, joined by a space or dash, is not part of it.
  const leading = LEADING_DATE.exec(run);
  if (leading && isDate(leading[1] ?? "")) {
    return phoneIn(run.slice(leading[0].length), offset + leading[0].length, plain, region);
  }
  const trailing = TRAILING_DATE.exec(run);
  if (trailing && isDate(trailing[1] ?? "")) {
    return phoneIn(run.slice(0, trailing.index), offset, plain, region);
  }
  if (isPhone(run, region)) return { start: offset, end: offset + run.length };
  // The run may be a phone number glued to something else by a single space
  // ("sessions 1 2 07700 900123"): drop the first group and look at the rest again.
  const next = /^\(?\+?\d+[^\d]+/.exec(run);
  if (!next) return null;
  return phoneIn(run.slice(next[0].length), offset + next[0].length, plain, region);
}

function redactPhones(text: string, region: PhoneRegion): string {
  const plain = plainForm(text);
  let redacted = "";
  let copied = 0;
  for (const match of plain.matchAll(DIGIT_RUN)) {
    const phone = phoneIn(match[0], match.index, plain, region);
    if (!phone) continue;
    redacted += `${text.slice(copied, phone.start)}[phone]`;
    copied = phone.end;
  }
  return redacted + text.slice(copied);
}

/**
 * Replaces email addresses with `[email]` and phone numbers (UK, US and international formats,
 * 7+ digits, with spaces, dashes, dots, slashes or brackets and an optional +country code, in
 * every format erasure and staff search match) with `[phone]`. Ordinary numbers stay: "24 hours",
 * "2026", "1000", "2-3 sessions", "10:30", dates, prices and ranges. `region` (PHONE_REGION) is
 * the one whose numbers are recognised when typed digit by digit.
 */
export function redactContactDetails(
  text: string,
  region: PhoneRegion = DEFAULT_PHONE_REGION,
): string {
  // Emails first: their digits ("jane1980123@...") must not turn into a "[phone]" inside them.
  return redactPhones(text.replace(EMAIL, "[email]"), region);
}
