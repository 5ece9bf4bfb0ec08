/**
 * The metric names memsnap exports (SPEC section 7, as the daemon names them). The dashboard and the
 * alert rules may use these and no other memsnap_ names.
 */
export const MEMSNAP_METRICS: ReadonlySet<string> = new Set([
  // Per target.
  "memsnap_health_score",
  "memsnap_overhead_ratio",
  "memsnap_unaccounted_memory_bytes",
  ...["resident", "virtual", "peak_resident", "anonymous", "file", "shared", "stack", "swap", "pss"].map(
    (kind) => `memsnap_process_${kind}_bytes`,
  ),
  "memsnap_cgroup_memory_limit_bytes",
  "memsnap_cgroup_memory_usage_bytes",
  "memsnap_collections",
  "memsnap_vectors",
  "memsnap_estimated_memory_bytes",
  "memsnap_actual_memory_bytes",
  "memsnap_quantization_savings_bytes",
  "memsnap_quantization_coverage_ratio",
  "memsnap_target_up",
  "memsnap_sample_duration_seconds",
  "memsnap_last_sample_timestamp_seconds",
  // Per collection.
  "memsnap_collection_vectors",
  "memsnap_collection_estimated_bytes",
  "memsnap_collection_actual_bytes",
  "memsnap_collection_quantized",
  // Host-wide.
  "memsnap_system_memory_total_bytes",
  "memsnap_system_memory_available_bytes",
  "memsnap_system_memory_used_bytes",
  "memsnap_system_swap_total_bytes",
  "memsnap_system_swap_used_bytes",
  // The daemon itself.
  "memsnap_alert_firing",
  "memsnap_notifications_total",
  "memsnap_build_info",
]);
