import type { Thresholds } from "../config/schema";
import type { CgroupMemory, CollectionFigures, ProcessMemory, SystemMemory } from "../sources/types";
import {
  BYTES_PER_MB,
  collectionTotals,
  discrepancy,
  estimatedBytes,
  isQuantized,
  quantizationCoverageRatio,
  quantizationSavingsBytes,
  roundTo,
  toMb,
  type CollectionTotals,
  type Discrepancy,
} from "./analysis";
import { memoryPressure, type Assessment, type Exhaustion, type UnaccountedGrowth } from "./assessment";
import { EVENTS_LOOKBACK_MINUTES, recentEvents } from "./events";
import { findings, recommendations } from "./findings";
import { health } from "./health";
import type { Sample } from "./sample";
import { SNAPSHOT_SCHEMA_VERSION, type CollectionDetail, type Snapshot, type TrendInfo } from "./schema";
import { computeTrend, windowMinutes, type GrowthRule, type Trend, type TrendPoint } from "./trend";

const percent = (part: number | null, whole: number | null) =>
  part === null || whole === null || whole === 0 ? null : roundTo((part / whole) * 100, 1);

function systemInfo(s: SystemMemory | null): Snapshot["system_info"] {
  return {
    total_memory_mb: toMb(s?.totalBytes ?? null),
    available_memory_mb: toMb(s?.availableBytes ?? null),
    used_memory_mb: toMb(s?.usedBytes ?? null),
    memory_usage_percent: percent(s?.usedBytes ?? null, s?.totalBytes ?? null),
    swap_total_mb: toMb(s?.swapTotalBytes ?? null),
    swap_used_mb: toMb(s?.swapUsedBytes ?? null),
    total_memory_bytes: s?.totalBytes ?? null,
    available_memory_bytes: s?.availableBytes ?? null,
    used_memory_bytes: s?.usedBytes ?? null,
    swap_total_bytes: s?.swapTotalBytes ?? null,
    swap_used_bytes: s?.swapUsedBytes ?? null,
  };
}

function processInfo(p: ProcessMemory | null, pid: number | null, startTimeTicks: number | null): Snapshot["process_info"] {
  return {
    pid: p?.pid ?? pid,
    physical_memory_mb: toMb(p?.residentBytes ?? null),
    virtual_memory_mb: toMb(p?.virtualBytes ?? null),
    heap_size_mb: toMb(p?.anonymousBytes ?? null),
    stack_size_mb: toMb(p?.stackBytes ?? null),
    shared_memory_mb: toMb(p?.sharedBytes ?? null),
    peak_memory_mb: toMb(p?.peakResidentBytes ?? null),
    file_backed_memory_mb: toMb(p?.fileBytes ?? null),
    shmem_mb: toMb(p?.shmemBytes ?? null),
    swap_mb: toMb(p?.swapBytes ?? null),
    pss_mb: toMb(p?.pssBytes ?? null),
    cpu_percent: p?.cpuPercent === null || p?.cpuPercent === undefined ? null : roundTo(p.cpuPercent, 1),
    physical_memory_bytes: p?.residentBytes ?? null,
    virtual_memory_bytes: p?.virtualBytes ?? null,
    heap_size_bytes: p?.anonymousBytes ?? null,
    stack_size_bytes: p?.stackBytes ?? null,
    shared_memory_bytes: p?.sharedBytes ?? null,
    peak_memory_bytes: p?.peakResidentBytes ?? null,
    file_backed_memory_bytes: p?.fileBytes ?? null,
    shmem_bytes: p?.shmemBytes ?? null,
    swap_bytes: p?.swapBytes ?? null,
    pss_bytes: p?.pssBytes ?? null,
    start_time_ticks: startTimeTicks,
  };
}

function cgroupInfo(c: CgroupMemory | null): Snapshot["cgroup_info"] {
  if (c === null) return null;
  return {
    version: c.version,
    path: c.path,
    limit_mb: toMb(c.limitBytes),
    usage_mb: toMb(c.usageBytes),
    usage_percent: percent(c.limitWorkingSetBytes, c.limitBytes),
    limit_bytes: c.limitBytes,
    usage_bytes: c.usageBytes,
    limit_path: c.limitPath,
    working_set_mb: toMb(c.workingSetBytes),
    working_set_bytes: c.workingSetBytes,
    limit_working_set_mb: toMb(c.limitWorkingSetBytes),
    limit_working_set_bytes: c.limitWorkingSetBytes,
    soft_limit_bytes: c.softLimitBytes,
    oom_kills: c.oomKills,
  };
}

export function collectionDetail(c: CollectionFigures): CollectionDetail {
  const estimated = estimatedBytes(c.vectorCount, c.dimension);
  const savings = quantizationSavingsBytes(c);
  return {
    name: c.name,
    dimension: c.dimension,
    vector_count: c.vectorCount,
    document_count: c.documentCount,
    metric: c.metric,
    quantization: c.quantization,
    quantized: isQuantized(c.quantization),
    estimated_memory_mb: toMb(estimated),
    actual_memory_mb: toMb(c.actualBytes),
    quantization_savings_mb: toMb(savings),
    estimated_memory_bytes: estimated,
    actual_memory_bytes: c.actualBytes,
    index_bytes: c.indexBytes,
    payload_bytes: c.payloadBytes,
    quantization_savings_bytes: savings,
  };
}

/** Without the database's answer (`known` false) the totals are unknown, not zero. */
function collectionsInfo(collections: CollectionFigures[], totals: CollectionTotals, known: boolean): Snapshot["collections_info"] {
  const total = (value: number) => (known ? value : null);
  const coverage = quantizationCoverageRatio(totals.quantizedCollections, totals.collections);
  return {
    total_collections: total(totals.collections),
    total_vectors: total(totals.vectors),
    estimated_memory_mb: total(toMb(totals.estimatedBytes)),
    actual_memory_mb: total(toMb(totals.actualBytes)),
    quantized_collections: total(totals.quantizedCollections),
    quantization_coverage_percent: coverage === null || !known ? null : roundTo(coverage * 100, 1),
    estimated_memory_bytes: total(totals.estimatedBytes),
    actual_memory_bytes: total(totals.actualBytes),
    collections_detail: collections.map(collectionDetail),
  };
}

function discrepancyAnalysis(d: Discrepancy, known: boolean): Snapshot["discrepancy_analysis"] {
  const total = (value: number) => (known ? value : null);
  return {
    estimated_vs_real_diff_mb: total(toMb(d.estimatedVsRealDiffBytes)),
    estimated_vs_real_diff_percent: total(roundTo(d.estimatedVsRealDiffPercent, 1)),
    unaccounted_memory_mb: toMb(d.unaccountedBytes),
    overhead_percentage: d.overheadPercentage === null ? null : roundTo(d.overheadPercentage, 1),
    quantization_impact_mb: total(toMb(d.quantizationImpactBytes)),
    data_structure_overhead_mb: toMb(d.dataStructureOverheadBytes),
    estimated_vs_real_diff_bytes: total(d.estimatedVsRealDiffBytes),
    unaccounted_memory_bytes: d.unaccountedBytes,
    quantization_impact_bytes: total(d.quantizationImpactBytes),
    data_structure_overhead_bytes: d.dataStructureOverheadBytes,
    runtime_baseline_bytes: d.runtimeBaselineBytes,
  };
}

/**
 * What health and findings judge. Without collection figures (the API failed) the
 * unaccounted memory is unknown, not the whole RSS.
 */
/** The cgroup figures memory pressure reads: the tightest limit, and the working set held against it. */
function cgroupPressureFigures(c: CgroupMemory | null) {
  return c && { limitBytes: c.limitBytes, usageBytes: c.limitWorkingSetBytes ?? c.usageBytes };
}

function assess(sample: Sample, unaccountedGrowth: UnaccountedGrowth | null): Assessment {
  const collections = sample.collections ?? [];
  const totals = collectionTotals(collections);
  const system = sample.system;
  const resident = sample.collections === null ? null : (sample.process?.residentBytes ?? null);
  return {
    collections,
    totals,
    discrepancy: discrepancy(totals, resident, sample.process?.fileBytes ?? null),
    memoryPressure: memoryPressure(system, cgroupPressureFigures(sample.cgroup)),
    processSwapBytes: sample.process?.swapBytes ?? null,
    hostSwapUsedRatio: system && system.swapTotalBytes > 0 ? system.swapUsedBytes / system.swapTotalBytes : null,
    unaccountedGrowth,
    downReasons: sample.downReasons,
    exhaustion: null,
    events: { oomKills: 0, restarts: 0, lookbackMinutes: EVENTS_LOOKBACK_MINUTES },
  };
}

export function growthRule(t: Thresholds): GrowthRule {
  return { warningMbPerHour: t.growth_warning_mb_per_hour, minWindowMinutes: t.growth_min_window_minutes };
}

/** This sample as a trend point. */
function samplePoint(sample: Sample, a: Assessment): TrendPoint {
  return {
    takenAtMs: sample.takenAt.getTime(),
    pid: sample.process?.pid ?? sample.target.pid,
    processStartTicks: sample.processStartTicks ?? null,
    residentBytes: sample.process?.residentBytes ?? null,
    workingSetBytes: a.memoryPressure?.usedBytes ?? null,
    unaccountedBytes: a.discrepancy.unaccountedBytes,
    oomKills: sample.cgroup?.oomKills ?? null,
  };
}

function exhaustion(trend: Trend | null): Exhaustion | null {
  if (trend === null || trend.hoursUntilMemoryLimit === null || trend.limitScope === null) return null;
  return { hoursUntilLimit: trend.hoursUntilMemoryLimit, scope: trend.limitScope };
}

function unaccountedGrowth(trend: Trend | null, t: Thresholds): UnaccountedGrowth | null {
  if (trend === null || !trend.unaccountedGrowing || trend.recentUnaccountedSlopeBytesPerHour === null) return null;
  return {
    slopeMbPerHour: trend.recentUnaccountedSlopeBytesPerHour / BYTES_PER_MB,
    thresholdMbPerHour: t.growth_warning_mb_per_hour,
    windowMinutes: t.growth_min_window_minutes,
  };
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
    unaccounted_slope_bytes_per_hour: trend.unaccountedSlopeBytesPerHour === null ? null : Math.round(trend.unaccountedSlopeBytesPerHour),
    working_set_slope_mb_per_hour: toMb(trend.workingSetSlopeBytesPerHour),
    unexplained_slope_mb_per_hour: toMb(trend.unexplainedSlopeBytesPerHour),
    recent_unaccounted_slope_mb_per_hour: toMb(trend.recentUnaccountedSlopeBytesPerHour),
    memory_limit_scope: trend.limitScope,
    hours_until_memory_limit: hours === null ? null : roundTo(hours, hours < 1 ? 3 : 1),
    seconds_until_memory_limit: hours === null ? null : Math.round(hours * 3600),
    hours_until_memory_limit_reason: trend.hoursUntilMemoryLimitReason,
    unaccounted_growing: trend.unaccountedGrowing,
  };
}

/**
 * The snapshot of SPEC section 6: a pure function of one sample, the thresholds and the
 * trend points of the target's earlier samples (oldest first).
 */
export function buildSnapshot(sample: Sample, thresholds: Thresholds, earlier: TrendPoint[] = []): Snapshot {
  const measured = assess(sample, null);
  const points = [...earlier, samplePoint(sample, measured)];
  const trend = computeTrend(points, measured.memoryPressure, growthRule(thresholds), thresholds.trend_window);
  const assessment: Assessment = {
    ...measured,
    unaccountedGrowth: unaccountedGrowth(trend, thresholds),
    exhaustion: exhaustion(trend),
    events: recentEvents(points),
  };
  const score = health(assessment);
  const found = findings(assessment, score.score, thresholds);
  return {
    schema_version: SNAPSHOT_SCHEMA_VERSION,
    timestamp: sample.takenAt.toISOString(),
    target: { ...sample.target, up: sample.downReasons.length === 0 },
    system_info: systemInfo(sample.system),
    process_info: processInfo(sample.process, sample.target.pid, sample.processStartTicks ?? null),
    cgroup_info: cgroupInfo(sample.cgroup),
    collections_info: collectionsInfo(assessment.collections, assessment.totals, sample.collections !== null),
    discrepancy_analysis: discrepancyAnalysis(assessment.discrepancy, sample.collections !== null),
    health: score,
    findings: found,
    recommendations: recommendations(found),
    trend: trend === null ? null : trendInfo(trend),
    errors: sample.errors,
    sample_duration_seconds: sample.durationSeconds,
  };
}
