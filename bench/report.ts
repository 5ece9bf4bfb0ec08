import os from "node:os";
import type { LoadTestResult } from "./load";
import type { SampleLoopFigures } from "./sample-loop";
import type { ScenarioFigures } from "./scenarios";

const MIB = 1024 * 1024;

export interface SamplingRun {
  name: string;
  figures: SampleLoopFigures;
}

export interface BenchResults {
  startedAt: Date;
  loadAverageBefore: number[];
  loadAverageAfter: number[];
  mode: "full" | "quick";
  scenarios: ScenarioFigures[];
  sampling: SamplingRun[];
  load: LoadTestResult;
}

export interface Goal {
  goal: string;
  figure: string;
  met: boolean;
}

const ms = (value: number) => value.toFixed(2);
const mb = (bytes: number) => (bytes / MIB).toFixed(1);
const ratio = (value: number, reference: number) => (value / reference).toFixed(2);
const row = (cells: Array<string | number>) => `| ${cells.join(" | ")} |`;

export function machineSection(results: BenchResults): string[] {
  const cpus = os.cpus();
  return [
    `- date: ${results.startedAt.toISOString()} (${results.mode} run)`,
    `- machine: ${cpus.length} cores (${cpus[0]?.model.trim() ?? "unknown"}), ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB memory, ${os.type()} ${os.release()}`,
    `- Node ${process.version}; node_exporter: the Debian package, default collectors`,
    `- load average (1, 5, 15 min) before: ${results.loadAverageBefore.map((l) => l.toFixed(2)).join(", ")}; after: ${results.loadAverageAfter.map((l) => l.toFixed(2)).join(", ")}`,
  ];
}

function metricsTable(results: BenchResults): string[] {
  const header = [
    "exporter (target)",
    "series",
    "body KiB sent",
    "p50 ms",
    "p99 ms",
    "req/s at 16 conn.",
    "errors",
    "RSS at rest MB",
  ];
  const lines = [row(header), row(Array(header.length).fill("---"))];
  for (const s of results.scenarios) {
    const rows = [
      [`memsnap (${s.name})`, s.memsnap],
      ["node_exporter (same window)", s.nodeExporter],
      ["ceiling: bare node:http, memsnap's bytes", s.ceiling],
    ] as const;
    for (const [name, f] of rows) {
      lines.push(
        row([
          name,
          f.series,
          (f.metrics.bodyBytes / 1024).toFixed(0),
          ms(f.metrics.p50Ms),
          ms(f.metrics.p99Ms),
          f.throughput.requestsPerSecond.toFixed(0),
          f.throughput.errors + f.throughput.non2xx,
          mb(f.restResidentBytes),
        ]),
      );
    }
  }
  return lines;
}

function ratioTable(results: BenchResults): string[] {
  const header = [
    "memsnap at",
    "p50 ÷ node_exporter",
    "p99 ÷ node_exporter",
    "req/s ÷ node_exporter",
    "req/s ÷ ceiling",
  ];
  const lines = [row(header), row(Array(header.length).fill("---"))];
  for (const { name, memsnap: m, nodeExporter: n, ceiling: c } of results.scenarios) {
    lines.push(
      row([
        name,
        ratio(m.metrics.p50Ms, n.metrics.p50Ms),
        ratio(m.metrics.p99Ms, n.metrics.p99Ms),
        ratio(m.throughput.requestsPerSecond, n.throughput.requestsPerSecond),
        ratio(m.throughput.requestsPerSecond, c.throughput.requestsPerSecond),
      ]),
    );
  }
  return lines;
}

function snapshotTable(results: BenchResults): string[] {
  const lines = [row(["memsnap at", "body KiB", "p50 ms", "p99 ms"]), row(Array(4).fill("---"))];
  for (const { name, snapshot } of results.scenarios) {
    lines.push(row([name, (snapshot.bodyBytes / 1024).toFixed(0), ms(snapshot.p50Ms), ms(snapshot.p99Ms)]));
  }
  return lines;
}

function samplingTable(results: BenchResults): string[] {
  const lines = [
    row([
      "run",
      "target RSS MB",
      "wall p50 ms",
      "CPU p50 ms",
      "first scrape after a sample p50 ms",
      "RSS at rest MB",
      "samples",
      "RSS at 1/10 MB",
      "RSS at end MB",
      "growth over the last 9/10 MB",
    ]),
    row(Array(10).fill("---")),
  ];
  for (const { name, figures: f } of results.sampling) {
    const soak =
      f.soak === null
        ? ["–", "–", "–", "–"]
        : [f.soak.samples, mb(f.soak.startResidentBytes), mb(f.soak.endResidentBytes), mb(f.soak.growthBytes)];
    lines.push(
      row([
        name,
        mb(f.targetResidentBytes),
        ms(f.sampleWallMs),
        ms(f.sampleCpuMs),
        ms(f.firstScrapeAfterSampleMs),
        mb(f.restResidentBytes),
        ...soak,
      ]),
    );
  }
  return lines;
}

function loadTable(load: LoadTestResult): string[] {
  return [
    load.summary,
    "",
    row(["check", "figure", "passed"]),
    row(["---", "---", "---"]),
    ...load.checks.map((c) => row([c.what, c.figure, c.passed ? "yes" : "**no**"])),
  ];
}

function goalsTable(goals: Goal[]): string[] {
  return [
    row(["goal (issue 7)", "figure", "met"]),
    row(["---", "---", "---"]),
    ...goals.map((g) => row([g.goal, g.figure, g.met ? "yes" : "**no**"])),
  ];
}

/** The tables, in markdown, as printed and as written to RESULTS.md. */
export function renderTables(results: BenchResults, goals: Goal[]): string {
  return [
    "### `/metrics`: sequential latency and throughput, with Prometheus's scrape headers",
    "",
    ...metricsTable(results),
    "",
    "### memsnap ÷ node_exporter (below 1 is faster for latency; above 1 is better for throughput)",
    "",
    ...ratioTable(results),
    "",
    "### `GET /api/v1/memory-snapshot`: sequential latency",
    "",
    ...snapshotTable(results),
    "",
    "### Sampling: cost of one sample, and memsnap's RSS over many",
    "",
    ...samplingTable(results),
    "",
    "### Load and faults (the same test as `npm run bench:load`)",
    "",
    ...loadTable(results.load),
    "",
    "### Goals",
    "",
    ...goalsTable(goals),
    "",
  ].join("\n");
}
