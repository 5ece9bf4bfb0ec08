import type { CollectionFigures } from "../sources/types";
import type { CollectionTotals, Discrepancy } from "./analysis";
import type { AttributionPart } from "./attribution";

/** A collection this large without quantization is worth a warning. */
export const LARGE_COLLECTION_VECTORS = 100_000;

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

/** What happened to the target within the events lookback: OOM kills in its cgroup, restarts of its process. */
export interface TargetEvents {
  oomKills: number;
  restarts: number;
  lookbackMinutes: number;
}

/** Where the trend says memory runs out, while it grows within the trend window. */
export interface Exhaustion {
  hoursUntilLimit: number;
  scope: MemoryPressure["scope"];
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
  /** Null until the trend sees memory grow towards a known limit. */
  exhaustion: Exhaustion | null;
  events: TargetEvents;
}

/**
 * The line memory runs into first: the cgroup limit (the tightest up the hierarchy, held against
 * its working set) or host RAM, whichever has less room left; either one alone where only one is known.
 */
export function memoryPressure(
  host: { usedBytes: number | null; totalBytes: number | null } | null,
  cgroup: { limitBytes: number | null; usageBytes: number | null } | null,
): MemoryPressure | null {
  const limited: MemoryPressure | null =
    cgroup?.limitBytes && cgroup.usageBytes !== null
      ? { scope: "cgroup", usedBytes: cgroup.usageBytes, limitBytes: cgroup.limitBytes }
      : null;
  const hostUsedBytes = host?.usedBytes ?? null;
  const hostTotalBytes = host?.totalBytes ?? null;
  const hostPressure: MemoryPressure | null =
    hostUsedBytes === null || hostTotalBytes === null
      ? null
      : { scope: "host", usedBytes: hostUsedBytes, limitBytes: hostTotalBytes };
  if (limited === null || hostPressure === null) return limited ?? hostPressure;
  const room = (p: MemoryPressure) => p.limitBytes - p.usedBytes;
  return room(hostPressure) < room(limited) ? hostPressure : limited;
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
