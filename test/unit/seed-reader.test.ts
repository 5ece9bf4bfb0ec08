import { ThresholdsSchema } from "../../src/config/schema";
import { parseSnapshotJson } from "../../src/snapshot/read";

const thresholds = ThresholdsSchema.parse({});

/** A seed-shaped file with one collection, written as the seed writes its detail. */
function seedWith(collection: Record<string, unknown>): string {
  const seed = {
    timestamp: "2024-01-15T10:30:00Z",
    system_info: {
      total_memory_mb: 16384,
      available_memory_mb: 8192,
      used_memory_mb: 8192,
      memory_usage_percent: 50,
      swap_total_mb: 0,
      swap_used_mb: 0,
    },
    process_info: {
      physical_memory_mb: 2048,
      virtual_memory_mb: 4096,
      heap_size_mb: 1638.4,
      stack_size_mb: 0.1,
      shared_memory_mb: 30,
    },
    collections_info: {
      total_collections: 1,
      total_vectors: 200000,
      estimated_memory_mb: 292.97,
      actual_memory_mb: 100,
      collections_detail: [{ name: "docs", dimension: 384, vector_count: 200000, ...collection }],
    },
    discrepancy_analysis: {
      estimated_vs_real_diff_mb: 193,
      estimated_vs_real_diff_percent: 65.9,
      unaccounted_memory_mb: 1948,
      overhead_percentage: 1948,
      quantization_impact_mb: 0,
      data_structure_overhead_mb: 1900,
    },
  };
  return JSON.stringify(seed);
}

describe("the seed reader, per collection", () => {
  it.each([
    [
      "quantization_enabled without a ratio: SQ8, the one scheme Vectorizer marks enabled",
      { quantization_enabled: true },
      "sq8",
    ],
    ["a compression ratio of 4: SQ8", { quantization_enabled: true, compression_ratio: 4 }, "sq8"],
    ["a compression ratio of 32: binary", { quantization_enabled: true, compression_ratio: 32.0 }, "binary"],
    ["a compression ratio of 2: 16-bit", { quantization_enabled: true, compression_ratio: 2 }, "sq16"],
    [
      "a compression ratio of 4.25, at the tolerance: SQ8",
      { quantization_enabled: true, compression_ratio: 4.25 },
      "sq8",
    ],
    [
      "a compression ratio of 3.75, at the tolerance: SQ8",
      { quantization_enabled: true, compression_ratio: 3.75 },
      "sq8",
    ],
    [
      "a compression ratio of 4.3, past it: product quantization",
      { quantization_enabled: true, compression_ratio: 4.3 },
      "pq",
    ],
    ["another compression ratio: product quantization", { quantization_enabled: true, compression_ratio: 12 }, "pq"],
    ["quantization_enabled false", { quantization_enabled: false, compression_ratio: 4 }, "none"],
    [
      "the scheme named, which wins",
      { quantization: "binary", quantization_enabled: true, compression_ratio: 4 },
      "binary",
    ],
    ["nothing said", {}, "none"],
  ])("reads %s", (_what, fields, quantization) => {
    const snapshot = parseSnapshotJson(seedWith(fields), thresholds);
    expect(snapshot.collections_info.collections_detail[0].quantization).toBe(quantization);
  });

  it("takes the collection's actual memory as written, else its estimate plus its overhead", () => {
    const detail = (fields: Record<string, unknown>) =>
      parseSnapshotJson(seedWith(fields), thresholds).collections_info.collections_detail[0];
    expect(detail({ actual_memory_mb: 100, estimated_memory_mb: 293, overhead_mb: 5 }).actual_memory_mb).toBe(100);
    expect(detail({ estimated_memory_mb: 293, overhead_mb: -193 }).actual_memory_mb).toBe(100);
    expect(detail({ actual_memory_mb: null, estimated_memory_mb: 293, overhead_mb: -193 }).actual_memory_mb).toBe(100);
    expect(detail({ estimated_memory_mb: 293 }).actual_memory_mb).toBeNull();
    expect(detail({ overhead_mb: 5 }).actual_memory_mb).toBeNull();
  });

  it.each([
    ["a compression ratio that is not a number", { compression_ratio: "4x" }, "compression_ratio"],
    ["a negative compression ratio", { compression_ratio: -4 }, "compression_ratio"],
    ["quantization_enabled as a string", { quantization_enabled: "yes" }, "quantization_enabled"],
    ["an overhead that is not a number", { overhead_mb: "lots" }, "overhead_mb"],
  ])("refuses %s, naming the field", (_what, fields, field) => {
    expect(() => parseSnapshotJson(seedWith(fields), thresholds)).toThrow(field);
  });
});
