import type { SmapsMapping, SmapsReading } from "../sources/smaps";

/** What the kernel's figures alone tell apart (SPEC section 3a); `anonymous` is divided further by the database. */
export type KernelPart = "code" | "data_files" | "shared_memory" | "stacks" | "anonymous";

/** How a database lays out its files: the collection a mapped file belongs to, or null. */
export type StorageLayout = (path: string) => string | null;

const QDRANT_COLLECTION_PATH = /\/collections\/([^/]+)\//;

/** Target kinds whose storage paths name their collections. */
export const STORAGE_LAYOUTS: Readonly<Record<string, StorageLayout>> = {
  qdrant: (path) => QDRANT_COLLECTION_PATH.exec(path)?.[1] ?? null,
};

/** One of the largest mappings, as the snapshot lists it. */
export interface MappingFigures {
  /** The file, or the kind of mapping: [heap], [stack], [thread stack], [anonymous]. */
  mapping: string;
  address: string;
  part: KernelPart;
  collection: string | null;
  rssBytes: number;
  anonymousBytes: number;
  swapBytes: number;
}

/** The walk's resident bytes by kernel part; they sum to the walk's Rss. */
export interface KernelBreakdown {
  codeBytes: number;
  dataFilesBytes: number;
  /** Data-file bytes per collection, where the target's storage layout names it. */
  dataFilesByCollection: Record<string, number>;
  sharedMemoryBytes: number;
  stacksBytes: number;
  /** Anonymous pages outside the stacks: what collections, allocator_free and unexplained divide. */
  anonymousBytes: number;
  mainStack: boolean;
  /** Thread stacks told apart by a thread's stack pointer. */
  threadStacks: number;
  threads: number;
  unreadableThreads: number;
  mappingsTop: MappingFigures[];
}

export const MAPPINGS_TOP = 20;

const SHARED_MEMORY_PATHS = [/^\/dev\/shm\//, /^\/SYSV[0-9a-f]+/, /^\/memfd:/, /^\/dev\/zero/];
const KERNEL_CODE = /^\[(vdso|vvar|vvar_vclock|vsyscall)\]$/;

const isFile = (path: string) => path.startsWith("/");
const isSharedMemory = (path: string) => SHARED_MEMORY_PATHS.some((p) => p.test(path));

/** Files with an executable mapping: the binary and each shared library; all their segments are code. */
function executableFiles(mappings: SmapsMapping[]): Set<string> {
  const files = new Set<string>();
  for (const m of mappings) {
    if (m.permissions[2] === "x" && isFile(m.path) && !isSharedMemory(m.path)) files.add(m.path);
  }
  return files;
}

/** The anonymous mappings that hold a thread's stack pointer. */
function threadStackMappings(mappings: SmapsMapping[], stackPointers: number[]): Set<SmapsMapping> {
  const anonymous = mappings.filter((m) => m.path === "");
  const found = new Set<SmapsMapping>();
  for (const pointer of stackPointers) {
    const holder = anonymous.find((m) => pointer >= m.startAddress && pointer < m.endAddress);
    if (holder !== undefined) found.add(holder);
  }
  return found;
}

/** Where a mapping's pages that are not anonymous go, by its backing. */
function backingPart(path: string, executables: Set<string>): KernelPart {
  if (executables.has(path) || KERNEL_CODE.test(path)) return "code";
  if (isSharedMemory(path)) return "shared_memory";
  if (isFile(path)) return "data_files";
  return "anonymous";
}

function mappingName(m: SmapsMapping, threadStack: boolean): string {
  if (threadStack) return "[thread stack]";
  return m.path === "" ? "[anonymous]" : m.path;
}

function hex(address: number): string {
  return address.toString(16).padStart(12, "0");
}

/** The largest mappings by resident bytes. */
function largest(entries: MappingFigures[]): MappingFigures[] {
  return [...entries].sort((a, b) => b.rssBytes - a.rssBytes).slice(0, MAPPINGS_TOP);
}

/**
 * Classifies a walk of /proc/<pid>/smaps mapping by mapping (SPEC section 3a): `[stack]` and any
 * anonymous mapping holding a thread's stack pointer are stacks; elsewhere anonymous pages are
 * anonymous, and the other resident pages go by backing (code, shared memory, data files).
 */
export function classifyMappings(reading: SmapsReading, layout: StorageLayout | null): KernelBreakdown {
  const executables = executableFiles(reading.mappings);
  const threadStacks = threadStackMappings(reading.mappings, reading.threads.stackPointers);
  const totals: Record<KernelPart, number> = { code: 0, data_files: 0, shared_memory: 0, stacks: 0, anonymous: 0 };
  const dataFilesByCollection: Record<string, number> = {};
  const entries: MappingFigures[] = [];
  let mainStack = false;
  for (const m of reading.mappings) {
    const isStack = m.path === "[stack]" || threadStacks.has(m);
    mainStack ||= m.path === "[stack]";
    const part = isStack ? "stacks" : backingPart(m.path, executables);
    const collection = part === "data_files" && layout !== null ? layout(m.path) : null;
    if (isStack) {
      totals.stacks += m.rssBytes;
    } else {
      totals.anonymous += m.anonymousBytes;
      totals[part] += m.rssBytes - m.anonymousBytes;
    }
    if (collection !== null)
      dataFilesByCollection[collection] = (dataFilesByCollection[collection] ?? 0) + m.rssBytes - m.anonymousBytes;
    if (m.rssBytes > 0 || m.swapBytes > 0) {
      entries.push({
        mapping: mappingName(m, threadStacks.has(m)),
        address: `${hex(m.startAddress)}-${hex(m.endAddress)}`,
        part,
        collection,
        rssBytes: m.rssBytes,
        anonymousBytes: m.anonymousBytes,
        swapBytes: m.swapBytes,
      });
    }
  }
  return {
    codeBytes: totals.code,
    dataFilesBytes: totals.data_files,
    dataFilesByCollection,
    sharedMemoryBytes: totals.shared_memory,
    stacksBytes: totals.stacks,
    anonymousBytes: totals.anonymous,
    mainStack,
    threadStacks: threadStacks.size,
    threads: reading.threads.threads,
    unreadableThreads: reading.threads.unreadable,
    mappingsTop: largest(entries),
  };
}
