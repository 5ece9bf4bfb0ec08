import type { Thresholds } from "../config/schema";
import { BYTES_PER_MB, roundTo, toMb } from "./analysis";
import type { Assessment, Exhaustion, UnaccountedGrowth } from "./assessment";
import type { Sample } from "./sample";
import type { TrendInfo } from "./schema";
import { windowMinutes, type GrowthRule, type Trend, type TrendPoint } from "./trend";

/** The trend of a sample: its point among the earlier ones, and what grows past the rule. */

export function growthRule(t: Thresholds): GrowthRule {
  return { warningMbPerHour: t.growth_warning_mb_per_hour, minWindowMinutes: t.growth_min_window_minutes };
}

/** This sample as a trend point: the figures a trend follows, and the counters its events compare. */
export function samplePoint(sample: Sample, a: Assessment, unexplainedBytes: number | null): TrendPoint {
  const up = sample.downReasons.length === 0;
  return {
    takenAtMs: sample.takenAt.getTime(),
    pid: sample.process?.pid ?? sample.target.pid,
    processStartTicks: sample.processStartTicks ?? null,
    residentBytes: sample.process?.residentBytes ?? null,
    workingSetBytes: a.memoryPressure?.usedBytes ?? null,
    unaccountedBytes: a.discrepancy.unaccountedBytes,
    unexplainedBytes: up ? unexplainedBytes : null,
    oomKills: sample.cgroup?.oomKills ?? null,
  };
}

export function exhaustion(trend: Trend | null): Exhaustion | null {
  const hoursUntilLimit = trend?.hoursUntilMemoryLimit ?? null;
  const scope = trend?.limitScope ?? null;
  if (hoursUntilLimit === null || scope === null) return null;
  return { hoursUntilLimit, scope };
}

function growth(growing: boolean, slopeBytesPerHour: number | null, t: Thresholds): UnaccountedGrowth | null {
  if (!growing || slopeBytesPerHour === null) return null;
  return {
    slopeMbPerHour: slopeBytesPerHour / BYTES_PER_MB,
    thresholdMbPerHour: t.growth_warning_mb_per_hour,
    windowMinutes: t.growth_min_window_minutes,
  };
}

export function unaccountedGrowth(trend: Trend | null, t: Thresholds): UnaccountedGrowth | null {
  return trend === null ? null : growth(trend.unaccountedGrowing, trend.recentUnaccountedSlopeBytesPerHour, t);
}

export function unexplainedGrowth(trend: Trend | null, t: Thresholds): UnaccountedGrowth | null {
  return trend === null ? null : growth(trend.unexplainedGrowing, trend.recentUnexplainedSlopeBytesPerHour, t);
}

export function trendInfo(trend: Trend): TrendInfo {
  const hours = trend.hoursUntilMemoryLimit;
  return {
    samples: trend.samples,
    window_start: new Date(trend.windowStartMs).toISOString(),
    window_end: new Date(trend.windowEndMs).toISOString(),
    window_minutes: roundTo(windowMinutes(trend), 1),
    rss_slope_mb_per_hour: toMb(trend.rssSlopeBytesPerHour),
    unaccounted_slope_mb_per_hour: toMb(trend.unaccountedSlopeBytesPerHour),
    rss_slope_bytes_per_hour: Math.round(trend.rssSlopeBytesPerHour),
    unaccounted_slope_bytes_per_hour:
      trend.unaccountedSlopeBytesPerHour === null ? null : Math.round(trend.unaccountedSlopeBytesPerHour),
    working_set_slope_mb_per_hour: toMb(trend.workingSetSlopeBytesPerHour),
    unexplained_slope_mb_per_hour: toMb(trend.unexplainedSlopeBytesPerHour),
    recent_unaccounted_slope_mb_per_hour: toMb(trend.recentUnaccountedSlopeBytesPerHour),
    memory_limit_scope: trend.limitScope,
    hours_until_memory_limit: hours === null ? null : roundTo(hours, hours < 1 ? 3 : 1),
    seconds_until_memory_limit: hours === null ? null : Math.round(hours * 3600),
    hours_until_memory_limit_reason: trend.hoursUntilMemoryLimitReason,
    unaccounted_growing: trend.unaccountedGrowing,
    recent_unexplained_slope_mb_per_hour: toMb(trend.recentUnexplainedSlopeBytesPerHour),
    unexplained_growing: trend.unexplainedGrowing,
  };
}
