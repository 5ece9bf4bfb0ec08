import { attribute, scaleToTotal, type AnonymousClaims, type StatusCounters } from "../../src/snapshot/attribution";
import type { KernelBreakdown } from "../../src/snapshot/smaps-classify";
import { MB } from "../helpers/samples";

/** A walk of a Qdrant process: 40 MB of code, 200 MB of mapped files, 1 MB of stacks, 300 MB anonymous. */
function breakdown(overrides: Partial<KernelBreakdown> = {}): KernelBreakdown {
  return {
    codeBytes: 40 * MB,
    dataFilesBytes: 200 * MB,
    dataFilesByCollection: {},
    sharedMemoryBytes: 8 * MB,
    stacksBytes: 1 * MB,
    anonymousBytes: 300 * MB,
    mainStack: true,
    threadStacks: 3,
    threads: 4,
    unreadableThreads: 0,
    mappingsTop: [],
    ...overrides,
  };
}

const UNKNOWN: StatusCounters = { anonymousBytes: null, fileBytes: null, shmemBytes: null };
const CLAIMS: AnonymousClaims = {
  collectionsBytes: 250 * MB,
  collectionsSource: "qdrant API",
  allocatorFreeBytes: null,
  allocatorFreeSource: null,
};

const sources = (b: KernelBreakdown, counters: StatusCounters, claims: AnonymousClaims = CLAIMS) =>
  Object.fromEntries(attribute(b, 0, counters, claims).parts.map((p) => [p.part, p.source]));

describe("where each part's figure comes from", () => {
  it("names the walk alone when the status counters are unknown", () => {
    expect(sources(breakdown(), UNKNOWN)).toEqual({
      code: "kernel smaps: the executable and shared libraries",
      data_files: "kernel smaps: memory-mapped files other than code",
      shared_memory: "kernel smaps: shmem, /dev/shm, SysV and memfd mappings",
      stacks: "kernel smaps: the main [stack] and 3 of 3 thread stacks (by the threads' stack pointers)",
      collections: "qdrant API",
      allocator_free: "not exposed by the target: counted in unexplained",
      unexplained: "arithmetic: the anonymous memory outside the stacks minus collections and allocator_free",
    });
  });

  it("names the counter each kernel part is carried by between walks", () => {
    const counters = { anonymousBytes: 320 * MB, fileBytes: 250 * MB, shmemBytes: 8 * MB };
    expect(sources(breakdown(), counters)).toMatchObject({
      code: "kernel smaps: the executable and shared libraries; RssFile between walks",
      data_files: "kernel smaps: memory-mapped files other than code; RssFile between walks",
      shared_memory: "kernel smaps: shmem, /dev/shm, SysV and memfd mappings; RssShmem between walks",
      stacks:
        "kernel smaps: the main [stack] and 3 of 3 thread stacks (by the threads' stack pointers); RssAnon between walks",
    });
  });

  it("lists the data files by collection, largest first", () => {
    const b = breakdown({ dataFilesByCollection: { logs: 10 * MB, docs: 190 * MB } });
    expect(sources(b, UNKNOWN).data_files).toBe(
      "kernel smaps: memory-mapped files other than code; by collection at the walk: docs 190 MB, logs 10 MB",
    );
  });

  it("says when the walk saw no main stack, and how many thread stacks it told apart", () => {
    expect(sources(breakdown({ mainStack: false, threadStacks: 1, threads: 4 }), UNKNOWN).stacks).toBe(
      "kernel smaps: no main [stack] and 1 of 3 thread stacks (by the threads' stack pointers)",
    );
    expect(sources(breakdown({ mainStack: false, threadStacks: 0, threads: 0 }), UNKNOWN).stacks).toBe(
      "kernel smaps: no main [stack] and 0 of 0 thread stacks (by the threads' stack pointers)",
    );
  });

  it("names the allocator's figure where the runtime gives one", () => {
    const claims = { ...CLAIMS, allocatorFreeBytes: 20 * MB, allocatorFreeSource: "jemalloc: resident - allocated" };
    expect(sources(breakdown(), UNKNOWN, claims).allocator_free).toBe("jemalloc: resident - allocated");
  });
});

describe("the parts where the walk stands alone", () => {
  it("are the walk's own figures, the anonymous rest divided by the claims", () => {
    const a = attribute(breakdown(), 0, UNKNOWN, { ...CLAIMS, allocatorFreeBytes: 20 * MB });
    expect(a.parts.map((p) => [p.part, p.bytes / MB])).toEqual([
      ["code", 40],
      ["data_files", 200],
      ["shared_memory", 8],
      ["stacks", 1],
      ["collections", 250],
      ["allocator_free", 20],
      ["unexplained", 30],
    ]);
    expect(a.residentBytes).toBe(549 * MB);
    expect(a.unexplainedBytes).toBe(30 * MB);
    expect(a.errors).toEqual([]);
  });

  it("cap the allocator's figure at what the collections leave", () => {
    const a = attribute(breakdown(), 0, UNKNOWN, { ...CLAIMS, allocatorFreeBytes: 80 * MB });
    expect(a.parts.slice(4).map((p) => [p.part, p.bytes / MB])).toEqual([
      ["collections", 250],
      ["allocator_free", 50],
      ["unexplained", 0],
    ]);
    expect(a.errors).toEqual([
      "the database claims 250 MB for its collections and 80 MB held free by its allocator, more than the 300 MB " +
        "of anonymous memory outside the stacks: the claim is capped, and nothing is unexplained",
    ]);
  });
});

describe("the errors of a walk", () => {
  it("say how many threads' stacks could not be told apart, and where they are counted", () => {
    const a = attribute(breakdown({ threads: 5, threadStacks: 2, unreadableThreads: 2 }), 0, UNKNOWN, CLAIMS);
    expect(a.errors).toEqual([
      "the stack pointers of 2 of 4 threads could not be read (running, or not permitted): " +
        "their stacks cannot be told apart and count as anonymous memory",
    ]);
  });
});

describe("largest remainder", () => {
  it.each([
    ["the larger remainder gets the byte left, not the larger share", [5, 2], 3, [2, 1]],
    ["ties go to the earlier weight", [1, 1, 1], 4, [2, 1, 1]],
    ["the smallest share may take the byte left", [1, 3, 6], 7, [1, 2, 4]],
    ["two bytes left go to the two earliest of equal remainders", [1, 1, 1], 5, [2, 2, 1]],
  ])("%s", (_what, weights, total, expected) => {
    expect(scaleToTotal(weights, total, 0)).toEqual(expected);
  });
});
