import { classifyMappings, STORAGE_LAYOUTS } from "../../src/snapshot/smaps-classify";
import type { SmapsMapping, SmapsReading } from "../../src/sources/smaps";
import { KB, mappingOf } from "../helpers/smaps";

function walk(mappings: SmapsMapping[], stackPointers: number[] = []) {
  const reading: SmapsReading = {
    pid: 7,
    readAtMs: 0,
    mappings,
    threads: { threads: 1 + stackPointers.length, stackPointers, unreadable: 0 },
  };
  return classifyMappings(reading, STORAGE_LAYOUTS.qdrant);
}

/** The kernel parts of a walk, in KB. */
function partsKb(mappings: SmapsMapping[], stackPointers: number[] = []) {
  const b = walk(mappings, stackPointers);
  return {
    code: b.codeBytes / KB,
    dataFiles: b.dataFilesBytes / KB,
    sharedMemory: b.sharedMemoryBytes / KB,
    stacks: b.stacksBytes / KB,
    anonymous: b.anonymousBytes / KB,
  };
}

const NONE = { code: 0, dataFiles: 0, sharedMemory: 0, stacks: 0, anonymous: 0 };

describe("each kind of mapping, classified alone", () => {
  it.each<[string, SmapsMapping, Partial<typeof NONE>]>([
    ["the anonymous [heap]", mappingOf(0x1000000, 4000, "rw-p", "[heap]", 3000, 3000), { anonymous: 3000 }],
    ["an anonymous mapping", mappingOf(0x7f0070000000, 2000, "rw-p", "", 1500, 1500), { anonymous: 1500 }],
    ["the main [stack]", mappingOf(0x7ffc00000000, 132, "rw-p", "[stack]", 132, 132), { stacks: 132 }],
    ["an executable segment", mappingOf(0x400000, 4000, "r-xp", "/usr/bin/qdrant", 3000), { code: 3000 }],
    ["the [vdso]", mappingOf(0x7ffd00000000, 8, "r-xp", "[vdso]", 8), { code: 8 }],
    ["the [vvar]", mappingOf(0x7ffd00010000, 16, "r--p", "[vvar]", 4), { code: 4 }],
    [
      "a read-only file never executed from",
      mappingOf(0x7f0000000000, 100, "r--p", "/usr/share/zoneinfo", 40),
      { dataFiles: 40 },
    ],
    [
      "a mapped vector file",
      mappingOf(0x7f0001000000, 3000, "r--s", "/qdrant/storage/collections/docs/0/vectors.dat", 2000),
      { dataFiles: 2000 },
    ],
    ["a /dev/shm segment", mappingOf(0x7f0030000000, 600, "rw-s", "/dev/shm/buffers", 512), { sharedMemory: 512 }],
    ["a SysV segment", mappingOf(0x7f0040000000, 100, "rw-s", "/SYSV0000beef (deleted)", 50), { sharedMemory: 50 }],
    ["a memfd", mappingOf(0x7f0050000000, 100, "rw-s", "/memfd:pool (deleted)", 30), { sharedMemory: 30 }],
    [
      "a shared anonymous mapping",
      mappingOf(0x7f0060000000, 100, "rw-s", "/dev/zero (deleted)", 20),
      { sharedMemory: 20 },
    ],
    [
      "an executable in /dev/shm (a JIT's double mapping)",
      mappingOf(0x7f0080000000, 100, "r-xs", "/dev/shm/jit-1 (deleted)", 60),
      { sharedMemory: 60 },
    ],
  ])("%s", (_what, m, expected) => {
    expect(partsKb([m])).toEqual({ ...NONE, ...expected });
  });

  it("counts the written copy-on-write pages of a library as anonymous, the rest of it as code", () => {
    const text = mappingOf(0x400000, 100, "r-xp", "/usr/lib/libc.so.6", 80);
    const data = mappingOf(0x500000, 20, "rw-p", "/usr/lib/libc.so.6", 20, 12);
    expect(partsKb([text, data])).toEqual({ ...NONE, code: 88, anonymous: 12 });
  });

  it("counts the resident pages of an anonymous mapping that are not anonymous (the zero page) as anonymous", () => {
    expect(partsKb([mappingOf(0x7f0070000000, 2000, "rw-p", "", 100, 60)])).toEqual({ ...NONE, anonymous: 100 });
  });

  it("says whether the walk saw the main [stack]", () => {
    expect(walk([mappingOf(0x7ffc00000000, 132, "rw-p", "[stack]", 132, 132)]).mainStack).toBe(true);
    expect(walk([mappingOf(0x1000000, 4000, "rw-p", "[heap]", 3000, 3000)]).mainStack).toBe(false);
    expect(walk([]).mainStack).toBe(false);
    const stackFirst = [
      mappingOf(0x7ffc00000000, 132, "rw-p", "[stack]", 132, 132),
      mappingOf(0x7ffd0000000, 8, "r-xp", "[vdso]", 8),
    ];
    expect(walk(stackFirst).mainStack).toBe(true);
  });
});

describe("thread stacks, by the threads' stack pointers", () => {
  const LOW = 0x7f1000000000;
  // Two anonymous mappings back to back (8 MB each), the way thread stacks are laid out.
  const lower = mappingOf(LOW, 8192, "rw-p", "", 40, 40);
  const upper = mappingOf(LOW + 8192 * KB, 8192, "rw-p", "", 24, 24);
  const library = mappingOf(LOW + 2 * 8192 * KB, 100, "rw-p", "/usr/lib/libc.so.6", 16, 16);

  it.each([
    ["at the first byte of a mapping", [LOW], 40],
    ["at the last byte of a mapping", [LOW + 8192 * KB - 1], 40],
    ["at the end of one mapping: the start of the next", [LOW + 8192 * KB], 24],
    ["inside the upper one", [LOW + 8192 * KB + 100], 24],
    ["in both", [LOW + 100, LOW + 8192 * KB + 100], 64],
    ["two threads in one mapping, counted once", [LOW + 100, LOW + 200], 40],
    ["below every mapping", [LOW - 1], 0],
    ["above the anonymous mappings, in a file's", [LOW + 2 * 8192 * KB + 10], 0],
  ])("a stack pointer %s", (_what, pointers, stacksKb) => {
    const b = walk([lower, upper, library], pointers);
    expect(b.stacksBytes).toBe(stacksKb * KB);
    expect(b.anonymousBytes).toBe((40 + 24 + 16 - stacksKb) * KB);
  });

  it("counts how many mappings hold a thread's stack", () => {
    expect(walk([lower, upper, library], [LOW + 100, LOW + 200, LOW + 8192 * KB]).threadStacks).toBe(2);
    expect(walk([lower, upper, library], [LOW + 2 * 8192 * KB + 10]).threadStacks).toBe(0);
  });
});

describe("the largest mappings", () => {
  it("names each mapping by its file or kind, with its address range in 12 hex digits", () => {
    const top = walk(
      [
        mappingOf(0x400000, 4000, "r-xp", "/usr/bin/qdrant", 3000),
        mappingOf(0x1000000, 4000, "rw-p", "[heap]", 2000, 2000),
        mappingOf(0x7f0070000000, 2000, "rw-p", "", 1500, 1500),
        mappingOf(0x7f1000000000, 8192, "rw-p", "", 40, 40),
        mappingOf(0x7ffc00000000, 132, "rw-p", "[stack]", 32, 32),
      ],
      [0x7f1000000000 + 100],
    ).mappingsTop;
    expect(top.map((m) => [m.mapping, m.address, m.part])).toEqual([
      ["/usr/bin/qdrant", "000000400000-0000007e8000", "code"],
      ["[heap]", "000001000000-0000013e8000", "anonymous"],
      ["[anonymous]", "7f0070000000-7f00701f4000", "anonymous"],
      ["[thread stack]", "7f1000000000-7f1000800000", "stacks"],
      ["[stack]", "7ffc00000000-7ffc00021000", "stacks"],
    ]);
  });

  it("lists a mapping swapped out entirely, and leaves out one with nothing resident or swapped", () => {
    const swapped = { ...mappingOf(0x7f0070000000, 2000, "rw-p", "", 0), swapBytes: 800 * KB };
    const untouched = mappingOf(0x7f0080000000, 2000, "rw-p", "", 0);
    const top = walk([swapped, untouched]).mappingsTop;
    expect(top).toEqual([
      {
        mapping: "[anonymous]",
        address: "7f0070000000-7f00701f4000",
        part: "anonymous",
        collection: null,
        rssBytes: 0,
        anonymousBytes: 0,
        swapBytes: 800 * KB,
      },
    ]);
  });
});

describe("data files by collection", () => {
  it("splits only the data files: a collection's storage on tmpfs is shared memory, not a data file of it", () => {
    const b = walk([
      mappingOf(0x7f0001000000, 3000, "r--s", "/qdrant/storage/collections/docs/0/vectors.dat", 2000),
      mappingOf(0x7f0002000000, 3000, "rw-p", "/qdrant/storage/collections/docs/0/payload.dat", 1000, 100),
      mappingOf(0x7f0030000000, 600, "rw-s", "/dev/shm/qdrant/collections/logs/0/vectors.dat", 512),
    ]);
    expect(b.dataFilesByCollection).toEqual({ docs: 2900 * KB });
    expect(b.dataFilesBytes).toBe(2900 * KB);
    expect(b.sharedMemoryBytes).toBe(512 * KB);
    expect(b.mappingsTop.map((m) => m.collection)).toEqual(["docs", "docs", null]);
  });
});
