import { collectionTotals } from "../../src/snapshot/analysis";
import type { Assessment } from "../../src/snapshot/assessment";
import { attribute, type Attribution } from "../../src/snapshot/attribution";
import { samplePoint, trendInfo } from "../../src/snapshot/growth";
import { collectionsInfo, memoryAttributionInfo, processInfo } from "../../src/snapshot/sections";
import type { KernelBreakdown } from "../../src/snapshot/smaps-classify";
import type { Trend } from "../../src/snapshot/trend";
import { cgroupOf, collectionOf, MB, processOf, sampleOf } from "../helpers/samples";

const WALK: KernelBreakdown = {
  codeBytes: 40 * MB,
  dataFilesBytes: 0,
  dataFilesByCollection: {},
  sharedMemoryBytes: 0,
  stacksBytes: 2 * MB,
  anonymousBytes: 358 * MB,
  mainStack: true,
  threadStacks: 5,
  threads: 6,
  unreadableThreads: 0,
  mappingsTop: [],
};

/** 400 MB resident: 40 MB of code, 2 MB of stacks, 300 MB of collections, 58 MB unexplained. */
function attribution(walk: KernelBreakdown = WALK): Attribution {
  const counters = { anonymousBytes: null, fileBytes: null, shmemBytes: null };
  return attribute(walk, Date.UTC(2026, 10, 30, 7, 52), counters, {
    collectionsBytes: 300 * MB,
    collectionsSource: "qdrant API",
    allocatorFreeBytes: null,
    allocatorFreeSource: null,
  });
}

describe("process_info's stack size", () => {
  it("is the attribution's stacks, every thread's, not the first part nor VmStk", () => {
    const info = processInfo(processOf(400, { stackBytes: 132 * 1024 }), 42, attribution(), null);
    expect(info.stack_size_bytes).toBe(2 * MB);
    expect(info.stack_size_mb).toBe(2);
  });

  it("is VmStk without an attribution", () => {
    expect(processInfo(processOf(400, { stackBytes: 132 * 1024 }), 42, null, null).stack_size_bytes).toBe(132 * 1024);
  });
});

describe("collections_info's quantization coverage", () => {
  const collections = [
    collectionOf("docs", 1000, { quantization: "sq8" }),
    collectionOf("logs", 1000),
    collectionOf("chat", 1000),
  ];

  it("is the share of quantized collections, in percent", () => {
    expect(collectionsInfo(collections, collectionTotals(collections), true).quantization_coverage_percent).toBe(33.3);
  });

  it("is unknown without the database's answer", () => {
    expect(collectionsInfo(collections, collectionTotals(collections), false).quantization_coverage_percent).toBeNull();
  });
});

describe("memory_attribution's shares", () => {
  it("are each part's share of the resident bytes", () => {
    const shares = memoryAttributionInfo(attribution())!.parts.map((p) => [p.part, p.share_of_rss]);
    expect(shares).toEqual([
      ["code", 0.1],
      ["data_files", 0],
      ["shared_memory", 0],
      ["stacks", 0.005],
      ["collections", 0.75],
      ["allocator_free", 0],
      ["unexplained", 0.145],
    ]);
  });

  it("are unknown for a process with nothing resident", () => {
    const empty = { ...WALK, codeBytes: 0, stacksBytes: 0, anonymousBytes: 0 };
    const parts = memoryAttributionInfo(attribution(empty))!.parts;
    expect(parts.map((p) => p.share_of_rss)).toEqual([null, null, null, null, null, null, null]);
  });
});

describe("a sample as a trend point", () => {
  const measured = {
    discrepancy: { unaccountedBytes: 100 * MB },
    memoryPressure: { scope: "host", usedBytes: 8192 * MB, limitBytes: 16384 * MB },
  } as Assessment;

  it("carries the unexplained bytes, the process's start and its OOM kills while the target is up", () => {
    const sample = {
      ...sampleOf("2026-11-30T08:00:00Z", processOf(400), []),
      processStartTicks: 123456,
      cgroup: cgroupOf(1024, 512, { oomKills: 2 }),
    };
    expect(samplePoint(sample, measured, 58 * MB)).toEqual({
      takenAtMs: Date.parse("2026-11-30T08:00:00Z"),
      pid: 42,
      processStartTicks: 123456,
      residentBytes: 400 * MB,
      workingSetBytes: 8192 * MB,
      unaccountedBytes: 100 * MB,
      unexplainedBytes: 58 * MB,
      oomKills: 2,
    });
  });

  it("leaves the unexplained bytes out while the target is down, and unknown figures null", () => {
    const down = { ...sampleOf("2026-11-30T08:00:00Z", processOf(400), null), downReasons: ["API: refused"] };
    expect(samplePoint(down, measured, 58 * MB)).toMatchObject({
      processStartTicks: null,
      unexplainedBytes: null,
      oomKills: null,
    });
  });
});

describe("the trend's time to the memory limit", () => {
  const trend = (hoursUntilMemoryLimit: number | null): Trend => ({
    samples: 10,
    windowStartMs: 0,
    windowEndMs: 30 * 60_000,
    rssSlopeBytesPerHour: 100 * MB,
    workingSetSlopeBytesPerHour: 100 * MB,
    unexplainedSlopeBytesPerHour: null,
    unaccountedSlopeBytesPerHour: null,
    recentUnaccountedSlopeBytesPerHour: null,
    limitScope: "cgroup",
    hoursUntilMemoryLimit,
    hoursUntilMemoryLimitReason: null,
    unaccountedGrowing: false,
    recentUnexplainedSlopeBytesPerHour: null,
    unexplainedGrowing: false,
  });

  it.each([
    ["minutes away: to the 3.6 s", 0.12345, 0.123, 444],
    ["hours away: to the 6 minutes", 5.55555, 5.6, 20000],
  ])("%s", (_what, hours, shown, seconds) => {
    const info = trendInfo(trend(hours));
    expect(info.hours_until_memory_limit).toBe(shown);
    expect(info.seconds_until_memory_limit).toBe(seconds);
  });

  it("is null when memory does not grow towards a limit", () => {
    expect(trendInfo(trend(null))).toMatchObject({ hours_until_memory_limit: null, seconds_until_memory_limit: null });
  });
});
