import type { z } from "zod";
import type { Thresholds } from "../config/schema";
import type { CollectionFigures } from "../sources/types";
import { BYTES_PER_MB, FLOAT32_BYTES, quantizationCoverageRatio, roundTo } from "./analysis";
import { hasLargeCollection, largeUnquantizedCollections, pressureRatio, type Assessment } from "./assessment";
import type { FindingSchema } from "./schema";

export type Finding = z.infer<typeof FindingSchema>;
export type Severity = Finding["severity"];

/** Host (or cgroup) memory use that is a warning: fixed, as in SPEC section 4. */
const HOST_MEMORY_WARNING_PERCENT = 90;
const MEMORY_MAPPED_STORAGE_FROM_BYTES = 1024 * BYTES_PER_MB;
const REVIEW_DATA_STRUCTURES_FROM_BYTES = 200 * BYTES_PER_MB;

const mb = (bytes: number) => `${roundTo(bytes / BYTES_PER_MB, 1)} MB`;
const pct = (value: number) => `${roundTo(value, 1)} %`;

function formatBytes(bytes: number): string {
  if (Math.abs(bytes) >= 1024 * BYTES_PER_MB) return `${roundTo(bytes / (1024 * BYTES_PER_MB), 1)} GB`;
  return mb(bytes);
}

function formatCount(n: number): string {
  if (n >= 1_000_000) return `${roundTo(n / 1_000_000, 1)} M`;
  if (n >= 1_000) return `${roundTo(n / 1_000, 1)} k`;
  return String(n);
}

function overheadFindings(a: Assessment, t: Thresholds): Finding[] {
  const overhead = a.discrepancy.overheadPercentage;
  if (overhead === null) return [];
  const levels = [
    { severity: "critical" as const, code: "OverheadCritical", threshold: t.overhead_critical_percent },
    { severity: "warning" as const, code: "OverheadHigh", threshold: t.overhead_warning_percent },
  ];
  return levels
    .filter((level) => overhead > level.threshold)
    .map((level) => ({
      ...level,
      message: `memory overhead is ${pct(overhead)} of what the collections hold (over ${level.threshold} %)`,
      value: roundTo(overhead, 1),
    }));
}

function unaccountedFindings(a: Assessment, t: Thresholds): Finding[] {
  const unaccounted = a.discrepancy.unaccountedBytes;
  if (unaccounted === null || unaccounted / BYTES_PER_MB <= t.unaccounted_critical_mb) return [];
  return [
    {
      severity: "critical",
      code: "UnaccountedMemoryCritical",
      message: `${mb(unaccounted)} of resident memory is not accounted for by any collection (over ${t.unaccounted_critical_mb} MB): look for a leak`,
      value: roundTo(unaccounted / BYTES_PER_MB, 1),
      threshold: t.unaccounted_critical_mb,
    },
  ];
}

function targetDownFindings(a: Assessment): Finding[] {
  if (a.downReasons.length === 0) return [];
  return [
    { severity: "critical", code: "TargetDown", message: `target unreachable: ${a.downReasons.join("; ")}`, value: 0, threshold: 1 },
  ];
}

function quantizationFindings(a: Assessment, t: Thresholds): Finding[] {
  const found: Finding[] = [];
  const coverage = quantizationCoverageRatio(a.totals.quantizedCollections, a.totals.collections);
  if (coverage !== null && coverage * 100 < t.quantization_warning_percent && hasLargeCollection(a.collections)) {
    found.push({
      severity: "warning",
      code: "LowQuantizationCoverage",
      message: `only ${a.totals.quantizedCollections} of ${a.totals.collections} collections use quantization (under ${t.quantization_warning_percent} %)`,
      value: roundTo(coverage * 100, 1),
      threshold: t.quantization_warning_percent,
    });
  }
  const large = largeUnquantizedCollections(a.collections);
  if (large.length > 0) {
    found.push({
      severity: "warning",
      code: "LargeCollectionUnoptimized",
      message: `over 100 000 vectors without quantization: ${large.map((c) => `${c.name} (${formatCount(c.vectorCount)})`).join(", ")}`,
      value: Math.max(...large.map((c) => c.vectorCount)),
      threshold: 100_000,
    });
  }
  return found;
}

function memoryPressureFindings(a: Assessment): Finding[] {
  if (a.memoryPressure === null) return [];
  const usedPercent = pressureRatio(a.memoryPressure) * 100;
  if (usedPercent <= HOST_MEMORY_WARNING_PERCENT) return [];
  const scope = a.memoryPressure.scope === "cgroup" ? "the container's memory limit" : "host memory";
  return [
    {
      severity: "warning",
      code: "HostMemoryHigh",
      message: `${pct(usedPercent)} of ${scope} is in use (over ${HOST_MEMORY_WARNING_PERCENT} %)`,
      value: roundTo(usedPercent, 1),
      threshold: HOST_MEMORY_WARNING_PERCENT,
    },
  ];
}

/** SQ8 stores one byte per component instead of four. */
function sq8SavingsBytes(c: CollectionFigures): number {
  return c.vectorCount * c.dimension * (FLOAT32_BYTES - 1);
}

function opportunityFindings(a: Assessment): Finding[] {
  const found: Finding[] = a.collections
    .filter((c) => c.quantization === "none" && c.vectorCount > 0)
    .sort((x, y) => sq8SavingsBytes(y) - sq8SavingsBytes(x))
    .map((c) => ({
      severity: "opportunity" as const,
      code: "EnableQuantization",
      message: `Enable SQ8 on \`${c.name}\` (${formatCount(c.vectorCount)} vectors × ${c.dimension} dims): saves ~${formatBytes(sq8SavingsBytes(c))}`,
      value: roundTo(sq8SavingsBytes(c) / BYTES_PER_MB, 1),
      threshold: null,
      collection: c.name,
    }));
  if (a.totals.actualBytes > MEMORY_MAPPED_STORAGE_FROM_BYTES) {
    found.push({
      severity: "opportunity",
      code: "UseMemoryMappedStorage",
      message: `collections hold ${formatBytes(a.totals.actualBytes)}: memory-mapped storage would keep cold vectors on disk`,
      value: roundTo(a.totals.actualBytes / BYTES_PER_MB, 1),
      threshold: MEMORY_MAPPED_STORAGE_FROM_BYTES / BYTES_PER_MB,
    });
  }
  const structures = a.discrepancy.dataStructureOverheadBytes;
  if (structures !== null && structures > REVIEW_DATA_STRUCTURES_FROM_BYTES) {
    found.push({
      severity: "opportunity",
      code: "ReviewDataStructures",
      message: `${mb(structures)} of overhead beyond the runtime's own code: review the database's in-memory data structures`,
      value: roundTo(structures / BYTES_PER_MB, 1),
      threshold: REVIEW_DATA_STRUCTURES_FROM_BYTES / BYTES_PER_MB,
    });
  }
  return found;
}

function growthFindings(a: Assessment): Finding[] {
  const growth = a.unaccountedGrowth;
  if (growth === null) return [];
  return [
    {
      severity: "warning",
      code: "MemoryGrowth",
      message: `unaccounted memory grows by ${roundTo(growth.slopeMbPerHour, 1)} MB/hour over the last ${Math.round(growth.windowMinutes)} min (over ${growth.thresholdMbPerHour} MB/hour): look for a leak`,
      value: roundTo(growth.slopeMbPerHour, 1),
      threshold: growth.thresholdMbPerHour,
    },
  ];
}

function healthFindings(score: number, t: Thresholds): Finding[] {
  if (score >= t.health_critical_score) return [];
  return [
    {
      severity: "critical",
      code: "HealthScoreCritical",
      message: `memory health score is ${score} (under ${t.health_critical_score})`,
      value: score,
      threshold: t.health_critical_score,
    },
  ];
}

/** The one order of severities: a lower rank is more severe. */
export const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, warning: 1, opportunity: 2 };

/** The findings of SPEC section 4, critical first, then warning, then opportunity. */
export function findings(a: Assessment, healthScore: number, t: Thresholds): Finding[] {
  return [
    ...targetDownFindings(a),
    ...overheadFindings(a, t),
    ...unaccountedFindings(a, t),
    ...healthFindings(healthScore, t),
    ...quantizationFindings(a, t),
    ...memoryPressureFindings(a),
    ...growthFindings(a),
    ...opportunityFindings(a),
  ].sort((x, y) => SEVERITY_ORDER[x.severity] - SEVERITY_ORDER[y.severity]);
}

/** Opportunities are never sent: they are the snapshot's recommendations. */
export function recommendations(found: Finding[]): string[] {
  return found.filter((f) => f.severity === "opportunity").map((f) => f.message);
}
