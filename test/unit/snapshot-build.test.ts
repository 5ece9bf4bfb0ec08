import { ThresholdsSchema } from "../../src/config/schema";
import { buildSnapshot } from "../../src/snapshot/build";
import type { Sample } from "../../src/snapshot/sample";
import type { Snapshot } from "../../src/snapshot/schema";
import { snapshotTrendPoints } from "../../src/snapshot/trend";
import type { CollectionFigures } from "../../src/sources/types";
import { cgroupOf, collectionOf, MB, processOf, sampleOf, smapsOf } from "../helpers/samples";

const thresholds = ThresholdsSchema.parse({});
const AT = "2025-03-01T12:00:00Z";
/** 60 MB of code, 700 MB of a mapped data file, 500 MB anonymous. */
const PARTS = { codeMb: 60, dataMb: 700, anonymousMb: 500 };

/** A sample of process 42 with its smaps walked, holding these collections (null: the API failed). */
function walked(collections: CollectionFigures[] | null, overrides: Partial<Sample> = {}): Sample {
  const process = processOf(PARTS.codeMb + PARTS.dataMb + PARTS.anonymousMb, {
    anonymousBytes: PARTS.anonymousMb * MB,
    fileBytes: (PARTS.codeMb + PARTS.dataMb) * MB,
    shmemBytes: 0,
  });
  return { ...sampleOf(AT, process, collections), smaps: smapsOf(Date.parse(AT), PARTS), ...overrides };
}

const part = (snapshot: Snapshot, name: string) => snapshot.memory_attribution?.parts.find((p) => p.part === name);
const collectionsPart = (sample: Sample) => part(buildSnapshot(sample, thresholds), "collections");

describe("what the attribution's collections part says it counts", () => {
  it("counts nothing for a target without a database", () => {
    const none = { name: "p", kind: "none", pid: 42, url: null };
    expect(collectionsPart(walked([collectionOf("docs", 10)], { target: none }))).toMatchObject({
      bytes: 0,
      source: "no database (target kind none)",
    });
  });

  it("leaves the collections to unexplained when the API failed", () => {
    expect(collectionsPart(walked(null))).toMatchObject({
      bytes: 0,
      source: "vectorizer API unreadable (see errors): counted in unexplained",
    });
  });

  it("sums the collections' own figures, and says how many have none", () => {
    const docs = collectionOf("docs", 10_000);
    const all = collectionsPart(walked([docs, collectionOf("news", 20_000)]));
    expect(all).toMatchObject({ bytes: 30_000 * 768 * 4, source: "vectorizer API: the 2 collections' own figures" });
    const some = collectionsPart(walked([docs, collectionOf("news", 20_000, { actualBytes: null })]));
    expect(some).toMatchObject({
      bytes: 10_000 * 768 * 4,
      source: "vectorizer API: the 1 collections' own figures; 1 without a figure",
    });
  });

  it("prefers the anonymous (heap) figure where any collection gives one", () => {
    const heap = collectionOf("docs", 10_000, { anonymousBytes: 20 * MB });
    expect(collectionsPart(walked([heap, collectionOf("news", 10_000)]))).toMatchObject({
      bytes: 20 * MB + 10_000 * 768 * 4,
      source: "vectorizer API: the 2 collections' anonymous (heap) figures",
    });
  });
});

describe("the attribution in the snapshot", () => {
  it("comes only from a walk of the sampled process", () => {
    const other = walked([], { smaps: { ...smapsOf(Date.parse(AT), PARTS), pid: 43 } });
    expect(buildSnapshot(other, thresholds).memory_attribution).toBeNull();
    expect(buildSnapshot(walked([]), thresholds).memory_attribution).not.toBeNull();
  });

  it("takes the code it tells apart as the runtime baseline, not every file-backed page", () => {
    expect(buildSnapshot(walked([]), thresholds).discrepancy_analysis.runtime_baseline_bytes).toBe(60 * MB);
    const unwalked = buildSnapshot(walked([], { smaps: null }), thresholds);
    expect(unwalked.discrepancy_analysis.runtime_baseline_bytes).toBe(760 * MB);
  });

  it("reports the attribution's errors under its own source", () => {
    // The database claims 700 MB of the 500 MB anonymous: capped, and said.
    const snapshot = buildSnapshot(walked([collectionOf("docs", 10_000, { anonymousBytes: 700 * MB })]), thresholds);
    expect(snapshot.errors).toEqual([
      { source: "attribution", message: expect.stringContaining("the claim is capped") as string },
    ]);
  });
});

describe("the figures health and findings judge", () => {
  it("holds the cgroup limit against its working set, not its usage with page cache", () => {
    const cgroup = cgroupOf(1000, 950, { usageBytes: 990 * MB });
    const snapshot = buildSnapshot({ ...sampleOf(AT, processOf(100), []), cgroup }, thresholds);
    expect(snapshot.findings.find((f) => f.code === "HostMemoryHigh")).toMatchObject({
      severity: "warning",
      value: 95,
    });
  });

  it.each([
    ["no swap on the host", 0, 0, null],
    ["5 % of host swap used", 1000, 50, null],
    ["20 % of host swap used", 1000, 200, 20],
  ])("deducts for swapping with %s only past 10 %", (_what, totalMb, usedMb, value) => {
    const sample = sampleOf(AT, processOf(100, { swapBytes: 10 * MB }), []);
    const system = { ...sample.system!, swapTotalBytes: totalMb * MB, swapUsedBytes: usedMb * MB };
    const swapping = buildSnapshot({ ...sample, system }, thresholds).health.deductions.find(
      (d) => d.code === "swapping",
    );
    expect(swapping?.value ?? null).toBe(value);
  });
});

describe("the trend points read back from snapshots", () => {
  it("carry the process's start time and the cgroup's OOM kills", () => {
    const sample = { ...walked([]), processStartTicks: 12_345, cgroup: cgroupOf(4096, 1000, { oomKills: 2 }) };
    expect(snapshotTrendPoints([buildSnapshot(sample, thresholds)])[0]).toMatchObject({
      processStartTicks: 12_345,
      oomKills: 2,
    });
  });

  it("have an unexplained figure only while the target is up", () => {
    const up = buildSnapshot(walked([]), thresholds);
    const down = buildSnapshot(walked([], { downReasons: ["the API did not answer"] }), thresholds);
    expect(part(down, "unexplained")?.bytes).toBe(500 * MB);
    expect(snapshotTrendPoints([up, down]).map((p) => p.unexplainedBytes)).toEqual([500 * MB, null]);
  });
});
