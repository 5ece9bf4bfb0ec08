import fc from "fast-check";
import { ThresholdsSchema } from "../src/config/schema";
import { buildSnapshot } from "../src/snapshot/build";
import type { Snapshot } from "../src/snapshot/schema";
import { recentEvents } from "../src/snapshot/events";
import { theilSenSlope } from "../src/snapshot/slope";
import { computeTrend, snapshotTrendPoints, type TrendPoint } from "../src/snapshot/trend";
import { cgroupOf, MB, processOf, sampleOf } from "./helpers/samples";

const SECOND_MS = 1000;
const MINUTE_MS = 60_000;
const START = Date.parse("2025-03-01T12:00:00Z");
const RULE = { warningMbPerHour: 50, minWindowMinutes: 30 };
const LIMIT = { scope: "cgroup" as const, usedBytes: 0, limitBytes: 1024 * MB };

/** One point every `stepMs`, the working set at `mbPerStep` × step from 100 MB, the limit 1 GiB away. */
function growing(count: number, stepMs: number, mbPerStep: number, from = START): TrendPoint[] {
  return Array.from({ length: count }, (_, i) => ({
    takenAtMs: from + i * stepMs,
    pid: 7,
    residentBytes: (100 + mbPerStep * i) * MB,
    workingSetBytes: (100 + mbPerStep * i) * MB,
    unaccountedBytes: (50 + mbPerStep * i) * MB,
  }));
}

/** The pressure at the last point: what the trend holds its slope against. */
const pressureAt = (points: TrendPoint[]) => ({ ...LIMIT, usedBytes: points[points.length - 1].workingSetBytes! });

describe("the Theil–Sen slope", () => {
  it("is the line's slope whatever one outlier does", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 18 }), fc.double({ min: -1e12, max: 1e12, noNaN: true }), (at, outlier) => {
        const xs = Array.from({ length: 20 }, (_, i) => i);
        const ys = xs.map((x) => 5 * x);
        ys[at] = outlier;
        expect(theilSenSlope(xs, ys)).toBeCloseTo(5, 6);
      }),
    );
  });

  it("has none without two distinct times, and is 0 for a constant", () => {
    expect(theilSenSlope([1, 1], [2, 3])).toBeNull();
    expect(theilSenSlope([1, 2, 3], [4, 4, 4])).toBe(0);
  });
});

describe("the time to the memory limit", () => {
  it("follows the working set at its slope over the window: 5 MB/s with 924 MB left is about 185 s", () => {
    const points = growing(30, SECOND_MS, 5);
    const trend = computeTrend(points, pressureAt(points), RULE, 30 * SECOND_MS)!;
    expect(trend.workingSetSlopeBytesPerHour! / MB).toBeCloseTo(18_000, 3);
    expect(trend.hoursUntilMemoryLimit! * 3600).toBeCloseTo((1024 - 245) / 5, 6);
    expect(trend.hoursUntilMemoryLimitReason).toBeNull();
  });

  it("is not moved by one wild reading", () => {
    const points = growing(30, SECOND_MS, 5);
    points[12] = { ...points[12], workingSetBytes: 900 * MB, residentBytes: 2 * MB };
    const trend = computeTrend(points, pressureAt(points), RULE, 30 * SECOND_MS)!;
    expect(trend.hoursUntilMemoryLimit! * 3600).toBeCloseTo((1024 - 245) / 5, 6);
    expect(trend.rssSlopeBytesPerHour / MB).toBeCloseTo(18_000, 3);
  });

  it("looks only at the window: an old burst of growth is forgotten", () => {
    const burst = growing(60, SECOND_MS, 5);
    const flat = growing(120, SECOND_MS, 0, START + 60 * SECOND_MS).map((p) => ({
      ...p,
      workingSetBytes: 400 * MB,
      residentBytes: 400 * MB,
    }));
    const points = [...burst, ...flat];
    const trend = computeTrend(points, pressureAt(points), RULE, 90 * SECOND_MS)!;
    expect(trend.rssSlopeBytesPerHour).toBe(0);
    expect(trend.hoursUntilMemoryLimit).toBeNull();
    expect(trend.hoursUntilMemoryLimitReason).toBe("memory does not grow over the last 90 s");
  });

  it("goes within half a window once growth stops", () => {
    const burst = growing(60, SECOND_MS, 5);
    const after = (seconds: number) => {
      const flat = Array.from({ length: seconds }, (_, i) => ({
        ...burst[59],
        takenAtMs: burst[59].takenAtMs + (i + 1) * SECOND_MS,
      }));
      const points = [...burst, ...flat];
      return computeTrend(points, pressureAt(points), RULE, 60 * SECOND_MS)!;
    };
    expect(after(5).hoursUntilMemoryLimit).not.toBeNull();
    expect(after(31).hoursUntilMemoryLimit).toBeNull();
    expect(after(31).hoursUntilMemoryLimitReason).toBe("memory stopped growing in the last 30 s");
  });

  it("forecasts nothing from readings that span less than half the window, however steep", () => {
    const burst = growing(10, 100, 50);
    const trend = computeTrend(burst, pressureAt(burst), RULE, 30 * SECOND_MS)!;
    expect(trend.hoursUntilMemoryLimit).toBeNull();
    expect(trend.hoursUntilMemoryLimitReason).toBe(
      "the readings span 1 s of the 30 s trend window; a forecast needs half of it",
    );
  });

  it("says why there is none: no limit known, too few readings", () => {
    const points = growing(30, SECOND_MS, 5);
    expect(computeTrend(points, null, RULE, 30 * SECOND_MS)!.hoursUntilMemoryLimitReason).toMatch(
      /^no memory limit is known/,
    );
    const two = growing(2, SECOND_MS, 5);
    expect(computeTrend(two, pressureAt(two), RULE, 30 * SECOND_MS)!.hoursUntilMemoryLimitReason).toBe(
      "fewer than 3 readings of the working set in the trend window",
    );
  });

  it("follows the attribution's unexplained figure, and has no unexplained slope without it", () => {
    const points = growing(10, MINUTE_MS, 1);
    expect(computeTrend(points, null, RULE, 30 * MINUTE_MS)!.unexplainedSlopeBytesPerHour).toBeNull();
    const attributed = points.map((p, i) => ({ ...p, unexplainedBytes: (10 + 2 * i) * MB }));
    expect(computeTrend(attributed, null, RULE, 30 * MINUTE_MS)!.unexplainedSlopeBytesPerHour! / MB).toBeCloseTo(
      120,
      6,
    );
  });
});

describe("OOM kills and restarts", () => {
  const at = (
    minutes: number,
    pid: number,
    oomKills: number | null,
    processStartTicks: number | null = 1,
  ): TrendPoint => ({
    takenAtMs: START + minutes * MINUTE_MS,
    pid,
    processStartTicks,
    residentBytes: null,
    unaccountedBytes: null,
    oomKills,
  });

  it("counts the rises of the kernel's counter within the last 5 minutes, a reset as a new count", () => {
    expect(recentEvents([at(0, 1, 3), at(1, 1, 3)])).toMatchObject({ oomKills: 0, restarts: 0 });
    expect(recentEvents([at(0, 1, 3), at(1, 1, 4), at(2, 1, null), at(3, 1, 6)])).toMatchObject({ oomKills: 3 });
    expect(recentEvents([at(0, 1, 5), at(1, 1, 2)])).toMatchObject({ oomKills: 2 });
    expect(recentEvents([at(0, 1, 0), at(1, 1, 1), at(7, 1, 1)])).toMatchObject({ oomKills: 0 });
  });

  it("compares the reading on the lookback's edge with the one before it, and skips readings without the counter", () => {
    expect(recentEvents([at(0, 1, 0), at(2, 1, 1), at(7, 1, 1)])).toMatchObject({ oomKills: 1 });
    expect(recentEvents([at(0, 1, 3), { ...at(1, 1, null), oomKills: undefined }, at(2, 1, 4)]).oomKills).toBe(1);
  });

  it("reads the points in time order, whatever order they come in; none, nothing happened", () => {
    expect(recentEvents([at(3, 1, 6), at(0, 1, 3), at(1, 1, 4), at(2, 2, 4)])).toEqual({
      oomKills: 3,
      restarts: 2,
      lookbackMinutes: 5,
    });
    expect(recentEvents([])).toEqual({ oomKills: 0, restarts: 0, lookbackMinutes: 5 });
  });

  it("counts a restart when the pid changes, or the start time under the same pid, across readings without a process", () => {
    expect(recentEvents([at(0, 1, null), at(1, 2, null)]).restarts).toBe(1);
    expect(recentEvents([at(0, 1, null, 100), at(1, 1, null, 200)]).restarts).toBe(1);
    const down = { ...at(1, 1, null), pid: null };
    expect(recentEvents([at(0, 1, null), down, at(2, 3, null)]).restarts).toBe(1);
    expect(recentEvents([at(0, 1, null, 100), at(1, 1, null, null)]).restarts).toBe(0);
  });
});

describe("the exhaustion findings in a snapshot", () => {
  const thresholds = ThresholdsSchema.parse({});
  /** A process in a cgroup limited to 1 GiB whose working set grows by `mbPerMinute`. */
  function snapshotsGrowing(minutes: number, mbPerMinute: number, oomKillsAt: (minute: number) => number = () => 0) {
    const snapshots: Snapshot[] = [];
    for (let m = 0; m <= minutes; m++) {
      const ws = 200 + mbPerMinute * m;
      const sample = {
        ...sampleOf(new Date(START + m * MINUTE_MS), processOf(ws), []),
        cgroup: cgroupOf(1024, ws, { oomKills: oomKillsAt(m) }),
      };
      snapshots.push(buildSnapshot(sample, thresholds, snapshotTrendPoints(snapshots)));
    }
    return snapshots[snapshots.length - 1];
  }

  it("pages MemoryExhaustionImminent as critical under 2 h and warns under 24 h, against the cgroup limit", () => {
    // 400 MB used of 1024 at 600 MB/hour: 1.04 hours left.
    const fast = snapshotsGrowing(20, 10);
    expect(fast.trend).toMatchObject({
      memory_limit_scope: "cgroup",
      working_set_slope_mb_per_hour: 600,
      hours_until_memory_limit: 1.0,
    });
    expect(fast.findings.find((f) => f.code === "MemoryExhaustionImminent")).toEqual({
      severity: "critical",
      code: "MemoryExhaustionImminent",
      message: "at the recent trend the working set reaches the cgroup memory limit in 1 h (under 2 h)",
      value: 1.04,
      threshold: 2,
    });
    expect(fast.findings.map((f) => f.code)).not.toContain("MemoryGrowth");
    const slow = snapshotsGrowing(20, 1);
    expect(slow.findings.find((f) => f.code === "MemoryExhaustionImminent")).toMatchObject({
      severity: "warning",
      threshold: 24,
    });
    expect(snapshotsGrowing(20, 0).findings.map((f) => f.code)).not.toContain("MemoryExhaustionImminent");
  });

  it("pages OomKilled when the cgroup's OOM kills rose within 5 minutes", () => {
    const killed = snapshotsGrowing(10, 0, (m) => (m >= 8 ? 1 : 0));
    expect(killed.findings.find((f) => f.code === "OomKilled")).toMatchObject({
      severity: "critical",
      value: 1,
      threshold: 0,
    });
    expect(snapshotsGrowing(20, 0, (m) => (m >= 8 ? 1 : 0)).findings.map((f) => f.code)).not.toContain("OomKilled");
  });

  it("keeps overhead findings to targets with over MEMSNAP_OVERHEAD_MIN_MB unaccounted, and raises HostMemoryHigh to critical past 97 %", () => {
    const tiny = buildSnapshot(
      sampleOf(new Date(START), processOf(60), [
        {
          name: "c",
          dimension: 4,
          vectorCount: 1000,
          documentCount: null,
          metric: null,
          quantization: "none",
          actualBytes: 20 * MB,
          indexBytes: null,
          payloadBytes: null,
        },
      ]),
      thresholds,
    );
    expect(tiny.discrepancy_analysis.overhead_percentage).toBe(200);
    expect(tiny.findings.map((f) => f.code)).not.toContain("OverheadCritical");
    const full = buildSnapshot(
      { ...sampleOf(new Date(START), processOf(60), []), cgroup: cgroupOf(1000, 980) },
      thresholds,
    );
    expect(full.findings.find((f) => f.code === "HostMemoryHigh")).toMatchObject({
      severity: "critical",
      value: 98,
      threshold: 97,
    });
  });
});
