// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";
import {
  citationHref,
  renderAnswer,
  renderSources,
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
