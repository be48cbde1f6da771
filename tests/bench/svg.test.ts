import { describe, expect, it } from "vitest";
import { lineChart } from "../../scripts/bench/svg.js";

describe("lineChart", () => {
  const svg = lineChart({
    title: "Latency <p95> & more",
    x: { label: "visitors", log: true },
    y: { label: "ms", log: true },
    series: [
      {
        name: "p50",
        color: "#1f77b4",
        points: [
          { x: 1, y: 1.2 },
          { x: 32, y: 40 },
          { x: 256, y: 300 },
        ],
      },
      {
        name: "exact",
        color: "#2ca02c",
        markersOnly: true,
        points: [{ x: 10, y: 5, label: "exact" }],
      },
    ],
    guides: [{ y: 50, label: "goal" }],
  });

  it("is one standalone SVG document with escaped text", () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith("</svg>")).toBe(true);
    expect(svg).toContain("Latency &lt;p95&gt; &amp; more");
    expect(svg).not.toMatch(/NaN|Infinity|undefined/);
  });

  it("draws a line per series with markers, and none for a markers-only series", () => {
    expect(svg.match(/<polyline/g)).toHaveLength(1);
    // 4 data points + 2 legend markers.
    expect(svg.match(/<circle/g)).toHaveLength(6);
    expect(svg).toContain(">goal</text>");
  });

  it("places log-scale points in order, inside the plot", () => {
    const polyline = /<polyline points="([^"]+)"/.exec(svg)?.[1] ?? "";
    const points = polyline.split(" ").map((p) => p.split(",").map(Number));
    const xs = points.map(([x]) => x as number);
    const ys = points.map(([, y]) => y as number);
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    expect(ys).toEqual([...ys].sort((a, b) => b - a));
    for (const [x, y] of points) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(720);
      expect(y).toBeGreaterThanOrEqual(0);
      expect(y).toBeLessThanOrEqual(420);
    }
  });
});
