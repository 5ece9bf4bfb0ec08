import type { CollectionFigures } from "../sources/types";
import type { CollectionTotals, Discrepancy } from "./analysis";

/** A collection this large without quantization is worth a warning. */
export const LARGE_COLLECTION_VECTORS = 100_000;

/** Memory in use against the line that matters: the cgroup limit where set, else host RAM. */
export interface MemoryPressure {
  scope: "cgroup" | "host";
  usedBytes: number;
  limitBytes: number;
}

/** Everything health and findings judge, already measured and computed. */
export interface Assessment {
  collections: CollectionFigures[];
  totals: CollectionTotals;
  discrepancy: Discrepancy;
  memoryPressure: MemoryPressure | null;
  processSwapBytes: number | null;
  hostSwapUsedRatio: number | null;
  /** Unaccounted memory grows past the trend threshold. */
  unaccountedGrowing: boolean;
  /** Why the target's process or API could not be reached; empty when it is up. */
  downReasons: string[];
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
