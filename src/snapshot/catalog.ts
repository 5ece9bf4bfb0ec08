import type { AlertedSeverity } from "../config/alerting";
import type { Thresholds } from "../config/schema";
import { BYTES_PER_MB, quantizationCoverageRatio, roundTo } from "./analysis";
import {
  hasLargeCollection,
  LARGE_COLLECTION_VECTORS,
  largeUnquantizedCollections,
  pressureRatio,
  type Assessment,
} from "./assessment";
import { formatBytes, formatCount, formatHours, mb, pct } from "./format";

/** The thresholds that are numbers (all but the trend window, which is a duration). */
export type NumericThresholdKey = Exclude<keyof Thresholds, "trend_window">;

/** Where a level's threshold comes from: a configuration key (its default is the schema's), or a fixed figure. */
export type ThresholdSource = { key: NumericThresholdKey } | { fixed: number };

/** One severity of a code, from the most severe down. */
export interface Level {
  severity: AlertedSeverity;
  /** Null: the condition has no figure to cross (the target is down). */
  threshold: ThresholdSource | null;
  /** How long the condition must hold, over scheduled samples, before the alert fires. */
  forSeconds: number;
}

export interface FindingContext {
  a: Assessment;
  t: Thresholds;
  healthScore: number | null;
}

/** What a code measured in one snapshot; `message` words it against the threshold crossed. */
export interface Measurement {
  value: number;
  message(threshold: number | null): string;
}

/**
 * One finding code: everything findings, the alert state machine, the messages and the
 * Prometheus rules (alerts/memsnap.rules.yml, held against this by test/kit-catalog.test.ts) need.
 */
export interface FindingDescriptor {
  code: string;
  /** The unit of `value` and of the thresholds. */
  unit: Unit;
  /** The rule's figure is the threshold times this (Prometheus base units: ratios, bytes, seconds). */
  ruleFactor: number;
  /** Fires when the value is above (or below) a level's threshold. */
  comparison: "above" | "below";
  levels: Level[];
  /** A second condition of the rule: the measurement counts only above this floor. */
  floor?: { key: NumericThresholdKey; ruleFactor: number };
  /** Codes of the same target this one silences while it fires (alertmanager.yml's inhibit rules). */
  inhibits: string[];
  /** The section of docs/runbook.md. */
  runbook: string;
  /** Null when the code does not apply (no figure, or under its floor). */
  measure(ctx: FindingContext): Measurement | null;
}

const MIB = 1024 * 1024;
const DEFAULT_FOR_SECONDS: Record<AlertedSeverity, number> = { critical: 0, warning: 60 };

function level(severity: AlertedSeverity, threshold: ThresholdSource | null): Level {
  return { severity, threshold, forSeconds: DEFAULT_FOR_SECONDS[severity] };
}

const key = (k: NumericThresholdKey): ThresholdSource => ({ key: k });

/** The findings about efficiency: a page about memory running out makes them noise. */
const EFFICIENCY_CODES = ["OverheadCritical", "OverheadHigh", "UnaccountedMemoryCritical", "HealthScoreCritical"];

/** Parts of the attribution beyond the collections, named for a message: "; largest parts: unexplained 400 MB, code 60 MB". */
const UNACCOUNTED_PARTS_NAMED = 3;

function largestUnaccountedParts(a: Assessment): string {
  const parts = (a.attribution ?? [])
    .filter((p) => p.part !== "collections" && p.bytes > 0)
    .sort((x, y) => y.bytes - x.bytes);
  if (parts.length === 0) return "";
  return `; largest parts: ${parts
    .slice(0, UNACCOUNTED_PARTS_NAMED)
    .map((p) => `${p.part} ${formatBytes(p.bytes)}`)
    .join(", ")}`;
}

/** Overhead and unaccounted memory judge a database: only targets whose collections have figures. */
function overhead(ctx: FindingContext): Measurement | null {
  const { overheadPercentage, unaccountedBytes } = ctx.a.discrepancy;
  if (!ctx.a.collectionFiguresKnown || overheadPercentage === null || unaccountedBytes === null) return null;
  if (unaccountedBytes / BYTES_PER_MB <= ctx.t.overhead_min_mb) return null;
  return {
    value: roundTo(overheadPercentage, 1),
    message: (threshold) =>
      `memory overhead is ${pct(overheadPercentage)} of what the collections hold (over ${threshold} %), ${mb(unaccountedBytes)} unaccounted${largestUnaccountedParts(ctx.a)}`,
  };
}

export const FINDINGS: FindingDescriptor[] = [
  {
    code: "OomKilled",
    unit: "events",
    ruleFactor: 1,
    comparison: "above",
    levels: [level("critical", { fixed: 0 })],
    inhibits: EFFICIENCY_CODES,
    runbook: "oomkilled",
    measure: ({ a }) => {
      const { oomKills, restarts, lookbackMinutes } = a.events;
      const parts = [
        oomKills > 0 ? `${oomKills} OOM kill${oomKills === 1 ? "" : "s"} in its cgroup` : "",
        restarts > 0 ? `${restarts} restart${restarts === 1 ? "" : "s"}` : "",
      ];
      return {
        value: oomKills + restarts,
        message: () =>
          `the target ran out of memory or restarted: ${parts.filter((p) => p !== "").join(" and ")} in the last ${lookbackMinutes} min`,
      };
    },
  },
  {
    code: "MemoryExhaustionImminent",
    unit: "hours",
    ruleFactor: 3600,
    comparison: "below",
    levels: [level("critical", key("exhaustion_critical_hours")), level("warning", key("exhaustion_warning_hours"))],
    inhibits: EFFICIENCY_CODES,
    runbook: "memoryexhaustionimminent",
    measure: ({ a }) => {
      if (a.exhaustion === null) return null;
      const { hoursUntilLimit, scope } = a.exhaustion;
      const limit = scope === "cgroup" ? "the cgroup memory limit" : "host memory";
      return {
        value: roundTo(hoursUntilLimit, 2),
        message: (threshold) =>
          `at the recent trend the working set reaches ${limit} in ${formatHours(hoursUntilLimit)} (under ${threshold} h)`,
      };
    },
  },
  {
    code: "TargetDown",
    unit: "up",
    ruleFactor: 1,
    comparison: "below",
    levels: [level("critical", null)],
    inhibits: [...EFFICIENCY_CODES, "MemoryGrowth", "LowQuantizationCoverage", "LargeCollectionUnoptimized"],
    runbook: "targetdown",
    measure: ({ a }) =>
      a.downReasons.length === 0
        ? null
        : { value: 0, message: () => `target unreachable: ${a.downReasons.join("; ")}` },
  },
  {
    code: "HostMemoryHigh",
    unit: "percent",
    ruleFactor: 0.01,
    comparison: "above",
    levels: [
      level("critical", key("host_memory_critical_percent")),
      level("warning", key("host_memory_warning_percent")),
    ],
    inhibits: [],
    runbook: "hostmemoryhigh",
    measure: ({ a }) => {
      if (a.memoryPressure === null) return null;
      const usedPercent = pressureRatio(a.memoryPressure) * 100;
      const scope = a.memoryPressure.scope === "cgroup" ? "the cgroup memory limit" : "host memory";
      return {
        value: roundTo(usedPercent, 1),
        message: (threshold) => `${pct(usedPercent)} of ${scope} is in use (over ${threshold} %)`,
      };
    },
  },
  {
    code: "OverheadCritical",
    unit: "percent",
    ruleFactor: 0.01,
    comparison: "above",
    levels: [level("critical", key("overhead_critical_percent"))],
    floor: { key: "overhead_min_mb", ruleFactor: MIB },
    inhibits: ["OverheadHigh"],
    runbook: "overheadcritical",
    measure: overhead,
  },
  {
    code: "UnaccountedMemoryCritical",
    unit: "MB",
    ruleFactor: MIB,
    comparison: "above",
    levels: [level("critical", key("unaccounted_critical_mb"))],
    inhibits: ["MemoryGrowth"],
    runbook: "unaccountedmemorycritical",
    measure: ({ a }) => {
      const unaccounted = a.discrepancy.unaccountedBytes;
      if (!a.collectionFiguresKnown || unaccounted === null) return null;
      return {
        value: roundTo(unaccounted / BYTES_PER_MB, 1),
        message: (threshold) =>
          `${mb(unaccounted)} of resident memory is not accounted for by any collection (over ${threshold} MB)${largestUnaccountedParts(a)}`,
      };
    },
  },
  {
    code: "HealthScoreCritical",
    unit: "score",
    ruleFactor: 1,
    comparison: "below",
    levels: [level("critical", key("health_critical_score"))],
    inhibits: [],
    runbook: "healthscorecritical",
    measure: ({ healthScore }) =>
      healthScore === null
        ? null
        : { value: healthScore, message: (threshold) => `memory health score is ${healthScore} (under ${threshold})` },
  },
  {
    code: "OverheadHigh",
    unit: "percent",
    ruleFactor: 0.01,
    comparison: "above",
    levels: [level("warning", key("overhead_warning_percent"))],
    floor: { key: "overhead_min_mb", ruleFactor: MIB },
    inhibits: [],
    runbook: "overheadhigh",
    measure: overhead,
  },
  {
    code: "LowQuantizationCoverage",
    unit: "percent",
    ruleFactor: 0.01,
    comparison: "below",
    levels: [level("warning", key("quantization_warning_percent"))],
    inhibits: [],
    runbook: "lowquantizationcoverage",
    measure: ({ a }) => {
      const coverage = quantizationCoverageRatio(a.totals.quantizedCollections, a.totals.collections);
      if (coverage === null || !hasLargeCollection(a.collections)) return null;
      return {
        value: roundTo(coverage * 100, 1),
        message: (threshold) =>
          `only ${a.totals.quantizedCollections} of ${a.totals.collections} collections use quantization (under ${threshold} %)`,
      };
    },
  },
  {
    code: "LargeCollectionUnoptimized",
    unit: "vectors",
    ruleFactor: 1,
    comparison: "above",
    levels: [level("warning", { fixed: LARGE_COLLECTION_VECTORS })],
    inhibits: [],
    runbook: "largecollectionunoptimized",
    measure: ({ a }) => {
      const large = largeUnquantizedCollections(a.collections);
      if (large.length === 0) return null;
      return {
        value: Math.max(...large.map((c) => c.vectorCount)),
        message: () =>
          `over 100 000 vectors without quantization: ${large.map((c) => `${c.name} (${formatCount(c.vectorCount)})`).join(", ")}`,
      };
    },
  },
  {
    code: "MemoryGrowth",
    unit: "MB/hour",
    ruleFactor: MIB,
    comparison: "above",
    levels: [level("warning", key("growth_warning_mb_per_hour"))],
    inhibits: [],
    runbook: "memorygrowth",
    measure: ({ a }) => {
      const growth = a.unaccountedGrowth;
      if (growth === null || !a.collectionFiguresKnown) return null;
      return {
        value: roundTo(growth.slopeMbPerHour, 1),
        message: (threshold) =>
          `unaccounted memory grows by ${roundTo(growth.slopeMbPerHour, 1)} MB/hour over the last ${Math.round(growth.windowMinutes)} min (over ${threshold} MB/hour)`,
      };
    },
  },
  {
    code: "UnexplainedMemoryGrowth",
    unit: "MB/hour",
    ruleFactor: MIB,
    comparison: "above",
    levels: [level("warning", key("growth_warning_mb_per_hour"))],
    inhibits: [],
    runbook: "unexplainedmemorygrowth",
    measure: ({ a }) => {
      const growth = a.unexplainedGrowth;
      if (growth === null) return null;
      return {
        value: roundTo(growth.slopeMbPerHour, 1),
        message: (threshold) =>
          `unexplained memory (anonymous memory no collection, allocator or stack accounts for) grows by ${roundTo(growth.slopeMbPerHour, 1)} MB/hour ` +
          `over the last ${Math.round(growth.windowMinutes)} min (over ${threshold} MB/hour): a possible leak`,
      };
    },
  },
];

const BY_CODE = new Map(FINDINGS.map((d) => [d.code, d]));

/** The descriptor of a code; undefined for an opportunity or an unknown code. */
export function descriptorOf(code: string): FindingDescriptor | undefined {
  return BY_CODE.get(code);
}

/** A level's threshold under the configuration; null for a condition without one. */
export function thresholdOf(source: ThresholdSource | null, t: Thresholds): number | null {
  if (source === null) return null;
  return "fixed" in source ? source.fixed : t[source.key];
}

/** How long a code must hold at a severity before it fires, in milliseconds. */
export function forMs(code: string, severity: AlertedSeverity): number {
  const found = descriptorOf(code)?.levels.find((l) => l.severity === severity);
  return (found?.forSeconds ?? DEFAULT_FOR_SECONDS[severity]) * 1000;
}

/** How a value of each unit is written after the number in a message. */
const UNIT_SUFFIXES = {
  percent: " %",
  MB: " MB",
  "MB/hour": " MB/hour",
  hours: " h",
  score: " / 100",
  vectors: " vectors",
  up: " (1 = up)",
  events: "",
} as const;

/** The units a code's value and thresholds come in. */
export type Unit = keyof typeof UNIT_SUFFIXES;

/** What follows a code's value in a message (" %", " MB"); nothing for an unknown code. */
export function unitSuffix(code: string): string {
  const unit = descriptorOf(code)?.unit;
  return unit === undefined ? "" : UNIT_SUFFIXES[unit];
}

/** Codes the code silences on the same target while it fires. */
export function inhibitedBy(code: string): string[] {
  return descriptorOf(code)?.inhibits ?? [];
}
