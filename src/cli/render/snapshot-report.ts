import type { Finding } from "../../snapshot/findings";
import type { Snapshot, TrendInfo } from "../../snapshot/schema";
import { BAND_WORDS, count, duration, fixed, mb, percent, signed } from "./format";
import { formatHours } from "../../snapshot/format";
import type { Style } from "./style";
import { indent, printable, table, type Cell } from "./table";

function header(s: Snapshot, style: Style): string {
  const t = s.target;
  const pid = t.pid === null ? "" : `, pid ${t.pid}`;
  const down = t.up ? "" : ` ${style.severity("critical", "DOWN")}`;
  return style.bold(printable(`memsnap · target ${t.name} (${t.kind}${pid})${down} · ${s.timestamp}`));
}

function healthLine(s: Snapshot, style: Style): string {
  const { score, status } = s.health;
  const scored = score === null ? BAND_WORDS[status] : `${score}/100  ${BAND_WORDS[status]}`;
  return `${style.bold("Health")}  ${style.status(status, scored)}`;
}

function deductionLines(s: Snapshot): string[] {
  const rows = s.health.deductions.map((d) => [
    `-${d.points}`,
    d.code,
    `${fixed(d.value)} against ${d.threshold}`,
    d.reason,
  ]);
  return indent(table(null, rows, ["right"]));
}

function cgroupNote(cg: NonNullable<Snapshot["cgroup_info"]>): string {
  if (cg.limit_mb === null) return "no limit set";
  const where = cg.limit_path ? ` set on ${cg.limit_path}` : "";
  return `${percent(cg.usage_percent)} of the ${mb(cg.limit_mb)} limit${where}`;
}

function memoryRows(s: Snapshot): string[][] {
  const { system_info: sys, process_info: p, collections_info: c, discrepancy_analysis: d, cgroup_info: cg } = s;
  const of = (total: number | null) => (total === null ? "" : `of ${mb(total)}`);
  return [
    ["host memory used", mb(sys.used_memory_mb), `${percent(sys.memory_usage_percent)} ${of(sys.total_memory_mb)}`],
    ["host swap used", mb(sys.swap_used_mb), of(sys.swap_total_mb)],
    ...(cg === null
      ? []
      : [
          ["cgroup memory used", mb(cg.usage_mb), "page cache included"],
          ["cgroup working set", mb(cg.limit_working_set_mb ?? cg.working_set_mb ?? null), cgroupNote(cg)],
        ]),
    ["process RSS", mb(p.physical_memory_mb), p.peak_memory_mb === null ? "" : `peak ${mb(p.peak_memory_mb)}`],
    ["process heap (anonymous)", mb(p.heap_size_mb), ""],
    ["process swap", mb(p.swap_mb), ""],
    [
      "collections, estimated",
      mb(c.estimated_memory_mb),
      `${count(c.total_collections)} collections, ${count(c.total_vectors)} vectors`,
    ],
    [
      "collections, actual",
      mb(c.actual_memory_mb),
      `${count(c.quantized_collections)} quantized (${percent(c.quantization_coverage_percent)})`,
    ],
    ["estimated − actual", mb(d.estimated_vs_real_diff_mb), percent(d.estimated_vs_real_diff_percent)],
    ["unaccounted", mb(d.unaccounted_memory_mb), `overhead ${percent(d.overhead_percentage)} of actual`],
    ["data structures", mb(d.data_structure_overhead_mb), "unaccounted beyond code and libraries"],
    ["quantization saves", mb(d.quantization_impact_mb), ""],
  ];
}

/** Where the resident memory is (SPEC section 3a); nothing when the snapshot has no attribution. */
function attributionLines(s: Snapshot, style: Style): string[] {
  const a = s.memory_attribution;
  if (a === null) return [];
  const rows = a.parts.map((p) => [
    p.part,
    mb(p.mb),
    p.share_of_rss === null ? "" : percent(p.share_of_rss * 100),
    printable(p.source),
  ]);
  return [
    style.bold(`Where the resident memory is (smaps read at ${a.read_at})`),
    ...indent(table(null, rows, ["left", "right", "right"])),
  ];
}

function findingRows(found: Finding[], style: Style): Cell[][] {
  return found.map((f) => [
    { text: f.severity, paint: (t: string) => style.severity(f.severity, t) },
    f.code,
    f.value === null ? "" : String(f.value),
    f.threshold === null ? "" : String(f.threshold),
    f.message,
  ]);
}

function findingLines(s: Snapshot, style: Style): string[] {
  const alarming = s.findings.filter((f) => f.severity !== "opportunity");
  if (alarming.length === 0) return [style.bold("Findings"), "  none: no critical or warning finding"];
  const rows = table(["SEVERITY", "CODE", "VALUE", "THRESHOLD", "MESSAGE"], findingRows(alarming, style), [
    "left",
    "left",
    "right",
    "right",
  ]);
  return [style.bold("Findings"), ...indent(rows)];
}

function recommendationLines(s: Snapshot, style: Style): string[] {
  if (s.recommendations.length === 0) return [];
  return [style.bold("Recommendations"), ...s.recommendations.map((r) => `  - ${printable(r)}`)];
}

function collectionLines(s: Snapshot, style: Style): string[] {
  const detail = s.collections_info.collections_detail;
  if (detail.length === 0) return [];
  const rows = detail.map((c) => [
    c.name,
    count(c.vector_count),
    String(c.dimension),
    c.quantization,
    fixed(c.estimated_memory_mb),
    fixed(c.expected_memory_mb ?? null),
    fixed(c.actual_memory_mb),
  ]);
  const head = ["NAME", "VECTORS", "DIMS", "QUANTIZATION", "ESTIMATED MB", "EXPECTED MB", "ACTUAL MB"];
  const align = ["left", "right", "right", "left", "right", "right", "right"] as const;
  return [style.bold(`Collections (${detail.length})`), ...indent(table(head, rows, [...align]))];
}

/** The trend section, shared by `analyze` and `monitor`. */
export function trendLines(trend: TrendInfo | null, style: Style): string[] {
  if (trend === null) {
    return [
      style.bold("Trend"),
      "  none: a trend needs two readings of the same process (memsnap monitor, or the daemon's history)",
    ];
  }
  const limit = trend.memory_limit_scope === "cgroup" ? "the cgroup limit" : "host memory";
  const exhaustion =
    trend.hours_until_memory_limit === null
      ? `no forecast: ${trend.hours_until_memory_limit_reason ?? "memory is not growing"}`
      : `${limit} is reached in ${formatHours(trend.hours_until_memory_limit)} at this rate`;
  const growing = trend.unaccounted_growing ? style.severity("warning", "growing past the MemoryGrowth threshold") : "";
  const rows = [
    ["RSS", `${signed(trend.rss_slope_mb_per_hour)} MB/hour`, ""],
    ["working set", `${signed(trend.working_set_slope_mb_per_hour ?? null)} MB/hour`, exhaustion],
    ["unaccounted", `${signed(trend.unaccounted_slope_mb_per_hour)} MB/hour`, ""],
    [
      "unaccounted, recent",
      `${signed(trend.recent_unaccounted_slope_mb_per_hour)} MB/hour`,
      growing || "over the MemoryGrowth window",
    ],
  ];
  const windowSeconds = (Date.parse(trend.window_end) - Date.parse(trend.window_start)) / 1000;
  const title = `Trend over ${trend.samples} samples, ${duration(windowSeconds)} (${trend.window_start} to ${trend.window_end})`;
  return [style.bold(title), ...indent(table(null, rows, ["left", "right"]))];
}

function errorLines(s: Snapshot, style: Style): string[] {
  if (s.errors.length === 0) return [];
  return [style.bold("Could not read"), ...s.errors.map((e) => `  ${printable(e.source)}: ${printable(e.message)}`)];
}

function memoryLines(s: Snapshot, style: Style): string[] {
  return [style.bold("Memory"), ...indent(table(null, memoryRows(s), ["left", "right"]))];
}

/** A short report: health, memory, and the critical and warning findings. */
export function renderSummary(s: Snapshot, style: Style): string {
  const hint = `${s.recommendations.length} recommendations: run memsnap analyze, or add --analyze`;
  const more = s.recommendations.length === 0 ? [] : [style.dim(hint)];
  return [
    header(s, style),
    healthLine(s, style),
    "",
    ...memoryLines(s, style),
    "",
    ...findingLines(s, style),
    ...more,
  ].join("\n");
}

/** The whole explanation: health and its deductions, memory and where it is, findings, recommendations, collections, trend. */
export function renderAnalysis(s: Snapshot, style: Style): string {
  const sections = [
    [header(s, style)],
    [healthLine(s, style), ...deductionLines(s)],
    memoryLines(s, style),
    attributionLines(s, style),
    findingLines(s, style),
    recommendationLines(s, style),
    collectionLines(s, style),
    trendLines(s.trend, style),
    errorLines(s, style),
  ].filter((lines) => lines.length > 0);
  return sections.map((lines) => lines.join("\n")).join("\n\n");
}
