import { FINDINGS } from "../src/snapshot/catalog";
import { Allocator } from "./helpers/allocator";
import { getJson, scrape, startTestDaemon, untilReady, type TestDaemon } from "./helpers/daemon";

/**
 * A `none` target watching the allocator, with every health deduction critical (a score under 100):
 * over 100 MB resident (the `unaccounted_memory` deduction) raises HealthScoreCritical. Only the
 * start takes a scheduled sample.
 */
function envFor(name: string, allocator: Allocator): Record<string, string> {
  return {
    MEMSNAP_TARGET: "none",
    MEMSNAP_TARGET_NAME: name,
    MEMSNAP_TARGET_PID: String(allocator.pid),
    MEMSNAP_SCHEDULE: "0 0 0 1 1 *",
    MEMSNAP_HEALTH_CRITICAL_SCORE: "100",
  };
}

const firing = (alertname: string, severity: string, target: string) =>
  `memsnap_alert_firing{alertname="${alertname}",severity="${severity}",target="${target}"}`;

describe("alerts and health in the daemon", () => {
  const started: Array<{ stop(): Promise<void> }> = [];
  afterEach(async () => {
    for (const thing of started.splice(0).reverse()) await thing.stop();
  });

  async function watched(name: string): Promise<{ allocator: Allocator; daemon: TestDaemon }> {
    const allocator = await Allocator.start();
    started.push(allocator);
    const daemon = await startTestDaemon(envFor(name, allocator));
    started.push(daemon);
    await untilReady(daemon);
    return { allocator, daemon };
  }

  it("fires nothing on three ?fresh=true GETs right after start, though they see a critical condition; the next scheduled sample fires it", async () => {
    const { allocator, daemon } = await watched("fresh");
    await allocator.allocate(200);
    const seen: string[][] = [];
    for (let i = 0; i < 3; i++) {
      const { status, body } = await getJson(`${daemon.url}/api/v1/memory-snapshot?fresh=true`);
      expect(status).toBe(200);
      seen.push(body.findings.map((f: { code: string }) => f.code));
    }
    expect(seen.every((codes) => codes.includes("HealthScoreCritical"))).toBe(true);
    const { body: alerts } = await getJson(`${daemon.url}/api/v1/alerts`);
    expect(alerts.alerts.filter((a: { state: string }) => a.state !== "inactive")).toEqual([]);
    expect((await scrape(daemon)).get(firing("HealthScoreCritical", "critical", "fresh"))).toBe(0);
    const { body: history } = await getJson(`${daemon.url}/api/v1/memory-snapshot/history`);
    expect(history.count).toBeGreaterThanOrEqual(2);

    await daemon.monitor.sampleScheduled("fresh");
    expect((await scrape(daemon)).get(firing("HealthScoreCritical", "critical", "fresh"))).toBe(1);
  });

  it("samples a target on request at most once a second: requests within it share the sample", async () => {
    const { daemon } = await watched("shared");
    const answers = await Promise.all([1, 2, 3].map(() => getJson(`${daemon.url}/api/v1/memory-snapshot?fresh=true`)));
    const timestamps = new Set(answers.map((a) => a.body.timestamp));
    expect(timestamps.size).toBe(1);
    const again = await getJson(`${daemon.url}/api/v1/memory-snapshot?fresh=true`);
    expect(again.body.timestamp).toBe([...timestamps][0]);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const later = await getJson(`${daemon.url}/api/v1/memory-snapshot?fresh=true`);
    expect(Date.parse(later.body.timestamp)).toBeGreaterThan(Date.parse(again.body.timestamp));
  });

  it("gives a dead target no health score and no memsnap_health_score series, and exports a 0 or 1 alert_firing series for every code", async () => {
    const { allocator, daemon } = await watched("dead");
    expect((await scrape(daemon)).get('memsnap_health_score{target="dead"}')).toBeGreaterThan(0);
    await allocator.stop();
    const snapshot = await daemon.monitor.sampleScheduled("dead");
    expect(snapshot.health).toEqual({ score: null, status: "unknown", deductions: [] });
    expect(snapshot.findings.map((f) => f.code)).not.toContain("HealthScoreCritical");
    const metrics = await scrape(daemon);
    expect(metrics.has('memsnap_health_score{target="dead"}')).toBe(false);
    const series = FINDINGS.flatMap((d) => d.levels.map((l) => [d.code, l.severity] as const));
    expect(series.length).toBeGreaterThan(10);
    for (const [code, severity] of series) {
      expect([code, severity, metrics.get(firing(code, severity, "dead"))]).toEqual([
        code,
        severity,
        code === "TargetDown" ? 1 : 0,
      ]);
    }
  });
});
