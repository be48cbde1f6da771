/**
 * Hand-rolled SVG line charts for the benchmark report: no charting dependency, and the
 * output is plain text that diffs well when the report is committed again.
 */

export interface Point {
  x: number;
  y: number;
  /** Written next to the point: below right, or above left with `labelAbove`. */
  label?: string;
  labelAbove?: boolean;
}

export interface Series {
  name: string;
  color: string;
  points: Point[];
  dashed?: boolean;
  /** Markers without a connecting line (a single reference point, say). */
  markersOnly?: boolean;
}

export interface Axis {
  label: string;
  log?: boolean;
  min?: number;
  max?: number;
  format?: (value: number) => string;
}

/** A horizontal reference line, such as a goal. */
export interface Guide {
  y: number;
  label: string;
  /** Where the label sits: above the line at the right end (default) or below it at the left. */
  at?: "left" | "right";
}

export interface ChartSpec {
  title: string;
  subtitle?: string;
  x: Axis;
  y: Axis;
  series: Series[];
  guides?: Guide[];
  width?: number;
  height?: number;
}

const MARGIN = { top: 80, right: 24, bottom: 56, left: 72 };

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

const round = (v: number) => Math.round(v * 10) / 10;

function defaultFormat(value: number): string {
  if (value === 0) return "0";
  const abs = Math.abs(value);
  if (abs >= 10_000) return `${round(value / 1000)}k`;
  if (abs >= 1) return String(Math.round(value * 100) / 100);
  return String(Number(value.toPrecision(3)));
}

interface Scale {
  toPixel(value: number): number;
  ticks: number[];
  format: (value: number) => string;
}

function scaleFor(axis: Axis, values: number[], from: number, to: number): Scale {
  const finite = values.filter((v) => Number.isFinite(v) && (!axis.log || v > 0));
  let min = axis.min ?? Math.min(...finite);
  let max = axis.max ?? Math.max(...finite);
  if (!Number.isFinite(min) || !Number.isFinite(max)) [min, max] = axis.log ? [1, 10] : [0, 1];
  const format = axis.format ?? defaultFormat;
  if (axis.log) {
    if (axis.min === undefined) min = 10 ** Math.floor(Math.log10(min));
    if (axis.max === undefined) max = 10 ** Math.ceil(Math.log10(max));
    if (max <= min) max = min * 10;
    const ticks: number[] = [];
    const decades = Math.log10(max / min);
    for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
      for (const m of decades <= 2 ? [1, 2, 5] : [1]) {
        const t = m * 10 ** e;
        if (t >= min * 0.999 && t <= max * 1.001) ticks.push(t);
      }
    }
    const span = Math.log10(max) - Math.log10(min);
    return {
      toPixel: (v) =>
        from + ((Math.log10(Math.max(v, min)) - Math.log10(min)) / span) * (to - from),
      ticks,
      format,
    };
  }
  if (max <= min) max = min + 1;
  const rough = (max - min) / 5;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * magnitude >= rough) ?? 10) * magnitude;
  if (axis.min === undefined) min = Math.floor(min / step) * step;
  if (axis.max === undefined) max = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max + step / 1000; t += step) {
    ticks.push(Number(t.toPrecision(12)));
  }
  return { toPixel: (v) => from + ((v - min) / (max - min)) * (to - from), ticks, format };
}

/** Renders a line chart as a standalone SVG document. */
export function lineChart(spec: ChartSpec): string {
  const width = spec.width ?? 720;
  const height = spec.height ?? 420;
  const left = MARGIN.left;
  const right = width - MARGIN.right;
  const top = MARGIN.top;
  const bottom = height - MARGIN.bottom;
  const points = spec.series.flatMap((s) => s.points);
  const x = scaleFor(
    spec.x,
    points.map((p) => p.x),
    left,
    right,
  );
  const y = scaleFor(
    spec.y,
    [...points.map((p) => p.y), ...(spec.guides ?? []).map((g) => g.y)],
    bottom,
    top,
  );
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`,
    `<title>${escapeXml(spec.title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${left}" y="24" font-size="16" font-weight="600" fill="#111">${escapeXml(spec.title)}</text>`,
  );
  if (spec.subtitle) {
    out.push(
      `<text x="${left}" y="42" font-size="12" fill="#555">${escapeXml(spec.subtitle)}</text>`,
    );
  }
  for (const t of x.ticks) {
    const px = round(x.toPixel(t));
    out.push(
      `<line x1="${px}" y1="${top}" x2="${px}" y2="${bottom}" stroke="#e5e5e5"/>`,
      `<text x="${px}" y="${bottom + 18}" text-anchor="middle" fill="#333">${escapeXml(x.format(t))}</text>`,
    );
  }
  for (const t of y.ticks) {
    const py = round(y.toPixel(t));
    out.push(
      `<line x1="${left}" y1="${py}" x2="${right}" y2="${py}" stroke="#e5e5e5"/>`,
      `<text x="${left - 8}" y="${py + 4}" text-anchor="end" fill="#333">${escapeXml(y.format(t))}</text>`,
    );
  }
  out.push(
    `<line x1="${left}" y1="${bottom}" x2="${right}" y2="${bottom}" stroke="#333"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${bottom}" stroke="#333"/>`,
    `<text x="${(left + right) / 2}" y="${height - 14}" text-anchor="middle" fill="#111">${escapeXml(spec.x.label)}</text>`,
    `<text transform="translate(18 ${(top + bottom) / 2}) rotate(-90)" text-anchor="middle" fill="#111">${escapeXml(spec.y.label)}</text>`,
  );
  for (const guide of spec.guides ?? []) {
    const py = round(y.toPixel(guide.y));
    out.push(
      `<line x1="${left}" y1="${py}" x2="${right}" y2="${py}" stroke="#c0392b" stroke-dasharray="6 4"/>`,
      guide.at === "left"
        ? `<text x="${left + 6}" y="${py + 16}" fill="#c0392b">${escapeXml(guide.label)}</text>`
        : `<text x="${right - 4}" y="${py - 6}" text-anchor="end" fill="#c0392b">${escapeXml(guide.label)}</text>`,
    );
  }
  for (const series of spec.series) {
    const coords = series.points.map((p) => [round(x.toPixel(p.x)), round(y.toPixel(p.y))]);
    if (!series.markersOnly && coords.length > 1) {
      out.push(
        `<polyline points="${coords.map(([px, py]) => `${px},${py}`).join(" ")}" fill="none" stroke="${series.color}" stroke-width="2"${series.dashed ? ' stroke-dasharray="5 4"' : ""}/>`,
      );
    }
    series.points.forEach((p, i) => {
      const [px, py] = coords[i] as number[];
      out.push(`<circle cx="${px}" cy="${py}" r="4" fill="${series.color}"/>`);
      if (p.label) {
        const [tx, ty, anchor] = p.labelAbove
          ? [(px as number) - 7, (py as number) - 8, "end"]
          : [(px as number) + 7, (py as number) + 14, "start"];
        out.push(
          `<text x="${tx}" y="${ty}" text-anchor="${anchor}" font-size="11" fill="${series.color}">${escapeXml(p.label)}</text>`,
        );
      }
    });
  }
  // Legend: one row under the title.
  let lx = left;
  for (const series of spec.series) {
    out.push(
      `<line x1="${lx}" y1="60" x2="${lx + 18}" y2="60" stroke="${series.color}" stroke-width="${series.markersOnly ? 0 : 2}"${series.dashed ? ' stroke-dasharray="5 4"' : ""}/>`,
      `<circle cx="${lx + 9}" cy="60" r="3.5" fill="${series.color}"/>`,
      `<text x="${lx + 24}" y="64" fill="#111">${escapeXml(series.name)}</text>`,
    );
    lx += 34 + series.name.length * 6.5;
  }
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
