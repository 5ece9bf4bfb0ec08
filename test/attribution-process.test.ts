import { readFileSync } from "node:fs";
import { parseKibLines } from "../src/sources/process";
import { getJson, scrape, startTestDaemon, type TestDaemon } from "./helpers/daemon";
import { Holder } from "./helpers/holder";
import { MB } from "./helpers/samples";
import { scratchDir } from "./helpers/scratch";

interface Part {
  part: string;
  bytes: number;
  source: string;
  share_of_rss: number;
}

const partOf = (parts: Part[], name: string) => parts.find((p) => p.part === name)!;

describe("the attribution of a real process: 150 MB anonymous, a 200 MB mapped file, 50 MB in /dev/shm, 8 threads", () => {
  const dir = scratchDir("attribution");
  let holder: Holder;
  let daemon: TestDaemon;
  let snapshot: any;
  let vmRss: number;

  beforeAll(async () => {
    holder = await Holder.start(dir, "static");
    daemon = await startTestDaemon({
      MEMSNAP_TARGET: "none",
      MEMSNAP_TARGET_PID: String(holder.pid),
      MEMSNAP_UNACCOUNTED_CRITICAL_MB: "100",
      MEMSNAP_SCHEDULE: "0 0 0 1 1 *",
    });
    snapshot = (await getJson(`${daemon.url}/api/v1/memory-snapshot?fresh=true`)).body;
    vmRss = parseKibLines(readFileSync(`/proc/${holder.pid}/status`, "utf8")).get("VmRSS")!;
  }, 60_000);

  afterAll(async () => {
    await daemon?.stop();
    await holder?.stop();
  });

  it("splits VmRSS into parts that sum to it within 1 %", () => {
    const parts: Part[] = snapshot.memory_attribution.parts;
    const sum = parts.reduce((s, p) => s + p.bytes, 0);
    expect(sum).toBe(snapshot.process_info.physical_memory_bytes);
    expect(Math.abs(sum - vmRss) / vmRss).toBeLessThan(0.01);
    expect(parts.map((p) => p.part)).toEqual([
      "code",
      "data_files",
      "shared_memory",
      "stacks",
      "collections",
      "allocator_free",
      "unexplained",
    ]);
    for (const p of parts) expect(p.bytes).toBeGreaterThanOrEqual(0);
  });

  it("finds the mapped file in data_files, the /dev/shm segment in shared_memory, and little code", () => {
    const parts: Part[] = snapshot.memory_attribution.parts;
    expect(partOf(parts, "data_files").bytes).toBeGreaterThanOrEqual(190 * MB);
    expect(partOf(parts, "shared_memory").bytes).toBeGreaterThanOrEqual(48 * MB);
    expect(partOf(parts, "code").bytes).toBeLessThan(50 * MB);
    expect(partOf(parts, "code").bytes).toBeGreaterThan(0);
    expect(partOf(parts, "unexplained").bytes).toBeGreaterThanOrEqual(150 * MB);
    expect(partOf(parts, "collections").bytes).toBe(0);
  });

  it("takes only the code as the runtime baseline, not the mapped data file", () => {
    const code = partOf(snapshot.memory_attribution.parts, "code").bytes;
    expect(snapshot.discrepancy_analysis.runtime_baseline_bytes).toBe(code);
    expect(snapshot.discrepancy_analysis.data_structure_overhead_bytes).toBe(
      snapshot.discrepancy_analysis.unaccounted_memory_bytes - code,
    );
  });

  it("counts the main stack and the 8 threads' stacks, and reports them as stack_size", () => {
    const stacks = partOf(snapshot.memory_attribution.parts, "stacks");
    expect(stacks.source).toContain("the main [stack] and 8 of 8 thread stacks");
    const vmStk = parseKibLines(readFileSync(`/proc/${holder.pid}/status`, "utf8")).get("VmStk")!;
    expect(stacks.bytes).toBeGreaterThanOrEqual(vmStk / 2 + 8 * 4096);
    expect(snapshot.process_info.stack_size_bytes).toBe(stacks.bytes);
    expect(snapshot.errors).toEqual([]);
  });

  it("lists the largest mappings, the data file among them", () => {
    const top = snapshot.memory_attribution.mappings_top;
    expect(top.length).toBeLessThanOrEqual(20);
    expect(top.find((m: { mapping: string }) => m.mapping.endsWith("static.data"))).toMatchObject({
      part: "data_files",
    });
    expect(
      top.find((m: { mapping: string }) => m.mapping.startsWith("/dev/shm/memsnap-attribution-static")),
    ).toMatchObject({ part: "shared_memory" });
  });

  it("gives a target without a database no collection finding and no word of a leak", () => {
    const codes = snapshot.findings.map((f: { code: string }) => f.code);
    for (const code of [
      "UnaccountedMemoryCritical",
      "OverheadCritical",
      "OverheadHigh",
      "ReviewDataStructures",
      "MemoryGrowth",
    ]) {
      expect(codes).not.toContain(code);
    }
    expect(snapshot.findings.filter((f: { message: string }) => /leak/i.test(f.message))).toEqual([]);
    expect(snapshot.recommendations.filter((r: string) => /leak/i.test(r))).toEqual([]);
  });

  it("publishes the parts on /metrics, summing to memsnap_process_resident_bytes", async () => {
    const metrics = await scrape(daemon);
    const parts = [...metrics.entries()].filter(([key]) =>
      key.startsWith('memsnap_memory_attribution_bytes{target="none",'),
    );
    expect(parts).toHaveLength(7);
    const sum = parts.reduce((s, [, value]) => s + value, 0);
    expect(sum).toBe(metrics.get('memsnap_process_resident_bytes{target="none"}'));
  });
});
