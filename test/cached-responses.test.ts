import { gunzipSync } from "node:zlib";
import { getRaw } from "./helpers/http";
import { startTestDaemon, untilReady, type TestDaemon } from "./helpers/daemon";

/** A schedule that never fires during a test: only the first sample and the test's own happen. */
const ONCE_A_YEAR = "0 0 0 1 1 *";

const scrape = (url: string, headers: Record<string, string>) => getRaw(`${url}/metrics`, headers);

const plain = (url: string) => scrape(url, { "accept-encoding": "identity" });

function lastSampleSeconds(exposition: Buffer): number {
  const line = exposition
    .toString()
    .split("\n")
    .find((l) => l.startsWith("memsnap_last_sample_timestamp_seconds{"));
  return Number(line?.split(" ").pop());
}

describe("responses served from memory until the next sample", () => {
  let daemon: TestDaemon;

  beforeAll(async () => {
    daemon = await startTestDaemon({ MEMSNAP_SCHEDULE: ONCE_A_YEAR });
    await untilReady(daemon);
  });

  afterAll(() => daemon?.stop());

  it("serves the same bytes to every scrape between two samples, live process metrics included", async () => {
    const first = await plain(daemon.url);
    const second = await plain(daemon.url);
    expect(first.body.toString()).toContain("process_cpu_seconds_total ");
    expect(second.body.equals(first.body)).toBe(true);
  });

  it("renders again after a sample", async () => {
    const before = await plain(daemon.url);
    await daemon.monitor.sampleScheduled("demo");
    const after = await plain(daemon.url);
    expect(after.body.equals(before.body)).toBe(false);
    expect(lastSampleSeconds(after.body)).toBeGreaterThan(lastSampleSeconds(before.body));
  });

  it("sends the same exposition gzipped to a scraper that takes gzip, as Prometheus does", async () => {
    const identity = await plain(daemon.url);
    const zipped = await scrape(daemon.url, { "accept-encoding": "gzip" });
    expect(zipped.headers["content-encoding"]).toBe("gzip");
    expect(zipped.headers.vary).toContain("Accept-Encoding");
    expect(gunzipSync(zipped.body).equals(identity.body)).toBe(true);
    expect(identity.headers["content-encoding"]).toBeUndefined();
  });

  it("answers each scraper in the format it asks for, scrape after scrape", async () => {
    const openMetrics = { accept: "application/openmetrics-text; version=1.0.0", "accept-encoding": "identity" };
    for (let round = 0; round < 3; round++) {
      expect((await scrape(daemon.url, openMetrics)).headers["content-type"]).toContain("application/openmetrics-text");
      expect((await plain(daemon.url)).headers["content-type"]).toContain("text/plain; version=0.0.4");
    }
  });

  it("answers the snapshot route with JSON that follows the latest sample", async () => {
    const first = await fetch(`${daemon.url}/api/v1/memory-snapshot`);
    expect(first.headers.get("content-type")).toBe("application/json; charset=utf-8");
    const before = (await first.json()) as { timestamp: string };
    const sampled = await daemon.monitor.sampleScheduled("demo");
    const after = (await (await fetch(`${daemon.url}/api/v1/memory-snapshot`)).json()) as { timestamp: string };
    expect(after.timestamp).toBe(sampled.timestamp);
    expect(after.timestamp > before.timestamp).toBe(true);
  });
});
