import { BYTES_PER_MB } from "./analysis";
import { memoryPressure, type MemoryPressure } from "./assessment";
import type { Snapshot } from "./schema";
import { leastSquaresSlope, theilSenSlope } from "./slope";

const MS_PER_HOUR = 3_600_000;
const MS_PER_MINUTE = 60_000;
/** Growth under this over the window (or its recent half) is noise, not memory running out. */
const MIN_GROWTH_BYTES = BYTES_PER_MB;
/** One outlier among three readings could still fake a slope. */
const MIN_EXHAUSTION_POINTS = 3;

/** One reading of one target: the figures a trend follows, and the counters its events compare. */
export interface TrendPoint {
  takenAtMs: number;
  pid: number | null;
  /** When the process started, in clock ticks after boot (/proc/<pid>/stat); a change with the same pid is a restart. */
  processStartTicks?: number | null;
  residentBytes: number | null;
  /** The figure held against the memory limit: the limiting cgroup's working set, else host memory used. */
  workingSetBytes?: number | null;
  /** The attribution's `unexplained` part (SPEC section 3a); absent or null where unknown. */
  unexplainedBytes?: number | null;
  unaccountedBytes: number | null;
  /** The cgroup's OOM-kill counter at the time. */
  oomKills?: number | null;
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
  workingSetSlopeBytesPerHour: number | null;
  unexplainedSlopeBytesPerHour: number | null;
  unaccountedSlopeBytesPerHour: number | null;
  /** The unaccounted slope over the growth rule's window only; null until two readings lie in it. */
  recentUnaccountedSlopeBytesPerHour: number | null;
  /** What the time to exhaustion is measured against; null when neither host nor cgroup figures are known. */
  limitScope: MemoryPressure["scope"] | null;
  /** Hours until the limit is reached at the working set's slope; null unless it grows within the window. */
  hoursUntilMemoryLimit: number | null;
  /** Why `hoursUntilMemoryLimit` is null. */
  hoursUntilMemoryLimitReason: string | null;
  /** The recent unaccounted slope is past the rule's threshold, and the readings span its window. */
  unaccountedGrowing: boolean;
  /** The unexplained slope over the rule's window; null until two readings with an attribution lie in it. */
  recentUnexplainedSlopeBytesPerHour: number | null;
  /** The recent unexplained slope is past the rule's threshold, and those readings span its window (`UnexplainedMemoryGrowth`). */
  unexplainedGrowing: boolean;
}

/** Hours until `pressure`'s limit is reached when memory grows by `slopeBytesPerHour`. */
export function hoursUntilLimit(pressure: MemoryPressure | null, slopeBytesPerHour: number): number | null {
  if (pressure === null || slopeBytesPerHour <= 0) return null;
  return Math.max(0, pressure.limitBytes - pressure.usedBytes) / slopeBytesPerHour;
}

export type ProcessIdentity = Pick<TrendPoint, "pid" | "processStartTicks">;

/** Two readings of the same process: same pid, and the same start time where both know it. */
export function sameProcess(a: ProcessIdentity, b: ProcessIdentity): boolean {
  if (a.pid !== b.pid) return false;
  return a.processStartTicks == null || b.processStartTicks == null || a.processStartTicks === b.processStartTicks;
}

/** The points of the process sampled last, oldest first: a restarted process starts a new trend. */
function currentProcessPoints(points: TrendPoint[]): TrendPoint[] {
  const sorted = [...points].sort((a, b) => a.takenAtMs - b.takenAtMs);
  const last = sorted.at(-1);
  return last === undefined ? [] : sorted.filter((p) => sameProcess(p, last));
}

type Figure = (p: TrendPoint) => number | null | undefined;

/** The readings of one figure that are known, as (hours, bytes). */
function known(points: TrendPoint[], figure: Figure): { hours: number[]; bytes: number[] } {
  const usable = points.flatMap((p) => {
    const bytes = figure(p);
    return bytes === null || bytes === undefined ? [] : [{ hours: p.takenAtMs / MS_PER_HOUR, bytes }];
  });
  return { hours: usable.map((u) => u.hours), bytes: usable.map((u) => u.bytes) };
}

/** The robust (Theil–Sen) slope of a figure in bytes per hour. */
function robustSlope(points: TrendPoint[], figure: Figure): number | null {
  const { hours, bytes } = known(points, figure);
  return theilSenSlope(hours, bytes);
}

/** The slope of one figure over the rule's window, and whether it counts as growth. */
function recentGrowth(
  points: TrendPoint[],
  rule: GrowthRule,
  figure: Figure,
): { slope: number | null; growing: boolean } {
  const usable = points.filter((p) => figure(p) !== null && figure(p) !== undefined);
  if (usable.length === 0) return { slope: null, growing: false };
  const windowMs = rule.minWindowMinutes * MS_PER_MINUTE;
  const endMs = usable[usable.length - 1].takenAtMs;
  const { hours, bytes } = known(
    usable.filter((p) => p.takenAtMs >= endMs - windowMs),
    figure,
  );
  const slope = leastSquaresSlope(hours, bytes);
  const spansWindow = endMs - usable[0].takenAtMs >= windowMs;
  return { slope, growing: spansWindow && slope !== null && slope / BYTES_PER_MB > rule.warningMbPerHour };
}

/** "30 min", "90 s": a span for a reason. */
function span(ms: number): string {
  return ms >= 2 * MS_PER_MINUTE ? `${Math.round(ms / MS_PER_MINUTE)} min` : `${Math.round(ms / 1000)} s`;
}

/** Whether the working set grew by at least MIN_GROWTH_BYTES over `points`, and at what slope. */
function growth(points: TrendPoint[]): { slope: number; grew: true } | { slope: number | null; grew: false } {
  const slope = robustSlope(points, (p) => p.workingSetBytes);
  const spanHours = (points[points.length - 1].takenAtMs - points[0].takenAtMs) / MS_PER_HOUR;
  return slope !== null && slope * spanHours >= MIN_GROWTH_BYTES ? { slope, grew: true } : { slope, grew: false };
}

/**
 * Hours until the limit at the working set's robust slope over the window, only while memory
 * grows within it: over the whole window and over its recent half (so a process that stopped
 * growing loses its forecast within half a window). The readings must span half the window: a
 * slope over seconds of a noisy figure (host memory in use) forecasts nothing. Otherwise null,
 * with the reason.
 */
function exhaustion(
  windowed: TrendPoint[],
  pressure: MemoryPressure | null,
  windowMs: number,
): { hours: number | null; reason: string | null } {
  if (pressure === null)
    return { hours: null, reason: "no memory limit is known: neither cgroup nor host figures could be read" };
  const points = windowed.filter((p) => p.workingSetBytes !== null && p.workingSetBytes !== undefined);
  if (points.length < MIN_EXHAUSTION_POINTS)
    return {
      hours: null,
      reason: `fewer than ${MIN_EXHAUSTION_POINTS} readings of the working set in the trend window`,
    };
  const startMs = points[0].takenAtMs;
  const endMs = points[points.length - 1].takenAtMs;
  if (endMs - startMs < windowMs / 2) {
    return {
      hours: null,
      reason: `the readings span ${span(endMs - startMs)} of the ${span(windowMs)} trend window; a forecast needs half of it`,
    };
  }
  const whole = growth(points);
  if (!whole.grew) return { hours: null, reason: `memory does not grow over the last ${span(endMs - startMs)}` };
  const halfMs = (endMs - startMs) / 2;
  const recentHalf = points.filter((p) => p.takenAtMs >= endMs - halfMs);
  if (!growth(recentHalf).grew) return { hours: null, reason: `memory stopped growing in the last ${span(halfMs)}` };
  return { hours: hoursUntilLimit(pressure, whole.slope), reason: null };
}

/**
 * The trend of SPEC section 6: robust slopes of RSS, working set and unexplained memory over
 * the last `windowMs`, the hours left before `pressure`'s limit, and whether unaccounted memory
 * grows past the growth rule. Null until two RSS readings of the same process lie apart in time.
 */
export function computeTrend(
  points: TrendPoint[],
  pressure: MemoryPressure | null,
  rule: GrowthRule,
  windowMs: number,
): Trend | null {
  const used = currentProcessPoints(points).filter((p) => p.residentBytes !== null);
  if (used.length < 2) return null;
  const endMs = used[used.length - 1].takenAtMs;
  const windowed = used.filter((p) => p.takenAtMs >= endMs - windowMs);
  const rssSlope = robustSlope(windowed, (p) => p.residentBytes);
  if (rssSlope === null) return null;
  const recent = recentGrowth(used, rule, (p) => p.unaccountedBytes);
  const recentUnexplained = recentGrowth(used, rule, (p) => p.unexplainedBytes);
  const toLimit = exhaustion(windowed, pressure, windowMs);
  return {
    samples: windowed.length,
    windowStartMs: windowed[0].takenAtMs,
    windowEndMs: endMs,
    rssSlopeBytesPerHour: rssSlope,
    workingSetSlopeBytesPerHour: robustSlope(windowed, (p) => p.workingSetBytes),
    unexplainedSlopeBytesPerHour: robustSlope(windowed, (p) => p.unexplainedBytes),
    unaccountedSlopeBytesPerHour: robustSlope(windowed, (p) => p.unaccountedBytes),
    recentUnaccountedSlopeBytesPerHour: recent.slope,
    limitScope: pressure?.scope ?? null,
    hoursUntilMemoryLimit: toLimit.hours,
    hoursUntilMemoryLimitReason: toLimit.reason,
    unaccountedGrowing: recent.growing,
    recentUnexplainedSlopeBytesPerHour: recentUnexplained.slope,
    unexplainedGrowing: recentUnexplained.growing,
  };
}

export function windowMinutes(trend: Trend): number {
  return (trend.windowEndMs - trend.windowStartMs) / MS_PER_MINUTE;
}

/** The memory limit that matters in a snapshot: the tighter of its cgroup limit and host RAM. */
export function snapshotPressure(s: Snapshot): MemoryPressure | null {
  const host = { usedBytes: s.system_info.used_memory_bytes, totalBytes: s.system_info.total_memory_bytes };
  const c = s.cgroup_info;
  const cgroup = c && { limitBytes: c.limit_bytes, usageBytes: c.limit_working_set_bytes ?? c.usage_bytes };
  return memoryPressure(host, cgroup);
}

/**
 * The attribution's unexplained part of a snapshot, where it means something: not while the
 * target is down (without the database's figures the whole anonymous rest would count).
 */
export function snapshotUnexplainedBytes(s: Snapshot): number | null {
  if (!s.target.up) return null;
  return s.memory_attribution?.parts.find((p) => p.part === "unexplained")?.bytes ?? null;
}

/** The trend points of snapshots, oldest first. */
export function snapshotTrendPoints(snapshots: Snapshot[]): TrendPoint[] {
  return snapshots.map((s) => ({
    takenAtMs: Date.parse(s.timestamp),
    pid: s.process_info.pid,
    processStartTicks: s.process_info.start_time_ticks ?? null,
    residentBytes: s.process_info.physical_memory_bytes,
    workingSetBytes: snapshotPressure(s)?.usedBytes ?? null,
    unaccountedBytes: s.discrepancy_analysis.unaccounted_memory_bytes,
    unexplainedBytes: snapshotUnexplainedBytes(s),
    oomKills: s.cgroup_info?.oom_kills ?? null,
  }));
}
