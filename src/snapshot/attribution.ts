import { BYTES_PER_MB, roundTo } from "./analysis";
import type { KernelBreakdown, MappingFigures } from "./smaps-classify";

/** The parts of SPEC section 3a, in the order the snapshot lists them. */
export const ATTRIBUTION_PARTS = [
  "code",
  "data_files",
  "shared_memory",
  "stacks",
  "collections",
  "allocator_free",
  "unexplained",
] as const;
export type AttributionPartName = (typeof ATTRIBUTION_PARTS)[number];

export interface AttributionPart {
  part: AttributionPartName;
  bytes: number;
  /** Where the figure comes from. */
  source: string;
}

/** The target's resident memory split into parts that sum to it. */
export interface Attribution {
  parts: AttributionPart[];
  /** The sum of the parts: VmRSS of the sample where the status counters are known, else the walk's Rss. */
  residentBytes: number;
  mappingsTop: MappingFigures[];
  readAtMs: number;
  /** The unexplained part, or null while the database's figures are unknown (its API failed). */
  unexplainedBytes: number | null;
  errors: string[];
}

/** The cheap counters of /proc/<pid>/status that carry the walk between two walks; null where unknown. */
export interface StatusCounters {
  anonymousBytes: number | null;
  fileBytes: number | null;
  shmemBytes: number | null;
}

/** What the database and its runtime say they hold in anonymous memory. */
export interface AnonymousClaims {
  /** Σ over collections of the anonymous figure (else the total); null when the database's figures are unknown. */
  collectionsBytes: number | null;
  collectionsSource: string;
  allocatorFreeBytes: number | null;
  allocatorFreeSource: string | null;
}

const mb = (bytes: number) => `${roundTo(bytes / BYTES_PER_MB, 1)} MB`;

/**
 * Integers proportional to `weights` that sum exactly to `total` (largest remainder). With no
 * weight at all, the total goes to `fallback`.
 */
export function scaleToTotal(weights: number[], total: number, fallback: number): number[] {
  const sum = weights.reduce((s, w) => s + w, 0);
  if (sum === 0) return weights.map((_, i) => (i === fallback ? total : 0));
  const exact = weights.map((w) => (w * total) / sum);
  const scaled = exact.map(Math.floor);
  let left = total - scaled.reduce((s, v) => s + v, 0);
  // Array.prototype.sort is stable: equal remainders keep the weights' order.
  const byRemainder = exact.map((v, i) => ({ i, r: v - Math.floor(v) })).sort((a, b) => b.r - a.r);
  for (const { i } of byRemainder) {
    if (left <= 0) break;
    scaled[i] += 1;
    left -= 1;
  }
  return scaled;
}

interface KernelParts {
  code: number;
  dataFiles: number;
  sharedMemory: number;
  stacks: number;
  anonymous: number;
  scaled: boolean;
}

/**
 * The walk's parts carried to the status counters: anonymous pages (stacks and the anonymous
 * rest) scale with RssAnon, file pages (code, data files) with RssFile, shared memory with
 * RssShmem, so the parts sum to RssAnon + RssFile + RssShmem = VmRSS.
 */
export function scaleToCounters(b: KernelBreakdown, counters: StatusCounters): KernelParts {
  const { anonymousBytes: anon, fileBytes: file, shmemBytes: shmem } = counters;
  if (anon === null || file === null || shmem === null) {
    return {
      code: b.codeBytes,
      dataFiles: b.dataFilesBytes,
      sharedMemory: b.sharedMemoryBytes,
      stacks: b.stacksBytes,
      anonymous: b.anonymousBytes,
      scaled: false,
    };
  }
  const [stacks, anonymous] = scaleToTotal([b.stacksBytes, b.anonymousBytes], anon, 1);
  const [code, dataFiles] = scaleToTotal([b.codeBytes, b.dataFilesBytes], file, 1);
  return { code, dataFiles, sharedMemory: shmem, stacks, anonymous, scaled: true };
}

function stacksSource(b: KernelBreakdown): string {
  const main = b.mainStack ? "the main [stack]" : "no main [stack]";
  const others = Math.max(0, b.threads - 1);
  return `kernel smaps: ${main} and ${b.threadStacks} of ${others} thread stacks (by the threads' stack pointers)`;
}

function dataFilesSource(b: KernelBreakdown): string {
  const byCollection = Object.entries(b.dataFilesByCollection).sort((x, y) => y[1] - x[1]);
  const base = "kernel smaps: memory-mapped files other than code";
  if (byCollection.length === 0) return base;
  return `${base}; by collection at the walk: ${byCollection.map(([name, bytes]) => `${name} ${mb(bytes)}`).join(", ")}`;
}

function threadErrors(b: KernelBreakdown): string[] {
  if (b.unreadableThreads === 0) return [];
  return [
    `the stack pointers of ${b.unreadableThreads} of ${b.threads - 1} threads could not be read (running, or not permitted): ` +
      "their stacks cannot be told apart and count as anonymous memory",
  ];
}

/** The anonymous rest divided by the database's claims; the claims are capped so that no part is negative. */
function divideAnonymous(anonymous: number, claims: AnonymousClaims, errors: string[]): AttributionPart[] {
  const claimed = claims.collectionsBytes ?? 0;
  const allocator = claims.allocatorFreeBytes ?? 0;
  const collections = Math.min(claimed, anonymous);
  const allocatorFree = Math.min(allocator, anonymous - collections);
  let collectionsSource = claims.collectionsSource;
  if (claimed + allocator > anonymous) {
    errors.push(
      `the database claims ${mb(claimed)} for its collections and ${mb(allocator)} held free by its allocator, ` +
        `more than the ${mb(anonymous)} of anonymous memory outside the stacks: the claim is capped, and nothing is unexplained`,
    );
    collectionsSource += ` (claims ${mb(claimed)}; capped at the anonymous memory)`;
  }
  const allocatorSource = claims.allocatorFreeSource ?? "not exposed by the target: counted in unexplained";
  return [
    { part: "collections", bytes: collections, source: collectionsSource },
    { part: "allocator_free", bytes: allocatorFree, source: allocatorSource },
    {
      part: "unexplained",
      bytes: anonymous - collections - allocatorFree,
      source: "arithmetic: the anonymous memory outside the stacks minus collections and allocator_free",
    },
  ];
}

/**
 * The attribution of SPEC section 3a: the walk's kernel parts, carried to this sample's status
 * counters, and the anonymous rest divided by what the database and its runtime say.
 */
export function attribute(
  b: KernelBreakdown,
  readAtMs: number,
  counters: StatusCounters,
  claims: AnonymousClaims,
): Attribution {
  const kernel = scaleToCounters(b, counters);
  const errors = threadErrors(b);
  const carried = (counter: string) => (kernel.scaled ? `; ${counter} between walks` : "");
  const parts: AttributionPart[] = [
    {
      part: "code",
      bytes: kernel.code,
      source: `kernel smaps: the executable and shared libraries${carried("RssFile")}`,
    },
    { part: "data_files", bytes: kernel.dataFiles, source: `${dataFilesSource(b)}${carried("RssFile")}` },
    {
      part: "shared_memory",
      bytes: kernel.sharedMemory,
      source: `kernel smaps: shmem, /dev/shm, SysV and memfd mappings${carried("RssShmem")}`,
    },
    { part: "stacks", bytes: kernel.stacks, source: `${stacksSource(b)}${carried("RssAnon")}` },
    ...divideAnonymous(kernel.anonymous, claims, errors),
  ];
  return {
    parts,
    residentBytes: parts.reduce((sum, p) => sum + p.bytes, 0),
    mappingsTop: b.mappingsTop,
    readAtMs,
    unexplainedBytes: claims.collectionsBytes === null ? null : parts[parts.length - 1].bytes,
    errors,
  };
}
