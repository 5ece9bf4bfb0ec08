import { getJson, metricSamples, startTestDaemon, untilReady, type TestDaemon } from "./helpers/daemon";

const SPEC_METRICS = [
  "memsnap_health_score",
  "memsnap_overhead_ratio",
  "memsnap_unaccounted_memory_bytes",
  ...["resident", "virtual", "peak_resident", "anonymous", "file", "shared", "stack", "pss"].map(
    (m) => `memsnap_process_${m}_bytes`,
  ),
  ...["total", "available", "used"].map((m) => `memsnap_system_memory_${m}_bytes`),
  "memsnap_collections",
  "memsnap_vectors",
  "memsnap_collection_vectors",
  "memsnap_collection_estimated_bytes",
  "memsnap_collection_actual_bytes",
  "memsnap_estimated_memory_bytes",
  "memsnap_actual_memory_bytes",
  "memsnap_quantization_savings_bytes",
  "memsnap_quantization_coverage_ratio",
  "memsnap_target_up",
  "memsnap_sample_duration_seconds",
  "memsnap_last_sample_timestamp_seconds",
  "memsnap_build_info",
  "process_resident_memory_bytes",
];

describe("the daemon over HTTP, on the demo target", () => {
  let daemon: TestDaemon;

  beforeAll(async () => {
    daemon = await startTestDaemon();
    await untilReady(daemon);
  });

  afterAll(() => daemon?.stop());

  it("exports every metric of SPEC section 7 with non-zero values from the demo", async () => {
    const response = await fetch(`${daemon.url}/metrics`);
    expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const values = metricSamples(await response.text());
    for (const name of SPEC_METRICS) {
      const series = [...values.entries()].filter(([key]) => key === name || key.startsWith(`${name}{`));
      expect({ name, present: series.length > 0 }).toEqual({ name, present: true });
      expect({ name, nonZero: series.some(([, v]) => v !== 0) }).toEqual({ name, nonZero: true });
    }
    for (const name of [
      "memsnap_system_swap_total_bytes",
      "memsnap_system_swap_used_bytes",
      "memsnap_process_swap_bytes",
    ]) {
      expect([...values.keys()].some((key) => key === name || key.startsWith(`${name}{`))).toBe(true);
    }
    expect(values.get('memsnap_target_up{target="demo"}')).toBe(1);
    expect(values.get('memsnap_collection_quantized{target="demo",collection="docs-sq8"}')).toBe(1);
  });

  it("answers OpenMetrics when the scraper asks for it, keeping counter names intact for the next text scrape", async () => {
    const open = await fetch(`${daemon.url}/metrics`, {
      headers: { accept: "application/openmetrics-text; version=1.0.0" },
    });
    expect(open.headers.get("content-type")).toContain("application/openmetrics-text");
    expect((await open.text()).endsWith("# EOF\n")).toBe(true);
    const text = await (await fetch(`${daemon.url}/metrics`)).text();
    expect(text).toContain("process_cpu_seconds_total ");
  });

  it("serves the latest snapshot with every seed section", async () => {
    const { status, body } = await getJson(`${daemon.url}/api/v1/memory-snapshot`);
    expect(status).toBe(200);
    for (const key of [
      "timestamp",
      "system_info",
      "process_info",
      "collections_info",
      "discrepancy_analysis",
      "recommendations",
      "health",
      "findings",
      "errors",
    ]) {
      expect(body).toHaveProperty(key);
    }
    expect(body.target).toMatchObject({ name: "demo", kind: "demo", up: true });
    expect(body.collections_info.total_collections).toBeGreaterThan(0);
    expect(body.process_info.physical_memory_bytes).toBeGreaterThan(body.collections_info.actual_memory_bytes);
  });

  it("samples on demand with ?fresh=true", async () => {
    const latest = await getJson(`${daemon.url}/api/v1/memory-snapshot`);
    const fresh = await getJson(`${daemon.url}/api/v1/memory-snapshot?fresh=true`);
    expect(Date.parse(fresh.body.timestamp)).toBeGreaterThan(Date.parse(latest.body.timestamp));
  });

  it("keeps a bounded history, newest last", async () => {
    await getJson(`${daemon.url}/api/v1/memory-snapshot?fresh=true`);
    const { status, body } = await getJson(`${daemon.url}/api/v1/memory-snapshot/history?limit=2`);
    expect(status).toBe(200);
    expect(body.count).toBe(2);
    expect(Date.parse(body.snapshots[1].timestamp)).toBeGreaterThan(Date.parse(body.snapshots[0].timestamp));
  });

  it("answers a summary per snapshot by default, and every collection with ?detail=full", async () => {
    const summary = await getJson(`${daemon.url}/api/v1/memory-snapshot/history?limit=2`);
    expect(summary.body).toMatchObject({ detail: "summary", count: 2 });
    expect(summary.body.snapshots[0].collections_info).not.toHaveProperty("collections_detail");
    expect(summary.body.snapshots[0].collections_info.total_collections).toBeGreaterThan(0);
    const full = await getJson(`${daemon.url}/api/v1/memory-snapshot/history?limit=2&detail=full`);
    expect(full.body).toMatchObject({ detail: "full", count: 2 });
    expect(full.body.snapshots[1].collections_info.collections_detail).toHaveLength(
      full.body.snapshots[1].collections_info.total_collections,
    );
    const [whole, short] = [full.body.snapshots[0], summary.body.snapshots[0]];
    expect(short.collections_info).toEqual({ ...whole.collections_info, collections_detail: undefined });
    expect(short.health).toEqual(whole.health);
    expect(short.recommendations_total).toBe(whole.recommendations.length);
    const perCollection = whole.findings.filter((f: { collection?: string }) => f.collection !== undefined);
    expect(Object.values(short.collection_findings as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(
      perCollection.length,
    );
    expect(short.findings).toEqual(whole.findings.filter((f: { collection?: string }) => f.collection === undefined));
  });

  it("is alive and ready", async () => {
    expect(await getJson(`${daemon.url}/healthz`)).toEqual({ status: 200, body: { status: "ok" } });
    expect(await getJson(`${daemon.url}/readyz`)).toEqual({ status: 200, body: { status: "ready" } });
  });

  it.each([
    ["/api/v1/memory-snapshot?fresh=maybe", 400, "bad_parameter"],
    ["/api/v1/memory-snapshot?fresh=true&fresh=false", 400, "bad_parameter"],
    ["/api/v1/memory-snapshot?target=nope", 404, "unknown_target"],
    ["/api/v1/memory-snapshot/history?limit=0", 400, "bad_parameter"],
    ["/api/v1/memory-snapshot/history?limit=abc", 400, "bad_parameter"],
    ["/api/v1/memory-snapshot/history?limit=99999999", 400, "bad_parameter"],
    ["/api/v1/memory-snapshot/history?limit=61&detail=full", 400, "bad_parameter"],
    ["/api/v1/memory-snapshot/history?detail=everything", 400, "bad_parameter"],
    ["/no/such/route", 404, "not_found"],
  ])("refuses GET %s with %i and a JSON error", async (route, status, code) => {
    const response = await getJson(`${daemon.url}${route}`);
    expect(response.status).toBe(status);
    expect(response.body).toMatchObject({ code, error: expect.any(String), details: expect.any(Object) });
  });

  it("names the known targets when asked for an unknown one", async () => {
    const { body } = await getJson(`${daemon.url}/api/v1/memory-snapshot?target=nope`);
    expect(body.details).toEqual({ known_targets: ["demo"] });
  });

  it("answers 405 with the allowed methods for a wrong method", async () => {
    const response = await fetch(`${daemon.url}/metrics`, { method: "DELETE" });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toContain("GET");
    expect(await response.json()).toMatchObject({ code: "method_not_allowed" });
  });
});
