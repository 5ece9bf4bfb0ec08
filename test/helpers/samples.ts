import type { Sample } from "../../src/snapshot/sample";
import type { SmapsReading } from "../../src/sources/smaps";
import type { CgroupMemory, CollectionFigures, ProcessMemory } from "../../src/sources/types";

export const MB = 1024 * 1024;

/** A process of `residentMb` MB whose other figures are unknown unless given. */
export function processOf(residentMb: number, overrides: Partial<ProcessMemory> = {}): ProcessMemory {
  return {
    pid: 42,
    residentBytes: residentMb * MB,
    virtualBytes: null,
    peakResidentBytes: null,
    anonymousBytes: null,
    fileBytes: null,
    shmemBytes: null,
    stackBytes: null,
    swapBytes: 0,
    pssBytes: null,
    sharedBytes: null,
    cpuPercent: null,
    ...overrides,
  };
}

/** A v2 cgroup /db limited to `limitMb` with `workingSetMb` in use (no page cache, so usage is the working set). */
export function cgroupOf(
  limitMb: number | null,
  workingSetMb: number | null,
  overrides: Partial<CgroupMemory> = {},
): CgroupMemory {
  const bytes = (value: number | null) => (value === null ? null : value * MB);
  return {
    version: 2,
    path: "/db",
    limitBytes: bytes(limitMb),
    limitPath: limitMb === null ? null : "/db",
    limitWorkingSetBytes: limitMb === null ? null : bytes(workingSetMb),
    softLimitBytes: null,
    usageBytes: bytes(workingSetMb),
    workingSetBytes: bytes(workingSetMb),
    oomKills: 0,
    ...overrides,
  };
}

/** An unquantized 768-dimension collection whose database figure is its float32 size. */
export function collectionOf(
  name: string,
  vectorCount: number,
  overrides: Partial<CollectionFigures> = {},
): CollectionFigures {
  return {
    name,
    dimension: 768,
    vectorCount,
    documentCount: null,
    metric: "cosine",
    quantization: "none",
    actualBytes: vectorCount * 768 * 4,
    indexBytes: null,
    payloadBytes: null,
    ...overrides,
  };
}

/** A sample of process 42 on a 16 GB host, half used, without swap. */
export function sampleOf(
  at: string | Date,
  process: ProcessMemory | null,
  collections: CollectionFigures[] | null,
): Sample {
  return {
    takenAt: new Date(at),
    durationSeconds: 0.01,
    target: { name: "db", kind: "vectorizer", pid: 42, url: null },
    system: {
      totalBytes: 16384 * MB,
      availableBytes: 8192 * MB,
      usedBytes: 8192 * MB,
      swapTotalBytes: 0,
      swapUsedBytes: 0,
    },
    process,
    cgroup: null,
    collections,
    errors: [],
    downReasons: [],
  };
}

/**
 * A walk of process 42's smaps at `atMs`: `codeMb` of its binary, `dataMb` of a mapped data file
 * and `anonymousMb` of anonymous memory, one thread.
 */
export function smapsOf(atMs: number, parts: { codeMb: number; dataMb: number; anonymousMb: number }): SmapsReading {
  const mapping = (startAddress: number, permissions: string, path: string, mb: number) => ({
    startAddress,
    endAddress: startAddress + mb * MB + 4096,
    permissions,
    path,
    rssBytes: mb * MB,
    anonymousBytes: path === "" ? mb * MB : 0,
    swapBytes: 0,
  });
  return {
    pid: 42,
    readAtMs: atMs,
    mappings: [
      mapping(0x400000, "r-xp", "/usr/bin/db", parts.codeMb),
      mapping(0x7f0000000000, "r--s", "/var/lib/db/segment.dat", parts.dataMb),
      mapping(0x7f1000000000, "rw-p", "", parts.anonymousMb),
    ],
    threads: { threads: 1, stackPointers: [], unreadable: 0 },
  };
}
