import fc from "fast-check";
import { attribute, scaleToTotal, scaleToCounters, type AnonymousClaims } from "../src/snapshot/attribution";
import { classifyMappings, STORAGE_LAYOUTS, type KernelBreakdown } from "../src/snapshot/smaps-classify";
import { parseSmaps, parseSyscallStackPointer, type SmapsMapping, type SmapsReading } from "../src/sources/smaps";
import { MB } from "./helpers/samples";
import { KB, mappingOf } from "./helpers/smaps";

function smapsEntry(
  range: string,
  permissions: string,
  path: string,
  rssKb: number,
  anonymousKb = 0,
  swapKb = 0,
): string {
  const header = `${range} ${permissions} 00000000 fe:00 1234${path === "" ? "" : `                     ${path}`}`;
  return [
    header,
    `Size:               ${rssKb + 64} kB`,
    "KernelPageSize:        4 kB",
    `Rss:                ${rssKb} kB`,
    `Pss:                ${rssKb} kB`,
    `Anonymous:          ${anonymousKb} kB`,
    `Swap:               ${swapKb} kB`,
    "VmFlags: rd mr mw me",
  ].join("\n");
}

describe("parseSmaps", () => {
  it("reads each mapping's range, permissions, backing and resident, anonymous and swapped bytes", () => {
    const text = [
      smapsEntry("00400000-00b6f000", "r-xp", "/usr/bin/node", 5944),
      smapsEntry("7f0000000000-7f0000100000", "rw-p", "", 1024, 1024, 8),
      smapsEntry("7f0000200000-7f0000300000", "r--s", "/data/my file.bin (deleted)", 512),
    ].join("\n");
    expect(parseSmaps(text)).toEqual([
      {
        startAddress: 0x400000,
        endAddress: 0xb6f000,
        permissions: "r-xp",
        path: "/usr/bin/node",
        rssBytes: 5944 * KB,
        anonymousBytes: 0,
        swapBytes: 0,
      },
      {
        startAddress: 0x7f0000000000,
        endAddress: 0x7f0000100000,
        permissions: "rw-p",
        path: "",
        rssBytes: 1024 * KB,
        anonymousBytes: 1024 * KB,
        swapBytes: 8 * KB,
      },
      {
        startAddress: 0x7f0000200000,
        endAddress: 0x7f0000300000,
        permissions: "r--s",
        path: "/data/my file.bin (deleted)",
        rssBytes: 512 * KB,
        anonymousBytes: 0,
        swapBytes: 0,
      },
    ]);
  });

  it.each([
    ["an empty file", ""],
    ["fields before any header", "Rss: 12 kB\nAnonymous: 4 kB"],
    ["a malformed header", "zz-yy r--p"],
  ])("reads no mapping from %s", (_what, text) => {
    expect(parseSmaps(text)).toEqual([]);
  });
});

describe("parseSyscallStackPointer", () => {
  it.each([
    [
      "a thread blocked in a system call",
      "202 0x7f3c 0x80 0x0 0x0 0x0 0x0 0x7ffc72236758 0x7f43f0f0e503",
      0x7ffc72236758,
    ],
    ["a thread blocked outside one", "-1 0x7f0012345678 0x7f43f0f0e503", 0x7f0012345678],
    ["a running thread", "running", null],
    ["an empty file", "", null],
    ["garbage", "a b c", null],
  ])("reads %s", (_what, text, pointer) => {
    expect(parseSyscallStackPointer(text)).toBe(pointer);
  });
});

const THREAD_STACK_AT = 0x7f1000000000;
const MAPPINGS: SmapsMapping[] = [
  mappingOf(0x400000, 1000, "r--p", "/usr/bin/node", 800),
  mappingOf(0x800000, 4000, "r-xp", "/usr/bin/node", 3000),
  mappingOf(0xc00000, 100, "rw-p", "/usr/bin/node", 100, 60),
  mappingOf(0x7f0000000000, 2000, "r-xp", "/usr/lib/libc.so.6", 1200),
  mappingOf(0x7f0000400000, 50, "r--p", "/usr/lib/libc.so.6", 50, 50),
  mappingOf(
    0x7f0001000000,
    300000,
    "r--s",
    "/var/lib/qdrant/storage/collections/docs/0/segments/a/vectors.dat",
    200000,
  ),
  mappingOf(0x7f0020000000, 50000, "rw-p", "/var/lib/other.db", 40000, 1000),
  mappingOf(0x7f0030000000, 60000, "rw-s", "/dev/shm/buffers", 51200),
  mappingOf(0x7f0040000000, 1000, "rw-s", "/SYSV00000000 (deleted)", 500),
  mappingOf(0x7f0050000000, 1000, "rw-s", "/memfd:pool (deleted)", 300),
  mappingOf(0x7f0060000000, 2000, "rw-s", "/dev/zero (deleted)", 200),
  mappingOf(0x1000000, 5000, "rw-p", "[heap]", 4000, 4000),
  mappingOf(0x7f0070000000, 200000, "rw-p", "", 150000, 150000),
  mappingOf(THREAD_STACK_AT, 8192, "rw-p", "", 40, 40),
  mappingOf(THREAD_STACK_AT + 9000 * KB, 8192, "rw-p", "", 24, 24),
  mappingOf(0x7ffc00000000, 132, "rw-p", "[stack]", 132, 132),
  mappingOf(0x7ffd00000000, 8, "r-xp", "[vdso]", 8),
];

function reading(mappings: SmapsMapping[], stackPointers: number[], unreadable = 0): SmapsReading {
  return {
    pid: 7,
    readAtMs: 0,
    mappings,
    threads: { threads: 1 + stackPointers.length + unreadable, stackPointers, unreadable },
  };
}

describe("classifyMappings", () => {
  // Classified inside each test, not at collection: Stryker activates a mutant only while a test runs.
  const pointers = [THREAD_STACK_AT + 8000 * KB, THREAD_STACK_AT + 9000 * KB + 100];
  const walk = () => classifyMappings(reading(MAPPINGS, pointers), STORAGE_LAYOUTS.qdrant);

  it("counts every file with an executable mapping, all its segments, and the vdso as code", () => {
    const b = walk();
    expect(b.codeBytes).toBe((800 + 3000 + 40 + 1200 + 0 + 8) * KB);
  });

  it("counts other files as data files, by collection where the storage layout names it", () => {
    const b = walk();
    expect(b.dataFilesBytes).toBe((200000 + 39000) * KB);
    expect(b.dataFilesByCollection).toEqual({ docs: 200000 * KB });
  });

  it("counts /dev/shm, SysV, memfd and shared anonymous mappings as shared memory", () => {
    const b = walk();
    expect(b.sharedMemoryBytes).toBe((51200 + 500 + 300 + 200) * KB);
  });

  it("counts the main stack and the mappings holding a thread's stack pointer as stacks", () => {
    const b = walk();
    expect(b.stacksBytes).toBe((132 + 40 + 24) * KB);
    expect(b).toMatchObject({ mainStack: true, threadStacks: 2, threads: 3, unreadableThreads: 0 });
  });

  it("leaves every other anonymous page, copy-on-write pages of files included, to the anonymous rest", () => {
    const b = walk();
    expect(b.anonymousBytes).toBe((60 + 50 + 1000 + 4000 + 150000) * KB);
  });

  it("adds up to the walk's Rss", () => {
    const b = walk();
    const rss = MAPPINGS.reduce((sum, m) => sum + m.rssBytes, 0);
    expect(b.codeBytes + b.dataFilesBytes + b.sharedMemoryBytes + b.stacksBytes + b.anonymousBytes).toBe(rss);
  });

  it("lists the largest mappings first, naming thread stacks and anonymous mappings by kind", () => {
    const b = walk();
    expect(b.mappingsTop.map((m) => m.rssBytes)).toEqual(
      [...b.mappingsTop.map((m) => m.rssBytes)].sort((x, y) => y - x),
    );
    expect(b.mappingsTop[0]).toMatchObject({
      mapping: "/var/lib/qdrant/storage/collections/docs/0/segments/a/vectors.dat",
      part: "data_files",
      collection: "docs",
    });
    expect(b.mappingsTop.find((m) => m.rssBytes === 40 * KB)).toMatchObject({
      mapping: "[thread stack]",
      part: "stacks",
    });
    expect(b.mappingsTop.find((m) => m.rssBytes === 150000 * KB)).toMatchObject({
      mapping: "[anonymous]",
      part: "anonymous",
    });
  });

  it("keeps at most 20 mappings", () => {
    const many = Array.from({ length: 30 }, (_, i) => mappingOf(0x1000000 * (i + 1), 100, "rw-p", "", i + 1, i + 1));
    const top = classifyMappings(reading(many, []), null).mappingsTop;
    expect(top).toHaveLength(20);
    expect(top[0].rssBytes).toBe(30 * KB);
  });

  it("counts a thread stack it cannot tell apart as anonymous, and says how many threads were unreadable", () => {
    const b = walk();
    const blind = classifyMappings(reading(MAPPINGS, [], 2), null);
    expect(blind.stacksBytes).toBe(132 * KB);
    expect(blind.anonymousBytes).toBe(b.anonymousBytes + 64 * KB);
    expect(blind.unreadableThreads).toBe(2);
    expect(blind.dataFilesByCollection).toEqual({});
  });
});

const NO_CLAIMS: AnonymousClaims = {
  collectionsBytes: 0,
  collectionsSource: "none",
  allocatorFreeBytes: null,
  allocatorFreeSource: null,
};

const breakdownArb: fc.Arbitrary<KernelBreakdown> = fc.record({
  codeBytes: fc.nat({ max: 2 ** 36 }),
  dataFilesBytes: fc.nat({ max: 2 ** 36 }),
  dataFilesByCollection: fc.constant({}),
  sharedMemoryBytes: fc.nat({ max: 2 ** 36 }),
  stacksBytes: fc.nat({ max: 2 ** 30 }),
  anonymousBytes: fc.nat({ max: 2 ** 38 }),
  mainStack: fc.boolean(),
  threadStacks: fc.nat({ max: 64 }),
  threads: fc.nat({ max: 64 }),
  unreadableThreads: fc.nat({ max: 4 }),
  mappingsTop: fc.constant([]),
});
const countersArb = fc.record({
  anonymousBytes: fc.nat({ max: 2 ** 38 }),
  fileBytes: fc.nat({ max: 2 ** 37 }),
  shmemBytes: fc.nat({ max: 2 ** 36 }),
});
const claimsArb: fc.Arbitrary<AnonymousClaims> = fc.record({
  collectionsBytes: fc.option(fc.nat({ max: 2 ** 38 }), { nil: null }),
  collectionsSource: fc.constant("db"),
  allocatorFreeBytes: fc.option(fc.nat({ max: 2 ** 34 }), { nil: null }),
  allocatorFreeSource: fc.option(fc.constant("jemalloc"), { nil: null }),
});

describe("attribute", () => {
  it("splits the resident memory into parts that sum to RssAnon + RssFile + RssShmem, none negative", () => {
    fc.assert(
      fc.property(breakdownArb, countersArb, claimsArb, (b, counters, claims) => {
        const a = attribute(b, 0, counters, claims);
        const sum = a.parts.reduce((s, p) => s + p.bytes, 0);
        expect(sum).toBe(counters.anonymousBytes + counters.fileBytes + counters.shmemBytes);
        expect(a.residentBytes).toBe(sum);
        for (const p of a.parts) expect(Number.isInteger(p.bytes) && p.bytes >= 0).toBe(true);
        expect(a.parts.map((p) => p.part)).toEqual([
          "code",
          "data_files",
          "shared_memory",
          "stacks",
          "collections",
          "allocator_free",
          "unexplained",
        ]);
      }),
    );
  });

  it("takes the database's claims as they are while the anonymous memory holds them", () => {
    fc.assert(
      fc.property(breakdownArb, countersArb, claimsArb, (b, counters, claims) => {
        const a = attribute(b, 0, counters, claims);
        const part = (name: string) => a.parts.find((p) => p.part === name)!.bytes;
        const anonymousRest = part("collections") + part("allocator_free") + part("unexplained");
        const claimed = (claims.collectionsBytes ?? 0) + (claims.allocatorFreeBytes ?? 0);
        if (claimed <= anonymousRest) {
          expect(part("collections")).toBe(claims.collectionsBytes ?? 0);
          expect(part("allocator_free")).toBe(claims.allocatorFreeBytes ?? 0);
          expect(part("unexplained")).toBe(anonymousRest - claimed);
          expect(a.errors.some((e) => e.includes("claims"))).toBe(false);
        } else {
          expect(part("unexplained")).toBe(0);
          expect(a.errors.some((e) => e.includes("capped"))).toBe(true);
        }
      }),
    );
  });

  it("sums to the walk's Rss where the status counters are unknown", () => {
    fc.assert(
      fc.property(breakdownArb, claimsArb, (b, claims) => {
        const a = attribute(b, 0, { anonymousBytes: null, fileBytes: 5, shmemBytes: 5 }, claims);
        expect(a.residentBytes).toBe(
          b.codeBytes + b.dataFilesBytes + b.sharedMemoryBytes + b.stacksBytes + b.anonymousBytes,
        );
      }),
    );
  });

  it("states a claim beyond the anonymous memory beside the capped part", () => {
    const b: KernelBreakdown = { ...classifyMappings(reading([], []), null), anonymousBytes: 100 * MB };
    const a = attribute(
      b,
      0,
      { anonymousBytes: 100 * MB, fileBytes: 0, shmemBytes: 0 },
      { ...NO_CLAIMS, collectionsBytes: 300 * MB, collectionsSource: "qdrant API" },
    );
    expect(a.parts.find((p) => p.part === "collections")).toEqual({
      part: "collections",
      bytes: 100 * MB,
      source: "qdrant API (claims 300 MB; capped at the anonymous memory)",
    });
    expect(a.errors).toEqual([expect.stringContaining("claims 300 MB for its collections")]);
  });

  it("has no unexplained figure to follow while the database's figures are unknown", () => {
    const b = classifyMappings(reading(MAPPINGS, []), null);
    const a = attribute(
      b,
      0,
      { anonymousBytes: b.anonymousBytes, fileBytes: 0, shmemBytes: 0 },
      { ...NO_CLAIMS, collectionsBytes: null },
    );
    expect(a.unexplainedBytes).toBeNull();
    expect(attribute(b, 0, { anonymousBytes: 0, fileBytes: 0, shmemBytes: 0 }, NO_CLAIMS).unexplainedBytes).toBe(0);
  });

  it("says in errors when thread stacks could not be told apart", () => {
    const b = classifyMappings(reading(MAPPINGS, [THREAD_STACK_AT + 100], 3), null);
    expect(attribute(b, 0, { anonymousBytes: null, fileBytes: null, shmemBytes: null }, NO_CLAIMS).errors).toEqual([
      expect.stringContaining("the stack pointers of 3 of 4 threads could not be read"),
    ]);
  });
});

describe("scaling between walks", () => {
  it("gives integers proportional to the weights that sum exactly to the total", () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 2 ** 40 }), { minLength: 1, maxLength: 6 }),
        fc.nat({ max: 2 ** 40 }),
        (weights, total) => {
          const scaled = scaleToTotal(weights, total, 0);
          expect(scaled.reduce((s, v) => s + v, 0)).toBe(total);
          const sum = weights.reduce((s, w) => s + w, 0);
          scaled.forEach((v, i) => {
            expect(Number.isInteger(v) && v >= 0).toBe(true);
            if (sum > 0) expect(Math.abs(v - (weights[i] * total) / sum)).toBeLessThanOrEqual(1);
          });
        },
      ),
    );
  });

  it.each([
    ["no weight: all to the fallback", [0, 0], 100, [0, 100]],
    ["one weight", [0, 7], 100, [0, 100]],
    ["halves", [1, 1], 101, [51, 50]],
    ["nothing to share", [3, 1], 0, [0, 0]],
  ])("%s", (_what, weights, total, expected) => {
    expect(scaleToTotal(weights, total, 1)).toEqual(expected);
  });

  it("carries stacks and the anonymous rest with RssAnon, code and data files with RssFile, shared memory with RssShmem", () => {
    const b = {
      ...classifyMappings(reading([], []), null),
      codeBytes: 30,
      dataFilesBytes: 10,
      sharedMemoryBytes: 5,
      stacksBytes: 10,
      anonymousBytes: 90,
    };
    expect(scaleToCounters(b, { anonymousBytes: 200, fileBytes: 80, shmemBytes: 0 })).toEqual({
      code: 60,
      dataFiles: 20,
      sharedMemory: 0,
      stacks: 20,
      anonymous: 180,
      scaled: true,
    });
  });
});
