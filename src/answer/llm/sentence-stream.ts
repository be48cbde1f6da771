/**
 * Cuts a token stream into complete sentences. A sentence ends at `.`, `!` or `?` (closing
 * quotes and brackets allowed), followed by any citation markers (`[1]`, `[1][2]`, `[1, 2]`)
 * and then white space; so "…scars. [1] The…" yields "…scars. [1]". The last sentence comes
 * out at `end()`, complete or not.
 */
/** Enough for a terminator, closing quotes, a few citation markers and the spaces after them. */
const SCAN_TAIL = 256;

export class SentenceStream {
  private buffer = "";
  /**
   * Where the next search for a sentence end starts. Text scanned once is not scanned again
   * on every token, except a tail that a terminator, markers and spaces could still span.
   */
  private scanFrom = 0;

  /** Adds text; returns the sentences it completed. */
  push(text: string): string[] {
    this.buffer += text;
    const out: string[] = [];
    for (;;) {
      const end = this.findEnd();
      if (end < 0) break;
      const sentence = this.buffer.slice(0, end).trim();
      this.buffer = this.buffer.slice(end);
      this.scanFrom = 0;
      if (sentence) out.push(sentence);
    }
    return out;
  }

  /** What is left when the stream ends. */
  end(): string[] {
    const rest = this.buffer.trim();
    this.buffer = "";
    this.scanFrom = 0;
    return rest ? [rest] : [];
  }

  /** Index just past a complete sentence (and its markers), or -1 when none is complete yet. */
  private findEnd(): number {
    // The lookbehind starts a match only at the first mark of a run ("?!..."), which keeps
    // the search linear: without it, a model writing a long run of dots takes cubic time.
    const pattern =
      /(?<![.!?])[.!?]+["'”’)\]]*((?:\s*\[\s*\d+(?:\s*,\s*\d+)*\s*\])*)(\s+)(?=[^\s[])/g;
    pattern.lastIndex = this.scanFrom;
    for (let match = pattern.exec(this.buffer); match; match = pattern.exec(this.buffer)) {
      const after = match.index + match[0].length;
      // "e.g. a peel": an abbreviation followed by a lower-case word does not end a sentence.
      const abbreviation = /\b(e\.g|i\.e|vs|etc|approx|dr|mr|mrs|ms)\.$/i.test(
        this.buffer.slice(Math.max(0, match.index - 8), match.index + 1),
      );
      if (abbreviation && /[a-z]/.test(this.buffer[after] ?? "")) continue;
      return after - (match[2]?.length ?? 0);
    }
    this.scanFrom = Math.max(0, this.buffer.length - SCAN_TAIL);
    return -1;
  }
}

/** The `[n]` numbers a sentence cites, in order, without repeats. */
export function citedNumbers(sentence: string): number[] {
  const numbers: number[] = [];
  for (const match of sentence.matchAll(/\[\s*(\d+(?:\s*,\s*\d+)*)\s*\]/g)) {
    for (const n of (match[1] as string).split(",").map((x) => Number(x.trim()))) {
      if (!numbers.includes(n)) numbers.push(n);
    }
  }
  return numbers;
}

/** The sentence without its markers, white space tidied. */
export function withoutMarkers(sentence: string): string {
  return sentence
    .replace(/\s*\[\s*\d+(?:\s*,\s*\d+)*\s*\]/g, "")
    .replace(/\s+([.!?,;:])/g, "$1")
    .replace(/\s+/g, " ")
    .trim();
}
