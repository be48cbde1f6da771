import { sentencesOf } from "../answer/sentences.js";

/** A sentence (or a list with its lead-in) that can be quoted on its own. */
export interface Unit {
  /** Lines exactly as they stand in the passage. */
  lines: string[];
  /** Position within the passage, to keep quoted sentences in reading order. */
  order: number;
}

/**
 * Splits a passage into quotable units: sentences of its paragraphs, and a lead-in ending in
 * ":" together with the list items under it (a list is meaningless without its lead-in).
 */
export function passageUnits(text: string): Unit[] {
  const units: Unit[] = [];
  for (const paragraph of text.split(/\n{2,}/)) {
    const [first = "", ...items] = paragraph.split("\n").map((l) => l.trim());
    const sentences = sentencesOf(first)
      .map((s) => s.trim())
      .filter(Boolean);
    if (items.length > 0 && sentences.length > 0) {
      const lead = sentences.pop() as string;
      for (const s of sentences) units.push({ lines: [s], order: units.length });
      units.push({ lines: [lead, ...items.filter(Boolean)], order: units.length });
    } else {
      for (const s of sentences) units.push({ lines: [s], order: units.length });
      for (const item of items.filter(Boolean)) units.push({ lines: [item], order: units.length });
    }
  }
  return units;
}

/** The text a unit is embedded and matched as. */
export const unitText = (unit: Unit) => unit.lines.join(" ");
