/*
 * One phone number is written many ways: "07700 900777", "+44 7700 900777", "07700-900-777",
 * "0044 7700 900777". Erasure, staff search and redaction compare numbers in their E.164 form
 * ("+447700900777"), read with the clinic's region (PHONE_REGION) when a number has no country
 * code. The "max" metadata is used so that `isValidPhoneNumberIn` checks the digits themselves,
 * not only the length.
 */
import {
  type CountryCode,
  isSupportedCountry,
  parsePhoneNumberFromString,
} from "libphonenumber-js/max";

/** An ISO 3166-1 alpha-2 region code that libphonenumber-js knows ("GB", "FR", "US"…). */
export type PhoneRegion = CountryCode;

/** The region numbers without a country code are read in when none is configured. */
export const DEFAULT_PHONE_REGION: PhoneRegion = "GB";

/** Whether `code` (upper case) is a region libphonenumber-js has numbering rules for. */
export function isPhoneRegion(code: string): code is PhoneRegion {
  return isSupportedCountry(code);
}

/**
 * The number in E.164 ("+447700900777"), or null when it cannot be read as a phone number:
 * no digits, an unknown country code, or too few or too many digits for its country. Only the
 * length is checked, not the digits, so numbers set aside for drama and tests ("07700 900xxx")
 * and newly allocated ranges are read too. "00" and "+" international prefixes, a "(0)" trunk
 * prefix and any punctuation are understood.
 */
export function toE164(phone: string, region: PhoneRegion): string | null {
  const parsed = parsePhoneNumberFromString(phone, region);
  return parsed?.isPossible() ? parsed.number : null;
}

/**
 * Digits only, with a "00" international prefix read as "+": how numbers that `toE164` cannot
 * read are compared.
 */
export function phoneDigits(phone: string): string {
  return phone.replace(/\D/g, "").replace(/^00/, "");
}

/**
 * A phone number's forms for matching: two numbers are the same when both have an E.164 form
 * and those are equal, or when either has none and their digits are equal.
 */
export interface PhoneKey {
  e164: string | null;
  digits: string;
}

export function phoneKey(phone: string, region: PhoneRegion): PhoneKey {
  return { e164: toE164(phone, region), digits: phoneDigits(phone) };
}

/**
 * Whether `text` (ASCII digits and punctuation) is a number in an assigned range, its digits
 * checked against the numbering plan (read as `region`'s without a country code).
 */
export function isValidPhoneNumberIn(text: string, region: PhoneRegion): boolean {
  return parsePhoneNumberFromString(text, region)?.isValid() ?? false;
}
