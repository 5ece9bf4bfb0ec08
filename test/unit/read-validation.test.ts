import { ThresholdsSchema } from "../../src/config/schema";
import { buildSnapshot } from "../../src/snapshot/build";
import { parseSnapshotJson, SnapshotInputError } from "../../src/snapshot/read";
import { collectionOf, processOf, sampleOf } from "../helpers/samples";

const thresholds = ThresholdsSchema.parse({});

function refusalOf(text: string): SnapshotInputError {
  try {
    parseSnapshotJson(text, thresholds);
  } catch (err) {
    if (err instanceof SnapshotInputError) return err;
    throw err;
  }
  throw new Error("expected the text to be refused");
}

function snapshotJsonWith(change: (s: Record<string, unknown>) => void): string {
  const snapshot = buildSnapshot(
    sampleOf("2024-01-15T10:30:00Z", processOf(900), [collectionOf("docs", 1000)]),
    thresholds,
  );
  const value = JSON.parse(JSON.stringify(snapshot)) as Record<string, unknown>;
  change(value);
  return JSON.stringify(value);
}

const badTotal = (s: Record<string, unknown>) => {
  (s.system_info as Record<string, unknown>).total_memory_mb = "lots";
};

describe("refusing a file that is not a snapshot, with the problem to fix", () => {
  it("judges a file with schema_version against memsnap's shape, counting the problems past the first", () => {
    const refusal = refusalOf(
      snapshotJsonWith((s) => {
        delete s.target;
        badTotal(s);
      }),
    );
    expect(refusal.message).toBe(
      "not a memsnap snapshot nor a seed-shaped one: target: Invalid input: expected object, received undefined (and 1 more problem)",
    );
    expect(refusal.name).toBe("SnapshotInputError");
  });

  it("judges a file without schema_version against the seed's shape, naming its one problem and nothing more", () => {
    const refusal = refusalOf(
      snapshotJsonWith((s) => {
        delete s.schema_version;
        delete s.target;
        badTotal(s);
      }),
    );
    expect(refusal.message).toBe(
      "not a memsnap snapshot nor a seed-shaped one: system_info.total_memory_mb: Invalid input: expected number, received string",
    );
  });
});
