/**
 * Example booking requests (`corpus/booking-examples.json`): messages in which a visitor asks
 * to be booked in, and close ones that are not ("how do I cancel?", "what happens at a
 * consultation?"). A message is recognised as a booking request by its similarity to these,
 * besides the readable rules in `answer/intents.ts`. Content, like the question bank.
 */
import { z } from "zod";
import { loadContentFile, type LoadedContent, saveContentFile } from "./content-file.js";

export const BOOKING_EXAMPLES_FILE = "booking-examples.json";

const example = z.string().trim().min(2, "must not be empty").max(300);

export const bookingExamplesSchema = z.strictObject({
  sample: z.boolean().default(false),
  note: z.string().optional(),
  /** Messages that ask for a booking. */
  requests: z.array(example).max(2000),
  /** Messages close to those that do not (questions about booking, cancelling, consultations). */
  notRequests: z.array(example).max(2000),
});

export type BookingExamples = z.infer<typeof bookingExamplesSchema>;

export const EMPTY_BOOKING_EXAMPLES: BookingExamples = {
  sample: false,
  requests: [],
  notRequests: [],
};

export function loadBookingExamples(corpusDir: string): Promise<LoadedContent<BookingExamples>> {
  return loadContentFile(
    corpusDir,
    BOOKING_EXAMPLES_FILE,
    bookingExamplesSchema,
    EMPTY_BOOKING_EXAMPLES,
  );
}

export async function saveBookingExamples(corpusDir: string, examples: BookingExamples) {
  await saveContentFile(corpusDir, BOOKING_EXAMPLES_FILE, examples);
}
