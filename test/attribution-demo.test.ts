import { getJson, scrape, startTestDaemon, untilReady, type TestDaemon } from "./helpers/daemon";

interface Part {
  part: string;
  bytes: number;
  source: string;
}

describe("the attribution of the demo store at full scale", () => {
  let daemon: TestDaemon;
  let snapshot: any;

  beforeAll(async () => {
    daemon = await startTestDaemon({ MEMSNAP_DEMO_SCALE: "1", MEMSNAP_SCHEDULE: "0 0 0 1 1 *" });
    await untilReady(daemon);
    snapshot = (await getJson(`${daemon.url}/api/v1/memory-snapshot?fresh=true`)).body;
  }, 90_000);

  afterAll(async () => {
    await daemon?.stop();
  });

  const part = (name: string): Part => snapshot.memory_attribution.parts.find((p: Part) => p.part === name);

  it("leaves under 5 % of its resident memory unexplained", () => {
    const rss = snapshot.process_info.physical_memory_bytes;
    expect(rss).toBeGreaterThan(300 * 1024 * 1024);
    expect(part("unexplained").bytes / rss).toBeLessThan(0.05);
    expect(snapshot.errors).toEqual([]);
  });

  it("takes collections from the store's own figures and allocator_free from V8's heap statistics", () => {
    expect(part("collections").bytes).toBe(snapshot.collections_info.actual_memory_bytes);
    expect(part("collections").source).toBe("demo API: the 6 collections' own figures");
    expect(part("allocator_free").bytes).toBeGreaterThan(0);
    expect(part("allocator_free").source).toContain("V8 heap");
    expect(part("code").bytes).toBeGreaterThan(0);
  });

  it("publishes parts on /metrics that sum to memsnap_process_resident_bytes of the same sample", async () => {
    const metrics = await scrape(daemon);
    const parts = [...metrics.entries()].filter(([key]) =>
      key.startsWith('memsnap_memory_attribution_bytes{target="demo",'),
    );
    expect(parts.map(([key]) => /part="(\w+)"/.exec(key)![1]).sort()).toEqual([
      "allocator_free",
      "code",
      "collections",
      "data_files",
      "shared_memory",
      "stacks",
      "unexplained",
    ]);
    expect(parts.reduce((sum, [, value]) => sum + value, 0)).toBe(
      metrics.get('memsnap_process_resident_bytes{target="demo"}'),
    );
  });
});
