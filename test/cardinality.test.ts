import { boundCollections, OTHER_COLLECTIONS } from "../src/metrics/cardinality";
import type { Snapshot } from "../src/snapshot/schema";
import { FakeVectorizer, uniqueProcessName } from "./helpers/fake-database";
import { metricSamples, startTestDaemon, untilReady, type TestDaemon } from "./helpers/daemon";

type Detail = Snapshot["collections_info"]["collections_detail"][number];

function detail(name: string, actual: number | null, vectors: number, quantized: boolean): Detail {
  return {
    name,
    dimension: 4,
    vector_count: vectors,
    document_count: null,
    metric: null,
    quantization: quantized ? "sq8" : "none",
    quantized,
    estimated_memory_mb: 0,
    actual_memory_mb: null,
    quantization_savings_mb: 0,
    estimated_memory_bytes: vectors * 16,
    actual_memory_bytes: actual,
    index_bytes: null,
    payload_bytes: null,
    quantization_savings_bytes: 0,
    expected_bytes: actual === null ? undefined : actual * 2,
  };
}

describe("bounding the per-collection series", () => {
  const details = [
    detail("small", 10, 1, false),
    detail("big", 1000, 2, true),
    detail("middle", 100, 3, true),
    detail("unknown", null, 4, false),
  ];

  it("keeps every collection under the cap", () => {
    expect(boundCollections(details, 4)).toEqual({ series: expect.any(Array), notExported: 0 });
    expect(boundCollections(details, 4).series.map((s) => s.collection)).toEqual(["small", "big", "middle", "unknown"]);
  });

  it("keeps the largest and sums the rest under __other__", () => {
    const { series, notExported } = boundCollections(details, 2);
    expect(notExported).toBe(2);
    expect(series.map((s) => s.collection)).toEqual(["big", "middle", OTHER_COLLECTIONS]);
    expect(series[2]).toEqual({
      collection: OTHER_COLLECTIONS,
      vectors: 5,
      estimatedBytes: 80,
      actualBytes: 10,
      expectedBytes: 20,
      quantizedCollections: 0,
    });
  });

  it("ranks a collection without the database's figure by its estimate, and leaves __other__'s figure unknown when none is known", () => {
    const { series } = boundCollections(
      [detail("a", null, 100, false), detail("b", 5, 1, true), detail("c", null, 1, true)],
      1,
    );
    expect(series.map((s) => s.collection)).toEqual(["a", OTHER_COLLECTIONS]);
    expect(series[1]).toMatchObject({ actualBytes: 5, quantizedCollections: 2 });
    expect(boundCollections([detail("a", 100, 1, false), detail("b", null, 1, false)], 1).series[1]).toMatchObject({
      actualBytes: null,
      expectedBytes: null,
    });
  });

  it("exports no per-collection series with a cap of 0", () => {
    expect(boundCollections(details, 0)).toEqual({ series: [], notExported: 4 });
  });
});

describe("a daemon watching a database with 10 000 collections", () => {
  let database: FakeVectorizer;
  let daemon: TestDaemon;

  beforeAll(async () => {
    const name = uniqueProcessName();
    database = await FakeVectorizer.start(name, 0, 10_000);
    daemon = await startTestDaemon({
      MEMSNAP_TARGET: "vectorizer",
      MEMSNAP_TARGET_NAME: "big",
      MEMSNAP_TARGET_URL: database.url,
      MEMSNAP_TARGET_PROCESS: name,
      MEMSNAP_ALERTS: "off",
      MEMSNAP_SCHEDULE: "0 0 0 1 1 *",
    });
    await untilReady(daemon);
  }, 30_000);

  afterAll(async () => {
    await daemon?.stop();
    await database?.kill();
  });

  it("exports at most 501 series per per-collection metric and counts the 9 500 others", async () => {
    const samples = metricSamples(await (await fetch(`${daemon.url}/metrics`)).text());
    for (const metric of [
      "memsnap_collection_vectors",
      "memsnap_collection_estimated_bytes",
      "memsnap_collection_actual_bytes",
      "memsnap_collection_quantized",
    ]) {
      const series = [...samples.keys()].filter((key) => key.startsWith(`${metric}{`));
      expect(series.length).toBe(501);
    }
    expect(samples.get('memsnap_collections_not_exported{target="big"}')).toBe(9500);
    expect(samples.get('memsnap_collections{target="big"}')).toBe(10_000);
    expect(samples.has('memsnap_collection_vectors{target="big",collection="collection-09999"}')).toBe(true);
    expect(samples.has('memsnap_collection_vectors{target="big",collection="collection-09998"}')).toBe(false);
    const kept = [...samples].filter(
      ([key]) => key.startsWith("memsnap_collection_actual_bytes{") && !key.includes(OTHER_COLLECTIONS),
    );
    const keptBytes = kept.reduce((sum, [, value]) => sum + value, 0);
    const other = samples.get(`memsnap_collection_actual_bytes{target="big",collection="${OTHER_COLLECTIONS}"}`)!;
    expect(keptBytes + other).toBe(samples.get('memsnap_actual_memory_bytes{target="big"}'));
    expect(samples.get(`memsnap_collection_quantized{target="big",collection="${OTHER_COLLECTIONS}"}`)).toBe(5000);
  });

  it("exports the target's kind, server version and process start time", async () => {
    const samples = metricSamples(await (await fetch(`${daemon.url}/metrics`)).text());
    expect(samples.get('memsnap_target_info{target="big",kind="vectorizer",server_version="1.8.2"}')).toBe(1);
    const started = samples.get('memsnap_target_start_time_seconds{target="big"}')!;
    expect(Math.abs(started - database.startedAtMs / 1000)).toBeLessThan(5);
  });
});
