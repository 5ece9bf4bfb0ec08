import { snapshotPressure } from "../snapshot/trend";
import type { Snapshot } from "../snapshot/schema";
import { OTHER_COLLECTIONS, type CollectionSeriesFigures } from "./cardinality";

export type SnapshotValue = (s: Snapshot) => number | null;

export interface GaugeDefinition {
  name: string;
  help: string;
  value: SnapshotValue;
}

const ratio = (part: number | null, whole: number | null) => (part === null || !whole ? null : part / whole);

/** Gauges with the label `target`, one series per watched database. */
export const TARGET_GAUGES: GaugeDefinition[] = [
  {
    name: "memsnap_health_score",
    help: "Memory health score, 0 (critical) to 100 (excellent).",
    value: (s) => s.health.score,
  },
  {
    name: "memsnap_overhead_ratio",
    help: "Unaccounted memory divided by the collections' own byte figure (1 = 100 % overhead).",
    value: (s) => ratio(s.discrepancy_analysis.unaccounted_memory_bytes, s.collections_info.actual_memory_bytes),
  },
  {
    name: "memsnap_unaccounted_memory_bytes",
    help: "Process resident memory minus the collections' own byte figure; negative when the database over-reports.",
    value: (s) => s.discrepancy_analysis.unaccounted_memory_bytes,
  },
  {
    name: "memsnap_data_structure_overhead_bytes",
    help: "Unaccounted memory beyond the runtime baseline: the code and libraries (all file-backed pages when the attribution is off).",
    value: (s) => s.discrepancy_analysis.data_structure_overhead_bytes,
  },
  {
    name: "memsnap_process_resident_bytes",
    help: "Process resident set size (VmRSS).",
    value: (s) => s.process_info.physical_memory_bytes,
  },
  {
    name: "memsnap_process_virtual_bytes",
    help: "Process virtual memory size (VmSize).",
    value: (s) => s.process_info.virtual_memory_bytes,
  },
  {
    name: "memsnap_process_peak_resident_bytes",
    help: "Process peak resident set size (VmHWM).",
    value: (s) => s.process_info.peak_memory_bytes,
  },
  {
    name: "memsnap_process_anonymous_bytes",
    help: "Process resident anonymous memory (RssAnon): heap, allocator arenas, thread stacks and every other private anonymous page.",
    value: (s) => s.process_info.heap_size_bytes,
  },
  {
    name: "memsnap_process_file_bytes",
    help: "Process resident file-backed memory (RssFile).",
    value: (s) => s.process_info.file_backed_memory_bytes,
  },
  {
    name: "memsnap_process_shared_bytes",
    help: "Process resident pages also mapped by another process (Shared_Clean + Shared_Dirty of smaps_rollup): shared libraries and shared memory, not only shmem.",
    value: (s) => s.process_info.shared_memory_bytes,
  },
  {
    name: "memsnap_process_stack_bytes",
    help: "Process stacks: the main stack and the thread stacks the attribution tells apart (VmStk, the main stack only, without an attribution).",
    value: (s) => s.process_info.stack_size_bytes,
  },
  {
    name: "memsnap_process_swap_bytes",
    help: "Process memory swapped out (VmSwap).",
    value: (s) => s.process_info.swap_bytes,
  },
  {
    name: "memsnap_process_pss_bytes",
    help: "Process proportional set size (Pss of smaps_rollup).",
    value: (s) => s.process_info.pss_bytes,
  },
  {
    name: "memsnap_cgroup_memory_limit_bytes",
    help: "The tightest memory limit up the target's cgroup hierarchy (v2 memory.max of each ancestor, v1 hierarchical_memory_limit), when one is set.",
    value: (s) => s.cgroup_info?.limit_bytes ?? null,
  },
  {
    name: "memsnap_cgroup_memory_usage_bytes",
    help: "Memory usage of the target's own cgroup (v2 memory.current, v1 memory.usage_in_bytes), page cache included, when a limit is set.",
    value: (s) => (s.cgroup_info?.limit_bytes ? s.cgroup_info.usage_bytes : null),
  },
  {
    name: "memsnap_cgroup_memory_working_set_bytes",
    help: "Working set of the target's own cgroup: usage minus inactive file cache, as the kubelet computes it.",
    value: (s) => s.cgroup_info?.working_set_bytes ?? null,
  },
  {
    name: "memsnap_cgroup_memory_soft_limit_bytes",
    help: "The tightest cgroup v2 memory.high up the hierarchy: where the kernel starts throttling, when one is set.",
    value: (s) => s.cgroup_info?.soft_limit_bytes ?? null,
  },
  {
    name: "memsnap_memory_limit_bytes",
    help: "The memory line the target runs into first: the tightest cgroup limit up its hierarchy, or host memory (MemTotal) where that has less room.",
    value: (s) => snapshotPressure(s)?.limitBytes ?? null,
  },
  {
    name: "memsnap_memory_working_set_bytes",
    help: "What is held against memsnap_memory_limit_bytes: the limiting cgroup's working set (usage − inactive file), or host memory used.",
    value: (s) => snapshotPressure(s)?.usedBytes ?? null,
  },
  {
    name: "memsnap_collections",
    help: "Collections the database reports.",
    value: (s) => s.collections_info.total_collections,
  },
  { name: "memsnap_vectors", help: "Vectors across all collections.", value: (s) => s.collections_info.total_vectors },
  {
    name: "memsnap_estimated_memory_bytes",
    help: "Vector count × dimension × 4 summed over collections: the float32 estimate from counts alone.",
    value: (s) => s.collections_info.estimated_memory_bytes,
  },
  {
    name: "memsnap_actual_memory_bytes",
    help: "The database's own byte figure summed over collections.",
    value: (s) => s.collections_info.actual_memory_bytes,
  },
  {
    name: "memsnap_quantization_savings_bytes",
    help: "Bytes quantized collections save against float32.",
    value: (s) => s.discrepancy_analysis.quantization_impact_bytes,
  },
  {
    name: "memsnap_quantization_coverage_ratio",
    help: "Quantized collections divided by collections.",
    value: (s) => ratio(s.collections_info.quantized_collections, s.collections_info.total_collections),
  },
  {
    name: "memsnap_target_up",
    help: "1 when the target's process and API answered the last sample, else 0.",
    value: (s) => (s.target.up ? 1 : 0),
  },
  {
    name: "memsnap_sample_duration_seconds",
    help: "Wall time of the last sample of the target.",
    value: (s) => s.sample_duration_seconds,
  },
  {
    name: "memsnap_last_sample_timestamp_seconds",
    help: "Unix time of the last sample of the target.",
    value: (s) => Date.parse(s.timestamp) / 1000,
  },
];

/** `memsnap_memory_attribution_bytes{target, part}`: the parts of SPEC section 3a, which sum to the resident bytes. */
export const ATTRIBUTION_GAUGE = {
  name: "memsnap_memory_attribution_bytes",
  help:
    "Resident memory of the target by part (code, data_files, shared_memory, stacks, collections, allocator_free, unexplained); " +
    "the parts sum to memsnap_process_resident_bytes.",
};

/** Host-wide gauges, without a target label: every target on a host shares them. */
export const SYSTEM_GAUGES: GaugeDefinition[] = [
  {
    name: "memsnap_system_memory_total_bytes",
    help: "Host memory (MemTotal).",
    value: (s) => s.system_info.total_memory_bytes,
  },
  {
    name: "memsnap_system_memory_available_bytes",
    help: "Host memory available without swapping (MemAvailable).",
    value: (s) => s.system_info.available_memory_bytes,
  },
  {
    name: "memsnap_system_memory_used_bytes",
    help: "Host memory total minus available.",
    value: (s) => s.system_info.used_memory_bytes,
  },
  { name: "memsnap_system_swap_total_bytes", help: "Host swap space.", value: (s) => s.system_info.swap_total_bytes },
  {
    name: "memsnap_system_swap_used_bytes",
    help: "Host swap space in use.",
    value: (s) => s.system_info.swap_used_bytes,
  },
];

export interface CollectionGaugeDefinition {
  name: string;
  help: string;
  value: (c: CollectionSeriesFigures) => number | null;
}

const OTHER_NOTE = ` For collection="${OTHER_COLLECTIONS}", the sum over the collections beyond MEMSNAP_COLLECTION_SERIES_MAX.`;

/** Gauges with the labels `target` and `collection`. */
export const COLLECTION_GAUGES: CollectionGaugeDefinition[] = [
  { name: "memsnap_collection_vectors", help: `Vectors in the collection.${OTHER_NOTE}`, value: (c) => c.vectors },
  {
    name: "memsnap_collection_estimated_bytes",
    help: `Vector count × dimension × 4: the float32 estimate of the collection.${OTHER_NOTE}`,
    value: (c) => c.estimatedBytes,
  },
  {
    name: "memsnap_collection_actual_bytes",
    help: `The database's own byte figure for the collection.${OTHER_NOTE}`,
    value: (c) => c.actualBytes,
  },
  {
    name: "memsnap_collection_quantized",
    help: `1 when the collection is quantized, else 0. For collection="${OTHER_COLLECTIONS}", how many of the collections summed there are quantized.`,
    value: (c) => c.quantizedCollections,
  },
  {
    name: "memsnap_collection_expected_bytes",
    help: `The model's expectation of the collection in bytes: vectors by element type and quantization (originals kept where the database keeps them), the HNSW graph, the payload where given.${OTHER_NOTE}`,
    value: (c) => c.expectedBytes,
  },
];
