/**
 * Expected answer types, the classic question-answering check: "how much is it?" asks for a
 * price, "how long until…?" for a duration, "how old…?" for an age, "how many…?" for a
 * count. A passage whose sentences hold no answer of that type does not answer the question,
 * however close its topic ("how much is a session?" against a passage about sessions). The
 * decision weighs this as a feature, like the others.
 */

interface AnswerType {
  name: "price" | "duration" | "age" | "count";
  /** Questions that ask for this type. */
  asks: RegExp;
  /** Text that holds an answer of this type. */
  answer: RegExp;
}

const NUMBER = String.raw`\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|a few|a couple of|several|few`;

const TYPES: AnswerType[] = [
  {
    name: "price",
    asks: /\bhow much (is|are|does|do|would|will|for|per|to|money)\b|\b(cost|costs|costing|price|prices|pricing|priced|fees?|charges?|expensive|cheap|afford\w*|pay|payment|insurance|insurer|financ\w*|refunds?|discounts?|vouchers?)\b/i,
    answer:
      /[£$€]\s?\d|\b\d+\s?(pounds|dollars|euros|gbp|usd|eur)\b|\b(price|cost|fee|charge|free|insurance|payment)s?\b/i,
  },
  {
    name: "duration",
    asks: /\bhow (long|soon|quickly|fast)\b|\buntil when\b|\bwhen can i\b|\bhow many (hours|days|weeks|months|minutes)\b/i,
    answer: new RegExp(
      String.raw`\b(${NUMBER})\s+(minutes?|hours?|days?|weeks?|months?|years?|sessions?)\b|\b(immediately|straight away|long-term|short window|over time|over several)\b|\bwithin\b`,
      "i",
    ),
  },
  {
    name: "age",
    asks: /\bhow old\b|\b(minimum|maximum) age\b|\bage (limit|restriction|requirement)s?\b|\btoo (young|old)\b|\b(under|over) (18|16|21|\d\d)\b|\bteen(ager|agers|s)?\b/i,
    answer: /\b\d+\s*(years? old|\+)|\b(aged?|over|under) \d+\b|\b(adults?|children|teenagers?)\b/i,
  },
  {
    name: "count",
    asks: /\bhow many\b(?! (hours|days|weeks|months|minutes))/i,
    answer: new RegExp(String.raw`\b(${NUMBER}|multiple|many|hundreds)\b`, "i"),
  },
];

/** The answer types a question asks for (usually none or one). */
export function expectedAnswerTypes(question: string): AnswerType["name"][] {
  return TYPES.filter((t) => t.asks.test(question)).map((t) => t.name);
}

/** Whether a text holds an answer of every type asked for (true when none is asked for). */
export function holdsAnswerTypes(types: AnswerType["name"][], text: string): boolean {
  return types.every((name) => TYPES.find((t) => t.name === name)?.answer.test(text) ?? true);
}
