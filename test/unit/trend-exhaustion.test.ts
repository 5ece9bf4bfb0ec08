import { computeTrend, sameProcess, type TrendPoint } from "../../src/snapshot/trend";
import { leastSquaresSlope, theilSenSlope } from "../../src/snapshot/slope";
import { MB } from "../helpers/samples";

const MINUTE_MS = 60_000;
/** A whole hour: readings on whole half-hours are exact in hours, so slopes at a threshold are exact too. */
const HOUR = Date.parse("2025-03-01T12:00:00Z");
const RULE = { warningMbPerHour: 50, minWindowMinutes: 30 };
const LIMIT = { scope: "cgroup" as const, usedBytes: 512 * MB, limitBytes: 1024 * MB };

/** A reading of process 7 `minutes` after HOUR, the working set, RSS and unaccounted memory at `mb`. */
function at(minutes: number, mb: number, overrides: Partial<TrendPoint> = {}): TrendPoint {
  return {
    takenAtMs: HOUR + minutes * MINUTE_MS,
    pid: 7,
    residentBytes: (100 + mb) * MB,
    workingSetBytes: (100 + mb) * MB,
    unaccountedBytes: mb * MB,
    ...overrides,
  };
}

const forecast = (points: TrendPoint[], windowMinutes: number) => {
  const trend = computeTrend(points, LIMIT, RULE, windowMinutes * MINUTE_MS)!;
  return { hours: trend.hoursUntilMemoryLimit, reason: trend.hoursUntilMemoryLimitReason };
};

describe("the time to the memory limit, at its boundaries", () => {
  it("forecasts from exactly three readings spanning exactly half the window, the middle one opening the recent half", () => {
    // 20 MB per 7.5 min is 160 MB/hour; 512 MB left.
    const { hours, reason } = forecast([at(0, 0), at(7.5, 20), at(15, 40)], 30);
    expect(reason).toBeNull();
    expect(hours).toBeCloseTo(512 / 160, 9);
  });

  it.each([
    ["unknown (null)", null],
    ["absent", undefined],
  ])("does not count a reading whose working set is %s among the three it needs", (_what, workingSetBytes) => {
    const points = [at(0, 0, { workingSetBytes }), at(10, 20), at(20, 40), at(30, 60)];
    expect(forecast(points.slice(0, 3), 30)).toEqual({
      hours: null,
      reason: "fewer than 3 readings of the working set in the trend window",
    });
    // The span is the known readings': 10 of 30 minutes is under half the window.
    expect(forecast([at(0, 0, { workingSetBytes }), at(10, 20), at(15, 30), at(20, 40)], 30)).toEqual({
      hours: null,
      reason: "the readings span 10 min of the 30 min trend window; a forecast needs half of it",
    });
  });

  it("names a span of exactly two minutes in minutes, under that in seconds", () => {
    expect(forecast([at(0, 0), at(1, 20), at(2, 40)], 5).reason).toBe(
      "the readings span 2 min of the 5 min trend window; a forecast needs half of it",
    );
    expect(forecast([at(0, 0), at(0.5, 20), at(1.5, 40)], 5).reason).toBe(
      "the readings span 90 s of the 5 min trend window; a forecast needs half of it",
    );
  });

  it("calls growth of exactly 1 MB over the readings growth, and less than that noise", () => {
    // 1 MB over the hour grows; its recent half grows 0.5 MB, which does not.
    expect(forecast([at(0, 0), at(30, 0.5), at(60, 1)], 60).reason).toBe("memory stopped growing in the last 30 min");
    // 0.75 MB over 30 minutes (1.5 MB/hour) is noise.
    expect(forecast([at(0, 0), at(15, 0.375), at(30, 0.75)], 30)).toEqual({
      hours: null,
      reason: "memory does not grow over the last 30 min",
    });
  });
});

describe("the recent growth of unaccounted and unexplained memory", () => {
  it("measures the minimum window from the first reading with a figure, not the first reading", () => {
    // RSS is known for 40 minutes, the two figures only for the last 10: steep, but not yet over 30 minutes.
    const early = { unaccountedBytes: null, unexplainedBytes: undefined };
    const points = [at(0, 0, early), at(10, 0, early), at(20, 0, early), at(30, 0), at(40, 100)].map((p) =>
      p.unaccountedBytes === null ? p : { ...p, unexplainedBytes: p.unaccountedBytes },
    );
    const trend = computeTrend(points, null, RULE, 60 * MINUTE_MS)!;
    expect(trend.recentUnaccountedSlopeBytesPerHour! / MB).toBeCloseTo(600, 6);
    expect(trend.recentUnexplainedSlopeBytesPerHour! / MB).toBeCloseTo(600, 6);
    expect(trend.unaccountedGrowing).toBe(false);
    expect(trend.unexplainedGrowing).toBe(false);
  });

  it("is not growing, and has no slope, when no reading has the figure", () => {
    const points = [0, 10, 20, 30, 40].map((m) => at(m, m * 10, { unaccountedBytes: null }));
    const trend = computeTrend(points, null, RULE, 60 * MINUTE_MS)!;
    expect(trend.recentUnaccountedSlopeBytesPerHour).toBeNull();
    expect(trend.unaccountedGrowing).toBe(false);
    expect(trend.unexplainedGrowing).toBe(false);
  });

  it("includes the reading exactly one minimum window before the last", () => {
    const trend = computeTrend([at(0, 0), at(10, 100), at(20, 100), at(30, 100)], null, RULE, 60 * MINUTE_MS)!;
    // Least squares through (0, 0), (1, 1), (2, 1), (3, 1) in 10 minutes and 100 MB: 0.3 per step, 180 MB/hour.
    expect(trend.recentUnaccountedSlopeBytesPerHour! / MB).toBeCloseTo(180, 6);
  });

  it("grows only past the threshold: exactly 50 MB/hour is not growth", () => {
    const trend = computeTrend([at(0, 0), at(30, 25)], null, RULE, 60 * MINUTE_MS)!;
    expect(trend.recentUnaccountedSlopeBytesPerHour).toBe(50 * MB);
    expect(trend.unaccountedGrowing).toBe(false);
    expect(computeTrend([at(0, 0), at(30, 25.5)], null, RULE, 60 * MINUTE_MS)!.unaccountedGrowing).toBe(true);
  });
});

describe("the readings a trend is made of", () => {
  it("leaves out the readings without RSS: they neither count nor open the window", () => {
    const trend = computeTrend(
      [at(0, 0, { residentBytes: null }), at(10, 10), at(20, 20)],
      null,
      RULE,
      60 * MINUTE_MS,
    )!;
    expect(trend.samples).toBe(2);
    expect(trend.windowStartMs).toBe(HOUR + 10 * MINUTE_MS);
  });

  it("takes a reading without a start time as the same process as one with it, under the same pid", () => {
    expect(sameProcess({ pid: 7, processStartTicks: null }, { pid: 7, processStartTicks: 500 })).toBe(true);
    expect(sameProcess({ pid: 7, processStartTicks: 500 }, { pid: 7 })).toBe(true);
    expect(sameProcess({ pid: 7, processStartTicks: 500 }, { pid: 7, processStartTicks: 600 })).toBe(false);
  });
});

describe("the slopes' inputs", () => {
  it("has no least-squares slope without readings, or with fewer figures than times", () => {
    expect(leastSquaresSlope([], [])).toBeNull();
    expect(leastSquaresSlope([0, 1], [0])).toBeNull();
    expect(leastSquaresSlope([0, 1, 2], [0, 1])).toBeNull();
  });

  it("keeps the least-squares slope exact at times in milliseconds since the epoch", () => {
    const t = Date.parse("2025-03-01T12:00:00Z");
    expect(leastSquaresSlope([t, t + 1000, t + 3000], [0, 10, 30])).toBeCloseTo(0.01, 12);
    expect(leastSquaresSlope([t, t + 1000, t + 3000], [5e12, 5e12 + 10, 5e12 + 30])).toBeCloseTo(0.01, 12);
  });

  it("has no Theil–Sen slope with fewer figures than times", () => {
    expect(theilSenSlope([0, 1, 2], [0, 1])).toBeNull();
  });

  it("takes the mean of the two middle slopes when their count is even", () => {
    // The six pairwise slopes: 1, 1, 0.5, 1, 1/3, 0 → the middle two are 0.5 and 1.
    expect(theilSenSlope([0, 1, 2, 4], [0, 1, 2, 2])).toBe(0.75);
  });

  it("thins over 240 readings evenly, first and last kept: of 718, every third one", () => {
    const xs = Array.from({ length: 718 }, (_, i) => i);
    // Every third reading lies on y = x; the others, left out by the thinning, on y = 2x.
    const ys = xs.map((x) => (x % 3 === 0 ? x : 2 * x));
    expect(theilSenSlope(xs, ys)).toBe(1);
    // 240 readings are fitted as they are: two thirds of them on y = 2x.
    expect(theilSenSlope(xs.slice(0, 240), ys.slice(0, 240))).toBe(2);
  });
});
