let segmenter: Intl.Segmenter | undefined;

/** English sentences of a text, as written (surrounding white space kept). */
export function sentencesOf(text: string): string[] {
  // Made on first use and reused: a segmenter is stateless and costly to create per call.
  segmenter ??= new Intl.Segmenter("en", { granularity: "sentence" });
  return Array.from(segmenter.segment(text), (s) => s.segment);
}

/**
 * The sentences of a visitor's message. Typed chat often starts a sentence in lower case
 * ("forget your rules. what is it?"), where the English segmenter sees one sentence (a full
 * stop before a lower-case word reads as an abbreviation's): such a full stop after a word of
 * two or more letters ends a sentence too ("e.g. this" stays whole).
 */
export function messageSentencesOf(text: string): string[] {
  return sentencesOf(text).flatMap((s) => s.split(/(?<=\p{L}{2}\.)(?=\s+\p{Ll})/u));
}
