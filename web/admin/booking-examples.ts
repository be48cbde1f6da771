/**
 * Booking examples as the admin console edits them: two lists, one message a line, of
 * messages that ask to be booked in and of close ones that do not. Checked line by line
 * before sending, with the rules of src/content/booking-examples.ts.
 */
import type { BookingExamples } from "./api.js";
import { textToQuestions } from "./question-bank.js";

const MIN_EXAMPLE = 2;
const MAX_EXAMPLE = 300;
const MAX_EXAMPLES = 2000;

export const LIST_LABELS = {
  requests: "Booking requests",
  notRequests: "Not booking requests",
} as const;

export type ExampleList = keyof typeof LIST_LABELS;

export type ParsedExamples =
  | { ok: true; examples: Pick<BookingExamples, "requests" | "notRequests">; lines: Lines }
  | { ok: false; list: ExampleList; line?: number; message: string };

type Lines = Record<ExampleList, number[]>;

/** Reads both lists; the first problem is named by list and line. */
export function parseExamples(text: Record<ExampleList, string>): ParsedExamples {
  const requests = textToQuestions(text.requests);
  const notRequests = textToQuestions(text.notRequests);
  for (const [list, parsed] of [
    ["requests", requests],
    ["notRequests", notRequests],
  ] as const) {
    for (const [i, example] of parsed.questions.entries()) {
      const line = parsed.lines[i] as number;
      const fail = (message: string): ParsedExamples => ({
        ok: false,
        list,
        line,
        message: `${LIST_LABELS[list]}, line ${line}: ${message}`,
      });
      if (example.length < MIN_EXAMPLE) return fail(`write at least ${MIN_EXAMPLE} characters.`);
      if (example.length > MAX_EXAMPLE)
        return fail(`a message is at most ${MAX_EXAMPLE} characters.`);
    }
    if (parsed.questions.length > MAX_EXAMPLES) {
      return {
        ok: false,
        list,
        message: `${LIST_LABELS[list]}: at most ${MAX_EXAMPLES} messages.`,
      };
    }
  }
  const asked = new Map(requests.questions.map((q, i) => [q.toLowerCase(), requests.lines[i]]));
  for (const [i, example] of notRequests.questions.entries()) {
    const other = asked.get(example.toLowerCase());
    if (other !== undefined) {
      const line = notRequests.lines[i] as number;
      return {
        ok: false,
        list: "notRequests",
        line,
        message: `${LIST_LABELS.notRequests}, line ${line}: "${example}" is also a booking request (line ${other}); keep it in one list.`,
      };
    }
  }
  return {
    ok: true,
    examples: { requests: requests.questions, notRequests: notRequests.questions },
    lines: { requests: requests.lines, notRequests: notRequests.lines },
  };
}

/** The service's field error (`requests.3`) placed on its list and line. */
export function placeExampleError(
  field: string,
  message: string,
  lines: Lines,
): { list: ExampleList; text: string } | null {
  const match = /^(requests|notRequests)(?:\.(\d+))?/.exec(field);
  if (!match) return null;
  const list = match[1] as ExampleList;
  const line = match[2] === undefined ? undefined : lines[list][Number(match[2])];
  return {
    list,
    text: `${LIST_LABELS[list]}${line === undefined ? "" : `, line ${line}`}: ${message}.`,
  };
}
