import { expectedMemory } from "../src/snapshot/model";
import { QdrantSource } from "../src/sources/collections/qdrant";
import type { CollectionFigures, SourceError } from "../src/sources/types";
import { recorded, requiringApiKey, startFixtureServer, type FixtureServer } from "./helpers/fixture-server";
import { MB } from "./helpers/samples";

function sourceAt(url: string, apiKey?: string): QdrantSource {
  return new QdrantSource({ url, apiKey, timeoutMs: 2000, maxBytes: 32 * MB });
}

async function read(source: QdrantSource) {
  const errors: SourceError[] = [];
  const reading = await source.collections(AbortSignal.timeout(10_000), errors);
  const byName = new Map<string, CollectionFigures>(reading.collections.map((c) => [c.name, c]));
  return { reading, errors, byName };
}

/** What the recorded collections hold: points × Σ vector sizes, and telemetry's vectors + payloads. */
const EXPECTED = {
  docs: {
    dimension: 384,
    vectorCount: 120_000,
    metric: "Cosine",
    quantization: "sq8",
    actualBytes: 215_520_000,
    payloadBytes: 31_200_000,
  },
  images: {
    dimension: 576,
    vectorCount: 40_000,
    metric: "Cosine,Dot",
    quantization: "binary",
    actualBytes: 96_960_000,
    payloadBytes: 4_800_000,
  },
  catalog: {
    dimension: 768,
    vectorCount: 250_000,
    metric: "Euclid",
    quantization: "pq",
    actualBytes: 828_000_000,
    payloadBytes: 60_000_000,
  },
  "raw-u8": {
    dimension: 1024,
    vectorCount: 15_000,
    metric: "Cosine",
    quantization: "sq8",
    actualBytes: 15_360_000,
    payloadBytes: 0,
  },
  mixed: {
    dimension: 512,
    vectorCount: 8_000,
    metric: "Cosine",
    quantization: "sq8",
    actualBytes: 17_984_000,
    payloadBytes: 1_600_000,
  },
};

/** Qdrant before 1.18: no /memory route; the byte figures fall back to telemetry, and the snapshot says so. */
const NO_MEMORY_ROUTE = {
  source: "qdrant",
  message: expect.stringContaining("answers no GET /collections/{name}/memory (Qdrant 1.18 and later)"),
};

const MIXED_WARNING = {
  source: "qdrant",
  message: 'collection "mixed": its named vectors are stored differently (sq8, binary); counted as sq8',
};

describe("the qdrant adapter, against recorded Qdrant answers", () => {
  let server: FixtureServer;

  beforeAll(async () => {
    server = await startFixtureServer({
      v115: recorded("qdrant/1.15"),
      v113: recorded("qdrant/1.13", "qdrant/1.15"),
      v112: recorded("qdrant/1.12", "qdrant/1.15"),
      vanished: recorded("qdrant/vanished", "qdrant/1.15"),
      keyed: requiringApiKey("s3cret-key", recorded("qdrant/1.15")),
      telemetryForbidden: (request, response) => {
        if (!request.url?.startsWith("/telemetry")) {
          recorded("qdrant/1.15")(request, response);
          return;
        }
        response.writeHead(403, { "content-type": "application/json" });
        response.end(JSON.stringify({ status: { error: "Forbidden: Global access is required" }, time: 0 }));
      },
    });
  });

  afterAll(() => server?.close());

  it("reads points, vector sizes, named vectors, quantization and telemetry's byte figures (1.15)", async () => {
    const { reading, errors, byName } = await read(sourceAt(`${server.url}/v115`));
    expect(reading.serverVersion).toBe("1.15.1");
    for (const [name, expected] of Object.entries(EXPECTED)) {
      expect({ name, ...byName.get(name) }).toMatchObject({ name, documentCount: null, indexBytes: null, ...expected });
      expect(byName.get(name)?.actualSource).toContain("Qdrant's own estimate");
    }
    const rawU8 = expectedMemory(byName.get("raw-u8")!);
    expect([rawU8.vectorsBytes, rawU8.quantizedBytes]).toEqual([0, 15_000 * 1024]);
    expect(expectedMemory(byName.get("docs")!)).toMatchObject({
      vectorsBytes: 120_000 * 384 * 4,
      quantizedBytes: 120_000 * 384,
    });
    expect(errors).toEqual([
      NO_MEMORY_ROUTE,
      MIXED_WARNING,
      {
        source: "qdrant",
        message: `${server.url}/v115/metrics answered HTTP 404: Not found: metrics; the allocator's free memory is unknown`,
      },
    ]);
    expect(reading.runtime).toBeNull();
  });

  it("asks for telemetry at details level 3, where shards carry their sizes", async () => {
    await read(sourceAt(`${server.url}/v115`));
    expect(server.requests.some((r) => r.url === "/v115/telemetry?details_level=3")).toBe(true);
  });

  it("sums segment figures where the version gives no shard totals (1.13)", async () => {
    const { reading, byName } = await read(sourceAt(`${server.url}/v113`));
    expect(reading.serverVersion).toBe("1.13.6");
    for (const [name, expected] of Object.entries(EXPECTED))
      expect(byName.get(name)?.actualBytes).toBe(expected.actualBytes);
  });

  it("leaves byte figures null, naming the collections, where telemetry gives none (1.12)", async () => {
    const { reading, errors } = await read(sourceAt(`${server.url}/v112`));
    expect(reading.collections.map((c) => c.actualBytes)).toEqual([null, null, null, null, null]);
    expect(reading.collections.map((c) => c.vectorCount)).toEqual([120_000, 40_000, 250_000, 15_000, 8_000]);
    expect(errors).toContainEqual({
      source: "qdrant",
      message:
        'Qdrant 1.12.6 telemetry gives no vectors_size_bytes/payloads_size_bytes for "docs", "images", "catalog", "raw-u8", "mixed"; their byte figures are unknown',
    });
  });

  it("keeps the counts when telemetry is refused, and says why the bytes are missing", async () => {
    const { reading, errors } = await read(sourceAt(`${server.url}/telemetryForbidden`));
    expect(reading.collections).toHaveLength(5);
    expect(reading.collections.every((c) => c.actualBytes === null)).toBe(true);
    expect(reading.serverVersion).toBeNull();
    expect(errors).toContainEqual({
      source: "qdrant",
      message:
        `${server.url}/telemetryForbidden/telemetry?details_level=3 answered HTTP 403: Forbidden: Global access is required ` +
        `(check the target's api_key / MEMSNAP_TARGET_API_KEY); the byte figures of "docs", "images", "catalog", "raw-u8", "mixed" are unknown`,
    });
  });

  it("leaves out, without an error, a collection deleted between the listing and its read", async () => {
    const { reading, errors } = await read(sourceAt(`${server.url}/vanished`));
    expect(reading.collections.map((c) => c.name)).toEqual(["docs"]);
    expect(errors.filter((e) => e.message.includes("dropped-meanwhile"))).toEqual([]);
  });

  it("sends the API key in Qdrant's api-key header on every request", async () => {
    const before = server.requests.length;
    const { reading } = await read(sourceAt(`${server.url}/keyed`, "s3cret-key"));
    expect(reading.collections).toHaveLength(5);
    const sent = server.requests.slice(before);
    expect(sent.length).toBe(13);
    expect(sent.every((r) => r.headers["api-key"] === "s3cret-key")).toBe(true);
  });

  it("names the HTTP 401 and the setting to fix when the API key is missing", async () => {
    await expect(read(sourceAt(`${server.url}/keyed`))).rejects.toThrow(
      `${server.url}/keyed/collections answered HTTP 401: Must provide an API key or an Authorization bearer token ` +
        "(check the target's api_key / MEMSNAP_TARGET_API_KEY)",
    );
  });
});
