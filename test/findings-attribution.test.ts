import fc from "fast-check";
import { ThresholdsSchema } from "../src/config/schema";
import { buildSnapshot } from "../src/snapshot/build";
import type { Sample } from "../src/snapshot/sample";
import { snapshotTrendPoints } from "../src/snapshot/trend";
import type { SmapsReading } from "../src/sources/smaps";
import { sampleArb } from "./helpers/arbitraries";
import { collectionOf, MB, processOf, sampleOf } from "./helpers/samples";

const thresholds = ThresholdsSchema.parse({});
const START = Date.parse("2024-01-15T10:00:00Z");
const MINUTE_MS = 60_000;

/** A walk of a process with `codeMb` of its binary, `dataMb` of a mapped file and `anonymousMb` anonymous. */
function walk(codeMb: number, dataMb: number, anonymousMb: number, at = START): SmapsReading {
  const mapping = (start: number, permissions: string, path: string, mb: number, anonymous: boolean) => ({
    startAddress: start,
    endAddress: start + mb * MB + 4096,
    permissions,
    path,
    rssBytes: mb * MB,
    anonymousBytes: anonymous ? mb * MB : 0,
    swapBytes: 0,
  });
  return {
    pid: 42,
    readAtMs: at,
    mappings: [
      mapping(0x400000, "r-xp", "/usr/bin/db", codeMb, false),
      mapping(0x7f0000000000, "r--s", "/var/lib/db/segment.dat", dataMb, false),
      mapping(0x7f1000000000, "rw-p", "", anonymousMb, true),
    ],
    threads: { threads: 1, stackPointers: [], unreadable: 0 },
  };
}

/** A database holding `collectionMb` in one collection, whose process holds the parts given. */
function attributed(
  at: number,
  parts: { codeMb: number; dataMb: number; anonymousMb: number },
  collections = [collectionOf("docs", 100_000)],
): Sample {
  const { codeMb, dataMb, anonymousMb } = parts;
  const process = processOf(codeMb + dataMb + anonymousMb, {
    anonymousBytes: anonymousMb * MB,
    fileBytes: (codeMb + dataMb) * MB,
    shmemBytes: 0,
  });
  return { ...sampleOf(new Date(at), process, collections), smaps: walk(codeMb, dataMb, anonymousMb, at) };
}

const codes = (s: { findings: Array<{ code: string }> }) => s.findings.map((f) => f.code);

describe("findings that use the attribution", () => {
  it("name the largest parts of the unaccounted memory in UnaccountedMemoryCritical and OverheadCritical", () => {
    const snapshot = buildSnapshot(attributed(START, { codeMb: 60, dataMb: 700, anonymousMb: 700 }), thresholds);
    const collectionMb = (100_000 * 768 * 4) / MB;
    const unexplainedMb = Math.round((700 - collectionMb) * 10) / 10;
    for (const code of ["UnaccountedMemoryCritical", "OverheadCritical"]) {
      expect(snapshot.findings.find((f) => f.code === code)?.message).toContain(
        `largest parts: data_files 700 MB, unexplained ${unexplainedMb} MB, code 60 MB`,
      );
    }
  });

  it("leave UnaccountedMemoryCritical, overhead, growth and ReviewDataStructures to targets with collection figures", () => {
    const process = processOf(2000, { fileBytes: 50 * MB });
    const none = buildSnapshot(
      { ...sampleOf(new Date(START), process, []), target: { name: "p", kind: "none", pid: 42, url: null } },
      thresholds,
    );
    const noFigures = buildSnapshot(
      sampleOf(new Date(START), process, [collectionOf("docs", 100_000, { actualBytes: null })]),
      thresholds,
    );
    const withFigures = buildSnapshot(sampleOf(new Date(START), process, [collectionOf("docs", 100_000)]), thresholds);
    for (const snapshot of [none, noFigures]) {
      expect(
        codes(snapshot).filter((c) =>
          ["UnaccountedMemoryCritical", "OverheadCritical", "OverheadHigh", "ReviewDataStructures"].includes(c),
        ),
      ).toEqual([]);
    }
    expect(codes(withFigures)).toEqual(
      expect.arrayContaining(["UnaccountedMemoryCritical", "OverheadCritical", "ReviewDataStructures"]),
    );
  });

  it("raise UnexplainedMemoryGrowth when the unexplained part grows past the threshold over the window", () => {
    const grown = (mbPerHour: number) => {
      const at = (m: number) =>
        attributed(START + m * MINUTE_MS, { codeMb: 40, dataMb: 100, anonymousMb: 400 + (mbPerHour * m) / 60 });
      const earlier = Array.from({ length: 40 }, (_, m) => buildSnapshot(at(m), thresholds));
      return buildSnapshot(at(40), thresholds, snapshotTrendPoints(earlier));
    };
    const leaking = grown(90);
    expect(leaking.trend).toMatchObject({ unexplained_growing: true, recent_unexplained_slope_mb_per_hour: 90 });
    expect(leaking.findings.find((f) => f.code === "UnexplainedMemoryGrowth")).toEqual({
      severity: "warning",
      code: "UnexplainedMemoryGrowth",
      message:
        "unexplained memory (anonymous memory no collection, allocator or stack accounts for) grows by 90 MB/hour over the last 30 min (over 50 MB/hour): a possible leak",
      value: 90,
      threshold: 50,
    });
    expect(codes(grown(40))).not.toContain("UnexplainedMemoryGrowth");
    expect(grown(40).trend?.unexplained_growing).toBe(false);
  });

  it("do not raise it while the readings span less than the window", () => {
    const at = (m: number) => attributed(START + m * MINUTE_MS, { codeMb: 40, dataMb: 100, anonymousMb: 400 + 10 * m });
    const earlier = Array.from({ length: 20 }, (_, m) => buildSnapshot(at(m), thresholds));
    expect(codes(buildSnapshot(at(20), thresholds, snapshotTrendPoints(earlier)))).not.toContain(
      "UnexplainedMemoryGrowth",
    );
  });

  it("never speak of a leak but in UnexplainedMemoryGrowth", () => {
    fc.assert(
      fc.property(sampleArb, (sample) => {
        const snapshot = buildSnapshot(sample, thresholds);
        expect(
          snapshot.findings.filter((f) => f.code !== "UnexplainedMemoryGrowth" && /leak/i.test(f.message)),
        ).toEqual([]);
      }),
    );
  });
});
