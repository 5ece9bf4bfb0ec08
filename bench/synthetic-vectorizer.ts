/**
 * A stand-in Vectorizer for the benchmark: answers `GET /collections` with BENCH_COLLECTIONS
 * synthetic collections in Vectorizer's shape (and `/health`, `/stats` to match), so memsnap can be measured at 10 to 10 000
 * collections without a real database. The body is built once; the process is small, and it is
 * the process memsnap watches.
 *
 *   node dist-bench/bench/synthetic-vectorizer.js   (env: BENCH_COLLECTIONS)
 *
 * Once listening it writes {"event":"listening","url":"http://127.0.0.1:PORT"} on stdout, and it
 * exits on SIGTERM or when its parent's IPC channel closes.
 */
import { listenOnLoopback, runChild, serveAsChild, type LoopbackServer } from "./child-server";

const DIMENSIONS = [384, 768, 1024];
const BYTES_PER_FLOAT32 = 4;

function collectionEntry(index: number): Record<string, unknown> {
  const dimension = DIMENSIONS[index % DIMENSIONS.length];
  const vectorCount = 1000 + ((index * 7919) % 200_000);
  const quantized = index % 2 === 0;
  const vectorBytes = vectorCount * dimension * (quantized ? 1 : BYTES_PER_FLOAT32);
  const payloadBytes = vectorCount * 256;
  return {
    name: `bench-${String(index).padStart(5, "0")}`,
    vector_count: vectorCount,
    document_count: vectorCount,
    dimension,
    metric: "Cosine",
    size: {
      total: "synthetic",
      total_bytes: vectorBytes + payloadBytes,
      index: "synthetic",
      index_bytes: vectorBytes,
      payload: "synthetic",
      payload_bytes: payloadBytes,
    },
    quantization: { enabled: quantized, type: quantized ? "SQ { bits: 8 }" : "None", bits: quantized ? 8 : 0 },
  };
}

/** The `GET /collections` body for `count` collections. */
export function syntheticCollectionsBody(count: number): Buffer {
  const collections = Array.from({ length: count }, (_, index) => collectionEntry(index));
  return Buffer.from(JSON.stringify({ collections, total_collections: count }));
}

/** Every answer, built once: the stand-in costs its watcher nothing but the transfer. */
function syntheticAnswers(count: number): Map<string, Buffer> {
  const collections = syntheticCollectionsBody(count);
  const vectors = (
    JSON.parse(collections.toString()) as { collections: Array<{ vector_count: number }> }
  ).collections.reduce((sum, c) => sum + c.vector_count, 0);
  return new Map([
    ["/collections", collections],
    ["/health", Buffer.from(JSON.stringify({ status: "healthy", version: "bench" }))],
    ["/stats", Buffer.from(JSON.stringify({ collections: count, total_vectors: vectors, version: "bench" }))],
  ]);
}

export function startSyntheticVectorizer(count: number): Promise<LoopbackServer> {
  const answers = syntheticAnswers(count);
  return listenOnLoopback((request, response) => {
    const answer = request.method === "GET" ? answers.get(request.url ?? "") : undefined;
    response.writeHead(answer ? 200 : 404, { "content-type": "application/json" });
    response.end(answer ?? '{"error":"not found"}');
  });
}

function readCount(raw: string | undefined): number {
  const count = Number(raw);
  if (!Number.isInteger(count) || count < 0) {
    throw new Error(`BENCH_COLLECTIONS=${raw} is not a collection count (expected an integer ≥ 0)`);
  }
  return count;
}

async function main(): Promise<void> {
  serveAsChild(await startSyntheticVectorizer(readCount(process.env.BENCH_COLLECTIONS)));
}

if (require.main === module) runChild("synthetic vectorizer", main);
