/**
 * "Do you do laser hair removal?": a question whether the clinic offers something. The
 * articles answer it only where a section is about that thing, so the thing asked for is
 * read off the question, and the decision weighs how much of it a passage's section is about
 * (its headings and bank questions), rather than a sentence naming it in passing ("compared
 * to laser treatments…").
 */
import { contentWords, stem } from "../embeddings/text.js";

/** The offer asked about; the thing follows the match, or is `thing`. */
const OFFER = [
  /\b(do|does|can|could|will) (you|u|ya|the clinic|your clinic)( guys)?( also| still| even| ever)? (do|offer|provide|perform|sell|stock|carry|give|have|use|treat|take|apply|numb|accept|recommend|prescribe|inject)\b/i,
  /\b(is|are) (?<thing>[\w\s-]{1,40}?) (available|offered|on offer|done) (here|at (your|the) clinic|with you)\b/i,
  /\bcan i (get|have) (?<thing>[\w\s-]{1,40}?) (done )?(here|at (your|the) clinic|with you)\b/i,
];

/** Words that say nothing of the thing asked for ("do you guys also do it here?"). */
const EMPTY = new Set([
  "guys",
  "here",
  "clinic",
  "lumen",
  "anymore",
  "too",
  "still",
  "even",
  "well",
]);

/**
 * "What do you do at a consultation?" or "what needle length do you use?" asks what or how,
 * not whether it is offered.
 */
const WH_BEFORE = /\b(what|how|when|where|why|which|who)\b[^.?!,;]*$/i;

/** The stems of what an offer question asks for; null when the question is not one. */
export function offeredThing(question: string): string[] | null {
  for (const pattern of OFFER) {
    const match = pattern.exec(question);
    if (!match || WH_BEFORE.test(question.slice(0, match.index))) continue;
    const after = question.slice(match.index + match[0].length).split(/[.?!,;]/)[0] ?? "";
    const stems = contentWords(match.groups?.thing ?? after)
      .filter((w) => !EMPTY.has(w))
      .map(stem);
    return stems.length > 0 ? [...new Set(stems)] : null;
  }
  return null;
}

/** The share of the thing asked for that a section is not about (0 when not an offer question). */
export function offerMissing(thing: string[] | null, about: ReadonlySet<string>): number {
  if (!thing) return 0;
  return thing.filter((s) => !about.has(s)).length / thing.length;
}
