import { z } from "zod";

/** Bumped when a field changes meaning or goes away; new fields do not bump it. */
export const SNAPSHOT_SCHEMA_VERSION = 1;

const bytes = z.number().nullable();
const mb = z.number().nullable();

export const SystemInfoSchema = z.object({
  total_memory_mb: mb,
  available_memory_mb: mb,
  used_memory_mb: mb,
  memory_usage_percent: z.number().nullable(),
  swap_total_mb: mb,
  swap_used_mb: mb,
  total_memory_bytes: bytes,
  available_memory_bytes: bytes,
  used_memory_bytes: bytes,
  swap_total_bytes: bytes,
  swap_used_bytes: bytes,
});

export const ProcessInfoSchema = z.object({
  pid: z.number().int().nullable(),
  physical_memory_mb: mb,
  virtual_memory_mb: mb,
  heap_size_mb: mb,
  stack_size_mb: mb,
  shared_memory_mb: mb,
  peak_memory_mb: mb,
  file_backed_memory_mb: mb,
  shmem_mb: mb,
  swap_mb: mb,
  pss_mb: mb,
  cpu_percent: z.number().nullable(),
  physical_memory_bytes: bytes,
  virtual_memory_bytes: bytes,
  heap_size_bytes: bytes,
  stack_size_bytes: bytes,
  shared_memory_bytes: bytes,
  peak_memory_bytes: bytes,
  file_backed_memory_bytes: bytes,
  shmem_bytes: bytes,
  swap_bytes: bytes,
  pss_bytes: bytes,
  /** When the process started, in clock ticks after boot (/proc/<pid>/stat): a change is a restart. */
  start_time_ticks: z.number().nullable().optional(),
});

/**
 * The cgroup the target runs in. `limit_*` is the tightest limit up the hierarchy (set on
 * `limit_path`), and `usage_percent` that cgroup's working set against it; `usage_*` and
 * `working_set_*` are the target's own (leaf) cgroup. Fields added later are optional, so older
 * snapshot files still read.
 */
export const CgroupInfoSchema = z.object({
  version: z.union([z.literal(1), z.literal(2)]),
  path: z.string(),
  limit_mb: mb,
  usage_mb: mb,
  usage_percent: z.number().nullable(),
  limit_bytes: bytes,
  usage_bytes: bytes,
  limit_path: z.string().nullable().optional(),
  working_set_mb: mb.optional(),
  working_set_bytes: bytes.optional(),
  limit_working_set_mb: mb.optional(),
  limit_working_set_bytes: bytes.optional(),
  soft_limit_bytes: bytes.optional(),
  oom_kills: z.number().nullable().optional(),
});

export const CollectionDetailSchema = z.object({
  name: z.string(),
  dimension: z.number(),
  vector_count: z.number(),
  document_count: z.number().nullable(),
  metric: z.string().nullable(),
  quantization: z.string(),
  quantized: z.boolean(),
  estimated_memory_mb: z.number(),
  actual_memory_mb: mb,
  quantization_savings_mb: z.number(),
  estimated_memory_bytes: z.number(),
  actual_memory_bytes: bytes,
  index_bytes: bytes,
  payload_bytes: bytes,
  quantization_savings_bytes: z.number(),
  /** What `actual_memory_bytes` is and where it comes from: a measurement or the database's own estimate. */
  actual_source: z.string().nullable().optional(),
  /** The model's figure (src/snapshot/model.ts) beside the naive estimate; absent in snapshots from before it. */
  expected_memory_mb: z.number().optional(),
  expected_bytes: z.number().optional(),
  /** The model's parts (flat: a detail is a flat record, shared between snapshots while unchanged). */
  expected_vectors_bytes: z.number().optional(),
  expected_quantized_bytes: z.number().optional(),
  expected_graph_bytes: z.number().optional(),
  expected_payload_bytes: z.number().optional(),
});

/** Totals are null while the database API cannot be read: unknown, not zero. */
export const CollectionsInfoSchema = z.object({
  total_collections: z.number().nullable(),
  total_vectors: z.number().nullable(),
  estimated_memory_mb: mb,
  actual_memory_mb: mb,
  quantized_collections: z.number().nullable(),
  quantization_coverage_percent: z.number().nullable(),
  estimated_memory_bytes: bytes,
  actual_memory_bytes: bytes,
  collections_detail: z.array(CollectionDetailSchema),
});

export const DiscrepancyAnalysisSchema = z.object({
  estimated_vs_real_diff_mb: mb,
  estimated_vs_real_diff_percent: z.number().nullable(),
  unaccounted_memory_mb: mb,
  overhead_percentage: z.number().nullable(),
  quantization_impact_mb: mb,
  data_structure_overhead_mb: mb,
  estimated_vs_real_diff_bytes: bytes,
  unaccounted_memory_bytes: bytes,
  quantization_impact_bytes: bytes,
  data_structure_overhead_bytes: bytes,
  runtime_baseline_bytes: bytes,
});

export const FindingSchema = z.object({
  severity: z.enum(["critical", "warning", "opportunity"]),
  code: z.string(),
  message: z.string(),
  value: z.number().nullable(),
  threshold: z.number().nullable(),
  /** The collection a per-collection finding is about. */
  collection: z.string().optional(),
});

/** A target that is down has no score: null, status `unknown`. */
export const HealthSchema = z.object({
  score: z.number().min(0).max(100).nullable(),
  status: z.enum(["excellent", "good", "fair", "critical", "unknown"]),
  deductions: z.array(
    z.object({ code: z.string(), reason: z.string(), points: z.number(), value: z.number(), threshold: z.number() }),
  ),
});

/**
 * SPEC section 6: robust (Theil–Sen) slopes over the trend window (MEMSNAP_TREND_WINDOW) of the
 * current process, and the time until the memory limit while the working set grows in it.
 */
export const TrendSchema = z.object({
  samples: z.number().int(),
  window_start: z.iso.datetime(),
  window_end: z.iso.datetime(),
  window_minutes: z.number(),
  rss_slope_mb_per_hour: z.number(),
  unaccounted_slope_mb_per_hour: z.number().nullable(),
  rss_slope_bytes_per_hour: z.number(),
  unaccounted_slope_bytes_per_hour: z.number().nullable(),
  working_set_slope_mb_per_hour: z.number().nullable().optional(),
  unexplained_slope_mb_per_hour: z.number().nullable().optional(),
  /** Over the last MEMSNAP_GROWTH_MIN_WINDOW_MINUTES only: what MemoryGrowth judges. */
  recent_unaccounted_slope_mb_per_hour: z.number().nullable(),
  memory_limit_scope: z.enum(["cgroup", "host"]).nullable(),
  hours_until_memory_limit: z.number().nullable(),
  seconds_until_memory_limit: z.number().nullable().optional(),
  /** Why there is no time to the limit (memory not growing, too few readings, no limit known). */
  hours_until_memory_limit_reason: z.string().nullable().optional(),
  unaccounted_growing: z.boolean(),
  /** The attribution's unexplained part over the same window: what UnexplainedMemoryGrowth judges. */
  recent_unexplained_slope_mb_per_hour: z.number().nullable().default(null),
  unexplained_growing: z.boolean().default(false),
});

/** One part of the resident memory (SPEC section 3a); the parts sum to the process's RSS. */
export const AttributionPartSchema = z.object({
  part: z.string(),
  bytes: z.number(),
  mb: z.number(),
  source: z.string(),
  /** bytes / RSS, 0 to 1. */
  share_of_rss: z.number().nullable(),
});

/** One of the largest mappings of /proc/<pid>/smaps at the last walk. */
export const MappingSchema = z.object({
  mapping: z.string(),
  address: z.string(),
  part: z.string(),
  collection: z.string().nullable(),
  rss_mb: z.number(),
  rss_bytes: z.number(),
  anonymous_bytes: z.number(),
  swap_bytes: z.number(),
});

export const MemoryAttributionSchema = z.object({
  parts: z.array(AttributionPartSchema),
  mappings_top: z.array(MappingSchema),
  /** When /proc/<pid>/smaps was walked; the parts are carried to this sample's status counters since. */
  read_at: z.iso.datetime(),
});

export const TargetInfoSchema = z.object({
  name: z.string(),
  kind: z.string(),
  pid: z.number().int().nullable(),
  url: z.string().nullable(),
  server_version: z.string().nullable().optional(),
  up: z.boolean(),
});

export const SnapshotSchema = z.object({
  schema_version: z.number().int(),
  timestamp: z.iso.datetime(),
  target: TargetInfoSchema,
  system_info: SystemInfoSchema,
  process_info: ProcessInfoSchema,
  cgroup_info: CgroupInfoSchema.nullable(),
  collections_info: CollectionsInfoSchema,
  discrepancy_analysis: DiscrepancyAnalysisSchema,
  health: HealthSchema,
  findings: z.array(FindingSchema),
  recommendations: z.array(z.string()),
  trend: TrendSchema.nullable(),
  /** Null where smaps cannot be read or MEMSNAP_SMAPS_INTERVAL is 0, and in files written before it existed. */
  memory_attribution: MemoryAttributionSchema.nullable().default(null),
  errors: z.array(z.object({ source: z.string(), message: z.string() })),
  sample_duration_seconds: z.number(),
});

export type Snapshot = z.infer<typeof SnapshotSchema>;
export type CollectionDetail = z.infer<typeof CollectionDetailSchema>;
export type TrendInfo = z.infer<typeof TrendSchema>;
export type MemoryAttributionInfo = z.infer<typeof MemoryAttributionSchema>;
