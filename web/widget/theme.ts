/**
 * Colours derived from the clinic's one accent colour, so any accent stays readable: text on the
 * accent is white or near-black, whichever contrasts more (a mid-tone accent that suits neither
 * is darkened a little), and the accent used as link text is
 * darkened until it reaches WCAG AA (4.5:1) on white and on the accent's pale tint.
 */

export interface Theme {
  accent: string;
  /** Text and icons drawn on the accent. */
  onAccent: string;
  /** The accent as text (links, focus rings): at least 4.5:1 on white and on `accentSoft`. */
  accentText: string;
  /** A pale tint of the accent, for quiet backgrounds. */
  accentSoft: string;
}

type Rgb = [number, number, number];

const WHITE: Rgb = [255, 255, 255];
const INK: Rgb = [27, 31, 30];

/** `#rgb` or `#rrggbb` to channels; undefined for anything else. */
export function parseHex(color: string): Rgb | undefined {
  const match = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color.trim());
  if (!match?.[1]) return undefined;
  const hex = match[1].length === 3 ? [...match[1]].map((c) => c + c).join("") : match[1];
  return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16)) as Rgb;
}

function toHex(rgb: Rgb): string {
  return `#${rgb.map((c) => Math.round(c).toString(16).padStart(2, "0")).join("")}`;
}

function luminance([r, g, b]: Rgb): number {
  const channel = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

/** WCAG contrast ratio of two colours (1 to 21). */
export function contrast(a: Rgb, b: Rgb): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

function mix(a: Rgb, b: Rgb, weightOfB: number): Rgb {
  return a.map((c, i) => c + ((b[i] ?? 0) - c) * weightOfB) as Rgb;
}

/** The theme for an accent colour (which must already be a valid hex colour). */
export function createTheme(accent: string): Theme {
  const given = parseHex(accent) ?? [47, 111, 98];
  // A mid-tone accent that neither white nor ink text can sit on is darkened until white can.
  let rgb = given;
  for (let step = 1; Math.max(contrast(rgb, WHITE), contrast(rgb, INK)) < 4.5; step++) {
    rgb = mix(given, [0, 0, 0], step * 0.05);
  }
  const onAccent = contrast(rgb, WHITE) >= contrast(rgb, INK) ? WHITE : INK;
  const soft = mix(rgb, WHITE, 0.9);
  // Darkened until readable on the pale tint too (citation chips), and so on white.
  let text = rgb;
  for (let step = 1; contrast(text, soft) < 4.5 && step <= 20; step++) {
    text = mix(rgb, [0, 0, 0], step * 0.05);
  }
  return {
    accent: toHex(rgb),
    onAccent: toHex(onAccent),
    accentText: toHex(text),
    accentSoft: toHex(soft),
  };
}
