import { ThresholdsSchema } from "../../src/config/schema";
import { buildSnapshot } from "../../src/snapshot/build";
import { compareSnapshots, isUnchanged } from "../../src/snapshot/compare";
import type { Finding } from "../../src/snapshot/findings";
import type { CollectionDetail, Snapshot } from "../../src/snapshot/schema";
import type { CollectionFigures } from "../../src/sources/types";
import { collectionOf, processOf, sampleOf } from "../helpers/samples";

const thresholds = ThresholdsSchema.parse({});

function snapshotOf(at: string, collections: CollectionFigures[], residentMb = 4000): Snapshot {
  return buildSnapshot(sampleOf(at, processOf(residentMb), collections), thresholds);
}

const T0 = "2024-01-15T10:00:00Z";

function findingOf(code: string, collection?: string, message = `${code} ${collection ?? ""}`): Finding {
  return {
    severity: "warning",
    code,
    message,
    value: null,
    threshold: null,
    ...(collection === undefined ? {} : { collection }),
  };
}

const withFindings = (s: Snapshot, findings: Finding[]): Snapshot => ({ ...s, findings });

const withDetails = (s: Snapshot, change: (details: CollectionDetail[]) => CollectionDetail[]): Snapshot => ({
  ...s,
  collections_info: { ...s.collections_info, collections_detail: change(s.collections_info.collections_detail) },
});

describe("compare: time and findings", () => {
  it("gives the seconds between the two snapshots, negative when read backwards", () => {
    const older = snapshotOf(T0, []);
    const newer = snapshotOf("2024-01-15T11:30:00Z", []);
    expect(compareSnapshots(older, newer).elapsed_seconds).toBe(5400);
    expect(compareSnapshots(newer, older).elapsed_seconds).toBe(-5400);
  });

  it("tells findings apart by code and collection, listing each once, the collection only where there is one", () => {
    const base = snapshotOf(T0, []);
    const older = withFindings(base, [
      findingOf("HostMemoryHigh"),
      findingOf("EnableQuantization", "docs", "first"),
      findingOf("EnableQuantization", "docs", "second"),
      findingOf("EnableQuantization", "kept"),
    ]);
    const newer = withFindings(base, [
      findingOf("HostMemoryHigh"),
      findingOf("EnableQuantization", "images"),
      findingOf("EnableQuantization", "kept"),
      findingOf("SwapInUse"),
      findingOf("SwapInUse"),
    ]);
    const c = compareSnapshots(older, newer);
    expect(c.findings_appeared).toStrictEqual([
      { severity: "warning", code: "EnableQuantization", collection: "images", message: "EnableQuantization images" },
      { severity: "warning", code: "SwapInUse", message: "SwapInUse " },
    ]);
    expect(c.findings_cleared).toStrictEqual([
      { severity: "warning", code: "EnableQuantization", collection: "docs", message: "first" },
    ]);
  });
});

describe("compare: collections added, removed and changed", () => {
  const older = () =>
    snapshotOf(T0, [
      collectionOf("zeta", 1000),
      collectionOf("alpha", 2000),
      collectionOf("same", 3000),
      collectionOf("quant", 4000),
      collectionOf("gone-b", 10),
      collectionOf("gone-a", 10),
    ]);
  const newer = () =>
    withDetails(
      snapshotOf(T0, [
        collectionOf("zeta", 1500),
        collectionOf("new-b", 10),
        collectionOf("new-a", 10),
        collectionOf("alpha", 2500),
        collectionOf("same", 3000),
        collectionOf("quant", 4000),
      ]),
      (details) => details.map((d) => (d.name === "quant" ? { ...d, quantization: "sq8", quantized: true } : d)),
    );

  it("lists the names added and removed, sorted", () => {
    const c = compareSnapshots(older(), newer());
    expect(c.collections_added).toEqual(["new-a", "new-b"]);
    expect(c.collections_removed).toEqual(["gone-a", "gone-b"]);
  });

  it("lists, sorted, each collection whose figures or quantization changed, and no other", () => {
    const c = compareSnapshots(older(), newer());
    expect(c.collections_changed.map((x) => x.name)).toEqual(["alpha", "quant", "zeta"]);
  });

  it("gives a collection's changed figures in the collections_detail section", () => {
    const alpha = compareSnapshots(older(), newer()).collections_changed[0];
    expect(alpha.quantization).toBeNull();
    expect(alpha.figures.map((f) => f.section)).toEqual(alpha.figures.map(() => "collections_detail"));
    expect(alpha.figures.find((f) => f.figure === "vector_count")).toEqual({
      section: "collections_detail",
      figure: "vector_count",
      old: 2000,
      new: 2500,
      change: 500,
      change_percent: 25,
    });
  });

  it("reports a change of quantization alone, with no figure changed", () => {
    expect(compareSnapshots(older(), newer()).collections_changed[1]).toEqual({
      name: "quant",
      figures: [],
      quantization: { old: "none", new: "sq8" },
    });
  });
});

describe("compare: 'no differences' only when nothing at all differs", () => {
  const base = () => snapshotOf(T0, [collectionOf("docs", 1000), collectionOf("images", 2000)], 900);
  const rename = (from: string, to: string) => (d: CollectionDetail[]) =>
    d.map((x) => (x.name === from ? { ...x, name: to } : x));

  it("finds a snapshot unchanged against itself", () => {
    expect(isUnchanged(compareSnapshots(base(), base()))).toBe(true);
  });

  it.each<[string, (s: Snapshot) => Snapshot]>([
    ["a later timestamp alone", (s) => ({ ...s, timestamp: "2024-01-15T10:00:01.000Z" })],
    ["a health score alone", (s) => ({ ...s, health: { ...s.health, score: s.health.score! - 5 } })],
    [
      "one figure alone",
      (s) => ({
        ...s,
        process_info: { ...s.process_info, physical_memory_mb: s.process_info.physical_memory_mb! + 1 },
      }),
    ],
    ["a finding that appeared", (s) => withFindings(s, [...s.findings, findingOf("SwapInUse")])],
    [
      "one finding appearing as another clears",
      (s) => withFindings(s, [...s.findings.slice(1), findingOf("SwapInUse")]),
    ],
    ["a collection renamed (one added, one removed)", (s) => withDetails(s, rename("docs", "docs-2"))],
    ["a collection removed", (s) => withDetails(s, (d) => d.slice(1))],
    [
      "a collection added as another changes",
      (s) =>
        withDetails(s, (d) => [
          ...d.map((x) => (x.name === "docs" ? { ...x, vector_count: 1001 } : x)),
          { ...d[0], name: "extra" },
        ]),
    ],
  ])("sees %s", (_what, change) => {
    const older = base();
    expect(older.findings.length).toBeGreaterThan(0);
    expect(isUnchanged(compareSnapshots(older, change(older)))).toBe(false);
  });
});
