import type { CollectionFigures } from "../sources/types";
import type { CollectionTotals, Discrepancy } from "./analysis";
import type { AttributionPart } from "./attribution";

/** A collection this large without quantization is worth a warning. */
const LARGE_COLLECTION_VECTORS = 100_000;

/** Memory in use against the line that matters: the cgroup limit where set, else host RAM. */
export interface MemoryPressure {
  scope: "cgroup" | "host";
  usedBytes: number;
  limitBytes: number;
}

/** A figure growing past the growth threshold (`MemoryGrowth`, `UnexplainedMemoryGrowth`), over at least the minimum window. */
export interface UnaccountedGrowth {
  slopeMbPerHour: number;
  thresholdMbPerHour: number;
  windowMinutes: number;
}

/** Everything health and findings judge, already measured and computed. */
export interface Assessment {
  collections: CollectionFigures[];
  totals: CollectionTotals;
  discrepancy: Discrepancy;
  memoryPressure: MemoryPressure | null;
  processSwapBytes: number | null;
  hostSwapUsedRatio: number | null;
  /** Null unless unaccounted memory grows past the trend threshold. */
  unaccountedGrowth: UnaccountedGrowth | null;
  /** Null unless the attribution's unexplained part grows past the trend threshold. */
  unexplainedGrowth: UnaccountedGrowth | null;
  /** The database gave a byte figure for at least one collection: the collection findings apply. */
  collectionFiguresKnown: boolean;
  /** Where the resident memory is (SPEC section 3a); null when smaps is not read. */
  attribution: AttributionPart[] | null;
  /** Why the target's process or API could not be reached; empty when it is up. */
  downReasons: string[];
}

/** The cgroup limit where one is set (the real OOM line), else host RAM. */
export function memoryPressure(
  host: { usedBytes: number | null; totalBytes: number | null } | null,
  cgroup: { limitBytes: number | null; usageBytes: number | null } | null,
): MemoryPressure | null {
  if (cgroup?.limitBytes && cgroup.usageBytes !== null) {
    return { scope: "cgroup", usedBytes: cgroup.usageBytes, limitBytes: cgroup.limitBytes };
  }
  if (host === null || host.usedBytes === null || host.totalBytes === null) return null;
  return { scope: "host", usedBytes: host.usedBytes, limitBytes: host.totalBytes };
}

export function pressureRatio(pressure: MemoryPressure): number {
  return pressure.limitBytes === 0 ? 0 : pressure.usedBytes / pressure.limitBytes;
}

export function largeUnquantizedCollections(collections: CollectionFigures[]): CollectionFigures[] {
  return collections.filter((c) => c.vectorCount > LARGE_COLLECTION_VECTORS && c.quantization === "none");
}

export function hasLargeCollection(collections: CollectionFigures[]): boolean {
  return collections.some((c) => c.vectorCount > LARGE_COLLECTION_VECTORS);
}
