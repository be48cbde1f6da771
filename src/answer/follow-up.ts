/**
 * Whether a visitor's message stands on its own or leans on the one before it, decided from
 * the message itself: does it name what it asks about? "how many sessions will I need?" and
 * "what are your opening hours" do, so they are answered on their own even right after a
 * health question; "is it safe then?", "how long will that last?" and "which kinds respond
 * best?" do not, so they are read with the earlier message (and inherit its clinician
 * handoff). Parts of speech come from compromise's tagger, read in context, so "face" in
 * "face peels" is a noun and "last" in "will that last" is not.
 */
import nlp from "compromise/two";
import { CHAT_SPELLINGS, isContentWord, tokenize } from "../embeddings/text.js";
import { stripMarkup } from "./intents.js";
import type { HistoryTurn } from "./types.js";

/** Pronouns and determiners that stand for something said before: "how long will that last?". */
const POINTERS = new Set(
  "it its itself they them their theirs this that these those mine".split(" "),
);

/**
 * Words that lean on something said before only when the message names nothing itself:
 * "which is better?", "tell me more", "anything else?" (but not "which cream is better?").
 */
const WEAK_POINTERS = new Set("which same else more other others ones".split(" "));

/**
 * Nouns that name no topic of their own: "which kinds respond best?", "what types work?".
 * (Words such as "thing", "way" and "something" are stop words already.)
 */
const PLACEHOLDER_NOUNS = new Set(
  "kind kinds type types sort sorts option options bit part parts stuff everything".split(" "),
);

/** Tags a word may carry in compromise's lexicon that rule it out as a noun. */
const NOT_NOUN = new Set([
  "Adjective",
  "Comparative",
  "Superlative",
  "Adverb",
  "Determiner",
  "Pronoun",
  "Preposition",
  "Conjunction",
]);

/**
 * Openers that borrow the earlier question's predicate ("what about my neck?", "and for
 * scars?"), unless a question of its own follows ("and how long does the redness last?").
 */
const BORROWING_OPENER =
  /^(?:(?:ok|okay|oh|so|right|hmm)\s+)?(?:what about|how about|what of|and|also|or|plus)\b\s*(.*)$/;
const QUESTION_START =
  /^(what|which|who|whom|whose|when|where|why|how|is|are|am|was|were|do|does|did|can|could|will|would|should|shall|may|might|has|have)\b/;

/** compromise's lexicon: a word's own tag, before context ("best" → Adjective). */
const LEXICON = (nlp.model() as { one: { lexicon: Record<string, unknown> } }).one.lexicon;

function lexiconTag(word: string): string | undefined {
  const entry = LEXICON[word];
  return typeof entry === "string" ? entry : undefined;
}

/**
 * True when the message needs the conversation to be understood: it points back with a
 * pronoun ("how long will that last?"); or it names no topic of its own (no content noun)
 * and leans on the earlier message ("which is better?") or is a fragment ("how often?"); or
 * it borrows the earlier question's predicate ("what about my neck?", "and stretch marks?").
 * A message that names its topic in a sentence of its own ("how many sessions will I need?")
 * stands alone, however short.
 */
export function refersBack(message: string): boolean {
  const words = tokenize(stripMarkup(message)).map((w) => CHAT_SPELLINGS.get(w) ?? w);
  if (words.length === 0) return false;
  if (words.some((w) => POINTERS.has(w))) return true;
  const text = words.join(" ");
  const borrowed = BORROWING_OPENER.exec(text);
  if (borrowed && !QUESTION_START.test(borrowed[1] ?? "")) return true;
  const sentences = nlp(text).json({ terms: { normal: true } }) as {
    terms: { normal: string; tags: string[] }[];
  }[];
  const terms = sentences.flatMap((s) => s.terms);
  if (terms.some(namesTopic)) return false;
  const hasVerb = terms.some((t) => t.tags.includes("Verb"));
  return !hasVerb || words.some((w) => WEAK_POINTERS.has(w) || PLACEHOLDER_NOUNS.has(w));
}

/** A content noun, as tagged in context and not ruled out by the lexicon ("best?" is no noun). */
function namesTopic(term: { normal: string; tags: string[] }): boolean {
  const word = term.normal;
  if (!isContentWord(word) || PLACEHOLDER_NOUNS.has(word) || WEAK_POINTERS.has(word)) return false;
  if (!term.tags.includes("Noun") || term.tags.includes("Pronoun")) return false;
  const own = lexiconTag(word);
  return !(own && NOT_NOUN.has(own));
}

/**
 * The earlier visitor text a follow-up refers to: the last visitor message, when this one
 * does not stand on its own.
 */
export function followUpContext(message: string, history: HistoryTurn[] = []): string | undefined {
  const previous = [...history].reverse().find((t) => t.role === "visitor");
  if (!previous || !refersBack(message)) return undefined;
  return stripMarkup(previous.text);
}
