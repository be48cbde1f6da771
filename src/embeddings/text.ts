import { stemmer } from "stemmer";

/**
 * Words that carry no meaning for matching a question to a passage. Kept short on purpose:
 * question words like "safe", "help" or "long" stay, they matter here.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    "a an the and or but if then so of to in on at by for with from into onto about as is are was were be " +
    "been being am do does did doing done have has had having i me my mine myself we us our ours you your " +
    "yours he him his she her hers it its itself they them their theirs this that these those there here " +
    "what which who whom whose when where why how can could would should will shall may might must " +
    "just also very really quite too than such some any all each every no not nor only own same other " +
    "again further once both few more most much many lot lots get gets got up down out over under off " +
    "s t d ll m re ve let lets please hi hello hey thanks thank ok okay would like tell know want " +
    "something anything thing things one ones way ways dont doesnt isnt arent wont cant im ive id " +
    "didnt wasnt werent couldnt wouldnt shouldnt havent hasnt youve theyre weve"
  ).split(/\s+/),
);

/** Lower-case word tokens (letters and digits), curly apostrophes and possessives folded. */
export function tokenize(text: string): string[] {
  const folded = text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc]/g, "'")
    .replace(/'s\b/g, "")
    .replace(/'/g, "");
  return folded.match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Chat spellings that would otherwise read as rare words. */
export const CHAT_SPELLINGS: ReadonlyMap<string, string> = new Map([
  ["wat", "what"],
  ["wot", "what"],
  // "where's" tokenizes as "where"; typed without the apostrophe it must too.
  ["whats", "what"],
  ["wheres", "where"],
  ["hows", "how"],
  ["whos", "who"],
  ["whens", "when"],
  ["whys", "why"],
  ["thats", "that"],
  ["theres", "there"],
  ["heres", "here"],
  ["thru", "through"],
  ["teh", "the"],
  ["u", "you"],
  ["ur", "your"],
  ["youll", "you"],
  ["youre", "you"],
  ["pls", "please"],
  ["plz", "please"],
  ["thx", "thanks"],
  ["abt", "about"],
  ["bc", "because"],
  ["cuz", "because"],
  ["tho", "though"],
  ["ya", "you"],
  ["gonna", "going"],
  ["wanna", "want"],
  ["r", "are"],
  ["wen", "when"],
  ["wht", "what"],
  ["hw", "how"],
  ["cn", "can"],
  ["wud", "would"],
  ["cud", "could"],
  ["shud", "should"],
  ["dnt", "dont"],
  ["b4", "before"],
  ["ppl", "people"],
  ["tmrw", "tomorrow"],
  ["tmr", "tomorrow"],
  ["tomoz", "tomorrow"],
  ["2moro", "tomorrow"],
  // Weekdays as typed in a hurry; "sun" stays itself ("sun damage").
  ["mon", "monday"],
  ["tue", "tuesday"],
  ["tues", "tuesday"],
  ["wed", "wednesday"],
  ["thu", "thursday"],
  ["thur", "thursday"],
  ["thurs", "thursday"],
  ["fri", "friday"],
  ["sat", "saturday"],
  ["sats", "saturdays"],
  ["weds", "wednesdays"],
]);

/** A word that carries meaning: not a stop word, not a single character. */
export const isContentWord = (w: string) => w.length > 1 && !STOP_WORDS.has(w);

/** Tokens that carry meaning: chat spellings mended, stop words and single characters dropped. */
export function contentWords(text: string): string[] {
  return contentWordsWithNext(text).map((t) => t.word);
}

/**
 * Content words, each with the token after it (stop word or not, "" at the end), so a
 * phrase such as "sink in" or "put on" can be read as one.
 */
export function contentWordsWithNext(text: string): { word: string; next: string }[] {
  const tokens = tokenize(text).map((w) => CHAT_SPELLINGS.get(w) ?? w);
  return tokens.flatMap((word, i) =>
    isContentWord(word) ? [{ word, next: tokens[i + 1] ?? "" }] : [],
  );
}

/** Porter stem, for matching "scars" to "scar" where word vectors have no entry. */
export function stem(word: string): string {
  return stemmer(word);
}
