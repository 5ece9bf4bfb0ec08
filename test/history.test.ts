import { ThresholdsSchema } from "../src/config/schema";
import { buildSnapshot } from "../src/snapshot/build";
import { SnapshotHistory } from "../src/snapshot/history";
import type { Snapshot } from "../src/snapshot/schema";
import type { CollectionFigures } from "../src/sources/types";
import { collectionOf } from "./helpers/samples";

const thresholds = ThresholdsSchema.parse({});

/** A snapshot of a database holding these collections, each `vectors` large and unquantized. */
function snapshotOf(vectors: Record<string, number>): Snapshot {
  const collections: CollectionFigures[] = Object.entries(vectors).map(([name, vectorCount]) =>
    collectionOf(name, vectorCount, { dimension: 384, documentCount: vectorCount, actualBytes: vectorCount * 384 * 4 }),
  );
  return buildSnapshot(
    {
      takenAt: new Date(),
      durationSeconds: 0.01,
      target: { name: "db", kind: "vectorizer", pid: null, url: null },
      system: null,
      process: null,
      cgroup: null,
      collections,
      errors: [],
      downReasons: [],
    },
    thresholds,
  );
}

const json = (snapshot: Snapshot) => JSON.parse(JSON.stringify(snapshot)) as unknown;

describe("the snapshot history", () => {
  it("keeps one copy of what did not change between two samples, and the figures of each", () => {
    const history = new SnapshotHistory(10);
    const first = snapshotOf({ big: 200_000, small: 10 });
    const second = snapshotOf({ big: 200_000, small: 10 });
    const expected = [json(first), json(second)];
    history.add(first);
    history.add(second);
    const [older, newer] = history.recent("db", 2);
    expect(newer.findings.length).toBeGreaterThan(0);
    expect(newer.recommendations.length).toBeGreaterThan(0);
    expect(newer.collections_info.collections_detail).toBe(older.collections_info.collections_detail);
    expect(newer.findings[0]).toBe(older.findings[0]);
    expect(newer.recommendations[0]).toBe(older.recommendations[0]);
    expect([json(older), json(newer)]).toEqual(expected);
  });

  it("keeps a changed collection as it is and still shares the others", () => {
    const history = new SnapshotHistory(10);
    history.add(snapshotOf({ a: 10, b: 20, c: 30 }));
    const changed = snapshotOf({ a: 10, b: 21, d: 40 });
    const expected = json(changed);
    history.add(changed);
    const [older, newer] = history.recent("db", 2);
    const [a, b, d] = newer.collections_info.collections_detail;
    expect(a).toBe(older.collections_info.collections_detail[0]);
    expect(b).not.toBe(older.collections_info.collections_detail[1]);
    expect(b.vector_count).toBe(21);
    expect(d.name).toBe("d");
    expect(json(newer)).toEqual(expected);
  });

  it.each([
    ["the last collection dropped", { a: 10, b: 20 }],
    ["the collections in another order", { b: 20, a: 10, c: 30 }],
  ])("keeps the collections as they now are, with %s", (_what, now) => {
    const history = new SnapshotHistory(10);
    history.add(snapshotOf({ a: 10, b: 20, c: 30 }));
    const next = snapshotOf(now);
    const expected = json(next);
    history.add(next);
    expect(json(history.latest("db")!)).toEqual(expected);
  });

  it("holds at most its capacity of snapshots per target, dropping the oldest", () => {
    const history = new SnapshotHistory(3);
    const added = [1, 2, 3, 4, 5].map((n) => snapshotOf({ a: n }));
    for (const snapshot of added.slice(0, 3)) history.add(snapshot);
    expect(history.recent("db", 10)).toEqual(added.slice(0, 3));
    for (const snapshot of added.slice(3)) history.add(snapshot);
    expect(history.recent("db", 10)).toEqual(added.slice(2));
    expect(history.recent("db", 2)).toEqual(added.slice(3));
    expect(history.latest("db")).toBe(added[4]);
  });
});
