// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";
import {
  citationHref,
  renderAnswer,
  renderSources,
  mergeRuns,
  renderStreaming,
  splitAnswer,
} from "../../web/widget/citations.js";
import { CITATION } from "./fakes.js";

const SERVER = "http://127.0.0.1:3000";
const SECOND = {
  ...CITATION,
  n: 2,
  section: "Safety",
  url: "https://clinic.example/microneedling#safety",
};

function html(fragment: Node): HTMLElement {
  const div = document.createElement("div");
  div.appendChild(fragment);
  return div;
}

describe("splitAnswer", () => {
  it("splits text and markers; a marker without a citation stays text", () => {
    expect(splitAnswer("Scars fade. [1] Safe too. [2] See [7].", [CITATION, SECOND])).toEqual([
      { kind: "text", text: "Scars fade. " },
      { kind: "cite", n: 1, citation: CITATION },
      { kind: "text", text: " Safe too. " },
      { kind: "cite", n: 2, citation: SECOND },
      { kind: "text", text: " See [7]." },
    ]);
    expect(splitAnswer("No markers", [])).toEqual([{ kind: "text", text: "No markers" }]);
  });
});

describe("mergeRuns", () => {
  it("keeps one marker at the end of each run of sentences from the same passage", () => {
    const parts = splitAnswer("A. [1] B. [1] C. [2] D. [1] E. [1]", [CITATION, SECOND]);
    expect(mergeRuns(parts)).toEqual([
      { kind: "text", text: "A. B. " },
      { kind: "cite", n: 1, citation: CITATION },
      { kind: "text", text: " C. " },
      { kind: "cite", n: 2, citation: SECOND },
      { kind: "text", text: " D. E. " },
      { kind: "cite", n: 1, citation: CITATION },
    ]);
    // A list's line breaks stay as they are.
    expect(
      mergeRuns(splitAnswer("Effects: [1]\n• Redness [1]\n• Swelling [1]", [CITATION])),
    ).toEqual([
      { kind: "text", text: "Effects: \n• Redness \n• Swelling " },
      { kind: "cite", n: 1, citation: CITATION },
    ]);
    // The parts given are not changed.
    expect(parts).toHaveLength(10);
  });

  it("is what the widget shows: one badge for two sentences of one passage", () => {
    const div = html(renderAnswer("Scars fade. [1] Pores shrink. [1]", [CITATION], SERVER));
    expect(div.querySelectorAll("a.cite")).toHaveLength(1);
    expect(div.textContent).toBe("Scars fade. Pores shrink. 1");
  });
});

describe("renderStreaming", () => {
  it("shows at every step the beginning of the finished answer, one badge a run", () => {
    const answer = "A. [1] B. [1] C. [2] D.";
    const final = html(renderAnswer(answer, [CITATION, SECOND], SERVER)).textContent ?? "";
    expect(final).toBe("A. B. 1 C. 2 D.");
    const shown = [...answer].map((_, i) => html(renderStreaming(answer.slice(0, i + 1))));
    for (const div of shown) expect(final.startsWith(div.textContent ?? "")).toBe(true);
    // Markers are shown (as plain marks, not links yet) once the next one says a run ended.
    expect(shown.at(-1)?.querySelectorAll("span.cite")).toHaveLength(1);
    expect(html(renderStreaming("A. [1] B. [1] C. [2] D. [3]")).textContent).toBe(
      "A. B. 1 C. 2 D. ",
    );
    expect(html(renderStreaming("No markers yet")).textContent).toBe("No markers yet");
  });
});

describe("citationHref", () => {
  it("resolves relative article links against the service, not the host page", () => {
    expect(citationHref("/articles/microneedling-benefits#treating-acne-scars", SERVER)).toBe(
      "http://127.0.0.1:3000/articles/microneedling-benefits#treating-acne-scars",
    );
    expect(citationHref("https://clinic.example/a#b", SERVER)).toBe("https://clinic.example/a#b");
  });

  it.each([
    "javascript:alert(1)",
    "data:text/html,<b>x</b>",
    "vbscript:x",
    "/\t/evil.example/x",
    "/\r\n/evil.example/x",
    "java\tscript:alert(1)",
  ])("refuses %j", (url) => {
    expect(citationHref(url, SERVER)).toBeUndefined();
  });
});

describe("renderAnswer", () => {
  it("turns [n] into a link to the cited section, named after its source", () => {
    const div = html(renderAnswer("Scars fade. [1]", [CITATION], SERVER));
    const link = div.querySelector("a.cite") as HTMLAnchorElement;
    expect(link.getAttribute("href")).toBe(`${SERVER}${CITATION.url}`);
    expect(link.getAttribute("aria-label")).toBe(
      "Source 1: Why Microneedling Works › Treating Acne Scars",
    );
    expect(link.getAttribute("rel")).toBe("noopener noreferrer");
    expect(div.textContent).toBe("Scars fade. 1");
  });

  it("keeps markup in an answer as text", () => {
    const hostile = '<img src=x onerror="alert(1)"> <b>bold</b> [1] <script>x()</script>';
    const div = html(renderAnswer(hostile, [CITATION], SERVER));
    expect(div.querySelector("img, b, script")).toBeNull();
    expect(div.textContent).toBe(hostile.replace("[1]", "1"));
    expect(div.querySelectorAll("a")).toHaveLength(1);
  });

  it("shows a marker whose link is unsafe without linking it", () => {
    const div = html(
      renderAnswer("See [1]", [{ ...CITATION, url: "javascript:alert(1)" }], SERVER),
    );
    expect(div.querySelector("a")).toBeNull();
    expect(div.querySelector("span.cite")?.textContent).toBe("1");
  });
});

describe("renderSources", () => {
  it("lists each source with its section, title and a snippet that describes the link", () => {
    const hostile = { ...SECOND, snippet: '<img src=x onerror="alert(1)">' };
    const sources = renderSources([hostile, CITATION], SERVER);
    const links = [...sources.querySelectorAll("a.source")] as HTMLAnchorElement[];
    expect(links.map((a) => a.getAttribute("href"))).toEqual([
      `${SERVER}${CITATION.url}`,
      SECOND.url,
    ]);
    expect(links[0]?.textContent).toContain("Treating Acne Scars");
    expect(links[0]?.textContent).toContain("Why Microneedling Works");
    const snippetId = links[1]?.getAttribute("aria-describedby") ?? "";
    const snippet = sources.querySelector(`#${snippetId}`);
    expect(snippet?.getAttribute("role")).toBe("tooltip");
    expect(snippet?.textContent).toBe(hostile.snippet);
    expect(sources.querySelector("img")).toBeNull();
  });
});
