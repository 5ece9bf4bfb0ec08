import { BYTES_PER_MB } from "./analysis";
import { memoryPressure, type MemoryPressure } from "./assessment";
import type { Snapshot } from "./schema";

const MS_PER_HOUR = 3_600_000;
const MS_PER_MINUTE = 60_000;

/** One complete reading of one process: the figures a trend follows. */
export interface TrendPoint {
  takenAtMs: number;
  pid: number | null;
  residentBytes: number;
  unaccountedBytes: number;
  /** The attribution's `unexplained` part; absent or null where unknown. */
  unexplainedBytes?: number | null;
}

/**
 * When unaccounted memory counts as growing (SPEC section 4, `MemoryGrowth`): its slope over
 * the last `minWindowMinutes` passes `warningMbPerHour`, once the readings span that window
 * (as the Prometheus rule: `deriv(...[30m])` on a series at least 30 minutes old).
 */
export interface GrowthRule {
  warningMbPerHour: number;
  minWindowMinutes: number;
}

export interface Trend {
  samples: number;
  windowStartMs: number;
  windowEndMs: number;
  rssSlopeBytesPerHour: number;
  unaccountedSlopeBytesPerHour: number;
  /** The unaccounted slope over the rule's window only; null until two readings lie in it. */
  recentUnaccountedSlopeBytesPerHour: number | null;
  /** What the time to exhaustion is measured against; null when neither host nor cgroup figures are known. */
  limitScope: MemoryPressure["scope"] | null;
  /** Hours until the limit is reached at the RSS slope; null unless RSS grows. */
  hoursUntilMemoryLimit: number | null;
  /** The recent unaccounted slope is past the rule's threshold, and the readings span its window. */
  unaccountedGrowing: boolean;
  /** The unexplained slope over the rule's window; null until two readings with an attribution lie in it. */
  recentUnexplainedSlopeBytesPerHour: number | null;
  /** The recent unexplained slope is past the rule's threshold, and those readings span its window (`UnexplainedMemoryGrowth`). */
  unexplainedGrowing: boolean;
}

/**
 * Least-squares slope of y over x; null with fewer than two distinct x.
 * Both series are taken relative to their first value, so a constant y gives exactly 0.
 */
export function leastSquaresSlope(xs: number[], ys: number[]): number | null {
  const n = xs.length;
  if (n < 2 || ys.length !== n) return null;
  const dx = xs.map((x) => x - xs[0]);
  const dy = ys.map((y) => y - ys[0]);
  const meanX = dx.reduce((sum, x) => sum + x, 0) / n;
  const meanY = dy.reduce((sum, y) => sum + y, 0) / n;
  let covariance = 0;
  let variance = 0;
  for (let i = 0; i < n; i++) {
    covariance += (dx[i] - meanX) * (dy[i] - meanY);
    variance += (dx[i] - meanX) ** 2;
  }
  return variance === 0 ? null : covariance / variance;
}

/** Hours until `pressure`'s limit is reached when memory grows by `slopeBytesPerHour`. */
export function hoursUntilLimit(pressure: MemoryPressure | null, slopeBytesPerHour: number): number | null {
  if (pressure === null || slopeBytesPerHour <= 0) return null;
  return Math.max(0, pressure.limitBytes - pressure.usedBytes) / slopeBytesPerHour;
}

/** The points of the process sampled last, oldest first: a restarted process starts a new trend. */
function currentProcessPoints(points: TrendPoint[]): TrendPoint[] {
  const sorted = [...points].sort((a, b) => a.takenAtMs - b.takenAtMs);
  const pid = sorted[sorted.length - 1]?.pid;
  return sorted.filter((p) => p.pid === pid);
}

type Figure = (p: TrendPoint) => number | null | undefined;

const unaccounted: Figure = (p) => p.unaccountedBytes;
const unexplained: Figure = (p) => p.unexplainedBytes;

/** Slope of one figure in bytes per hour over the points where it is known. */
function slopeOf(points: TrendPoint[], figure: Figure): number | null {
  const known = points.filter((p) => typeof figure(p) === "number");
  return leastSquaresSlope(
    known.map((p) => p.takenAtMs / MS_PER_HOUR),
    known.map((p) => figure(p) as number),
  );
}

/** The slope of one figure over the rule's window, and whether it counts as growth. */
function recentGrowth(points: TrendPoint[], rule: GrowthRule, figure: Figure): { slope: number | null; growing: boolean } {
  const known = points.filter((p) => typeof figure(p) === "number");
  if (known.length === 0) return { slope: null, growing: false };
  const windowMs = rule.minWindowMinutes * MS_PER_MINUTE;
  const endMs = known[known.length - 1].takenAtMs;
  const slope = slopeOf(known.filter((p) => p.takenAtMs >= endMs - windowMs), figure);
  const spansWindow = endMs - known[0].takenAtMs >= windowMs;
  return { slope, growing: spansWindow && slope !== null && slope / BYTES_PER_MB > rule.warningMbPerHour };
}

/**
 * The trend of SPEC section 6 over `points`: RSS and unaccounted slopes, the hours left
 * before `pressure`'s limit, and whether unaccounted memory grows past the rule.
 * Null until two readings of the same process lie apart in time.
 */
export function computeTrend(points: TrendPoint[], pressure: MemoryPressure | null, rule: GrowthRule): Trend | null {
  const used = currentProcessPoints(points);
  const rssSlope = leastSquaresSlope(
    used.map((p) => p.takenAtMs / MS_PER_HOUR),
    used.map((p) => p.residentBytes),
  );
  const wholeSlope = slopeOf(used, unaccounted);
  if (rssSlope === null || wholeSlope === null) return null;
  const recent = recentGrowth(used, rule, unaccounted);
  const recentUnexplained = recentGrowth(used, rule, unexplained);
  return {
    samples: used.length,
    windowStartMs: used[0].takenAtMs,
    windowEndMs: used[used.length - 1].takenAtMs,
    rssSlopeBytesPerHour: rssSlope,
    unaccountedSlopeBytesPerHour: wholeSlope,
    recentUnaccountedSlopeBytesPerHour: recent.slope,
    limitScope: pressure?.scope ?? null,
    hoursUntilMemoryLimit: hoursUntilLimit(pressure, rssSlope),
    unaccountedGrowing: recent.growing,
    recentUnexplainedSlopeBytesPerHour: recentUnexplained.slope,
    unexplainedGrowing: recentUnexplained.growing,
  };
}

export function windowMinutes(trend: Trend): number {
  return (trend.windowEndMs - trend.windowStartMs) / MS_PER_MINUTE;
}

/**
 * The attribution's unexplained part of a snapshot, where it means something: not while the
 * target is down (without the database's figures the whole anonymous rest would count).
 */
export function snapshotUnexplainedBytes(s: Snapshot): number | null {
  if (!s.target.up) return null;
  return s.memory_attribution?.parts.find((p) => p.part === "unexplained")?.bytes ?? null;
}

/** The trend points of snapshots: those whose RSS and unaccounted memory are both known. */
export function snapshotTrendPoints(snapshots: Snapshot[]): TrendPoint[] {
  return snapshots.flatMap((s) => {
    const residentBytes = s.process_info.physical_memory_bytes;
    const unaccountedBytes = s.discrepancy_analysis.unaccounted_memory_bytes;
    if (residentBytes === null || unaccountedBytes === null) return [];
    return [{ takenAtMs: Date.parse(s.timestamp), pid: s.process_info.pid, residentBytes, unaccountedBytes, unexplainedBytes: snapshotUnexplainedBytes(s) }];
  });
}

/** The memory limit that matters in a snapshot: its cgroup limit where set, else host RAM. */
export function snapshotPressure(s: Snapshot): MemoryPressure | null {
  const host = { usedBytes: s.system_info.used_memory_bytes, totalBytes: s.system_info.total_memory_bytes };
  const cgroup = s.cgroup_info && { limitBytes: s.cgroup_info.limit_bytes, usageBytes: s.cgroup_info.usage_bytes };
  return memoryPressure(host, cgroup);
}
