import { ConfigSchema } from "../src/config/schema";
import { buildSnapshot } from "../src/snapshot/build";
import { sampleTarget } from "../src/sampling/sampler";
import type { Snapshot } from "../src/snapshot/schema";
import { startTarget } from "../src/targets";
import { faults, recorded, startFixtureServer, type FixtureServer } from "./helpers/fixture-server";

const CAP_BYTES = 32 * 1024 * 1024;
/** The slow server is given a short timeout; the others the default 5 s, to show the fault is not a timeout. */
const SHORT_TIMEOUT_MS = 300;

/** One real sample of a target whose process is this test's own and whose API is `url`. */
async function snapshotOf(kind: "vectorizer" | "qdrant", url: string, timeoutMs?: number): Promise<Snapshot> {
  const config = ConfigSchema.parse({
    targets: [{ name: `${kind}-db`, kind, url, pid: process.pid, timeout_ms: timeoutMs }],
  });
  const target = await startTarget(config.targets[0]);
  const sample = await sampleTarget(target, new AbortController().signal);
  return buildSnapshot(sample, config.thresholds);
}

const FAULTS: Array<[string, string, RegExp]> = [
  ["slow", "a server slower than the timeout", new RegExp(`did not answer within ${SHORT_TIMEOUT_MS} ms$`)],
  ["error500", "HTTP 500", /answered HTTP 500: Service internal error: 1 of 1 read operations failed$/],
  [
    "html",
    "an HTML page",
    /did not answer JSON \(its answer starts with "<!DOCTYPE html><html><head><title>Sign i"\); is this the database's API URL\?$/,
  ],
  [
    "closedMidBody",
    "a connection closed mid-body",
    /closed the connection after \d+ bytes of its answer \(connection reset\)$/,
  ],
  [
    "huge50MbChunked",
    "a 50 MB body streamed without a length",
    new RegExp(`answered more than the ${CAP_BYTES}-byte cap \\(raise max_response_bytes\\)$`),
  ],
  [
    "huge50MbDeclared",
    "a declared 50 MB body",
    new RegExp(`answered 52428800 bytes, over the ${CAP_BYTES}-byte cap \\(raise max_response_bytes\\)$`),
  ],
];

describe("a database API that fails ends in a snapshot that names the cause", () => {
  let server: FixtureServer;

  beforeAll(async () => {
    server = await startFixtureServer({
      ...faults,
      qdrant: recorded("qdrant/1.15"),
      vectorizer: recorded("vectorizer"),
    });
  });

  afterAll(() => server?.close());

  describe.each(["vectorizer", "qdrant"] as const)("%s", (kind) => {
    it.each(FAULTS)("%s: %s", async (route, _what, cause) => {
      const snapshot = await snapshotOf(
        kind,
        `${server.url}/${route}`,
        route === "slow" ? SHORT_TIMEOUT_MS : undefined,
      );
      const apiErrors = snapshot.errors.filter((e) => e.source === kind);
      expect(apiErrors).toHaveLength(1);
      expect(apiErrors[0].message).toContain(`${server.url}/${route}/`);
      expect(apiErrors[0].message).toMatch(cause);
      expect(snapshot.target.up).toBe(false);
      expect(snapshot.findings[0]).toMatchObject({ severity: "critical", code: "TargetDown" });
      expect(snapshot.collections_info.collections_detail).toEqual([]);
      expect(snapshot.discrepancy_analysis.unaccounted_memory_bytes).toBeNull();
      expect(snapshot.process_info.physical_memory_bytes).toBeGreaterThan(0);
    });

    it("a healthy API gives a snapshot that is up, with the server's version", async () => {
      const snapshot = await snapshotOf(kind, `${server.url}/${kind}`);
      expect(snapshot.target).toMatchObject({ up: true, server_version: kind === "qdrant" ? "1.15.1" : "1.8.2" });
      expect(snapshot.collections_info.total_collections).toBeGreaterThan(0);
    });
  });

  it("a closed port is named as unreachable", async () => {
    const closed = await startFixtureServer({});
    await closed.close();
    const snapshot = await snapshotOf("qdrant", closed.url);
    expect(snapshot.errors).toEqual([
      {
        source: "qdrant",
        message: `cannot reach ${closed.url}/collections: connect ECONNREFUSED ${closed.url.slice(7)}`,
      },
    ]);
    expect(snapshot.target.up).toBe(false);
  });
});
