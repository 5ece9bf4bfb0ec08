import fc from "fast-check";
import { ThresholdsSchema } from "../src/config/schema";
import { buildSnapshot } from "../src/snapshot/build";
import { SnapshotSchema } from "../src/snapshot/schema";
import { leastSquaresSlope } from "../src/snapshot/slope";
import { computeTrend, hoursUntilLimit, snapshotTrendPoints, type TrendPoint } from "../src/snapshot/trend";
import { sampleArb } from "./helpers/arbitraries";
import { collectionOf, MB, processOf, sampleOf } from "./helpers/samples";

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
const RULE = { warningMbPerHour: 50, minWindowMinutes: 30 };
const HOST = { scope: "host" as const, usedBytes: 8192 * MB, limitBytes: 16384 * MB };
const START = Date.parse("2024-01-15T10:00:00Z");
/** A window longer than any series here: these tests are about the slopes, not the window. */
const WINDOW_MS = 24 * HOUR_MS;

/** One point a minute for `minutes`, RSS and unaccounted growing by the given MB/hour. */
function series(minutes: number, rssMbPerHour: number, unaccountedMbPerHour: number, pid = 42): TrendPoint[] {
  return Array.from({ length: minutes + 1 }, (_, i) => ({
    takenAtMs: START + i * MINUTE_MS,
    pid,
    residentBytes: 2048 * MB + ((rssMbPerHour * i) / 60) * MB,
    workingSetBytes: 2048 * MB + ((rssMbPerHour * i) / 60) * MB,
    unaccountedBytes: 1248 * MB + ((unaccountedMbPerHour * i) / 60) * MB,
  }));
}

describe("least-squares slope", () => {
  it("recovers the slope of a straight line", () => {
    expect(leastSquaresSlope([0, 1, 2, 3], [1, 3, 5, 7])).toBe(2);
  });

  it("fits the line through noisy readings", () => {
    expect(leastSquaresSlope([0, 1, 2], [0, 2, 1])).toBeCloseTo(0.5, 12);
  });

  it("has no slope with fewer than two points or all at one time", () => {
    expect(leastSquaresSlope([], [])).toBeNull();
    expect(leastSquaresSlope([5], [1])).toBeNull();
    expect(leastSquaresSlope([5, 5, 5], [1, 2, 3])).toBeNull();
  });

  it("gives exactly 0 for any constant series, at any times", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 4e12 }), { minLength: 2, maxLength: 50 }),
        fc.double({ min: -1e15, max: 1e15, noNaN: true }),
        (times, y) => {
          const hours = times.map((ms) => ms / HOUR_MS);
          expect(
            leastSquaresSlope(
              hours,
              hours.map(() => y),
            ),
          ).toBe(0);
        },
      ),
    );
  });

  it("recovers any straight line to within rounding", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -10_000, max: 10_000 }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        (slope, intercept) => {
          const xs = [0, 0.25, 0.5, 1, 2];
          expect(
            leastSquaresSlope(
              xs,
              xs.map((x) => intercept + slope * x),
            ),
          ).toBeCloseTo(slope, 3);
        },
      ),
    );
  });
});

describe("the trend of a process", () => {
  it("is flat for a constant series, whatever its figures", () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 2 ** 40 }),
        fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
        fc.integer({ min: 2, max: 100 }),
        (rss, unaccounted, n) => {
          const points = Array.from({ length: n }, (_, i) => ({
            takenAtMs: START + i * 15_000,
            pid: 1,
            residentBytes: rss,
            unaccountedBytes: unaccounted,
          }));
          const trend = computeTrend(points, HOST, RULE, WINDOW_MS)!;
          expect(trend.rssSlopeBytesPerHour).toBe(0);
          expect(trend.unaccountedSlopeBytesPerHour).toBe(0);
          expect(trend.hoursUntilMemoryLimit).toBeNull();
          expect(trend.unaccountedGrowing).toBe(false);
        },
      ),
    );
  });

  it("measures RSS and unaccounted growth in bytes per hour over the window it used", () => {
    const trend = computeTrend(series(45, 120, 60), HOST, RULE, WINDOW_MS)!;
    expect(trend.samples).toBe(46);
    expect(trend.windowEndMs - trend.windowStartMs).toBe(45 * MINUTE_MS);
    expect(trend.rssSlopeBytesPerHour / MB).toBeCloseTo(120, 6);
    expect(trend.unaccountedSlopeBytesPerHour! / MB).toBeCloseTo(60, 6);
  });

  it("says unaccounted memory grows when it rises faster than the threshold over the minimum window", () => {
    expect(computeTrend(series(45, 0, 60), HOST, RULE, WINDOW_MS)!.unaccountedGrowing).toBe(true);
    expect(computeTrend(series(30, 0, 60), HOST, RULE, WINDOW_MS)!.unaccountedGrowing).toBe(true);
  });

  it("judges growth on the last window only, as the Prometheus rule's deriv(...[30m]) does", () => {
    const flat = series(120, 0, 0);
    const leak = series(20, 0, 300).map((p) => ({ ...p, takenAtMs: p.takenAtMs + 121 * MINUTE_MS }));
    const recentLeak = computeTrend([...flat, ...leak], HOST, RULE, WINDOW_MS)!;
    expect(recentLeak.unaccountedSlopeBytesPerHour! / MB).toBeLessThan(50);
    expect(recentLeak.recentUnaccountedSlopeBytesPerHour! / MB).toBeGreaterThan(50);
    expect(recentLeak.unaccountedGrowing).toBe(true);

    const stopped = [
      ...series(60, 0, 200),
      ...series(60, 0, 0).map((p) => ({
        ...p,
        takenAtMs: p.takenAtMs + 61 * MINUTE_MS,
        unaccountedBytes: p.unaccountedBytes! + 200 * MB,
      })),
    ];
    const pastLeak = computeTrend(stopped, HOST, RULE, WINDOW_MS)!;
    expect(pastLeak.unaccountedSlopeBytesPerHour! / MB).toBeGreaterThan(50);
    expect(pastLeak.recentUnaccountedSlopeBytesPerHour).toBe(0);
    expect(pastLeak.unaccountedGrowing).toBe(false);
  });

  it("does not call growth over a window shorter than the minimum, however steep", () => {
    expect(computeTrend(series(20, 0, 5000), HOST, RULE, WINDOW_MS)!.unaccountedGrowing).toBe(false);
  });

  it("does not call growth at or under the threshold", () => {
    expect(computeTrend(series(60, 0, 40), HOST, RULE, WINDOW_MS)!.unaccountedGrowing).toBe(false);
    expect(computeTrend(series(60, 0, -500), HOST, RULE, WINDOW_MS)!.unaccountedGrowing).toBe(false);
  });

  it("counts the hours until host memory runs out at the working set's slope", () => {
    const trend = computeTrend(series(60, 1024, 0), HOST, RULE, HOUR_MS)!;
    expect(trend.limitScope).toBe("host");
    expect(trend.hoursUntilMemoryLimit).toBeCloseTo(8, 6);
  });

  it("counts against the cgroup limit when that is the line that matters", () => {
    const cgroup = { scope: "cgroup" as const, usedBytes: 3000 * MB, limitBytes: 4000 * MB };
    expect(computeTrend(series(60, 500, 0), cgroup, RULE, HOUR_MS)!.hoursUntilMemoryLimit).toBeCloseTo(2, 6);
  });

  it("has no time to exhaustion when RSS is flat or shrinking, or nothing is known of the limit", () => {
    expect(hoursUntilLimit(HOST, 0)).toBeNull();
    expect(hoursUntilLimit(HOST, -MB)).toBeNull();
    expect(hoursUntilLimit(null, MB)).toBeNull();
    expect(hoursUntilLimit({ scope: "host", usedBytes: 20, limitBytes: 10 }, MB)).toBe(0);
  });

  it("starts again when the process restarts (another pid)", () => {
    const before = series(60, 0, 1000, 41);
    const after = series(5, 0, 0, 42).map((p) => ({ ...p, takenAtMs: p.takenAtMs + 2 * HOUR_MS }));
    const trend = computeTrend([...before, ...after], HOST, RULE, WINDOW_MS)!;
    expect(trend.samples).toBe(6);
    expect(trend.unaccountedSlopeBytesPerHour).toBe(0);
  });

  it("reads points in time order, whatever order they come in", () => {
    const points = series(40, 0, 100);
    expect(computeTrend([...points].reverse(), HOST, RULE, WINDOW_MS)).toEqual(
      computeTrend(points, HOST, RULE, WINDOW_MS),
    );
  });

  it("has no trend from a single reading", () => {
    expect(computeTrend(series(0, 0, 0), HOST, RULE, WINDOW_MS)).toBeNull();
    expect(computeTrend([], HOST, RULE, WINDOW_MS)).toBeNull();
  });
});

describe("the trend in the snapshot", () => {
  const thresholds = ThresholdsSchema.parse({});

  /** A database whose one collection holds nothing: all its RSS is unaccounted. */
  const sampleAt = (minutes: number, residentMb: number) =>
    sampleOf(new Date(START + minutes * MINUTE_MS), processOf(residentMb), [collectionOf("empty", 0)]);

  /** RSS (all unaccounted) growing `mbPerHour` for `minutes`. */
  function grownSnapshot(minutes: number, mbPerHour: number) {
    const earlier = Array.from({ length: minutes }, (_, i) =>
      buildSnapshot(sampleAt(i, 20 + (mbPerHour * i) / 60), thresholds),
    );
    return buildSnapshot(sampleAt(minutes, 20 + (mbPerHour * minutes) / 60), thresholds, snapshotTrendPoints(earlier));
  }

  it("is null for the first sample of a target", () => {
    expect(buildSnapshot(sampleAt(0, 50), thresholds).trend).toBeNull();
  });

  it("reports slopes in MB/hour over the trend window, with byte companions; no hours left while host memory in use is flat", () => {
    const snapshot = grownSnapshot(40, 30);
    expect(SnapshotSchema.parse(snapshot)).toEqual(snapshot);
    expect(snapshot.trend).toMatchObject({
      samples: 31,
      window_start: "2024-01-15T10:10:00.000Z",
      window_end: "2024-01-15T10:40:00.000Z",
      window_minutes: 30,
      rss_slope_mb_per_hour: 30,
      unaccounted_slope_mb_per_hour: 30,
      recent_unaccounted_slope_mb_per_hour: 30,
      memory_limit_scope: "host",
      hours_until_memory_limit: null,
      hours_until_memory_limit_reason: "memory does not grow over the last 30 min",
      unaccounted_growing: false,
    });
    expect(snapshot.trend!.rss_slope_bytes_per_hour).toBe(30 * MB);
    expect(snapshot.findings.map((f) => f.code)).not.toContain("MemoryGrowth");
  });

  it("raises MemoryGrowth and takes 15 points when unaccounted memory grows past 50 MB/hour for 30 minutes", () => {
    const snapshot = grownSnapshot(40, 90);
    expect(snapshot.trend!.unaccounted_growing).toBe(true);
    expect(snapshot.findings.find((f) => f.code === "MemoryGrowth")).toEqual({
      severity: "warning",
      code: "MemoryGrowth",
      message: "unaccounted memory grows by 90 MB/hour over the last 30 min (over 50 MB/hour)",
      value: 90,
      threshold: 50,
    });
    expect(snapshot.health.deductions.find((d) => d.code === "unaccounted_growing")).toMatchObject({
      points: 15,
      threshold: 50,
    });
    expect(snapshot.health.score).toBe(85);
  });

  it("follows the configured growth threshold", () => {
    const strict = ThresholdsSchema.parse({ growth_warning_mb_per_hour: 10, growth_min_window_minutes: 5 });
    const earlier = [0, 1, 2, 3, 4, 5].map((m) => buildSnapshot(sampleAt(m, 50 + m / 3), strict));
    const snapshot = buildSnapshot(sampleAt(6, 52), strict, snapshotTrendPoints(earlier));
    expect(snapshot.findings.find((f) => f.code === "MemoryGrowth")).toMatchObject({ value: 20, threshold: 10 });
  });

  it("leaves out of the slopes the samples whose figures are unknown", () => {
    const unknown = buildSnapshot({ ...sampleAt(1, 60), process: null, downReasons: ["gone"] }, thresholds);
    expect(unknown.trend).toBeNull();
    expect(snapshotTrendPoints([unknown])).toMatchObject([{ residentBytes: null, unaccountedBytes: null }]);
  });
});

describe("health invariants", () => {
  const thresholds = ThresholdsSchema.parse({});
  const earlierArb = fc.array(
    fc.record({
      takenAtMs: fc.integer({ min: Date.parse("2019-01-01"), max: Date.parse("2031-01-01") }),
      pid: fc.constantFrom(41, 42),
      residentBytes: fc.nat({ max: 2 ** 40 }),
      unaccountedBytes: fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
    }),
    { maxLength: 20 },
  );

  it("keeps the score in 0..100, its deductions summing to 100 − score, for any sample and history; none while down", () => {
    fc.assert(
      fc.property(sampleArb, earlierArb, (sample, earlier) => {
        const snapshot = buildSnapshot(sample, thresholds, earlier);
        const score = snapshot.health.score;
        expect(score === null).toBe(sample.downReasons.length > 0);
        expect(score ?? 0).toBeGreaterThanOrEqual(0);
        expect(score ?? 0).toBeLessThanOrEqual(100);
        expect(snapshot.health.deductions.reduce((sum, d) => sum + d.points, 0)).toBe(score === null ? 0 : 100 - score);
        expect(SnapshotSchema.safeParse(snapshot).success).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
