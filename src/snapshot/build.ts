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
import { expectedMemory } from "./model";
import { memoryPressure, type Assessment, type UnaccountedGrowth } from "./assessment";
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

function processInfo(p: ProcessMemory | null, pid: number | null): Snapshot["process_info"] {
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
  };
}

function cgroupInfo(c: CgroupMemory | null): Snapshot["cgroup_info"] {
  if (c === null) return null;
  return {
    version: c.version,
    path: c.path,
    limit_mb: toMb(c.limitBytes),
    usage_mb: toMb(c.usageBytes),
    usage_percent: percent(c.usageBytes, c.limitBytes),
    limit_bytes: c.limitBytes,
    usage_bytes: c.usageBytes,
  };
}

export function collectionDetail(c: CollectionFigures): CollectionDetail {
  const estimated = estimatedBytes(c.vectorCount, c.dimension);
  const savings = quantizationSavingsBytes(c);
  const expected = expectedMemory(c);
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
    actual_source: c.actualSource ?? null,
    expected_memory_mb: toMb(expected.totalBytes),
    expected_bytes: expected.totalBytes,
    expected_vectors_bytes: expected.vectorsBytes,
    expected_quantized_bytes: expected.quantizedBytes,
    expected_graph_bytes: expected.graphBytes,
    expected_payload_bytes: expected.payloadBytes,
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
function assess(sample: Sample, unaccountedGrowth: UnaccountedGrowth | null): Assessment {
  const collections = sample.collections ?? [];
  const totals = collectionTotals(collections);
  const system = sample.system;
  const resident = sample.collections === null ? null : (sample.process?.residentBytes ?? null);
  return {
    collections,
    totals,
    discrepancy: discrepancy(totals, resident, sample.process?.fileBytes ?? null),
    memoryPressure: memoryPressure(system, sample.cgroup),
    processSwapBytes: sample.process?.swapBytes ?? null,
    hostSwapUsedRatio: system && system.swapTotalBytes > 0 ? system.swapUsedBytes / system.swapTotalBytes : null,
    unaccountedGrowth,
    downReasons: sample.downReasons,
  };
}

export function growthRule(t: Thresholds): GrowthRule {
  return { warningMbPerHour: t.growth_warning_mb_per_hour, minWindowMinutes: t.growth_min_window_minutes };
}

/** This sample as a trend point; null when its RSS or unaccounted memory is unknown. */
function samplePoint(sample: Sample, a: Assessment): TrendPoint | null {
  const residentBytes = sample.process?.residentBytes ?? null;
  const unaccountedBytes = a.discrepancy.unaccountedBytes;
  if (residentBytes === null || unaccountedBytes === null) return null;
  return { takenAtMs: sample.takenAt.getTime(), pid: sample.process?.pid ?? null, residentBytes, unaccountedBytes };
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
  return {
    samples: trend.samples,
    window_start: new Date(trend.windowStartMs).toISOString(),
    window_end: new Date(trend.windowEndMs).toISOString(),
    window_minutes: roundTo(windowMinutes(trend), 1),
    rss_slope_mb_per_hour: toMb(trend.rssSlopeBytesPerHour),
    unaccounted_slope_mb_per_hour: toMb(trend.unaccountedSlopeBytesPerHour),
    rss_slope_bytes_per_hour: Math.round(trend.rssSlopeBytesPerHour),
    unaccounted_slope_bytes_per_hour: Math.round(trend.unaccountedSlopeBytesPerHour),
    recent_unaccounted_slope_mb_per_hour: toMb(trend.recentUnaccountedSlopeBytesPerHour),
    memory_limit_scope: trend.limitScope,
    hours_until_memory_limit: trend.hoursUntilMemoryLimit === null ? null : roundTo(trend.hoursUntilMemoryLimit, 1),
    unaccounted_growing: trend.unaccountedGrowing,
  };
}

/**
 * The snapshot of SPEC section 6: a pure function of one sample, the thresholds and the
 * trend points of the target's earlier samples (oldest first).
 */
export function buildSnapshot(sample: Sample, thresholds: Thresholds, earlier: TrendPoint[] = []): Snapshot {
  const measured = assess(sample, null);
  const current = samplePoint(sample, measured);
  const trend = current === null ? null : computeTrend([...earlier, current], measured.memoryPressure, growthRule(thresholds));
  const assessment = { ...measured, unaccountedGrowth: unaccountedGrowth(trend, thresholds) };
  const score = health(assessment);
  const found = findings(assessment, score.score, thresholds);
  return {
    schema_version: SNAPSHOT_SCHEMA_VERSION,
    timestamp: sample.takenAt.toISOString(),
    target: { ...sample.target, up: sample.downReasons.length === 0 },
    system_info: systemInfo(sample.system),
    process_info: processInfo(sample.process, sample.target.pid),
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
