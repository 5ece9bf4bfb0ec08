import { readFileSync } from "node:fs";
import { parseKibLines, readProcessMemory } from "../src/sources/process";
import type { SourceError } from "../src/sources/types";
import { Allocator } from "./helpers/allocator";
import { freshSnapshot, getJson, startTestDaemon, type TestDaemon } from "./helpers/daemon";
import { MB } from "./helpers/samples";

function vmRssBytes(pid: number): number {
  return parseKibLines(readFileSync(`/proc/${pid}/status`, "utf8")).get("VmRSS")!;
}

describe("the process source, on a real process allocating real memory", () => {
  let allocator: Allocator;
  let daemon: TestDaemon;

  beforeAll(async () => {
    allocator = await Allocator.start();
    daemon = await startTestDaemon({ MEMSNAP_TARGET: "none", MEMSNAP_TARGET_PID: String(allocator.pid) });
  });

  afterAll(async () => {
    await daemon?.stop();
    await allocator?.stop();
  });

  it("sees 256 MB of touched memory as resident anonymous memory, agreeing with VmRSS within 3 %", async () => {
    const before = await getJson(`${daemon.url}/api/v1/memory-snapshot?fresh=true`);
    await allocator.allocate(256);
    const after = await freshSnapshot(daemon);
    const kernelRss = vmRssBytes(allocator.pid);

    expect(after.status).toBe(200);
    const rss = after.body.process_info.physical_memory_bytes;
    expect(Math.abs(rss - kernelRss) / kernelRss).toBeLessThan(0.03);
    const anonymousRise = after.body.process_info.heap_size_bytes - before.body.process_info.heap_size_bytes;
    expect(anonymousRise).toBeGreaterThanOrEqual(240 * MB);
    expect(after.body.process_info.peak_memory_bytes).toBeGreaterThanOrEqual(rss);
    expect(after.body.discrepancy_analysis.unaccounted_memory_bytes).toBe(rss);
    expect(after.body.collections_info.total_collections).toBe(0);
    expect(after.body.errors).toEqual([]);
  });

  it("reads every /proc figure of the process", async () => {
    const errors: SourceError[] = [];
    const figures = await readProcessMemory(allocator.pid, errors);
    expect(errors).toEqual([]);
    for (const key of [
      "residentBytes",
      "virtualBytes",
      "peakResidentBytes",
      "anonymousBytes",
      "fileBytes",
      "stackBytes",
      "pssBytes",
      "sharedBytes",
    ] as const) {
      expect(figures[key]).toBeGreaterThan(0);
    }
    expect(figures.swapBytes).toBeGreaterThanOrEqual(0);
    expect(figures.shmemBytes).toBeGreaterThanOrEqual(0);
    expect(figures.virtualBytes!).toBeGreaterThanOrEqual(figures.residentBytes!);
    expect(figures.cpuPercent).not.toBeNull();
  });

  it("leaves PSS and shared memory unknown, and says nothing is wrong, with smaps_rollup switched off", async () => {
    const errors: SourceError[] = [];
    const figures = await readProcessMemory(allocator.pid, errors, { smapsRollup: false });
    expect(errors).toEqual([]);
    expect([figures.pssBytes, figures.sharedBytes]).toEqual([null, null]);
    expect(figures.residentBytes).toBeGreaterThan(0);
  });

  it("reports a process that is gone as down, with the reason, instead of failing", async () => {
    await allocator.stop();
    const { status, body } = await freshSnapshot(daemon);
    expect(status).toBe(200);
    expect(body.target.up).toBe(false);
    expect(body.process_info.physical_memory_mb).toBeNull();
    expect(body.errors).toEqual([{ source: "process", message: `process ${allocator.pid} is not running` }]);
    expect(body.findings[0]).toMatchObject({ severity: "critical", code: "TargetDown" });
    expect(body.system_info.total_memory_bytes).toBeGreaterThan(0);
  });
});

describe("parseKibLines", () => {
  it("reads kB lines into bytes and ignores the rest", () => {
    const fields = parseKibLines("Name:\tnode\nVmRSS:\t    1024 kB\nThreads:\t7\nRssAnon:\t 2 kB\n");
    expect(fields.get("VmRSS")).toBe(1024 * 1024);
    expect(fields.get("RssAnon")).toBe(2048);
    expect(fields.has("Threads")).toBe(false);
  });
});
