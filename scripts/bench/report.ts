/**
 * The benchmark report: every figure of one run as Markdown (with the issue's goals as a
 * target column and a pass/miss mark) and the two SVG charts. Pure functions of the results.
 */
import type { IngestResult } from "./ingest.js";
import type { ScaleResult } from "./index-scale.js";
import type { LoadResult } from "./load-generator.js";
import type { QualityRow } from "./quality.js";
import { lineChart } from "./svg.js";
import type { WidgetSize } from "./widget.js";

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryBytes: number;
  node: string;
  os: string;
  /** ISO date and time of the run. */
  date: string;
  /** 1-minute load average at the start, at the end and the highest seen (sampled each second). */
  loadAverage: { start: number; end: number; max: number };
  commit?: string;
}

export interface BenchResults {
  quick: boolean;
  seconds: number;
  machine: MachineInfo;
  settings: {
    embeddingModel: string;
    ef: number;
    m: number;
    efConstruction: number;
    seed: number;
    loadSeconds: number;
  };
  quality: { cases: number; rows: QualityRow[] };
  scale: ScaleResult[];
  ingest: IngestResult[];
  load: {
    /** Bare `/healthz`, before and after the chat rows: their mean is the ceiling. */
    ceiling: LoadResult;
    ceilingAfter: LoadResult;
    httpChat: LoadResult;
    sockets: LoadResult[];
  };
  coldStart: { withoutIndexMs: number; withIndexMs: number };
  widget: WidgetSize | null;
}

/** The goals of issue 7, as the report states and checks them. */
export const GOALS = {
  sectionAt1: 0.9,
  recall: 0.99,
  socketP95Ms: 50,
  socketGoalVisitors: 32,
  httpShareOfCeiling: 0.25,
  coldStartMs: 3000,
  widgetGzipBytes: 40 * 1024,
} as const;

export const CHART_FILES = { latency: "bench-latency.svg", recall: "bench-recall.svg" } as const;

type Status = "pass" | "miss" | "unmeasured";

export interface GoalCheck {
  goal: string;
  target: string;
  measured: string;
  status: Status;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const ms = (x: number) => x.toFixed(x < 10 ? 2 : 1);
const us = (x: number) => x.toFixed(x < 10 ? 1 : 0);
const secs = (x: number) => x.toFixed(x < 10 ? 2 : 1);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const mb = (bytes: number) =>
  bytes < 1024 * 1024 ? kb(bytes) : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const signedMb = (bytes: number) => `${bytes >= 0 ? "+" : "−"}${mb(Math.abs(bytes))}`;
const count = (n: number) => n.toLocaleString("en-US");
const mark = (status: Status) =>
  status === "pass" ? "✓ pass" : status === "miss" ? "✗ miss" : "– not measured";
const passes = (ok: boolean): Status => (ok ? "pass" : "miss");

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

function fullRow(r: BenchResults): QualityRow {
  const full = r.quality.rows.find((row) => row.id === "full");
  if (!full) throw new Error("the quality results have no full-pipeline row");
  return full;
}

function socketAt(r: BenchResults, visitors: number): LoadResult | undefined {
  return r.load.sockets.find((s) => s.concurrency === visitors);
}

/** The ceiling: the mean of the two bare /healthz rows, which bracket the chat rows. */
const ceilingRate = (r: BenchResults) =>
  (r.load.ceiling.perSecond + r.load.ceilingAfter.perSecond) / 2;
const share = (r: BenchResults, load: LoadResult) => load.perSecond / ceilingRate(r);

/** Why this run's speed figures should not be quoted, if they should not. */
export function disturbance(r: BenchResults): string | undefined {
  const [a, b] = [r.load.ceiling.perSecond, r.load.ceilingAfter.perSecond];
  const drift = Math.abs(a - b) / Math.max(a, b, 1);
  const reasons: string[] = [];
  if (drift > 0.25) {
    reasons.push(
      `the /healthz ceiling moved by ${pct(drift)} between the start and the end of the load rows`,
    );
  }
  if (r.machine.loadAverage.max > r.machine.cores + 1) {
    reasons.push(
      `the load average reached ${r.machine.loadAverage.max.toFixed(1)} on ${r.machine.cores} cores`,
    );
  }
  return reasons.length > 0 ? reasons.join(", and ") : undefined;
}

export function checkGoals(r: BenchResults): GoalCheck[] {
  const full = fullRow(r);
  const others = r.quality.rows.filter((row) => row !== full);
  const bestOther = Math.max(...others.map((row) => row.report.sectionAt1));
  const worstRecall = r.scale.reduce((worst, s) => (s.hnsw.recall < worst.hnsw.recall ? s : worst));
  const socket = socketAt(r, GOALS.socketGoalVisitors);
  const httpShare = share(r, r.load.httpChat);
  return [
    {
      goal: "Full pipeline section@1",
      target: `≥ ${pct(GOALS.sectionAt1)} and above every other row`,
      measured: `${pct(full.report.sectionAt1)} (best other row ${pct(bestOther)})`,
      status: passes(
        full.report.sectionAt1 >= GOALS.sectionAt1 && full.report.sectionAt1 > bestOther,
      ),
    },
    {
      goal: `hnswlib recall@10 at the service's ef (${r.settings.ef})`,
      target: `≥ ${GOALS.recall} at every size`,
      measured: `${worstRecall.hnsw.recall.toFixed(4)} (lowest, at ${worstRecall.factor}×)`,
      status: passes(worstRecall.hnsw.recall >= GOALS.recall),
    },
    {
      goal: `Socket.IO chat p95, ${GOALS.socketGoalVisitors} visitors, extractive`,
      target: `≤ ${GOALS.socketP95Ms} ms`,
      measured: socket ? `${ms(socket.latencyMs.p95)} ms` : "not run",
      status: socket ? passes(socket.latencyMs.p95 <= GOALS.socketP95Ms) : "unmeasured",
    },
    {
      goal: "HTTP chat throughput",
      target: `≥ ${(GOALS.httpShareOfCeiling * 100).toFixed(0)}% of the /healthz ceiling`,
      measured: `${pct(httpShare)} (${r.load.httpChat.perSecond.toFixed(0)} of ${ceilingRate(r).toFixed(0)} requests/s)`,
      status: passes(httpShare >= GOALS.httpShareOfCeiling),
    },
    {
      goal: "Cold start to ready, with an index",
      target: `≤ ${GOALS.coldStartMs / 1000} s`,
      measured: `${secs(r.coldStart.withIndexMs / 1000)} s`,
      status: passes(r.coldStart.withIndexMs <= GOALS.coldStartMs),
    },
    {
      goal: "Widget bundle, gzipped",
      target: `≤ ${GOALS.widgetGzipBytes / 1024} KB`,
      measured: r.widget ? kb(r.widget.gzipBytes) : "not built",
      status: r.widget ? passes(r.widget.gzipBytes <= GOALS.widgetGzipBytes) : "unmeasured",
    },
  ];
}

function qualitySection(r: BenchResults, goals: GoalCheck[]): string {
  const full = fullRow(r);
  const rows = r.quality.rows.map((row) => {
    const q = row.report;
    return [
      row.label,
      String(row.passages),
      pct(q.sectionAt1),
      pct(q.sectionAt3),
      q.mrr.toFixed(3),
      pct(q.keywordHitRate),
      `${q.wrongOnUnrelated} of ${q.unrelated}`,
      pct(q.intentAccuracy),
      ms(q.medianMs),
      row === full
        ? `≥ 90%, above every other row: ${mark(goals[0]?.status ?? "unmeasured")}`
        : "–",
    ];
  });
  const sectionCases = full.report.sectionCases;
  const intentCases = full.report.intentCases;
  return [
    "## 1. Answer quality",
    "",
    `Over the ${r.quality.cases} cases of \`tests/eval/cases.jsonl\` (${sectionCases} with an expected section, ${full.report.unrelated} unrelated, ${intentCases} with an expected hand-off), scored by the eval harness (\`src/eval/run-eval.ts\`). The first four rows share one index and one answerer and differ only in retrieval; the last is a plain LangChain setup over the same documents and the same embeddings.`,
    "",
    table(
      [
        "retrieval",
        "passages",
        "section@1",
        "section@3",
        "MRR",
        "keyword hit rate",
        "wrong on unrelated",
        "intent accuracy",
        "median ms / question",
        "target",
      ],
      rows,
    ),
    "",
    "- **BM25 only**, **dense only**, **hybrid, no re-ranking**: the full answerer (intents, relevance threshold, topic and unaddressed-word checks, extractive answer) with `retrieveMode` `lexical`, `dense` and `hybrid-no-rerank` (reciprocal-rank fusion of both candidate lists, no word alignment).",
    "- **LangChain default**: each document's plain text split by `RecursiveCharacterTextSplitter` (chunkSize 1000, chunkOverlap 200), embedded with the same `LocalWordEmbeddings`, top-4 cosine similarity search, answered with the two best sentences of the first passage. It has no intent rules, no threshold and no follow-up handling, so it answers every unrelated question and never hands off. Each of its chunks is credited to the heading its first character falls under.",
    "- MRR is the mean of 1 / rank of the first citation under an expected section (0 when none is), over the cases with an expected section.",
  ].join("\n");
}

function scaleSection(r: BenchResults, goals: GoalCheck[]): string {
  const rows = r.scale.map((s) => [
    `${s.factor}×`,
    count(s.vectors),
    secs(s.hnsw.buildSeconds),
    s.hnsw.recall.toFixed(4),
    `${us(s.hnsw.queryUs.p50)} / ${us(s.hnsw.queryUs.p95)}`,
    `${us(s.bruteForce.queryUs.p50)} / ${us(s.bruteForce.queryUs.p95)}`,
    `${(s.bruteForce.queryUs.p50 / s.hnsw.queryUs.p50).toFixed(1)}×`,
    mb(s.hnsw.diskBytes),
    `${signedMb(s.hnsw.rssDeltaBytes)} / ${signedMb(s.hnsw.heapDeltaBytes)}`,
    `≥ ${GOALS.recall}: ${mark(s.hnsw.recall >= GOALS.recall ? "pass" : "miss")}`,
  ]);
  const largest = r.scale.at(-1);
  const sweepRows =
    largest?.efSweep.map((p) => [
      String(p.ef),
      p.recall.toFixed(4),
      `${us(p.queryUs.p50)} / ${us(p.queryUs.p95)}`,
      `${(largest.bruteForce.queryUs.p50 / p.queryUs.p50).toFixed(1)}×`,
      p.ef === r.settings.ef ? "the service's ef" : "",
    ]) ?? [];
  const queries = largest?.queries ?? 0;
  return [
    "## 2. Vector index at scale",
    "",
    `The corpus's ${count(r.scale[0]?.vectors ?? 0)} passages, grown with generated passages that each mix three to five sentences from different real chunks (seeded PRNG, seed ${r.settings.seed}; no two passages share the same set of sentences, so no vector is a copy). hnswlib with the service's settings (cosine, M=${r.settings.m}, efConstruction=${r.settings.efConstruction}, ef=${r.settings.ef}) against exact search by hnswlib-node's \`BruteforceSearch\` over the same vectors, for ${queries} queries (the eval questions, every corpus sentence and random spans of them). A neighbour counts as a hit when it is no farther than the exact 10th one (within 1e-6), so broken ties are not misses. Each size runs in its own process; memory is the change in resident set / V8 heap while the hnswlib index is built (under ~5 MB it is noise).`,
    "",
    table(
      [
        "size",
        "vectors",
        "hnswlib build s",
        `recall@10 (ef ${r.settings.ef})`,
        "hnswlib query p50 / p95 µs",
        "exact query p50 / p95 µs",
        "speed-up (p50)",
        "index on disk",
        "memory Δ rss / heap",
        "target",
      ],
      rows,
    ),
    "",
    `### Recall against query time (${largest ? `${largest.factor}×, ${count(largest.vectors)} vectors` : "–"})`,
    "",
    table(["ef", "recall@10", "query p50 / p95 µs", "speed-up vs exact (p50)", "note"], sweepRows),
    "",
    `![recall@10 against query time](${CHART_FILES.recall})`,
    "",
    goals[1] ? `Goal: recall@10 ${goals[1].target} — ${mark(goals[1].status)}.` : "",
  ].join("\n");
}

function ingestSection(r: BenchResults): string {
  const rows = r.ingest.flatMap((i) => [
    [
      `${i.factor}×`,
      "full",
      count(i.documents),
      kb(i.corpusBytes),
      count(i.full.chunks),
      `${count(i.full.embedded)} / ${count(i.full.reused)}`,
      secs(i.full.seconds),
      count(Math.round(i.full.chunksPerSecond)),
      `${secs(i.full.phases.load)} / ${secs(i.full.phases.embed)} / ${secs(i.full.phases.index)} / ${secs(i.full.phases.save)}`,
    ],
    [
      `${i.factor}×`,
      "incremental, 1 document changed",
      count(i.documents),
      kb(i.corpusBytes),
      count(i.incremental.chunks),
      `${count(i.incremental.embedded)} / ${count(i.incremental.reused)}`,
      secs(i.incremental.seconds),
      count(Math.round(i.incremental.chunksPerSecond)),
      `${secs(i.incremental.phases.load)} / ${secs(i.incremental.phases.embed)} / ${secs(i.incremental.phases.index)} / ${secs(i.incremental.phases.save)}`,
    ],
  ]);
  return [
    "## 3. Ingest",
    "",
    "`buildIndex` on a temporary copy of the corpus (grown with generated Markdown articles of mixed passages above 1×), with a fresh embedding cache: a full build, then the same build after one paragraph was added to one article. An incremental build embeds only passages whose text changed; it still re-chunks every file and rebuilds the hnswlib and BM25 indexes, and writes (and fsyncs) a complete new build.",
    "",
    table(
      [
        "size",
        "build",
        "documents",
        "articles",
        "chunks",
        "embedded / reused",
        "seconds",
        "chunks/s",
        "load+chunk / embed / index / save s",
      ],
      rows,
    ),
  ].join("\n");
}

function loadSection(r: BenchResults, goals: GoalCheck[]): string {
  const loads = [r.load.ceiling, r.load.httpChat, ...r.load.sockets, r.load.ceilingAfter];
  const label = (l: LoadResult) =>
    l === r.load.ceiling
      ? "`GET /healthz` (ceiling, before)"
      : l === r.load.ceilingAfter
        ? "`GET /healthz` (ceiling, after)"
        : l.kind === "http-chat"
          ? "`POST /api/chat`"
          : "Socket.IO `chat:send`";
  const target = (l: LoadResult) => {
    if (l === r.load.httpChat)
      return `≥ 25% of /healthz: ${mark(goals[3]?.status ?? "unmeasured")}`;
    if (l.kind === "socket-chat" && l.concurrency === GOALS.socketGoalVisitors) {
      return `p95 ≤ ${GOALS.socketP95Ms} ms: ${mark(goals[2]?.status ?? "unmeasured")}`;
    }
    return "–";
  };
  const rows = loads.map((l) => [
    label(l),
    String(l.concurrency),
    count(l.requests),
    count(Math.round(l.perSecond)),
    pct(share(r, l)),
    ms(l.latencyMs.p50),
    ms(l.latencyMs.p95),
    ms(l.latencyMs.p99),
    l.firstDeltaMs ? `${ms(l.firstDeltaMs.p50)} / ${ms(l.firstDeltaMs.p95)}` : "–",
    String(l.errors),
    l.generatorCores.toFixed(2),
    target(l),
  ]);
  return [
    "## 4. Service under load",
    "",
    `The real service (\`src/main.ts\`, extractive answers, \`RATE_LIMIT_PER_MIN=0\`, SQLite transcripts in a temporary \`DATA_DIR\`) in one process; the load generator (\`scripts/bench/load-generator.ts\`) in another, on loopback, ${r.settings.loadSeconds} s per row, at most 100,000 requests and 10 s per request; Socket.IO visitors connect before the clock starts. Closed loop: each visitor sends its next message when the last reply is complete; Socket.IO visitors keep one session each. Both processes share the machine's ${r.machine.cores} cores, so throughput is quoted as a share of the bare \`/healthz\` ceiling measured in the same run: the mean of a row before the chat rows and one after them (far apart, other work on the machine got in the way).`,
    "",
    table(
      [
        "load",
        "visitors",
        "requests",
        "requests/s",
        "vs /healthz",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "first `chat:delta` p50 / p95 ms",
        "errors",
        "generator CPU, cores",
        "target",
      ],
      rows,
    ),
    "",
    "The generator's own CPU use is there to read the rows by: near 1.0 it is busy enough to be part of what limits the row, not only the service.",
    "",
    `![Socket.IO chat latency against concurrent visitors](${CHART_FILES.latency})`,
  ].join("\n");
}

function coldStartSection(r: BenchResults, goals: GoalCheck[]): string {
  return [
    "## 5. Cold start",
    "",
    "From spawning `node src/main.ts` to its `Ready on …` line (process start, word vectors, index, SQLite), in a fresh `DATA_DIR`, then again with the index that first start built.",
    "",
    table(
      ["start", "seconds", "target"],
      [
        ["without an index (builds it)", secs(r.coldStart.withoutIndexMs / 1000), "–"],
        [
          "with an index",
          secs(r.coldStart.withIndexMs / 1000),
          `≤ 3 s: ${mark(goals[4]?.status ?? "unmeasured")}`,
        ],
      ],
    ),
  ].join("\n");
}

function widgetSection(r: BenchResults, goals: GoalCheck[]): string {
  const w = r.widget;
  return [
    "## 6. Widget bundle",
    "",
    w
      ? `\`${w.file}\` as built at ${w.builtAt} (the bench reads the bundle and does not build it: run \`npm run build:web\` first for a fresh one), gzipped at level 9. 1 KB = 1,024 bytes.`
      : "`web/dist/widget.js` is not built, so there is nothing to measure: run `npm run build:web`, then the bench again.",
    "",
    table(
      ["file", "bytes", "gzipped", "target"],
      [
        [
          w ? w.file : "web/dist/widget.js",
          w ? count(w.bytes) : "not built",
          w ? kb(w.gzipBytes) : "not built",
          `≤ 40 KB gzipped: ${mark(goals[5]?.status ?? "unmeasured")}`,
        ],
      ],
    ),
  ].join("\n");
}

/** The whole report as Markdown (unformatted tables; the caller runs Prettier over it). */
export function renderReport(r: BenchResults): string {
  const goals = checkGoals(r);
  const disturbed = disturbance(r);
  const m = r.machine;
  return [
    "# Benchmarks",
    "",
    `Generated by \`npm run bench${r.quick ? " -- --quick" : ""}\`${r.quick ? " (a quick smoke run: tiny durations and sizes, not for quoting)" : ""} in ${secs(r.seconds)} s. Absolute times drift on this shared machine; compare figures within one run, and quote speed as ratios.`,
    "",
    ...(disturbed
      ? [
          `> **Disturbed run:** ${disturbed}. Other work shared the machine; quote no speed figure from this run and run the bench again when the machine is quiet.`,
          "",
        ]
      : []),
    table(
      ["machine", "this run"],
      [
        ["CPU", `${m.cpu}, ${m.cores} cores`],
        ["memory", `${(m.memoryBytes / 1024 ** 3).toFixed(1)} GB`],
        ["Node", m.node],
        ["OS", m.os],
        ["date", m.date],
        [
          "load average (1 min)",
          `${m.loadAverage.start.toFixed(2)} at the start, ${m.loadAverage.max.toFixed(2)} at most, ${m.loadAverage.end.toFixed(2)} at the end`,
        ],
        ...(m.commit ? [["commit", m.commit]] : []),
        [
          "settings",
          `extractive answers, embeddings \`${r.settings.embeddingModel}\`, hnswlib M=${r.settings.m} efConstruction=${r.settings.efConstruction} ef=${r.settings.ef}`,
        ],
      ],
    ),
    "",
    "## Goals",
    "",
    table(
      ["goal", "target", "measured", "status"],
      goals.map((g) => [g.goal, g.target, g.measured, mark(g.status)]),
    ),
    "",
    qualitySection(r, goals),
    "",
    scaleSection(r, goals),
    "",
    ingestSection(r),
    "",
    loadSection(r, goals),
    "",
    coldStartSection(r, goals),
    "",
    widgetSection(r, goals),
    "",
  ].join("\n");
}

export function latencyChart(r: BenchResults): string {
  const sockets = r.load.sockets;
  const points = (pick: (l: LoadResult) => number) =>
    sockets.map((l) => ({ x: l.concurrency, y: Math.max(pick(l), 0.01) }));
  return lineChart({
    title: "Socket.IO chat latency against concurrent visitors",
    subtitle: `extractive answers, closed loop, ${r.settings.loadSeconds} s per point · ${r.machine.cores} × ${r.machine.cpu} · ${r.machine.date.slice(0, 10)}`,
    x: { label: "concurrent visitors (log scale)", log: true, min: 1 },
    y: { label: "latency, ms (log scale)", log: true },
    series: [
      { name: "p50", color: "#1f77b4", points: points((l) => l.latencyMs.p50) },
      { name: "p95", color: "#d62728", points: points((l) => l.latencyMs.p95) },
    ],
    guides: [
      {
        y: GOALS.socketP95Ms,
        label: `goal: p95 ≤ ${GOALS.socketP95Ms} ms at ${GOALS.socketGoalVisitors}`,
      },
    ],
  });
}

export function recallChart(r: BenchResults): string {
  const largest = r.scale.at(-1);
  const sweep = largest?.efSweep ?? [];
  const minRecall = Math.min(GOALS.recall, ...sweep.map((p) => p.recall));
  return lineChart({
    title: `hnswlib recall@10 against query time, ${largest ? count(largest.vectors) : 0} vectors`,
    subtitle: `${largest?.factor ?? 0}× the corpus · M=${r.settings.m}, efConstruction=${r.settings.efConstruction} · median of ${largest?.queries ?? 0} queries · ${r.machine.date.slice(0, 10)}`,
    x: { label: "median query time, µs (log scale)", log: true },
    y: {
      label: "recall@10",
      min: Math.max(0, Math.floor((minRecall - 0.01) * 20) / 20),
      max: 1.005,
    },
    series: [
      {
        name: "hnswlib, by ef",
        color: "#1f77b4",
        points: sweep.map((p) => ({ x: p.queryUs.p50, y: p.recall, label: `ef ${p.ef}` })),
      },
      {
        name: "exact (BruteforceSearch)",
        color: "#2ca02c",
        markersOnly: true,
        points: largest
          ? [{ x: largest.bruteForce.queryUs.p50, y: 1, label: "exact", labelAbove: true }]
          : [],
      },
    ],
    guides: [{ y: GOALS.recall, label: `goal: recall@10 ≥ ${GOALS.recall}`, at: "left" }],
  });
}
