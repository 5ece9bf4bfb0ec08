import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ChromaClient } from "chromadb";
import { SnapshotSchema } from "../src/snapshot/schema";
import { freePort, startChroma, type ChromaServer } from "./helpers/chroma";
import { getJson, scrape, startTestDaemon, waitFor, type TestDaemon } from "./helpers/daemon";
import { scratchDir } from "./helpers/scratch";

const DIMENSION = 384;
const COLLECTIONS = { "chroma-large": 20_000, "chroma-small": 5_000 } as const;
const BATCH = 2_500;

/** Deterministic vectors: no embedding model, no download. */
function embeddings(from: number, to: number, seed: number): number[][] {
  let state = seed;
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 1;
    return state / 0x7fffffff - 0.5;
  };
  return Array.from({ length: to - from }, () => Array.from({ length: DIMENSION }, next));
}

async function load(server: ChromaServer): Promise<void> {
  const client = new ChromaClient({ host: "127.0.0.1", port: server.port });
  for (const [name, vectors] of Object.entries(COLLECTIONS)) {
    const collection = await client.createCollection({
      name,
      embeddingFunction: null,
      configuration: { hnsw: { space: "cosine", ef_construction: 32 } },
    });
    for (let from = 0; from < vectors; from += BATCH) {
      const to = Math.min(vectors, from + BATCH);
      const ids = Array.from({ length: to - from }, (_, i) => `${name}-${from + i}`);
      await collection.add({ ids, embeddings: embeddings(from, to, vectors + from) });
    }
  }
}

/** data_level0.bin + link_lists.bin of the HNSW segment folder whose id map holds the collection's ids. */
function hnswFileBytes(dataDir: string, name: string): number {
  const marker = Buffer.from(`${name}-1`);
  for (const entry of readdirSync(dataDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const folder = path.join(dataDir, entry.name);
    if (!readFileSync(path.join(folder, "index_metadata.pickle")).includes(marker)) continue;
    return statSync(path.join(folder, "data_level0.bin")).size + statSync(path.join(folder, "link_lists.bin")).size;
  }
  throw new Error(`no HNSW segment folder in ${dataDir} holds ${name}`);
}

const up = (metrics: Map<string, number>) => metrics.get('memsnap_target_up{target="chroma"}');

describe("a real Chroma server, watched by pid with MEMSNAP_TARGET=chroma", () => {
  const scratch = scratchDir("databases-chroma");
  const dataDir = path.join(scratch, "data");
  const pidFile = path.join(scratch, "chroma.pid");
  let port: number;
  let server: ChromaServer;
  let daemon: TestDaemon;

  beforeAll(async () => {
    port = await freePort();
    server = await startChroma(dataDir, port);
    writeFileSync(pidFile, `${server.pid}\n`);
    await load(server);
    daemon = await startTestDaemon({
      MEMSNAP_TARGET: "chroma",
      MEMSNAP_TARGET_URL: server.url,
      MEMSNAP_TARGET_PID_FILE: pidFile,
      MEMSNAP_SCHEDULE: "* * * * * *",
    });
  }, 100_000);

  afterAll(async () => {
    await daemon?.stop();
    await server?.stop();
  });

  it("counts every vector, expects what Chroma's HNSW files hold, and reports the target up", async () => {
    const { body } = await getJson(`${daemon.url}/api/v1/memory-snapshot?fresh=true`);
    const snapshot = SnapshotSchema.parse(body);
    expect(snapshot.target).toMatchObject({ kind: "chroma", pid: server.pid, up: true, server_version: "1.0.0" });
    const details = new Map(snapshot.collections_info.collections_detail.map((c) => [c.name, c]));
    for (const [name, vectors] of Object.entries(COLLECTIONS)) {
      const detail = details.get(name);
      expect(detail).toMatchObject({
        vector_count: vectors,
        dimension: DIMENSION,
        metric: "cosine",
        actual_memory_bytes: null,
      });
      const files = hnswFileBytes(dataDir, name);
      expect(Math.abs((detail?.expected_bytes ?? 0) - files) / files).toBeLessThan(0.2);
    }
    expect(snapshot.errors.map((e) => e.message)).toContainEqual(
      expect.stringContaining("Chroma reports no byte figures"),
    );
    const metrics = await scrape(daemon);
    expect(up(metrics)).toBe(1);
    expect(metrics.get('memsnap_collection_vectors{target="chroma",collection="chroma-large"}')).toBe(20_000);
    expect(metrics.get('memsnap_collection_expected_bytes{target="chroma",collection="chroma-small"}')).toBe(
      details.get("chroma-small")?.expected_bytes,
    );
  });

  it("splits the server's resident memory into attribution parts that sum to its RSS", async () => {
    const metrics = await scrape(daemon);
    const parts = [...metrics].filter(
      ([series]) => series.startsWith("memsnap_memory_attribution_bytes{") && series.includes('target="chroma"'),
    );
    const rss = metrics.get('memsnap_process_resident_bytes{target="chroma"}')!;
    expect(parts.length).toBeGreaterThan(0);
    const sum = parts.reduce((total, [, value]) => total + value, 0);
    expect(Math.abs(sum - rss) / rss).toBeLessThan(0.02);
  });

  it("reports the target down when the server dies, and up again when it restarts, without restarting memsnap", async () => {
    await server.stop();
    await waitFor(async () => (up(await scrape(daemon)) === 0 ? true : undefined), "memsnap_target_up 0", 20_000);
    server = await startChroma(dataDir, port);
    writeFileSync(pidFile, `${server.pid}\n`);
    await waitFor(async () => (up(await scrape(daemon)) === 1 ? true : undefined), "memsnap_target_up 1 again", 30_000);
    const metrics = await scrape(daemon);
    expect(metrics.get('memsnap_collection_vectors{target="chroma",collection="chroma-small"}')).toBe(5_000);
  }, 60_000);
});
