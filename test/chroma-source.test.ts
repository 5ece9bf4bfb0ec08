import { ChromaSource } from "../src/sources/collections/chroma";
import type { SourceError } from "../src/sources/types";
import { recorded, startFixtureServer, type FixtureServer, type Responder } from "./helpers/fixture-server";

const MB = 1024 * 1024;
const NOTES = "8670817b-330c-4434-b425-ed9fdfb072a8";
const EMPTY = "9e898ce6-fa3f-4a3c-a1dc-d5556dec5df5";

async function read(url: string, tenant?: string, database?: string) {
  const errors: SourceError[] = [];
  const source = new ChromaSource({ url, tenant, database, timeoutMs: 2000, maxBytes: 32 * MB });
  const reading = await source.collections(AbortSignal.timeout(10_000), errors);
  return { reading, errors, byName: new Map(reading.collections.map((c) => [c.name, c])) };
}

function answering(status: number, body: unknown): Responder {
  return (_request, response) => {
    response.writeHead(status, { "content-type": "application/json" });
    response.end(JSON.stringify(body));
  };
}

/** The recorded Chroma 1.0 answers, with the paths ending in `suffix` answered by `override`. */
function recordedExcept(suffix: string, override: Responder): Responder {
  const rest = recorded("chroma/1.0");
  return (request, response) => (request.url?.endsWith(suffix) ? override(request, response) : rest(request, response));
}

describe("the chroma adapter, against answers recorded from Chroma 1.0.0", () => {
  let server: FixtureServer;

  beforeAll(async () => {
    server = await startFixtureServer({
      recorded: recorded("chroma/1.0"),
      /** What Chroma answers for a database that does not exist: 404 for it, and an empty list of its collections. */
      missing: (request, response) => {
        if (request.url?.endsWith("/version")) {
          answering(200, "1.0.0")(request, response);
          return;
        }
        if (request.url?.endsWith("/collections")) {
          answering(200, [])(request, response);
          return;
        }
        answering(404, { error: "NotFoundError", message: "Database [nope] not found. Are you sure it exists?" })(
          request,
          response,
        );
      },
      vanished: recordedExcept(
        `${EMPTY}/count`,
        answering(404, { error: "NotFoundError", message: `Collection [${EMPTY}] does not exists.` }),
      ),
      countAsString: recordedExcept(`${NOTES}/count`, answering(200, "300")),
      notAList: recordedExcept("default_database/collections", answering(200, { collections: [] })),
    });
  });

  afterAll(() => server?.close());

  it("reads collections, counts, dimension and HNSW settings, with a null byte figure and the reason", async () => {
    const { reading, errors, byName } = await read(`${server.url}/recorded`);
    expect(reading.serverVersion).toBe("1.0.0");
    expect(byName.get("notes")).toMatchObject({
      vectorCount: 300,
      dimension: 8,
      metric: "cosine",
      quantization: "none",
      actualBytes: null,
      layout: { componentBytes: 4, hnswM: 32, allocatedNodes: 10_000, nodeLabelBytes: 8, enableSq8: null },
    });
    expect(byName.get("empty")).toMatchObject({
      vectorCount: 0,
      dimension: 0,
      metric: "l2",
      layout: { hnswM: 16, allocatedNodes: 0 },
    });
    expect(errors).toEqual([
      { source: "chroma", message: expect.stringContaining("Chroma reports no byte figures for its collections") },
    ]);
  });

  it("reads the configured tenant and database", async () => {
    const before = server.requests.length;
    await read(`${server.url}/missing`, "acme", "nope").catch(() => undefined);
    const asked = server.requests.slice(before).map((r) => r.url);
    expect(asked).toContain("/missing/api/v2/tenants/acme/databases/nope/collections");
  });

  it("refuses a database Chroma does not have, naming it and the settings to fix, instead of reporting no collections", async () => {
    await expect(read(`${server.url}/missing`, "acme", "nope")).rejects.toThrow(
      `${server.url}/missing/api/v2/tenants/acme/databases/nope answered HTTP 404: NotFoundError: Database [nope] not found. Are you sure it exists?: ` +
        'Chroma has no database "nope" in tenant "acme" (set MEMSNAP_TARGET_TENANT and MEMSNAP_TARGET_DATABASE, or tenant and database in the config file)',
    );
  });

  it("leaves out a collection deleted between the listing and its count", async () => {
    const { reading } = await read(`${server.url}/vanished`);
    expect(reading.collections.map((c) => c.name)).toEqual(["notes"]);
  });

  it.each([
    [
      "countAsString",
      `countAsString/api/v2/tenants/default_tenant/databases/default_database/collections/${NOTES}/count answered an unexpected shape: the body: Invalid input: expected number, received string`,
    ],
    [
      "notAList",
      "notAList/api/v2/tenants/default_tenant/databases/default_database/collections answered an unexpected shape: the body: Invalid input: expected array, received object",
    ],
  ])("refuses %s with an error naming the URL and the field", async (route, message) => {
    await expect(read(`${server.url}/${route}`)).rejects.toThrow(`${server.url}/${message}`);
  });
});
