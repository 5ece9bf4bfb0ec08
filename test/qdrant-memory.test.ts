import { readFileSync } from "node:fs";
import path from "node:path";
import { ThresholdsSchema } from "../src/config/schema";
import { buildSnapshot } from "../src/snapshot/build";
import { QdrantSource } from "../src/sources/collections/qdrant";
import type { SourceError } from "../src/sources/types";
import { FIXTURES, recorded, startFixtureServer, type FixtureServer, type Responder } from "./helpers/fixture-server";
import { processOf, sampleOf } from "./helpers/samples";

const MB = 1024 * 1024;
const METRICS = readFileSync(path.join(FIXTURES, "qdrant/1.19/metrics.txt"), "utf8");

async function read(url: string) {
  const errors: SourceError[] = [];
  const source = new QdrantSource({ url, timeoutMs: 2000, maxBytes: 32 * MB });
  const reading = await source.collections(AbortSignal.timeout(10_000), errors);
  return { reading, errors, byName: new Map(reading.collections.map((c) => [c.name, c])) };
}

/** Answers `route` with `body` (text) and everything else from the 1.19 recording. */
function overriding(route: string, status: number, body: string, ...layers: string[]): Responder {
  const rest = recorded("qdrant/1.19", ...layers);
  return (request, response) => {
    if (!request.url?.endsWith(route)) {
      rest(request, response);
      return;
    }
    response.writeHead(status, { "content-type": "text/plain" });
    response.end(body);
  };
}

describe("the qdrant adapter against Qdrant 1.19's /collections/{name}/memory and /metrics", () => {
  let server: FixtureServer;

  beforeAll(async () => {
    server = await startFixtureServer({
      v119: recorded("qdrant/1.19"),
      prefixed: overriding("/metrics", 200, METRICS.replace(/^(?!#)(\w)/gm, "qdrant_$1")),
      noJemalloc: overriding(
        "/metrics",
        200,
        METRICS.split("\n")
          .filter((line) => !line.includes("memory_"))
          .join("\n"),
      ),
      cluster: overriding("/metrics", 200, METRICS.replace("cluster_enabled 0", "cluster_enabled 1")),
      docsReportFails: overriding(
        "/collections/docs/memory",
        500,
        JSON.stringify({ status: { error: "Service internal error: memory probe failed" }, time: 0 }),
        "qdrant/1.15",
      ),
    });
  });

  afterAll(() => server?.close());

  it("takes a collection's resident figure as ram_bytes + cached_bytes, heap and mapped apart", async () => {
    const { byName, errors } = await read(`${server.url}/v119`);
    expect(byName.get("docs")).toMatchObject({
      vectorCount: 120_000,
      dimension: 384,
      quantization: "sq8",
      actualBytes: 50_710_016 + 185_428_992,
      anonymousBytes: 50_710_016,
      mappedResidentBytes: 185_428_992,
      indexBytes: 21_504_000,
      payloadBytes: 2_097_152 + 10_485_760 + 1_572_864 + 524_288,
      layout: { componentBytes: 4, keepsOriginals: true, hnswM: 16, graphs: 1 },
    });
    expect(byName.get("docs")?.actualSource).toContain("/collections/{name}/memory: ram_bytes + cached_bytes");
    expect(byName.get("multi")).toMatchObject({
      vectorCount: 50_000,
      dimension: 768 + 512,
      actualBytes: 6_745_728 + 193_005_824,
      anonymousBytes: 6_745_728,
      mappedResidentBytes: 193_005_824,
      layout: { componentBytes: (768 * 4 + 512 * 2) / 1280, keepsOriginals: true, hnswM: 32, graphs: 2 },
    });
    expect(errors).toContainEqual({
      source: "qdrant",
      message: expect.stringMatching(
        /^collection "multi": Qdrant's memory report warns: Failed to probe memory stats for .*chunk_0\.mmap/,
      ),
    });
  });

  it("reads the allocator's free memory from /metrics (jemalloc resident − allocated) and the version from app_info, without telemetry", async () => {
    const before = server.requests.length;
    const { reading } = await read(`${server.url}/v119`);
    expect(reading.runtime).toEqual({
      allocatorFreeBytes: 92_274_688 - 64_487_424,
      source: expect.stringContaining("qdrant /metrics"),
    });
    expect(reading.serverVersion).toBe("1.19.0");
    expect(server.requests.slice(before).map((r) => r.url)).not.toContainEqual(expect.stringContaining("telemetry"));
  });

  it("shows the measured figure, what it is, and the model's beside it in the snapshot; SQ8 keeps the originals", async () => {
    const { reading } = await read(`${server.url}/v119`);
    const snapshot = buildSnapshot(
      sampleOf("2026-01-01T00:00:00Z", processOf(2048), reading.collections),
      ThresholdsSchema.parse({}),
    );
    const docs = snapshot.collections_info.collections_detail.find((c) => c.name === "docs");
    expect(docs).toMatchObject({
      actual_memory_bytes: 50_710_016 + 185_428_992,
      expected_vectors_bytes: 120_000 * 384 * 4,
      expected_quantized_bytes: 120_000 * 384,
    });
    expect(docs?.actual_source).toContain("measured");
    const sq8 = snapshot.findings.find((f) => f.code === "EnableQuantization" && f.collection === "multi");
    expect(sq8?.message).toContain(
      "the database keeps the originals (~195.3 MB stay, on disk, paged in for rescoring) and adds a 1-byte copy (~61 MB) in RAM",
    );
    const plain = snapshot.findings.find((f) => f.code === "EnableQuantization" && f.collection === "plain");
    expect(plain?.message).toMatch(
      /^Quantize `plain` with SQ8 \(10 k vectors × 256 dims\), its float32 originals on disk: the database keeps the originals \(~9\.8 MB stay/,
    );
    expect(plain?.message).toContain(
      'Apply: PATCH /collections/plain {"vectors":{"":{"on_disk":true}},"quantization_config":{"scalar":{"type":"int8","always_ram":true}}}',
    );
    expect(sq8?.message).toContain(
      'Apply: PATCH /collections/multi {"vectors":{"text":{"on_disk":true},"image":{"on_disk":true}},"quantization_config":{"scalar":{"type":"int8","always_ram":true}}}',
    );
  });

  it("reads the allocator's figures under a configured metrics prefix", async () => {
    const { reading } = await read(`${server.url}/prefixed`);
    expect(reading.runtime?.allocatorFreeBytes).toBe(92_274_688 - 64_487_424);
  });

  it("says why the allocator's free memory is unknown on a build without jemalloc figures", async () => {
    const { reading, errors } = await read(`${server.url}/noJemalloc`);
    expect(reading.runtime).toBeNull();
    expect(errors).toContainEqual({
      source: "qdrant",
      message: expect.stringContaining("has no memory_resident_bytes and memory_allocated_bytes"),
    });
  });

  it("warns that a cluster's /memory figures include other nodes' shards", async () => {
    const { errors } = await read(`${server.url}/cluster`);
    expect(errors).toContainEqual({
      source: "qdrant",
      message: expect.stringContaining("Qdrant runs in cluster mode"),
    });
  });

  it("falls back to telemetry's estimate for a collection whose /memory report fails, and says so", async () => {
    const { byName, errors } = await read(`${server.url}/docsReportFails`);
    expect(byName.get("docs")).toMatchObject({ actualBytes: 215_520_000, payloadBytes: 31_200_000 });
    expect(byName.get("docs")?.actualSource).toContain("Qdrant's own estimate");
    expect(byName.get("multi")?.actualBytes).toBe(6_745_728 + 193_005_824);
    expect(errors).toContainEqual({
      source: "qdrant",
      message: expect.stringMatching(
        /^collection "docs": its \/memory report failed \(.*memory probe failed\); its byte figure is telemetry's estimate$/,
      ),
    });
  });
});
