import { readFileSync } from "node:fs";
import path from "node:path";
import { ThresholdsSchema } from "../src/config/schema";
import { buildSnapshot } from "../src/snapshot/build";
import { parseSnapshotJson, SnapshotInputError } from "../src/snapshot/read";
import { SnapshotSchema, type Snapshot } from "../src/snapshot/schema";
import { collectionOf, processOf, sampleOf } from "./helpers/samples";

const thresholds = ThresholdsSchema.parse({});
const SEED_EXAMPLE = readFileSync(path.join(__dirname, "fixtures/seed-example-snapshot.json"), "utf8");

function problemOf(text: string): string {
  try {
    parseSnapshotJson(text, thresholds);
  } catch (err) {
    if (err instanceof SnapshotInputError) return err.message;
    throw err;
  }
  throw new Error("expected the text to be refused");
}

describe("reading the seed's example snapshot", () => {
  // Read in each test, not at collection, so a mutant of the reader is active while it runs.
  let snapshot: Snapshot;
  beforeEach(() => {
    snapshot = parseSnapshotJson(SEED_EXAMPLE, thresholds);
  });

  it("turns it into a whole memsnap snapshot, keeping the seed's figures as written", () => {
    expect(SnapshotSchema.parse(snapshot)).toEqual(snapshot);
    expect(snapshot.timestamp).toBe("2024-01-15T10:30:00.000Z");
    expect(snapshot.discrepancy_analysis).toMatchObject({
      unaccounted_memory_mb: 1248,
      overhead_percentage: 156,
      data_structure_overhead_mb: 948,
    });
    expect(snapshot.discrepancy_analysis.unaccounted_memory_bytes).toBe(1248 * 1024 * 1024);
    expect(snapshot.collections_info).toMatchObject({
      total_collections: 25,
      total_vectors: 1_500_000,
      quantized_collections: 12,
      quantization_coverage_percent: 48,
    });
    expect(snapshot.collections_info.collections_detail).toHaveLength(25);
  });

  it("says null for what the seed never measured", () => {
    expect(snapshot.process_info).toMatchObject({
      pid: null,
      peak_memory_mb: null,
      swap_mb: null,
      physical_memory_mb: 2048,
    });
    expect(snapshot.cgroup_info).toBeNull();
    expect(snapshot.trend).toBeNull();
  });

  it("scores it from its figures: overhead −35, unaccounted −25, coverage −10 → 30, critical", () => {
    expect(snapshot.health.deductions.map((d) => [d.code, d.points])).toEqual([
      ["overhead", 35],
      ["unaccounted_memory", 25],
      ["low_quantization_coverage", 10],
    ]);
    expect(snapshot.health).toMatchObject({ score: 30, status: "critical" });
  });

  it("finds overhead 156 % and unaccounted 1248 MB critical, and the unquantized large collection", () => {
    const byCode = new Map(snapshot.findings.map((f) => [f.code, f]));
    expect(byCode.get("OverheadCritical")).toMatchObject({ severity: "critical", value: 156, threshold: 100 });
    expect(byCode.get("UnaccountedMemoryCritical")).toMatchObject({
      severity: "critical",
      value: 1248,
      threshold: 500,
    });
    expect(byCode.get("HealthScoreCritical")).toMatchObject({ value: 30 });
    expect(byCode.get("LowQuantizationCoverage")).toMatchObject({ severity: "warning", value: 48 });
    expect(byCode.get("LargeCollectionUnoptimized")!.message).toContain("docs (150 k)");
    expect(byCode.get("ReviewDataStructures")).toMatchObject({ value: 948 });
  });

  it("replaces the seed's free-text recommendations with memsnap's, naming collections and savings", () => {
    expect(snapshot.recommendations).toContainEqual(
      expect.stringMatching(/^Enable SQ8 on `docs` \(150 k vectors × 384 dims\): saves ~164\.8 MB/),
    );
    expect(snapshot.recommendations.some((r) => r.includes("DashMap"))).toBe(false);
  });
});

describe("reading a memsnap snapshot", () => {
  it("takes it as it is, health and findings included", () => {
    const original = buildSnapshot(
      sampleOf("2024-01-15T10:30:00Z", processOf(900), [collectionOf("docs", 1000)]),
      thresholds,
    );
    expect(parseSnapshotJson(JSON.stringify(original), thresholds)).toEqual(original);
  });
});

describe("refusing what is not a snapshot, in one line", () => {
  it.each([
    ["text that is not JSON", "hello", /^not JSON \(Unexpected token/],
    ["an empty file", "", /^not JSON/],
    ["a JSON array", "[1, 2]", /^not a memsnap snapshot nor a seed-shaped one: top level: .*expected object/],
    [
      "an unrelated object",
      '{"hello": "world"}',
      /^not a memsnap snapshot nor a seed-shaped one: timestamp: .* \(and [2-9]\d* more problems\)$/,
    ],
    [
      "a seed-shaped file with a bad figure",
      SEED_EXAMPLE.replace('"total_memory_mb": 16384.0', '"total_memory_mb": "lots"'),
      /seed-shaped one: system_info\.total_memory_mb: .*expected number/,
    ],
    [
      "a memsnap snapshot with a bad field",
      '{"schema_version": 1, "timestamp": "yesterday"}',
      /seed-shaped one: timestamp: /,
    ],
  ])("refuses %s", (_what, text, message) => {
    const problem = problemOf(text);
    expect(problem).toMatch(message);
    expect(problem).not.toContain("\n");
  });
});
