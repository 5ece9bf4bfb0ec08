import { BYTES_PER_MB, quantizationCoverageRatio, roundTo } from "./analysis";
import { hasLargeCollection, pressureRatio, type Assessment, type MemoryPressure } from "./assessment";

export type HealthStatus = "excellent" | "good" | "fair" | "critical" | "unknown";

export interface Deduction {
  code: string;
  reason: string;
  points: number;
  value: number;
  threshold: number;
}

export interface Health {
  /** Null for a target that is down: its figures are missing or stale, not healthy. */
  score: number | null;
  status: HealthStatus;
  deductions: Deduction[];
}

interface Step {
  above: number;
  points: number;
}

/** The first (largest) step a value exceeds, or null. */
function stepFor(value: number, steps: Step[]): Step | null {
  return steps.find((s) => value > s.above) ?? null;
}

const OVERHEAD_STEPS: Step[] = [
  { above: 100, points: 35 },
  { above: 50, points: 20 },
  { above: 20, points: 5 },
];
const UNACCOUNTED_MB_STEPS: Step[] = [
  { above: 500, points: 25 },
  { above: 100, points: 10 },
];
const MEMORY_USED_PERCENT_STEPS: Step[] = [
  { above: 90, points: 20 },
  { above: 80, points: 10 },
];

function stepped(code: string, reason: string, value: number | null, steps: Step[]): Deduction[] {
  if (value === null) return [];
  const step = stepFor(value, steps);
  return step ? [{ code, reason, points: step.points, value, threshold: step.above }] : [];
}

function coverageDeduction(a: Assessment): Deduction[] {
  const ratio = quantizationCoverageRatio(a.totals.quantizedCollections, a.totals.collections);
  if (ratio === null || ratio >= 0.5 || !hasLargeCollection(a.collections)) return [];
  const reason = "under half of the collections are quantized, and one holds over 100 000 vectors";
  return [{ code: "low_quantization_coverage", reason, points: 10, value: ratio * 100, threshold: 50 }];
}

function pressureDeduction(pressure: MemoryPressure | null): Deduction[] {
  if (pressure === null) return [];
  const reason = `${pressure.scope} memory used (%)`;
  return stepped("memory_pressure", reason, pressureRatio(pressure) * 100, MEMORY_USED_PERCENT_STEPS);
}

function swapDeduction(a: Assessment): Deduction[] {
  if (!a.processSwapBytes || a.hostSwapUsedRatio === null || a.hostSwapUsedRatio <= 0.1) return [];
  const reason = "the process is swapping and host swap is over 10 % used";
  return [{ code: "swapping", reason, points: 10, value: a.hostSwapUsedRatio * 100, threshold: 10 }];
}

function growthDeduction(a: Assessment): Deduction[] {
  const growth = a.unaccountedGrowth;
  if (growth === null) return [];
  const reason = "unaccounted memory is growing (MB/hour)";
  return [
    {
      code: "unaccounted_growing",
      reason,
      points: 15,
      value: growth.slopeMbPerHour,
      threshold: growth.thresholdMbPerHour,
    },
  ];
}

/** The table can take up to 115 points; the last ones are trimmed so the score stops at 0. Values are rounded to 0.1 for the JSON. */
function capAtHundred(deductions: Deduction[]): Deduction[] {
  let left = 100;
  const capped: Deduction[] = [];
  for (const d of deductions) {
    const points = Math.min(d.points, left);
    if (points === 0) break;
    capped.push({ ...d, points, value: roundTo(d.value, 1) });
    left -= points;
  }
  return capped;
}

export function healthStatus(score: number): HealthStatus {
  if (score >= 90) return "excellent";
  if (score >= 70) return "good";
  if (score >= 50) return "fair";
  return "critical";
}

/** The 0–100 health score: 100 minus the listed deductions (SPEC section 3); none for a target that is down. */
export function health(a: Assessment): Health {
  if (a.downReasons.length > 0) return { score: null, status: "unknown", deductions: [] };
  const unaccountedMb = a.discrepancy.unaccountedBytes === null ? null : a.discrepancy.unaccountedBytes / BYTES_PER_MB;
  const deductions = [
    ...stepped(
      "overhead",
      "memory overhead over the collections' own figure",
      a.discrepancy.overheadPercentage,
      OVERHEAD_STEPS,
    ),
    ...stepped(
      "unaccounted_memory",
      "resident memory no collection accounts for (MB)",
      unaccountedMb,
      UNACCOUNTED_MB_STEPS,
    ),
    ...coverageDeduction(a),
    ...pressureDeduction(a.memoryPressure),
    ...swapDeduction(a),
    ...growthDeduction(a),
  ];
  const capped = capAtHundred(deductions);
  const score = 100 - capped.reduce((sum, d) => sum + d.points, 0);
  return { score, status: healthStatus(score), deductions: capped };
}
