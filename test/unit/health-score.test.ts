import { collectionTotals, discrepancy } from "../../src/snapshot/analysis";
import type { Assessment, MemoryPressure } from "../../src/snapshot/assessment";
import { health, healthStatus } from "../../src/snapshot/health";
import { collectionOf, MB } from "../helpers/samples";

const NO_COLLECTIONS = collectionTotals([]);
/** Nothing known of the process: no overhead, no unaccounted memory. */
const NO_DISCREPANCY = discrepancy(NO_COLLECTIONS, null, null);

/** A target that is up and earns no deduction, unless `overrides` says otherwise. */
function assessmentOf(overrides: Partial<Assessment> = {}): Assessment {
  return {
    collections: [],
    totals: NO_COLLECTIONS,
    discrepancy: NO_DISCREPANCY,
    memoryPressure: null,
    processSwapBytes: null,
    hostSwapUsedRatio: null,
    unaccountedGrowth: null,
    unexplainedGrowth: null,
    collectionFiguresKnown: false,
    attribution: null,
    downReasons: [],
    exhaustion: null,
    events: { oomKills: 0, restarts: 0, lookbackMinutes: 60 },
    ...overrides,
  };
}

const withOverhead = (overheadPercentage: number) =>
  assessmentOf({ discrepancy: { ...NO_DISCREPANCY, overheadPercentage } });
const withUnaccountedMb = (mb: number) =>
  assessmentOf({ discrepancy: { ...NO_DISCREPANCY, unaccountedBytes: mb * MB } });
const withPressure = (usedPercent: number, scope: MemoryPressure["scope"] = "host") =>
  assessmentOf({ memoryPressure: { scope, usedBytes: usedPercent * 100 * MB, limitBytes: 10_000 * MB } });

/** `quantized` of `collections` quantized, the first holding `firstVectors` vectors. */
function withCoverage(quantized: number, collections: number, firstVectors = 200_000): Assessment {
  const list = Array.from({ length: collections }, (_, i) => collectionOf(`c${i}`, i === 0 ? firstVectors : 1000));
  return assessmentOf({
    collections: list,
    totals: { ...NO_COLLECTIONS, collections, quantizedCollections: quantized },
  });
}

const withSwap = (processSwapBytes: number | null, hostSwapUsedRatio: number | null) =>
  assessmentOf({ processSwapBytes, hostSwapUsedRatio });

const pointsOf = (a: Assessment) => health(a).deductions.map((d) => [d.code, d.points]);

describe("the health score's deductions, at each threshold (SPEC section 3)", () => {
  it("starts at 100, excellent, with nothing to deduct", () => {
    expect(health(assessmentOf())).toEqual({ score: 100, status: "excellent", deductions: [] });
  });

  it("has no score for a target that is down", () => {
    expect(health(withOverhead(500))).toMatchObject({ score: 65 });
    expect(health({ ...withOverhead(500), downReasons: ["connection refused"] })).toEqual({
      score: null,
      status: "unknown",
      deductions: [],
    });
  });

  it("takes 5 / 20 / 35 points for overhead over 20 / 50 / 100 %, nothing at exactly a threshold", () => {
    expect(pointsOf(withOverhead(20))).toEqual([]);
    expect(health(withOverhead(20.04)).deductions).toEqual([
      {
        code: "overhead",
        reason: "memory overhead over the collections' own figure",
        points: 5,
        value: 20,
        threshold: 20,
      },
    ]);
    expect(pointsOf(withOverhead(50))).toEqual([["overhead", 5]]);
    expect(pointsOf(withOverhead(50.1))).toEqual([["overhead", 20]]);
    expect(health(withOverhead(100)).deductions).toMatchObject([{ points: 20, threshold: 50, value: 100 }]);
    expect(health(withOverhead(100.1)).deductions).toMatchObject([{ points: 35, threshold: 100, value: 100.1 }]);
  });

  it("takes 10 / 25 points for unaccounted memory over 100 / 500 MB, reported in MB", () => {
    expect(pointsOf(withUnaccountedMb(100))).toEqual([]);
    expect(health(withUnaccountedMb(100.5)).deductions).toEqual([
      {
        code: "unaccounted_memory",
        reason: "resident memory no collection accounts for (MB)",
        points: 10,
        value: 100.5,
        threshold: 100,
      },
    ]);
    expect(pointsOf(withUnaccountedMb(500))).toEqual([["unaccounted_memory", 10]]);
    expect(pointsOf(withUnaccountedMb(501))).toEqual([["unaccounted_memory", 25]]);
  });

  it("takes 10 points for quantization coverage under 50 % with a collection over 100 000 vectors", () => {
    expect(health(withCoverage(1, 4)).deductions).toEqual([
      {
        code: "low_quantization_coverage",
        reason: "under half of the collections are quantized, and one holds over 100 000 vectors",
        points: 10,
        value: 25,
        threshold: 50,
      },
    ]);
    expect(pointsOf(withCoverage(1, 2))).toEqual([]);
    expect(pointsOf(withCoverage(0, 2, 100_000))).toEqual([]);
    expect(pointsOf(withCoverage(0, 2, 100_001))).toEqual([["low_quantization_coverage", 10]]);
  });

  it("takes 10 / 20 points for memory used over 80 / 90 %, naming the line it is held against", () => {
    expect(pointsOf(withPressure(80))).toEqual([]);
    expect(health(withPressure(85)).deductions).toEqual([
      { code: "memory_pressure", reason: "host memory used (%)", points: 10, value: 85, threshold: 80 },
    ]);
    expect(health(withPressure(95, "cgroup")).deductions).toEqual([
      { code: "memory_pressure", reason: "cgroup memory used (%)", points: 20, value: 95, threshold: 90 },
    ]);
    expect(pointsOf(withPressure(90))).toEqual([["memory_pressure", 10]]);
  });

  it("takes 10 points when the process swaps and host swap is over 10 % used", () => {
    expect(health(withSwap(4096, 0.25)).deductions).toEqual([
      {
        code: "swapping",
        reason: "the process is swapping and host swap is over 10 % used",
        points: 10,
        value: 25,
        threshold: 10,
      },
    ]);
    expect(pointsOf(withSwap(4096, 0.1))).toEqual([]);
    expect(pointsOf(withSwap(0, 0.5))).toEqual([]);
    expect(pointsOf(withSwap(null, 0.5))).toEqual([]);
    expect(pointsOf(withSwap(4096, null))).toEqual([]);
  });

  it("takes 15 points while unaccounted memory grows, with the slope and its threshold", () => {
    const growing = assessmentOf({
      unaccountedGrowth: { slopeMbPerHour: 80.04, thresholdMbPerHour: 50, windowMinutes: 30 },
    });
    expect(health(growing)).toEqual({
      score: 85,
      status: "good",
      deductions: [
        {
          code: "unaccounted_growing",
          reason: "unaccounted memory is growing (MB/hour)",
          points: 15,
          value: 80,
          threshold: 50,
        },
      ],
    });
  });

  it("stops at 0: of the 115 points the table can take, the ones past 100 are left out", () => {
    const worst = assessmentOf({
      ...withCoverage(0, 2),
      discrepancy: { ...NO_DISCREPANCY, overheadPercentage: 300, unaccountedBytes: 2000 * MB },
      memoryPressure: { scope: "host", usedBytes: 99 * MB, limitBytes: 100 * MB },
      processSwapBytes: MB,
      hostSwapUsedRatio: 0.5,
      unaccountedGrowth: { slopeMbPerHour: 100, thresholdMbPerHour: 50, windowMinutes: 30 },
    });
    expect(health(worst)).toMatchObject({ score: 0, status: "critical" });
    expect(pointsOf(worst)).toEqual([
      ["overhead", 35],
      ["unaccounted_memory", 25],
      ["low_quantization_coverage", 10],
      ["memory_pressure", 20],
      ["swapping", 10],
    ]);
  });

  it("trims the last deduction to what is left of the 100 points", () => {
    const nearlyWorst = assessmentOf({
      discrepancy: { ...NO_DISCREPANCY, overheadPercentage: 300, unaccountedBytes: 2000 * MB },
      memoryPressure: { scope: "host", usedBytes: 99 * MB, limitBytes: 100 * MB },
      processSwapBytes: MB,
      hostSwapUsedRatio: 0.5,
      unaccountedGrowth: { slopeMbPerHour: 100, thresholdMbPerHour: 50, windowMinutes: 30 },
    });
    expect(pointsOf(nearlyWorst)).toEqual([
      ["overhead", 35],
      ["unaccounted_memory", 25],
      ["memory_pressure", 20],
      ["swapping", 10],
      ["unaccounted_growing", 10],
    ]);
    expect(health(nearlyWorst).score).toBe(0);
  });
});

describe("the health status bands: 90–100 excellent, 70–89 good, 50–69 fair, 0–49 critical", () => {
  it.each([
    [100, "excellent"],
    [90, "excellent"],
    [89, "good"],
    [70, "good"],
    [69, "fair"],
    [50, "fair"],
    [49, "critical"],
    [0, "critical"],
  ])("calls %d %s", (score, status) => {
    expect(healthStatus(score)).toBe(status);
  });

  it("gives the status of the score the deductions leave", () => {
    expect(health(withOverhead(30))).toMatchObject({ score: 95, status: "excellent" });
    expect(health(withOverhead(60))).toMatchObject({ score: 80, status: "good" });
    expect(health(withOverhead(150))).toMatchObject({ score: 65, status: "fair" });
    const alsoUnquantized = { ...withCoverage(0, 1), discrepancy: { ...NO_DISCREPANCY, overheadPercentage: 150 } };
    expect(health(alsoUnquantized)).toMatchObject({ score: 55, status: "fair" });
    const critical = { ...alsoUnquantized, processSwapBytes: MB, hostSwapUsedRatio: 0.2 };
    expect(health(critical)).toMatchObject({ score: 45, status: "critical" });
  });
});
