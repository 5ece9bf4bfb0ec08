import {
  collectionTotals,
  dataStructureOverheadBytes,
  discrepancy,
  estimatedBytes,
  estimatedVsRealDiffPercent,
  overheadPercentage,
  quantizationCoverageRatio,
  quantizationSavingsBytes,
  toMb,
  unaccountedBytes,
} from "../src/snapshot/analysis";
import { buildSnapshot } from "../src/snapshot/build";
import type { Sample } from "../src/snapshot/sample";
import type { Snapshot } from "../src/snapshot/schema";
import { ThresholdsSchema } from "../src/config/schema";
import type { CollectionFigures } from "../src/sources/types";
import { cgroupOf, collectionOf, MB } from "./helpers/samples";

const thresholds = ThresholdsSchema.parse({});

/** A 768-dimension collection "c" of 1000 vectors whose database figure is unknown unless given. */
function collection(overrides: Partial<CollectionFigures>): CollectionFigures {
  return collectionOf("c", 1000, { actualBytes: null, ...overrides });
}

function sample(overrides: Partial<Sample> = {}): Sample {
  return {
    takenAt: new Date("2024-01-15T10:30:00Z"),
    durationSeconds: 0.01,
    target: { name: "t", kind: "vectorizer", pid: 42, url: "http://127.0.0.1:15002" },
    system: {
      totalBytes: 16384 * MB,
      availableBytes: 8192 * MB,
      usedBytes: 8192 * MB,
      swapTotalBytes: 4096 * MB,
      swapUsedBytes: 0,
    },
    process: {
      pid: 42,
      residentBytes: 2048 * MB,
      virtualBytes: 4096 * MB,
      peakResidentBytes: 2100 * MB,
      anonymousBytes: 1638 * MB,
      fileBytes: 300 * MB,
      shmemBytes: 0,
      stackBytes: 132 * 1024,
      swapBytes: 0,
      pssBytes: 2000 * MB,
      sharedBytes: 307 * MB,
      cpuPercent: 3.21,
    },
    cgroup: null,
    collections: [collection({ name: "docs", actualBytes: 800 * MB })],
    errors: [],
    downReasons: [],
    ...overrides,
  };
}

describe("the formulas of SPEC section 3", () => {
  it("estimates float32: vectors × dimension × 4", () => {
    expect(estimatedBytes(1_000_000, 768)).toBe(3_072_000_000);
    expect(estimatedBytes(0, 768)).toBe(0);
  });

  it("reproduces the seed's example: RSS 2048 MB, actual 800 MB → unaccounted 1248 MB, overhead 156 %", () => {
    const unaccounted = unaccountedBytes(2048 * MB, 800 * MB);
    expect(unaccounted / MB).toBe(1248);
    expect(overheadPercentage(unaccounted, 800 * MB)).toBe(156);
    const snapshot = buildSnapshot(sample(), thresholds);
    expect(snapshot.discrepancy_analysis.unaccounted_memory_mb).toBe(1248);
    expect(snapshot.discrepancy_analysis.overhead_percentage).toBe(156);
    expect(snapshot.discrepancy_analysis.unaccounted_memory_bytes).toBe(1248 * MB);
  });

  it("says a negative unaccounted figure as it is, without clamping", () => {
    expect(unaccountedBytes(100 * MB, 300 * MB)).toBe(-200 * MB);
    const snapshot = buildSnapshot(sample({ collections: [collection({ actualBytes: 3000 * MB })] }), thresholds);
    expect(snapshot.discrepancy_analysis.unaccounted_memory_mb).toBe(-952);
    expect(snapshot.discrepancy_analysis.overhead_percentage).toBeCloseTo(-31.7, 1);
    expect(snapshot.discrepancy_analysis.data_structure_overhead_bytes).toBe(0);
  });

  it("gives no overhead percentage when the collections hold nothing", () => {
    expect(overheadPercentage(500, 0)).toBeNull();
    expect(estimatedVsRealDiffPercent(0, 0)).toBe(0);
  });

  it("counts all resident memory as unaccounted for a target without collections", () => {
    const snapshot = buildSnapshot(sample({ collections: [] }), thresholds);
    expect(snapshot.discrepancy_analysis.unaccounted_memory_bytes).toBe(2048 * MB);
    expect(snapshot.discrepancy_analysis.overhead_percentage).toBeNull();
    expect(snapshot.collections_info.quantization_coverage_percent).toBeNull();
    expect(snapshot.collections_info.total_collections).toBe(0);
  });

  it("leaves unaccounted memory unknown when the collections API failed, rather than blaming all of RSS", () => {
    const snapshot = buildSnapshot(
      sample({ collections: null, errors: [{ source: "vectorizer", message: "down" }], downReasons: ["down"] }),
      thresholds,
    );
    expect(snapshot.discrepancy_analysis.unaccounted_memory_mb).toBeNull();
    expect(snapshot.discrepancy_analysis.estimated_vs_real_diff_bytes).toBeNull();
    expect(snapshot.collections_info).toMatchObject({
      total_collections: null,
      total_vectors: null,
      actual_memory_bytes: null,
      quantization_coverage_percent: null,
    });
    expect(snapshot.findings.map((f) => f.code)).toEqual(["TargetDown"]);
    expect(snapshot.target.up).toBe(false);
  });

  it("keeps the snapshot whole when the process could not be read", () => {
    const snapshot = buildSnapshot(
      sample({
        process: null,
        errors: [{ source: "process", message: "process 42 is not running" }],
        downReasons: ["process 42 is not running"],
      }),
      thresholds,
    );
    expect(snapshot.process_info.physical_memory_mb).toBeNull();
    expect(snapshot.process_info.pid).toBe(42);
    expect(snapshot.discrepancy_analysis.unaccounted_memory_bytes).toBeNull();
    expect(snapshot.errors).toEqual([{ source: "process", message: "process 42 is not running" }]);
    expect(snapshot.findings[0].code).toBe("TargetDown");
  });

  it("saves 3 bytes per component with SQ8 and 31/8 with binary; PQ's saving is unknown, so 0", () => {
    expect(quantizationSavingsBytes(collection({ quantization: "sq8", vectorCount: 10, dimension: 100 }))).toBe(3000);
    expect(quantizationSavingsBytes(collection({ quantization: "binary", vectorCount: 8, dimension: 8 }))).toBe(
      8 * 8 * (4 - 1 / 8),
    );
    expect(quantizationSavingsBytes(collection({ quantization: "pq" }))).toBe(0);
    expect(quantizationSavingsBytes(collection({ quantization: "none" }))).toBe(0);
  });

  it("takes the runtime baseline (file-backed pages) out of the data-structure overhead, never below 0", () => {
    expect(dataStructureOverheadBytes(1248 * MB, 300 * MB)).toBe(948 * MB);
    expect(dataStructureOverheadBytes(100, 300)).toBe(0);
    expect(buildSnapshot(sample(), thresholds).discrepancy_analysis.data_structure_overhead_mb).toBe(948);
  });

  it("sums collections, skipping unknown byte figures and counting quantized ones", () => {
    const totals = collectionTotals([
      collection({ actualBytes: 10, vectorCount: 1, dimension: 2 }),
      collection({ actualBytes: null, vectorCount: 3, dimension: 2, quantization: "sq8" }),
    ]);
    expect(totals).toMatchObject({
      collections: 2,
      vectors: 4,
      estimatedBytes: 32,
      actualBytes: 10,
      quantizedCollections: 1,
      quantizationSavingsBytes: 3 * 2 * 3,
      collectionsWithoutActual: 1,
    });
    // The estimate is 32 bytes against 10 the database gives: 22 bytes, 68.75 % of the estimate, over.
    expect(discrepancy(totals, null, null)).toMatchObject({
      estimatedVsRealDiffBytes: 22,
      estimatedVsRealDiffPercent: 68.75,
    });
    expect(quantizationCoverageRatio(1, 2)).toBe(0.5);
    expect(quantizationCoverageRatio(0, 0)).toBeNull();
    expect(discrepancy(totals, null, null).unaccountedBytes).toBeNull();
  });

  it("rounds MB to 0.1 and keeps exact bytes beside them", () => {
    expect(toMb(1.25 * MB)).toBe(1.3);
    expect(toMb(null)).toBeNull();
    const detail = buildSnapshot(sample(), thresholds).collections_info.collections_detail[0];
    expect(detail.estimated_memory_bytes).toBe(1000 * 768 * 4);
    expect(detail.estimated_memory_mb).toBe(2.9);
  });
});

describe("seed-compatible snapshot", () => {
  it("keeps every seed field with its seed name", () => {
    const s = buildSnapshot(sample(), thresholds);
    expect(Object.keys(s)).toEqual(
      expect.arrayContaining([
        "timestamp",
        "system_info",
        "process_info",
        "collections_info",
        "discrepancy_analysis",
        "recommendations",
      ]),
    );
    expect(Object.keys(s.system_info)).toEqual(
      expect.arrayContaining([
        "total_memory_mb",
        "available_memory_mb",
        "used_memory_mb",
        "memory_usage_percent",
        "swap_total_mb",
        "swap_used_mb",
      ]),
    );
    expect(Object.keys(s.process_info)).toEqual(
      expect.arrayContaining([
        "physical_memory_mb",
        "virtual_memory_mb",
        "heap_size_mb",
        "stack_size_mb",
        "shared_memory_mb",
      ]),
    );
    expect(Object.keys(s.collections_info)).toEqual(
      expect.arrayContaining([
        "total_collections",
        "total_vectors",
        "estimated_memory_mb",
        "actual_memory_mb",
        "collections_detail",
      ]),
    );
    expect(Object.keys(s.discrepancy_analysis)).toEqual(
      expect.arrayContaining([
        "estimated_vs_real_diff_mb",
        "estimated_vs_real_diff_percent",
        "unaccounted_memory_mb",
        "overhead_percentage",
        "quantization_impact_mb",
        "data_structure_overhead_mb",
      ]),
    );
    expect(s.system_info).toMatchObject({
      total_memory_mb: 16384,
      available_memory_mb: 8192,
      used_memory_mb: 8192,
      memory_usage_percent: 50,
    });
    expect(s.process_info).toMatchObject({
      physical_memory_mb: 2048,
      heap_size_mb: 1638,
      peak_memory_mb: 2100,
      cpu_percent: 3.2,
    });
  });
});

describe("health and findings on the seed's example", () => {
  // Built in each test, not at collection, so a mutant of the snapshot's modules is active while it runs.
  let snapshot: Snapshot;
  beforeEach(() => {
    snapshot = buildSnapshot(sample(), thresholds);
  });

  it("takes 35 points for overhead over 100 % and 25 for over 500 MB unaccounted: 40, critical", () => {
    expect(snapshot.health.deductions.map((d) => [d.code, d.points])).toEqual([
      ["overhead", 35],
      ["unaccounted_memory", 25],
    ]);
    expect(snapshot.health).toMatchObject({ score: 40, status: "critical" });
  });

  it("reports the critical findings first, with value and threshold", () => {
    expect(snapshot.findings.filter((f) => f.severity !== "opportunity").map((f) => f.code)).toEqual([
      "OverheadCritical",
      "UnaccountedMemoryCritical",
      "HealthScoreCritical",
      "OverheadHigh",
    ]);
    expect(snapshot.findings[0]).toMatchObject({ value: 156, threshold: 100 });
    expect(snapshot.findings[1]).toMatchObject({ value: 1248, threshold: 500 });
  });

  it("recommends SQ8 on the unquantized collection with what it would save", () => {
    expect(snapshot.recommendations).toContainEqual(
      expect.stringMatching(
        /^Enable SQ8 on `docs` \(1 k vectors × 768 dims\): saves ~2\.2 MB where the database drops the float32 originals/,
      ),
    );
  });

  it("judges memory pressure against the cgroup limit where one is set", () => {
    const limited = buildSnapshot(sample({ cgroup: cgroupOf(2200, 2100) }), thresholds);
    expect(limited.findings.map((f) => f.code)).toContain("HostMemoryHigh");
    expect(limited.health.deductions.find((d) => d.code === "memory_pressure")).toMatchObject({ points: 20 });
  });

  it("never goes below 0, and the deductions always add up to 100 − score", () => {
    const worst = buildSnapshot(
      sample({
        cgroup: cgroupOf(2100, 2099),
        process: { ...sample().process!, swapBytes: 10 * MB },
        system: { ...sample().system!, swapUsedBytes: 4000 * MB },
        collections: [collection({ vectorCount: 200_000, actualBytes: 100 * MB })],
      }),
      thresholds,
    );
    expect(worst.health.score).toBe(0);
    expect(worst.health.deductions.reduce((sum, d) => sum + d.points, 0)).toBe(100);
  });
});
