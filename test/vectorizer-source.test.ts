import { readFileSync } from "node:fs";
import path from "node:path";
import { normaliseVectorizerQuantization, VectorizerSource } from "../src/sources/collections/vectorizer";
import type { SourceError } from "../src/sources/types";
import { FIXTURES, recorded, startFixtureServer, type FixtureServer, type Responder } from "./helpers/fixture-server";
import { MB } from "./helpers/samples";

function read(url: string) {
  const errors: SourceError[] = [];
  const source = new VectorizerSource({ url, timeoutMs: 2000, maxBytes: 32 * MB });
  return source.collections(AbortSignal.timeout(10_000), errors).then((reading) => ({ reading, errors }));
}

const recordedCollections = () => JSON.parse(readFileSync(path.join(FIXTURES, "vectorizer/collections.json"), "utf8"));

/** The recorded answers, with `/collections` replaced by a hostile variant. */
function withCollections(mutate: (body: any) => unknown): Responder {
  const body = JSON.stringify(mutate(recordedCollections()));
  return (request, response) => {
    if (request.url !== "/collections") {
      recorded("vectorizer")(request, response);
      return;
    }
    response.writeHead(200, { "content-type": "application/json" });
    response.end(body);
  };
}

const HOSTILE: Array<[string, (body: any) => unknown, string]> = [
  [
    "a count as a string",
    (b) => ((b.collections[1].vector_count = "20000"), b),
    'collection "docs-sq8": collections[1].vector_count: Invalid input: expected number, received string (got "20000")',
  ],
  [
    "a fractional dimension",
    (b) => ((b.collections[0].dimension = 767.5), b),
    'collection "catalog-pq": collections[0].dimension: Invalid input: expected int, received number (got 767.5)',
  ],
  [
    "a negative byte figure",
    (b) => ((b.collections[3].size.total_bytes = -1), b),
    'collection "raw": collections[3].size.total_bytes: Too small: expected number to be >=0 (got -1)',
  ],
  [
    "a byte figure as a display string",
    (b) => ((b.collections[3].size.total_bytes = "6.3 MB"), b),
    'collection "raw": collections[3].size.total_bytes: Invalid input: expected number, received string (got "6.3 MB")',
  ],
  [
    "a collection without a name",
    (b) => (delete b.collections[2].name, b),
    "collections[2].name: Invalid input: expected string, received undefined",
  ],
  [
    "collections that are not a list",
    (b) => ({ ...b, collections: { a: 1 } }),
    "collections: Invalid input: expected array, received object",
  ],
  ["a list instead of the object", (b) => b.collections, "the body: Invalid input: expected object, received array"],
];

describe("the vectorizer adapter, against recorded Vectorizer answers", () => {
  let server: FixtureServer;

  beforeAll(async () => {
    const responders: Record<string, Responder> = {
      recorded: recorded("vectorizer"),
      tenant: recorded("vectorizer/tenant", "vectorizer"),
    };
    HOSTILE.forEach(([, mutate], i) => (responders[`hostile${i}`] = withCollections(mutate)));
    server = await startFixtureServer(responders);
  });

  afterAll(() => server?.close());

  it("reads every collection with its own byte figure, metric and normalised quantization", async () => {
    const { reading } = await read(`${server.url}/recorded`);
    expect(reading.serverVersion).toBe("1.8.2");
    expect(
      reading.collections.map((c) => [c.name, c.quantization, c.actualBytes, c.dimension, c.vectorCount, c.metric]),
    ).toEqual([
      ["catalog-pq", "pq", 203_280_000, 768, 60_000, "Euclidean"],
      ["docs-sq8", "sq8", 14_160_000, 384, 20_000, "Cosine"],
      ["notes-binary", "binary", null, 1024, 50_000, "DotProduct"],
      ["raw", "none", 6_624_000, 128, 8_000, "Cosine"],
    ]);
    expect(reading.collections[1]).toMatchObject({
      documentCount: 640,
      indexBytes: 10_560_000,
      payloadBytes: 3_600_000,
    });
    expect(reading.collections[1].actualSource).toMatch(/^vectorizer size\.total_bytes: Vectorizer's own estimate/);
  });

  it("says so when /prometheus/metrics counts more vectors than the collections list", async () => {
    const { errors } = await read(`${server.url}/tenant`);
    expect(errors).toContainEqual({
      source: "vectorizer",
      message:
        "Vectorizer's /prometheus/metrics counts 162000 vectors (vectorizer_vectors_total) but its collections list 138000; " +
        "the memory of the unlisted ones counts as unaccounted",
    });
  });

  it("flags a binary collection's 0 bytes as implausible instead of taking it, and leaves placeholders out", async () => {
    const { errors } = await read(`${server.url}/recorded`);
    expect(errors).toEqual([
      {
        source: "vectorizer",
        message:
          'collection "zz-broken": Vectorizer could not open it (indexing_status "error"); its figures are placeholders and are left out',
      },
      {
        source: "vectorizer",
        message:
          'collection "notes-binary": Vectorizer reports size.total_bytes 0 for 50000 vectors (quantization binary); the figure is implausible and left out',
      },
    ]);
  });

  it("says so when the server holds more collections than it lists to memsnap", async () => {
    const { errors } = await read(`${server.url}/tenant`);
    expect(errors).toContainEqual({
      source: "vectorizer",
      message:
        "Vectorizer holds 7 collections but lists 5 to memsnap (tenant isolation?); the memory of the unlisted ones counts as unaccounted",
    });
  });

  it.each(HOSTILE.map(([what, , message], i) => [what, i, message] as const))(
    "refuses %s, naming the collection and the field",
    async (_what, i, message) => {
      const url = `${server.url}/hostile${i}`;
      await expect(read(url)).rejects.toThrow(`${url}/collections answered an unexpected shape: ${message}`);
    },
  );
});

describe("normaliseVectorizerQuantization", () => {
  it.each([
    [{ enabled: true, type: "SQ { bits: 8 }", bits: 8 }, "sq8"],
    [{ enabled: false, type: "SQ { bits: 4 }", bits: 0 }, "sq4"],
    [{ enabled: false, type: "Binary", bits: 0 }, "binary"],
    [{ enabled: false, type: "PQ { n_centroids: 256, n_subquantizers: 8 }", bits: 0 }, "pq"],
    [{ enabled: false, type: "None", bits: 0 }, "none"],
    [undefined, "none"],
    [{ enabled: true, type: "Turbo { bits: 2 }", bits: 2 }, null],
  ])("reads %j as %s, trusting the type over `enabled`", (quantization, expected) => {
    expect(normaliseVectorizerQuantization(quantization)).toBe(expected);
  });
});
