/**
 * The demo target: a child process that holds the demo store in memory and answers the Vectorizer
 * REST shapes (`GET /collections`, `/health`, `/stats`), so memsnap has a real process to measure.
 * `/stats` also carries `runtime`: V8's own figures for its heap and the memory outside it.
 *
 *   node dist/demo/server.js   (env: MEMSNAP_DEMO_HOST, MEMSNAP_DEMO_PORT, MEMSNAP_DEMO_SCALE)
 *
 * Once listening it writes one JSON line to stdout:
 *   {"event":"listening","url":"http://127.0.0.1:PORT","collections":N,"total_bytes":B}
 */
import http from "node:http";
import { getHeapStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import {
  assembleDemoStore,
  buildDemoCollection,
  DEMO_COLLECTION_SPECS,
  type DemoCollection,
  type DemoStore,
} from "./store";
import { listen } from "../listen";
import { VERSION } from "../version";

export interface DemoServerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Multiplies every collection's vector count; a number > 0. */
  readonly scale: number;
}

export interface DemoServer {
  readonly url: string;
  readonly store: DemoStore;
  close(): Promise<void>;
}

interface ServerState {
  readonly store: DemoStore;
  readonly startedAtMs: number;
  readonly createdAt: string;
}

type JsonBody = Record<string, unknown>;

const SQ8_TYPE = "SQ { bits: 8 }";
const NO_QUANTIZATION_TYPE = "None";
/** Vectorizer prints its DistanceMetric with Rust's Debug formatting. */
const COSINE_METRIC = "Cosine";
const KIB = 1024;
const MIB = 1024 * 1024;

class DemoEnvError extends Error {}

/** Vectorizer's display format: one decimal in MB or KB, whole bytes below 1 KB. */
function displayBytes(bytes: number): string {
  if (bytes >= MIB) return `${(bytes / MIB).toFixed(1)} MB`;
  if (bytes >= KIB) return `${(bytes / KIB).toFixed(1)} KB`;
  return `${bytes} B`;
}

/**
 * Vectorizer's "index" is the vector index as a whole (vector data plus the HNSW graph), and its
 * total is index + payload; the demo keeps the same meaning so total_bytes = index_bytes + payload_bytes.
 */
function sizeEntry(collection: DemoCollection): JsonBody {
  const { vectorsBytes, indexBytes, payloadBytes, totalBytes } = collection.bytes;
  const vectorIndexBytes = vectorsBytes + indexBytes;
  return {
    total: displayBytes(totalBytes),
    total_bytes: totalBytes,
    index: displayBytes(vectorIndexBytes),
    index_bytes: vectorIndexBytes,
    payload: displayBytes(payloadBytes),
    payload_bytes: payloadBytes,
  };
}

function collectionEntry(collection: DemoCollection, createdAt: string, now: string): JsonBody {
  const sq8 = collection.storage.quantization === "sq8";
  return {
    name: collection.name,
    vector_count: collection.vectorCount,
    document_count: collection.documentCount,
    dimension: collection.dimension,
    metric: COSINE_METRIC,
    embedding_provider: "bm25",
    size: sizeEntry(collection),
    quantization: { enabled: sq8, type: sq8 ? SQ8_TYPE : NO_QUANTIZATION_TYPE, bits: sq8 ? 8 : 0 },
    normalization: { enabled: false, level: "Disabled" },
    created_at: createdAt,
    updated_at: now,
    indexing_status: {
      status: "completed",
      progress: 1.0,
      total_documents: collection.vectorCount,
      processed_documents: collection.vectorCount,
      errors: 0,
      start_time: createdAt,
      end_time: createdAt,
    },
  };
}

function collectionsBody(state: ServerState): JsonBody {
  const now = new Date().toISOString();
  const sorted = [...state.store.collections].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    collections: sorted.map((collection) => collectionEntry(collection, state.createdAt, now)),
    total_collections: sorted.length,
  };
}

/**
 * What the demo's runtime holds, by V8's own count: the heap's used, committed and resident
 * bytes, and memory outside the heap (external, of which array buffers: the typed arrays).
 */
function runtimeBody(): JsonBody {
  const heap = getHeapStatistics();
  const usage = process.memoryUsage();
  return {
    v8_heap_used_bytes: heap.used_heap_size,
    v8_heap_committed_bytes: heap.total_heap_size,
    v8_heap_resident_bytes: heap.total_physical_size,
    external_bytes: usage.external,
    array_buffers_bytes: usage.arrayBuffers,
  };
}

const ROUTES = new Map<string, (state: ServerState) => JsonBody>([
  ["/collections", collectionsBody],
  ["/health", () => ({ status: "healthy", version: VERSION, timestamp: new Date().toISOString() })],
  [
    "/stats",
    (state) => ({
      collections: state.store.collections.length,
      total_vectors: state.store.totalVectors,
      uptime_seconds: Math.floor((Date.now() - state.startedAtMs) / 1000),
      version: VERSION,
      runtime: runtimeBody(),
    }),
  ],
]);

function sendJson(response: http.ServerResponse, status: number, body: JsonBody): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  response.end(text);
}

function handleRequest(state: ServerState, request: http.IncomingMessage, response: http.ServerResponse): void {
  const pathname = (request.url ?? "/").split("?")[0];
  const route = ROUTES.get(pathname);
  if (route === undefined) {
    sendJson(response, 404, { error: "not found" });
  } else if (request.method !== "GET") {
    response.setHeader("allow", "GET");
    sendJson(response, 405, { error: "method not allowed" });
  } else {
    sendJson(response, 200, route(state));
  }
}

/** Builds collection by collection, yielding in between so a SIGTERM during the build is handled. */
async function buildStore(scale: number): Promise<DemoStore> {
  const collections: DemoCollection[] = [];
  for (const spec of DEMO_COLLECTION_SPECS) {
    collections.push(buildDemoCollection(spec, { scale }));
    await yieldToEventLoop();
  }
  return assembleDemoStore(collections);
}

/**
 * A full garbage collection, as `node --expose-gc` would allow: the build leaves tens of MB of
 * dead objects that V8 would otherwise count as used until its next major GC.
 */
function collectGarbage(): void {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
}

export async function startDemoServer(options: DemoServerOptions): Promise<DemoServer> {
  const store = await buildStore(options.scale);
  collectGarbage();
  const state: ServerState = { store, startedAtMs: Date.now(), createdAt: new Date().toISOString() };
  const server = http.createServer((request, response) => handleRequest(state, request, response));
  const address = await listen(server, options.port, options.host);
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    store,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function readScale(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === "") return 1;
  const scale = Number(raw.trim());
  if (!Number.isFinite(scale) || scale <= 0) {
    throw new DemoEnvError(
      `MEMSNAP_DEMO_SCALE=${raw} is not a usable scale (expected a number greater than 0, e.g. 1 or 0.05)`,
    );
  }
  return scale;
}

function readPort(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === "") return 0;
  const port = Number(raw.trim());
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new DemoEnvError(
      `MEMSNAP_DEMO_PORT=${raw} is not a port (expected an integer from 0 to 65535; 0 picks a free port)`,
    );
  }
  return port;
}

function readOptions(env: NodeJS.ProcessEnv): DemoServerOptions {
  const host = env.MEMSNAP_DEMO_HOST?.trim() ?? "";
  return {
    host: host === "" ? "127.0.0.1" : host,
    port: readPort(env.MEMSNAP_DEMO_PORT),
    scale: readScale(env.MEMSNAP_DEMO_SCALE),
  };
}

/** Exits 0 on SIGTERM/SIGINT, and when the parent's IPC channel closes (the parent is gone). */
function exitWithParentOrSignal(currentServer: () => DemoServer | undefined): void {
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    const closing = currentServer()?.close() ?? Promise.resolve();
    void closing.catch(() => undefined).then(() => process.exit(0));
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  if (process.send !== undefined) process.once("disconnect", stop);
}

async function main(): Promise<void> {
  const options = readOptions(process.env);
  const started: { server?: DemoServer } = {};
  exitWithParentOrSignal(() => started.server);
  const server = await startDemoServer(options);
  started.server = server;
  const listening = {
    event: "listening",
    url: server.url,
    collections: server.store.collections.length,
    total_bytes: server.store.totalBytes,
  };
  process.stdout.write(`${JSON.stringify(listening)}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    if (error instanceof DemoEnvError) {
      process.stderr.write(`memsnap demo store: ${error.message}\n`);
      process.exit(2);
    }
    const message = error instanceof Error ? error.message : String(error);
    const hint = "if the port is taken, set MEMSNAP_DEMO_PORT to a free port or to 0";
    process.stderr.write(`memsnap demo store could not start: ${message} (${hint})\n`);
    process.exit(1);
  });
}
