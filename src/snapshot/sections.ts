import type { CgroupMemory, CollectionFigures, ProcessMemory, SystemMemory } from "../sources/types";
import {
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
import type { Attribution } from "./attribution";
import type { CollectionDetail, MemoryAttributionInfo, Snapshot } from "./schema";

/** The snapshot's sections rendered from measured and computed figures: bytes kept, MB beside them. */

const percent = (part: number | null, whole: number | null) =>
  part === null || whole === null || whole === 0 ? null : roundTo((part / whole) * 100, 1);

export function systemInfo(s: SystemMemory | null): Snapshot["system_info"] {
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

/**
 * The process's figures. `stack_size` counts every stack the attribution tells apart (the main
 * stack and the threads'), and is VmStk (the main stack only) without an attribution.
 */
export function processInfo(
  p: ProcessMemory | null,
  pid: number | null,
  attribution: Attribution | null,
  startTimeTicks: number | null,
): Snapshot["process_info"] {
  const stackBytes = attribution?.parts.find((part) => part.part === "stacks")?.bytes ?? p?.stackBytes ?? null;
  return {
    pid: p?.pid ?? pid,
    physical_memory_mb: toMb(p?.residentBytes ?? null),
    virtual_memory_mb: toMb(p?.virtualBytes ?? null),
    heap_size_mb: toMb(p?.anonymousBytes ?? null),
    stack_size_mb: toMb(stackBytes),
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
    stack_size_bytes: stackBytes,
    shared_memory_bytes: p?.sharedBytes ?? null,
    peak_memory_bytes: p?.peakResidentBytes ?? null,
    file_backed_memory_bytes: p?.fileBytes ?? null,
    shmem_bytes: p?.shmemBytes ?? null,
    swap_bytes: p?.swapBytes ?? null,
    pss_bytes: p?.pssBytes ?? null,
    start_time_ticks: startTimeTicks,
  };
}

export function cgroupInfo(c: CgroupMemory | null): Snapshot["cgroup_info"] {
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
export function collectionsInfo(
  collections: CollectionFigures[],
  totals: CollectionTotals,
  known: boolean,
): Snapshot["collections_info"] {
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

export function discrepancyAnalysis(d: Discrepancy, known: boolean): Snapshot["discrepancy_analysis"] {
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

/** The attribution as the snapshot carries it (SPEC section 3a). */
export function memoryAttributionInfo(a: Attribution | null): MemoryAttributionInfo | null {
  if (a === null) return null;
  const share = (bytes: number) => (a.residentBytes === 0 ? null : roundTo(bytes / a.residentBytes, 4));
  return {
    parts: a.parts.map((p) => ({
      part: p.part,
      bytes: p.bytes,
      mb: toMb(p.bytes),
      source: p.source,
      share_of_rss: share(p.bytes),
    })),
    mappings_top: a.mappingsTop.map((m) => ({
      mapping: m.mapping,
      address: m.address,
      part: m.part,
      collection: m.collection,
      rss_mb: toMb(m.rssBytes),
      rss_bytes: m.rssBytes,
      anonymous_bytes: m.anonymousBytes,
      swap_bytes: m.swapBytes,
    })),
    read_at: new Date(a.readAtMs).toISOString(),
  };
}
