/**
 * Cuts a token stream into complete sentences. A sentence ends at `.`, `!` or `?` (closing
 * quotes and brackets allowed), followed by any citation markers (`[1]`, `[1][2]`, `[1, 2]`)
 * and then white space; so "…scars. [1] The…" yields "…scars. [1]". The last sentence comes
 * out at `end()`, complete or not.
 */
export class SentenceStream {
  private buffer = "";

  /** Adds text; returns the sentences it completed. */
  push(text: string): string[] {
    this.buffer += text;
    const out: string[] = [];
    for (;;) {
      const end = this.findEnd();
      if (end < 0) break;
      const sentence = this.buffer.slice(0, end).trim();
      this.buffer = this.buffer.slice(end);
      if (sentence) out.push(sentence);
    }
    return out;
  }

  /** What is left when the stream ends. */
  end(): string[] {
    const rest = this.buffer.trim();
    this.buffer = "";
    return rest ? [rest] : [];
  }

  /** Index just past a complete sentence (and its markers), or -1 when none is complete yet. */
  private findEnd(): number {
    const pattern = /[.!?]+["'”’)\]]*((?:\s*\[\s*\d+(?:\s*,\s*\d+)*\s*\])*)(\s+)(?=[^\s[])/g;
    for (let match = pattern.exec(this.buffer); match; match = pattern.exec(this.buffer)) {
      const after = match.index + match[0].length;
      // "e.g. a peel": an abbreviation followed by a lower-case word does not end a sentence.
      const abbreviation = /\b(e\.g|i\.e|vs|etc|approx|dr|mr|mrs|ms)\.$/i.test(
        this.buffer.slice(0, match.index + 1),
      );
      if (abbreviation && /[a-z]/.test(this.buffer[after] ?? "")) continue;
      return after - (match[2]?.length ?? 0);
    }
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
