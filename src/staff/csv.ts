/** One CSV cell's value; null and undefined are empty cells. */
export type CsvValue = string | number | boolean | null | undefined;

/** Characters that make a spreadsheet read a cell as a formula (OWASP's list). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Text someone typed, made safe to open in a spreadsheet: text a spreadsheet would run as a
 * formula (`=`, `+`, `-`, `@`, tab, carriage return first) gets a leading `'`. Only for free
 * text: ids and timestamps are ours, and a base64url id may start with `-`.
 */
export function formulaSafe(text: string | null | undefined): string | undefined {
  if (text === null || text === undefined) return undefined;
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** A cell as RFC 4180 wants it: with a comma, quote or line break, quoted, inner quotes doubled. */
export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return "";
  const text = typeof value === "string" ? value : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV record, CRLF-terminated as RFC 4180 says. */
export function csvRow(values: readonly CsvValue[]): string {
  return `${values.map(csvCell).join(",")}\r\n`;
}
