let segmenter: Intl.Segmenter | undefined;

/** English sentences of a text, as written (surrounding white space kept). */
export function sentencesOf(text: string): string[] {
  // Made on first use and reused: a segmenter is stateless and costly to create per call.
  segmenter ??= new Intl.Segmenter("en", { granularity: "sentence" });
  return Array.from(segmenter.segment(text), (s) => s.segment);
}
