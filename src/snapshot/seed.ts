import { z } from "zod";
import type { Thresholds } from "../config/schema";
import type { CollectionFigures, Quantization } from "../sources/types";
import {
  BYTES_PER_MB,
  isQuantized,
  quantizationCoverageRatio,
  roundTo,
  type CollectionTotals,
  type Discrepancy,
} from "./analysis";
import { memoryPressure, type Assessment } from "./assessment";
import { EVENTS_LOOKBACK_MINUTES } from "./events";
import { collectionDetail } from "./sections";
import { findings, recommendations } from "./findings";
import { health } from "./health";
import { SNAPSHOT_SCHEMA_VERSION, type Snapshot } from "./schema";

const figure = z.number().nullable();

const SeedCollectionSchema = z.object({
  name: z.string(),
  dimension: z.number().int().nonnegative(),
  vector_count: z.number().int().nonnegative(),
  quantization: z
    .string()
    .regex(/^(none|pq|binary|sq\d+)$/, "expected none, sq8 (sqN), pq or binary")
    .optional(),
  quantization_enabled: z.boolean().optional(),
  /** float32 bytes per stored byte: 4 for SQ8, 32 for binary. */
  compression_ratio: z.number().positive().nullable().optional(),
  estimated_memory_mb: figure.optional(),
  actual_memory_mb: figure.optional(),
  overhead_mb: figure.optional(),
});
type SeedCollection = z.infer<typeof SeedCollectionSchema>;

/** The snapshot of the seed document: its example's fields, in MB and percent, nothing more. */
export const SeedSnapshotSchema = z.object({
  timestamp: z.iso.datetime({ offset: true }),
  system_info: z.object({
    total_memory_mb: figure,
    available_memory_mb: figure,
    used_memory_mb: figure,
    memory_usage_percent: figure,
    swap_total_mb: figure,
    swap_used_mb: figure,
  }),
  process_info: z.object({
    physical_memory_mb: figure,
    virtual_memory_mb: figure,
    heap_size_mb: figure,
    stack_size_mb: figure,
    shared_memory_mb: figure,
  }),
  collections_info: z.object({
    total_collections: z.number().int().nonnegative(),
    total_vectors: z.number().nonnegative(),
    estimated_memory_mb: z.number(),
    actual_memory_mb: z.number(),
    collections_detail: z.array(SeedCollectionSchema),
  }),
  discrepancy_analysis: z.object({
    estimated_vs_real_diff_mb: z.number(),
    estimated_vs_real_diff_percent: z.number(),
    unaccounted_memory_mb: figure,
    overhead_percentage: figure,
    quantization_impact_mb: z.number(),
    data_structure_overhead_mb: figure,
  }),
  recommendations: z.array(z.string()).optional(),
});
export type SeedSnapshot = z.infer<typeof SeedSnapshotSchema>;

function toBytes(mb: number): number;
function toBytes(mb: number | null): number | null;
function toBytes(mb: number | null): number | null {
  return mb === null ? null : Math.round(mb * BYTES_PER_MB);
}

/** Compression ratios against float32 and the scheme each means; any other ratio is product quantization. */
const SCHEMES_BY_RATIO: Array<{ ratio: number; quantization: Quantization }> = [
  { ratio: 2, quantization: "sq16" },
  { ratio: 4, quantization: "sq8" },
  { ratio: 32, quantization: "binary" },
];
const RATIO_TOLERANCE = 0.25;

/**
 * The seed names a collection's scheme (`quantization`) or only says it is quantized
 * (`quantization_enabled`, with `compression_ratio`); without a ratio, enabled means SQ8,
 * the one scheme Vectorizer marks as enabled.
 */
function seedQuantization(c: SeedCollection): Quantization {
  if (c.quantization !== undefined) return c.quantization as Quantization;
  if (c.quantization_enabled !== true) return "none";
  const ratio = c.compression_ratio ?? null;
  if (ratio === null) return "sq8";
  return SCHEMES_BY_RATIO.find((s) => Math.abs(s.ratio - ratio) <= RATIO_TOLERANCE)?.quantization ?? "pq";
}

/** The database's figure: `actual_memory_mb`, else the seed's estimate plus its overhead where both are given. */
function seedActualMb(c: SeedCollection): number | null {
  if (c.actual_memory_mb !== undefined && c.actual_memory_mb !== null) return c.actual_memory_mb;
  const estimated = c.estimated_memory_mb ?? null;
  const overhead = c.overhead_mb ?? null;
  return estimated === null || overhead === null ? null : estimated + overhead;
}

function seedCollections(seed: SeedSnapshot): CollectionFigures[] {
  return seed.collections_info.collections_detail.map((c) => ({
    name: c.name,
    dimension: c.dimension,
    vectorCount: c.vector_count,
    documentCount: null,
    metric: null,
    quantization: seedQuantization(c),
    actualBytes: toBytes(seedActualMb(c)),
    indexBytes: null,
    payloadBytes: null,
  }));
}

/** The seed's own totals are its figures: they are taken as written, not recomputed from the detail. */
function seedTotals(seed: SeedSnapshot, collections: CollectionFigures[]): CollectionTotals {
  const info = seed.collections_info;
  return {
    collections: info.total_collections,
    vectors: info.total_vectors,
    estimatedBytes: toBytes(info.estimated_memory_mb),
    actualBytes: toBytes(info.actual_memory_mb),
    quantizedCollections: collections.filter((c) => isQuantized(c.quantization)).length,
    quantizationSavingsBytes: toBytes(seed.discrepancy_analysis.quantization_impact_mb),
    collectionsWithoutActual: collections.filter((c) => c.actualBytes === null).length,
  };
}

function seedDiscrepancy(d: SeedSnapshot["discrepancy_analysis"]): Discrepancy {
  return {
    estimatedVsRealDiffBytes: toBytes(d.estimated_vs_real_diff_mb),
    estimatedVsRealDiffPercent: d.estimated_vs_real_diff_percent,
    unaccountedBytes: toBytes(d.unaccounted_memory_mb),
    overheadPercentage: d.overhead_percentage,
    quantizationImpactBytes: toBytes(d.quantization_impact_mb),
    dataStructureOverheadBytes: toBytes(d.data_structure_overhead_mb),
    runtimeBaselineBytes: null,
  };
}

function seedAssessment(seed: SeedSnapshot): Assessment {
  const collections = seedCollections(seed);
  const system = seed.system_info;
  const swapTotal = system.swap_total_mb;
  return {
    collections,
    totals: seedTotals(seed, collections),
    discrepancy: seedDiscrepancy(seed.discrepancy_analysis),
    memoryPressure: memoryPressure(
      { usedBytes: toBytes(system.used_memory_mb), totalBytes: toBytes(system.total_memory_mb) },
      null,
    ),
    processSwapBytes: null,
    hostSwapUsedRatio: swapTotal && system.swap_used_mb !== null ? system.swap_used_mb / swapTotal : null,
    unaccountedGrowth: null,
    unexplainedGrowth: null,
    collectionFiguresKnown: collections.some((c) => c.actualBytes !== null),
    attribution: null,
    downReasons: [],
    exhaustion: null,
    events: { oomKills: 0, restarts: 0, lookbackMinutes: EVENTS_LOOKBACK_MINUTES },
  };
}

function processInfo(p: SeedSnapshot["process_info"]): Snapshot["process_info"] {
  return {
    pid: null,
    ...p,
    peak_memory_mb: null,
    file_backed_memory_mb: null,
    shmem_mb: null,
    swap_mb: null,
    pss_mb: null,
    cpu_percent: null,
    physical_memory_bytes: toBytes(p.physical_memory_mb),
    virtual_memory_bytes: toBytes(p.virtual_memory_mb),
    heap_size_bytes: toBytes(p.heap_size_mb),
    stack_size_bytes: toBytes(p.stack_size_mb),
    shared_memory_bytes: toBytes(p.shared_memory_mb),
    peak_memory_bytes: null,
    file_backed_memory_bytes: null,
    shmem_bytes: null,
    swap_bytes: null,
    pss_bytes: null,
  };
}

function systemInfo(s: SeedSnapshot["system_info"]): Snapshot["system_info"] {
  return {
    ...s,
    total_memory_bytes: toBytes(s.total_memory_mb),
    available_memory_bytes: toBytes(s.available_memory_mb),
    used_memory_bytes: toBytes(s.used_memory_mb),
    swap_total_bytes: toBytes(s.swap_total_mb),
    swap_used_bytes: toBytes(s.swap_used_mb),
  };
}

/**
 * A memsnap snapshot from a seed-shaped one: the seed's figures as written, `null` for
 * what it never measured, and health, findings and recommendations computed from them.
 */
export function fromSeed(seed: SeedSnapshot, thresholds: Thresholds): Snapshot {
  const a = seedAssessment(seed);
  const score = health(a);
  const found = findings(a, score.score, thresholds);
  const coverage = quantizationCoverageRatio(a.totals.quantizedCollections, a.totals.collections);
  const { collections_detail: _detail, ...collectionTotals } = seed.collections_info;
  const d = seed.discrepancy_analysis;
  return {
    schema_version: SNAPSHOT_SCHEMA_VERSION,
    timestamp: new Date(seed.timestamp).toISOString(),
    target: { name: "seed", kind: "seed", pid: null, url: null, up: true },
    system_info: systemInfo(seed.system_info),
    process_info: processInfo(seed.process_info),
    cgroup_info: null,
    collections_info: {
      ...collectionTotals,
      quantized_collections: a.totals.quantizedCollections,
      quantization_coverage_percent: coverage === null ? null : roundTo(coverage * 100, 1),
      estimated_memory_bytes: a.totals.estimatedBytes,
      actual_memory_bytes: a.totals.actualBytes,
      collections_detail: a.collections.map(collectionDetail),
    },
    discrepancy_analysis: {
      ...d,
      estimated_vs_real_diff_bytes: a.discrepancy.estimatedVsRealDiffBytes,
      unaccounted_memory_bytes: a.discrepancy.unaccountedBytes,
      quantization_impact_bytes: a.discrepancy.quantizationImpactBytes,
      data_structure_overhead_bytes: a.discrepancy.dataStructureOverheadBytes,
      runtime_baseline_bytes: null,
    },
    health: score,
    findings: found,
    recommendations: recommendations(found),
    trend: null,
    memory_attribution: null,
    errors: [],
    sample_duration_seconds: 0,
  };
}
