/**
 * The embed options, read once from the widget's own `<script>` tag. Every attribute is
 * optional; a bad value falls back to its default with a console warning naming the attribute,
 * so a typo on the clinic's site never breaks the widget.
 */
import { parseHex } from "./theme.js";

export type Position = "left" | "right";

export interface WidgetConfig {
  title: string;
  greeting: string;
  /** The accent colour, `#rgb` or `#rrggbb`. */
  color: string;
  position: Position;
  /** The chat service's origin, e.g. `https://clinic.example`, with no trailing slash. */
  server: string;
  /** Suggested starter questions (1 to 4). */
  suggestions: string[];
}

export const DEFAULTS: Omit<WidgetConfig, "server"> = {
  title: "Ask our clinic",
  greeting:
    "Hello! I can answer questions about our treatments from the clinic's articles, or help you book a consultation. What would you like to know?",
  color: "#2f6f62",
  position: "right",
  suggestions: [
    "Does microneedling help with acne scars?",
    "Is microneedling safe for darker skin?",
    "What happens at a consultation?",
    "I'd like to book a consultation",
  ],
};

/** What `readConfig` needs of the script element (a real one, or a stand-in in tests). */
export interface ScriptLike {
  getAttribute(name: string): string | null;
  /** The script's absolute URL; empty for an inline script. */
  readonly src: string;
}

const PREFIX = "[clinic chat]";

function httpOrigin(value: string, base?: string): string | undefined {
  try {
    const url = new URL(value, base);
    if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}

function boundedText(value: string, max: number): string | undefined {
  const text = value.replace(/\s+/g, " ").trim();
  return text.length > 0 && text.length <= max ? text : undefined;
}

/**
 * Reads and validates the `data-*` attributes of the widget's script tag.
 *
 * @param script - The widget's `<script>` element (`document.currentScript`), or null when unknown.
 * @param pageUrl - The host page's URL: the server falls back to its origin when the script's
 *   own URL is unknown.
 * @param warn - Where to report a bad value (the console in the browser).
 */
export function readConfig(
  script: ScriptLike | null,
  pageUrl: string,
  warn: (message: string) => void = (message) => console.warn(message),
): WidgetConfig {
  const attribute = (name: string) => script?.getAttribute(`data-${name}`) ?? null;
  const fallback = <T>(name: string, raw: string, rule: string, value: T): T => {
    warn(`${PREFIX} data-${name}="${raw}" ${rule}; using ${JSON.stringify(value)} instead.`);
    return value;
  };

  const read = <T>(
    name: string,
    parse: (raw: string) => T | undefined,
    rule: string,
    defaultValue: T,
  ): T => {
    const raw = attribute(name);
    if (raw === null) return defaultValue;
    const value = parse(raw);
    return value === undefined ? fallback(name, raw, rule, defaultValue) : value;
  };

  const scriptOrigin = script?.src ? httpOrigin(script.src) : undefined;
  const defaultServer = scriptOrigin ?? httpOrigin(pageUrl) ?? "";
  if (!scriptOrigin && attribute("server") === null) {
    warn(`${PREFIX} cannot tell where the widget was loaded from; using ${defaultServer}.`);
  }

  return {
    title: read(
      "title",
      (raw) => boundedText(raw, 60),
      "must be 1 to 60 characters",
      DEFAULTS.title,
    ),
    greeting: read(
      "greeting",
      (raw) => boundedText(raw, 400),
      "must be 1 to 400 characters",
      DEFAULTS.greeting,
    ),
    color: read(
      "color",
      (raw) => (parseHex(raw) ? raw.trim().toLowerCase() : undefined),
      "is not a colour like #2f6f62",
      DEFAULTS.color,
    ),
    position: read(
      "position",
      (raw) => {
        const value = raw.trim().toLowerCase();
        return value === "left" || value === "right" ? value : undefined;
      },
      'must be "left" or "right"',
      DEFAULTS.position,
    ),
    server: read(
      "server",
      (raw) => {
        const origin = httpOrigin(raw.trim());
        // Only an origin: the service's links and socket path are absolute from its root.
        return origin && new URL(raw.trim()).pathname === "/" ? origin : undefined;
      },
      "is not an http(s) origin like https://clinic.example",
      defaultServer,
    ),
    suggestions: read(
      "suggestions",
      (raw) => {
        const items = raw.split("|").map((item) => boundedText(item, 120));
        if (items.length < 1 || items.length > 4 || items.some((item) => item === undefined)) {
          return undefined;
        }
        return items as string[];
      },
      'must be 1 to 4 questions separated by "|", each up to 120 characters',
      DEFAULTS.suggestions,
    ),
  };
}
