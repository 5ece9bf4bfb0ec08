import { ThresholdsSchema } from "../../src/config/schema";
import { collectionTotals, discrepancy } from "../../src/snapshot/analysis";
import type { Assessment } from "../../src/snapshot/assessment";
import type { AttributionPart } from "../../src/snapshot/attribution";
import { forMs, inhibitedBy, unitSuffix } from "../../src/snapshot/catalog";
import { findings, recommendations, type Finding } from "../../src/snapshot/findings";
import type { CollectionFigures } from "../../src/sources/types";
import { collectionOf, MB } from "../helpers/samples";

const thresholds = ThresholdsSchema.parse({});

/** A collection the database says holds `actualMb`, too small for the collection warnings. */
const heldOf = (name: string, actualMb: number, overrides: Partial<CollectionFigures> = {}) =>
  collectionOf(name, 1000, { actualBytes: actualMb * MB, ...overrides });

interface Shape {
  collections?: CollectionFigures[];
  residentMb?: number | null;
  baselineMb?: number | null;
}

/** What findings judge: the collections and the process's resident memory; nothing else unless given. */
function assessmentOf(shape: Shape = {}, overrides: Partial<Assessment> = {}): Assessment {
  const { collections = [], residentMb = null, baselineMb = null } = shape;
  const totals = collectionTotals(collections);
  const toBytes = (mb: number | null) => (mb === null ? null : mb * MB);
  return {
    collections,
    totals,
    discrepancy: discrepancy(totals, toBytes(residentMb), toBytes(baselineMb)),
    memoryPressure: null,
    processSwapBytes: null,
    hostSwapUsedRatio: null,
    unaccountedGrowth: null,
    unexplainedGrowth: null,
    collectionFiguresKnown: collections.some((c) => c.actualBytes !== null),
    attribution: null,
    downReasons: [],
    exhaustion: null,
    events: { oomKills: 0, restarts: 0, lookbackMinutes: 5 },
    ...overrides,
  };
}

const found = (a: Assessment, healthScore: number | null = null) => findings(a, healthScore, thresholds);
const ofCode = (a: Assessment, code: string, healthScore: number | null = null): Finding[] =>
  found(a, healthScore).filter((f) => f.code === code);
const only = (a: Assessment, code: string, healthScore: number | null = null): Finding => {
  const matching = ofCode(a, code, healthScore);
  expect(matching).toHaveLength(1);
  return matching[0];
};

const part = (name: AttributionPart["part"], mb: number): AttributionPart => ({
  part: name,
  bytes: mb * MB,
  source: "test",
});

describe("OomKilled", () => {
  it("stays quiet without an OOM kill or a restart in the lookback", () => {
    expect(ofCode(assessmentOf(), "OomKilled")).toEqual([]);
  });

  it.each([
    [1, 0, "1 OOM kill in its cgroup"],
    [0, 1, "1 restart"],
    [2, 3, "2 OOM kills in its cgroup and 3 restarts"],
    [0, 4, "4 restarts"],
  ])("counts %i OOM kills and %i restarts, each counted and named once", (oomKills, restarts, what) => {
    const a = assessmentOf({}, { events: { oomKills, restarts, lookbackMinutes: 5 } });
    expect(only(a, "OomKilled")).toEqual({
      severity: "critical",
      code: "OomKilled",
      message: `the target ran out of memory or restarted: ${what} in the last 5 min`,
      value: oomKills + restarts,
      threshold: 0,
    });
  });
});

describe("MemoryExhaustionImminent", () => {
  it("warns, not pages, exactly at the critical hours, and says which limit", () => {
    const a = assessmentOf({}, { exhaustion: { hoursUntilLimit: 2, scope: "cgroup" } });
    expect(only(a, "MemoryExhaustionImminent")).toEqual({
      severity: "warning",
      code: "MemoryExhaustionImminent",
      message: "at the recent trend the working set reaches the cgroup memory limit in 2 h (under 24 h)",
      value: 2,
      threshold: 24,
    });
  });

  it("pages under the critical hours against host memory", () => {
    const a = assessmentOf({}, { exhaustion: { hoursUntilLimit: 0.5, scope: "host" } });
    expect(only(a, "MemoryExhaustionImminent")).toMatchObject({
      severity: "critical",
      message: "at the recent trend the working set reaches host memory in 30 min (under 2 h)",
      value: 0.5,
      threshold: 2,
    });
  });

  it("says nothing exactly at the warning hours", () => {
    const a = assessmentOf({}, { exhaustion: { hoursUntilLimit: 24, scope: "host" } });
    expect(ofCode(a, "MemoryExhaustionImminent")).toEqual([]);
  });
});

describe("TargetDown", () => {
  it("fires only with a reason, and gives every reason", () => {
    expect(ofCode(assessmentOf(), "TargetDown")).toEqual([]);
    const a = assessmentOf({}, { downReasons: ["process 42 is gone", "the API refused the connection"] });
    expect(only(a, "TargetDown")).toEqual({
      severity: "critical",
      code: "TargetDown",
      message: "target unreachable: process 42 is gone; the API refused the connection",
      value: 0,
      threshold: null,
    });
  });
});

describe("HostMemoryHigh", () => {
  const pressed = (usedMb: number, scope: "host" | "cgroup") =>
    assessmentOf({}, { memoryPressure: { scope, usedBytes: usedMb * MB, limitBytes: 1000 * MB } });

  it("says nothing exactly at the warning percentage", () => {
    expect(ofCode(pressed(900, "host"), "HostMemoryHigh")).toEqual([]);
  });

  it.each([
    [905, "host", "warning", "90.5 % of host memory is in use (over 90 %)", 90.5, 90],
    [970, "cgroup", "warning", "97 % of the cgroup memory limit is in use (over 90 %)", 97, 90],
    [975, "cgroup", "critical", "97.5 % of the cgroup memory limit is in use (over 97 %)", 97.5, 97],
  ] as const)("at %i MB of 1000 (%s): %s", (usedMb, scope, severity, message, value, threshold) => {
    expect(only(pressed(usedMb, scope), "HostMemoryHigh")).toEqual({
      severity,
      code: "HostMemoryHigh",
      message,
      value,
      threshold,
    });
  });
});

describe("OverheadCritical and OverheadHigh", () => {
  it("are left out while unaccounted memory is no more than overhead_min_mb", () => {
    const a = assessmentOf({ collections: [heldOf("docs", 100)], residentMb: 200 });
    expect(found(a).filter((f) => f.code.startsWith("Overhead"))).toEqual([]);
    const over = assessmentOf({ collections: [heldOf("docs", 100)], residentMb: 200.5 });
    expect(only(over, "OverheadHigh")).toMatchObject({ severity: "warning", value: 100.5, threshold: 50 });
  });

  it("exactly at the critical percentage only warn", () => {
    const a = assessmentOf({ collections: [heldOf("docs", 200)], residentMb: 400 });
    expect(ofCode(a, "OverheadCritical")).toEqual([]);
    expect(only(a, "OverheadHigh")).toEqual({
      severity: "warning",
      code: "OverheadHigh",
      message: "memory overhead is 100 % of what the collections hold (over 50 %), 200 MB unaccounted",
      value: 100,
      threshold: 50,
    });
  });

  it("page above it, naming the three largest parts beside the collections that hold memory", () => {
    const attribution = [
      part("collections", 300),
      part("code", 0),
      part("stacks", 10),
      part("unexplained", 150),
      part("shared_memory", 5),
      part("data_files", 30),
    ];
    const a = assessmentOf({ collections: [heldOf("docs", 200)], residentMb: 401 }, { attribution });
    expect(only(a, "OverheadCritical")).toEqual({
      severity: "critical",
      code: "OverheadCritical",
      message:
        "memory overhead is 100.5 % of what the collections hold (over 100 %), 201 MB unaccounted" +
        "; largest parts: unexplained 150 MB, data_files 30 MB, stacks 10 MB",
      value: 100.5,
      threshold: 100,
    });
  });

  it.each([
    [
      "a part of zero bytes",
      [part("collections", 300), part("code", 0), part("unexplained", 150)],
      "; largest parts: unexplained 150 MB",
    ],
    ["only the collections", [part("collections", 300), part("code", 0)], ""],
  ])("name no part the attribution leaves empty (%s)", (_, attribution, named) => {
    const a = assessmentOf({ collections: [heldOf("docs", 200)], residentMb: 401 }, { attribution });
    expect(only(a, "OverheadCritical").message).toBe(
      `memory overhead is 100.5 % of what the collections hold (over 100 %), 201 MB unaccounted${named}`,
    );
  });
});

describe("UnaccountedMemoryCritical", () => {
  it("says nothing exactly at the threshold, nor without collection figures", () => {
    expect(
      ofCode(assessmentOf({ collections: [heldOf("docs", 200)], residentMb: 700 }), "UnaccountedMemoryCritical"),
    ).toEqual([]);
    const unknown = collectionOf("docs", 1000, { actualBytes: null });
    expect(ofCode(assessmentOf({ collections: [unknown], residentMb: 2000 }), "UnaccountedMemoryCritical")).toEqual([]);
  });

  it("pages above it with the figure in MB", () => {
    const a = assessmentOf({ collections: [heldOf("docs", 200)], residentMb: 700.5 });
    expect(only(a, "UnaccountedMemoryCritical")).toEqual({
      severity: "critical",
      code: "UnaccountedMemoryCritical",
      message: "500.5 MB of resident memory is not accounted for by any collection (over 500 MB)",
      value: 500.5,
      threshold: 500,
    });
  });
});

describe("HealthScoreCritical", () => {
  it.each([null, 50, 80])("says nothing for a score of %p", (score) => {
    expect(ofCode(assessmentOf(), "HealthScoreCritical", score)).toEqual([]);
  });

  it("pages under the critical score", () => {
    expect(only(assessmentOf(), "HealthScoreCritical", 49)).toEqual({
      severity: "critical",
      code: "HealthScoreCritical",
      message: "memory health score is 49 (under 50)",
      value: 49,
      threshold: 50,
    });
  });
});

describe("LowQuantizationCoverage", () => {
  const large = collectionOf("big", 100_001);
  const quantized = (name: string) => collectionOf(name, 1000, { quantization: "sq8" });

  it("says nothing exactly at the threshold", () => {
    expect(ofCode(assessmentOf({ collections: [large, quantized("q")] }), "LowQuantizationCoverage")).toEqual([]);
  });

  it("warns under it, where a collection is large", () => {
    const a = assessmentOf({ collections: [large, quantized("q"), collectionOf("small", 1000)] });
    expect(only(a, "LowQuantizationCoverage")).toEqual({
      severity: "warning",
      code: "LowQuantizationCoverage",
      message: "only 1 of 3 collections use quantization (under 50 %)",
      value: 33.3,
      threshold: 50,
    });
  });

  it("leaves small databases alone", () => {
    const a = assessmentOf({ collections: [collectionOf("a", 1000), collectionOf("b", 99_999)] });
    expect(ofCode(a, "LowQuantizationCoverage")).toEqual([]);
  });
});

describe("LargeCollectionUnoptimized", () => {
  it("says nothing at exactly 100 000 vectors", () => {
    expect(ofCode(assessmentOf({ collections: [collectionOf("a", 100_000)] }), "LargeCollectionUnoptimized")).toEqual(
      [],
    );
  });

  it("names every large unquantized collection and counts the largest", () => {
    const collections = [
      collectionOf("a", 150_000),
      collectionOf("b", 2_500_000),
      collectionOf("c", 3_000_000, { quantization: "sq8" }),
    ];
    expect(only(assessmentOf({ collections }), "LargeCollectionUnoptimized")).toEqual({
      severity: "warning",
      code: "LargeCollectionUnoptimized",
      message: "over 100 000 vectors without quantization: a (150 k), b (2.5 M)",
      value: 2_500_000,
      threshold: 100_000,
    });
  });
});

describe("the catalog's lookups", () => {
  it("give the unit after a value, nothing for an unknown code", () => {
    expect(unitSuffix("HostMemoryHigh")).toBe(" %");
    expect(unitSuffix("UnaccountedMemoryCritical")).toBe(" MB");
    expect(unitSuffix("OomKilled")).toBe("");
    expect(unitSuffix("EnableQuantization")).toBe("");
  });

  it("silence nothing for an unknown code", () => {
    expect(inhibitedBy("EnableQuantization")).toEqual([]);
    expect(inhibitedBy("OverheadCritical")).toEqual(["OverheadHigh"]);
  });

  it("let a critical fire at once and a warning after a minute", () => {
    expect(forMs("OomKilled", "critical")).toBe(0);
    expect(forMs("HostMemoryHigh", "warning")).toBe(60_000);
  });
});

describe("the opportunities", () => {
  it("recommend SQ8 for each unquantized collection with vectors, the largest saving first", () => {
    const collections = [
      collectionOf("small", 10_000),
      collectionOf("empty", 0),
      collectionOf("done", 50_000, { quantization: "sq8" }),
      collectionOf("docs", 100_000),
    ];
    const sq8 = ofCode(assessmentOf({ collections }), "EnableQuantization");
    expect(sq8.map((f) => [f.collection, f.value])).toEqual([
      ["docs", 219.7],
      ["small", 22],
    ]);
    expect(sq8[0]).toMatchObject({ severity: "opportunity", threshold: null });
    expect(sq8[0].message).toBe(
      "Enable SQ8 on `docs` (100 k vectors × 768 dims): saves ~219.7 MB where the database drops the float32 originals " +
        "(~293 MB) for a 1-byte copy (~73.2 MB); where it keeps them beside the copy (Qdrant), they stay",
    );
  });

  it("recommend no SQ8 where the database offers no quantization or the vectors already hold a byte per component", () => {
    const layout = { componentBytes: 4, keepsOriginals: false, hnswM: 16 };
    const collections = [
      collectionOf("chroma", 200_000, { layout: { ...layout, enableSq8: null } }),
      collectionOf("uint8", 200_000, { layout: { ...layout, componentBytes: 1 } }),
    ];
    expect(ofCode(assessmentOf({ collections }), "EnableQuantization")).toEqual([]);
  });

  it("call originals of an unnamed element size full-precision", () => {
    const mixed = collectionOf("mixed", 100_000, {
      layout: { componentBytes: 3, keepsOriginals: false, hnswM: null },
    });
    expect(only(assessmentOf({ collections: [mixed] }), "EnableQuantization").message).toContain(
      "drops the full-precision originals",
    );
  });

  it("suggest memory-mapped storage only above 1 GB of collections", () => {
    const at = assessmentOf({ collections: [heldOf("docs", 1024, { quantization: "sq8" })] });
    expect(ofCode(at, "UseMemoryMappedStorage")).toEqual([]);
    const above = assessmentOf({ collections: [heldOf("docs", 1536, { quantization: "sq8" })] });
    expect(only(above, "UseMemoryMappedStorage")).toEqual({
      severity: "opportunity",
      code: "UseMemoryMappedStorage",
      message: "collections hold 1.5 GB: memory-mapped storage would keep cold vectors on disk",
      value: 1536,
      threshold: 1024,
    });
  });

  it("suggest reviewing data structures only above 200 MB beyond the runtime's code", () => {
    const held = heldOf("docs", 100, { quantization: "sq8" });
    expect(
      ofCode(assessmentOf({ collections: [held], residentMb: 350, baselineMb: 50 }), "ReviewDataStructures"),
    ).toEqual([]);
    const a = assessmentOf({ collections: [held], residentMb: 350.5, baselineMb: 50 });
    expect(only(a, "ReviewDataStructures")).toEqual({
      severity: "opportunity",
      code: "ReviewDataStructures",
      message: "200.5 MB of overhead beyond the runtime's own code: review the database's in-memory data structures",
      value: 200.5,
      threshold: 200,
    });
  });
});

describe("the order of findings", () => {
  it("puts critical first, then warning, then opportunity, and recommends only the opportunities", () => {
    const a = assessmentOf(
      { collections: [heldOf("docs", 200)], residentMb: 401 },
      { memoryPressure: { scope: "host", usedBytes: 950 * MB, limitBytes: 1000 * MB } },
    );
    const all = found(a);
    expect(all.map((f) => [f.severity, f.code])).toEqual([
      ["critical", "OverheadCritical"],
      ["warning", "HostMemoryHigh"],
      ["warning", "OverheadHigh"],
      ["opportunity", "EnableQuantization"],
      ["opportunity", "ReviewDataStructures"],
    ]);
    expect(recommendations(all)).toEqual([all[3].message, all[4].message]);
  });
});
