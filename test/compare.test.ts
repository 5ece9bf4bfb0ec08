import fc from "fast-check";
import { ThresholdsSchema } from "../src/config/schema";
import { buildSnapshot } from "../src/snapshot/build";
import { compareSnapshots, figureChanges, isUnchanged, type SnapshotComparison } from "../src/snapshot/compare";
import { SnapshotSchema, type Snapshot } from "../src/snapshot/schema";
import type { CollectionFigures } from "../src/sources/types";
import { arbitraryOf } from "./helpers/arbitraries";
import { collectionOf, MB, processOf, sampleOf } from "./helpers/samples";

const thresholds = ThresholdsSchema.parse({});

function snapshotOf(at: string, residentMb: number, collections: CollectionFigures[]): Snapshot {
  return buildSnapshot(
    sampleOf(at, processOf(residentMb, { fileBytes: 100 * MB, virtualBytes: 4096 * MB }), collections),
    thresholds,
  );
}

const before = snapshotOf("2024-01-15T10:00:00Z", 4000, [
  collectionOf("docs", 1_200_000, { indexBytes: 1000 }),
  collectionOf("images", 300_000),
  collectionOf("old", 1000),
]);
const after = snapshotOf("2024-01-15T11:30:00Z", 2000, [
  collectionOf("docs", 1_200_000, { quantization: "sq8", actualBytes: 1_200_000 * 768 }),
  collectionOf("images", 150_000),
  collectionOf("new", 5000),
]);

const figure = (c: SnapshotComparison, section: string, name: string) =>
  c.figures.find((f) => f.section === section && f.figure === name);

describe("comparing two snapshots", () => {
  // Compared in each test, not at collection, so a mutant of compare.ts is active while it runs.
  let diff: SnapshotComparison;
  beforeEach(() => {
    diff = compareSnapshots(before, after);
  });

  it("gives the time between them", () => {
    expect(diff.elapsed_seconds).toBe(5400);
    expect(diff.old).toEqual({ timestamp: "2024-01-15T10:00:00.000Z", target: "db" });
  });

  it("reports decreases in MB and percent, as ordinary as increases", () => {
    expect(figure(diff, "process_info", "physical_memory_mb")).toEqual({
      section: "process_info",
      figure: "physical_memory_mb",
      old: 4000,
      new: 2000,
      change: -2000,
      change_percent: -50,
    });
    expect(figure(diff, "collections_info", "total_vectors")).toMatchObject({
      old: 1_501_000,
      new: 1_355_000,
      change: -146_000,
      change_percent: -9.7,
    });
  });

  it("reports a quantity once, in MB, leaving its exact *_bytes twin out", () => {
    expect(figure(diff, "process_info", "physical_memory_bytes")).toBeUndefined();
    expect(diff.figures.some((f) => f.figure.endsWith("_bytes") && f.section !== "discrepancy_analysis")).toBe(false);
  });

  it("leaves unchanged figures out", () => {
    expect(figure(diff, "system_info", "total_memory_mb")).toBeUndefined();
    expect(figure(diff, "process_info", "virtual_memory_mb")).toBeUndefined();
  });

  it("gives the health score change", () => {
    expect(diff.health).toEqual({
      old_score: before.health.score,
      new_score: after.health.score,
      change: after.health.score! - before.health.score!,
      old_status: before.health.status,
      new_status: after.health.status,
    });
  });

  it("lists collections added, removed and changed, with what changed in each", () => {
    expect(diff.collections_added).toEqual(["new"]);
    expect(diff.collections_removed).toEqual(["old"]);
    expect(diff.collections_changed.map((c) => c.name)).toEqual(["docs", "images"]);
    const docs = diff.collections_changed[0];
    expect(docs.quantization).toEqual({ old: "none", new: "sq8" });
    expect(docs.figures.find((f) => f.figure === "actual_memory_mb")).toMatchObject({
      old: 3515.6,
      new: 878.9,
      change: -2636.7,
      change_percent: -75,
    });
    const images = diff.collections_changed[1];
    expect(images.quantization).toBeNull();
    expect(images.figures.find((f) => f.figure === "vector_count")).toMatchObject({
      old: 300_000,
      new: 150_000,
      change_percent: -50,
    });
  });

  it("lists findings that appeared and cleared, per collection where they are about one", () => {
    const cleared = diff.findings_cleared.map((f) => `${f.code}${f.collection ? `:${f.collection}` : ""}`);
    const appeared = diff.findings_appeared.map((f) => `${f.code}${f.collection ? `:${f.collection}` : ""}`);
    expect(cleared).toContain("EnableQuantization:docs");
    expect(cleared).toContain("EnableQuantization:old");
    expect(appeared).toContain("EnableQuantization:new");
    expect(appeared).not.toContain("EnableQuantization:images");
    expect(cleared).not.toContain("EnableQuantization:images");
  });

  it("has no percentage for a change from 0, and no change for an unknown side", () => {
    expect(figureChanges("s", { a: 0, b: null, c: 5 }, { a: 10, b: 3, c: null })).toEqual([
      { section: "s", figure: "a", old: 0, new: 10, change: 10, change_percent: null },
      { section: "s", figure: "b", old: null, new: 3, change: null, change_percent: null },
      { section: "s", figure: "c", old: 5, new: null, change: null, change_percent: null },
    ]);
  });

  it("reads a section present on one side only as unknown figures on the other", () => {
    const limited = {
      ...after,
      cgroup_info: {
        version: 2 as const,
        path: "/db",
        limit_mb: 4096,
        usage_mb: 2100,
        usage_percent: 51.3,
        limit_bytes: 4096 * MB,
        usage_bytes: 2100 * MB,
      },
    };
    const cgroup = compareSnapshots(before, limited).figures.filter((f) => f.section === "cgroup_info");
    expect(cgroup.map((f) => f.figure)).toEqual(["version", "limit_mb", "usage_mb", "usage_percent"]);
    expect(cgroup.every((f) => f.old === null && f.change === null)).toBe(true);
  });

  it("reports each attribution part that changed, in MB", () => {
    const withParts = (s: Snapshot, unexplainedMb: number): Snapshot => ({
      ...s,
      memory_attribution: {
        parts: [
          { part: "code", bytes: 40 * MB, mb: 40, source: "kernel", share_of_rss: 0.1 },
          {
            part: "unexplained",
            bytes: unexplainedMb * MB,
            mb: unexplainedMb,
            source: "arithmetic",
            share_of_rss: 0.1,
          },
        ],
        mappings_top: [],
        read_at: s.timestamp,
      },
    });
    const c = compareSnapshots(withParts(before, 100), withParts(after, 350));
    expect(c.figures.filter((f) => f.section === "memory_attribution")).toEqual([
      { section: "memory_attribution", figure: "unexplained_mb", old: 100, new: 350, change: 250, change_percent: 250 },
    ]);
    expect(compareSnapshots(before, withParts(after, 350)).figures.find((f) => f.figure === "code_mb")).toMatchObject({
      old: null,
      new: 40,
    });
  });

  it("rounds away floating-point noise in the change of MB figures", () => {
    expect(figureChanges("s", { x_mb: 2048.1 }, { x_mb: 2048.3 })[0].change).toBe(0.2);
  });
});

describe("compare, for any snapshots the schema accepts", () => {
  const snapshotArb = arbitraryOf(SnapshotSchema) as fc.Arbitrary<Snapshot>;

  it("generates only schema-valid snapshots (so the properties below mean something)", () => {
    fc.assert(
      fc.property(snapshotArb, (s) => expect(SnapshotSchema.safeParse(s).success).toBe(true)),
      { numRuns: 50 },
    );
  });

  it("finds nothing between a snapshot and itself", () => {
    fc.assert(
      fc.property(snapshotArb, (s) => {
        expect(isUnchanged(compareSnapshots(s, s))).toBe(true);
        expect(isUnchanged(compareSnapshots(s, structuredClone(s)))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it("says the opposite when read backwards", () => {
    fc.assert(
      fc.property(snapshotArb, snapshotArb, (a, b) => {
        const ab = compareSnapshots(a, b);
        const ba = compareSnapshots(b, a);
        expect(ab.elapsed_seconds + ba.elapsed_seconds).toBe(0);
        expect(ab.health.change === null ? ba.health.change : ab.health.change + ba.health.change!).toBe(
          ab.health.change === null ? null : 0,
        );
        expect([ab.old, ab.new]).toEqual([ba.new, ba.old]);
        expect(ab.findings_appeared).toEqual(ba.findings_cleared);
        expect(ab.findings_cleared).toEqual(ba.findings_appeared);
        expect(ab.collections_added).toEqual(ba.collections_removed);
        expect(ab.collections_removed).toEqual(ba.collections_added);
        expectOppositeFigures(ab.figures, ba.figures);
        expect(ab.collections_changed.map((c) => c.name)).toEqual(ba.collections_changed.map((c) => c.name));
        ab.collections_changed.forEach((c, i) => expectOppositeFigures(c.figures, ba.collections_changed[i].figures));
      }),
      { numRuns: 150 },
    );
  });
});

/** `ab` read backwards is `ba`: sides swapped, changes negated, percentages of opposite sign. */
function expectOppositeFigures(ab: SnapshotComparison["figures"], ba: SnapshotComparison["figures"]): void {
  const byKey = (x: { key: string }, y: { key: string }) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0);
  const key = (f: { section: string; figure: string }) => `${f.section}.${f.figure}`;
  const negate = (n: number | null) => (n === null ? null : -n + 0);
  const flipped = ab.map((f) => ({ key: key(f), old: f.new, new: f.old, change: negate(f.change) })).sort(byKey);
  const backwards = ba
    .map((f) => ({ key: key(f), old: f.old, new: f.new, change: negate(negate(f.change)) }))
    .sort(byKey);
  expect(flipped).toEqual(backwards);
  const percentBack = new Map(ba.map((f) => [key(f), f.change_percent]));
  const sameSign = ab.filter((f) => Math.sign(f.change_percent ?? 0) * Math.sign(percentBack.get(key(f)) ?? 0) > 0);
  expect(sameSign).toEqual([]);
}
