import { describe, expect, it } from "vitest";
import { DEFAULTS, readConfig, type ScriptLike } from "../../web/widget/config.js";
import { contrast, createTheme, parseHex } from "../../web/widget/theme.js";

function script(attributes: Record<string, string>, src = "https://chat.clinic.example/widget.js") {
  return {
    src,
    getAttribute: (name: string) => attributes[name] ?? null,
  } satisfies ScriptLike;
}

function read(attributes: Record<string, string>, src?: string) {
  const warnings: string[] = [];
  const config = readConfig(script(attributes, src), "https://www.clinic.example/treatments", (w) =>
    warnings.push(w),
  );
  return { config, warnings };
}

describe("readConfig", () => {
  it("uses the defaults and the script's own origin when no attribute is given", () => {
    const { config, warnings } = read({});
    expect(config).toEqual({ ...DEFAULTS, server: "https://chat.clinic.example" });
    expect(warnings).toEqual([]);
  });

  it("takes every valid attribute", () => {
    const { config, warnings } = read({
      "data-title": "  Ask   Lumen ",
      "data-greeting": "Hi there!",
      "data-color": "#AA3366",
      "data-position": "Left",
      "data-server": "https://api.clinic.example/",
      "data-suggestions": "Does it hurt? | How long does it take?",
    });
    expect(config).toEqual({
      title: "Ask Lumen",
      greeting: "Hi there!",
      color: "#aa3366",
      position: "left",
      server: "https://api.clinic.example",
      suggestions: ["Does it hurt?", "How long does it take?"],
    });
    expect(warnings).toEqual([]);
  });

  it.each([
    ["data-title", "", "title"],
    ["data-title", "x".repeat(61), "title"],
    ["data-greeting", "   ", "greeting"],
    ["data-color", "blue", "color"],
    ["data-color", "#12345", "color"],
    ["data-color", "#fff;background:url(x)", "color"],
    ["data-position", "middle", "position"],
    ["data-server", "javascript:alert(1)", "server"],
    ["data-server", "not a url", "server"],
    ["data-server", "https://chat.clinic.example/sub/path", "server"],
    ["data-suggestions", "a|b|c|d|e", "suggestions"],
    ["data-suggestions", "a||b", "suggestions"],
  ] as const)("falls back from a bad %s (%j) with a warning", (attribute, value, key) => {
    const { config, warnings } = read({ [attribute]: value });
    const expected = key === "server" ? "https://chat.clinic.example" : DEFAULTS[key];
    expect(config[key]).toEqual(expected);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(attribute);
  });

  it("falls back to the page's origin, with a warning, when the script's URL is unknown", () => {
    const warnings: string[] = [];
    const config = readConfig(null, "https://www.clinic.example/page", (w) => warnings.push(w));
    expect(config.server).toBe("https://www.clinic.example");
    expect(warnings).toHaveLength(1);
  });
});

describe("theme", () => {
  it.each(["#2f6f62", "#ffd700", "#f0f0f0", "#000", "#3366ff", "#e91e63", "#7fbf7f"])(
    "keeps text readable for the accent %s",
    (accent) => {
      const theme = createTheme(accent);
      const rgb = (hex: string) => parseHex(hex) as [number, number, number];
      expect(contrast(rgb(theme.onAccent), rgb(theme.accent))).toBeGreaterThanOrEqual(4.5);
      expect(contrast(rgb(theme.accentText), rgb("#ffffff"))).toBeGreaterThanOrEqual(4.5);
      expect(contrast(rgb(theme.accentText), rgb(theme.accentSoft))).toBeGreaterThanOrEqual(4.5);
    },
  );
});
