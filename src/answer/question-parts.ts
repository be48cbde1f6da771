import { contentWords } from "../embeddings/text.js";
import { messageSentencesOf } from "./sentences.js";

/** Parts of one message answered separately at most. */
const MAX_PARTS = 3;
/** A part needs this many words that carry meaning to stand on its own. */
const MIN_WORDS = 2;

/** A piece that asks something, rather than telling ("I have dry skin."). */
const ASKS =
  /\?\s*$|^(and |but |also,? |so )?(what|which|who|whom|whose|when|where|why|how|is|are|am|was|were|do|does|did|can|could|will|would|should|shall|may|might|has|have)\b/i;

/**
 * The separate questions of a message ("does it help acne scars? and how long does the
 * redness last?"): its sentences and question marks that ask something with enough words of
 * their own. A statement ("I have dry skin.") goes with the question after it, a fragment
 * too short to stand alone with the one before, and so do words after the last question.
 * One part for an ordinary question.
 */
export function questionParts(message: string): string[] {
  const pieces = messageSentencesOf(message)
    .flatMap((s) => s.split(/(?<=\?)\s+|;\s+/))
    .map((s) => s.trim())
    .filter(Boolean);
  const parts: string[] = [];
  let pending = "";
  for (const piece of pieces) {
    const text = pending ? `${pending} ${piece}` : piece;
    if (!ASKS.test(piece)) {
      pending = text;
      continue;
    }
    pending = "";
    const last = parts.length - 1;
    if (last >= 0 && contentWords(piece).length < MIN_WORDS) parts[last] = `${parts[last]} ${text}`;
    else parts.push(text);
  }
  // Words after the last question ("…? the deep boxcar ones") say more about it.
  if (pending) {
    const last = parts.length - 1;
    if (last < 0) parts.push(pending);
    else parts[last] = `${parts[last]} ${pending}`;
  }
  if (parts.length > MAX_PARTS) return [message.trim()];
  return parts;
}
