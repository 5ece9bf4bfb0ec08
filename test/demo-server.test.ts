import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import readline from "node:readline";
import { setTimeout as delay } from "node:timers/promises";
import { startDemoServer } from "../src/demo/server";

type JsonObject = Record<string, unknown>;
interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}
type LineMatcher = (line: JsonObject) => boolean;

interface DemoChild {
  readonly process: ChildProcess;
  /** Resolves with the first stdout JSON line that matches; rejects if the child ends first. */
  line(match: LineMatcher): Promise<JsonObject>;
  stderr(): string;
  /** The child exited and its stdout and stderr are drained. */
  readonly ended: Promise<Exit>;
}

const repoRoot = path.resolve(__dirname, "..");
const serverScript = path.join(repoRoot, "dist", "demo", "server.js");
const manifest = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { version: string };
const onLinux = process.platform === "linux";
const linuxIt = onLinux ? it : it.skip;
const started = new Set<ChildProcess>();
const orphanPids = new Set<number>();
const isListening: LineMatcher = (line) => line.event === "listening";

function streamClosed(stream: NodeJS.ReadableStream | null): Promise<unknown> {
  return stream === null ? Promise.resolve() : new Promise((resolve) => stream.once("close", resolve));
}

function watchJsonLines(child: ChildProcess, ended: Promise<Exit>, stderr: () => string): DemoChild["line"] {
  const seen: JsonObject[] = [];
  const waiting = new Set<{ match: LineMatcher; resolve: (line: JsonObject) => void }>();
  readline.createInterface({ input: child.stdout! }).on("line", (text) => {
    const line = JSON.parse(text) as JsonObject;
    seen.push(line);
    for (const waiter of waiting) {
      if (waiter.match(line)) {
        waiting.delete(waiter);
        waiter.resolve(line);
      }
    }
  });
  return (match) => {
    const found = seen.find(match);
    if (found !== undefined) return Promise.resolve(found);
    const endedFirst = ended.then((exit) => {
      throw new Error(`demo child ended (${JSON.stringify(exit)}) without that line; stderr: ${stderr()}`);
    });
    return Promise.race([new Promise<JsonObject>((resolve) => waiting.add({ match, resolve })), endedFirst]);
  };
}

function spawnDemo(
  env: Record<string, string>,
  stdio: StdioOptions = ["ignore", "pipe", "pipe"],
  args = [serverScript],
): DemoChild {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, MEMSNAP_DEMO_HOST: "127.0.0.1", MEMSNAP_DEMO_PORT: "0", MEMSNAP_DEMO_SCALE: "0.02", ...env },
    stdio,
  });
  started.add(child);
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<Exit>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  // Not the child's "close" event: it never fires once the parent has disconnected the IPC channel.
  const ended = Promise.all([exited, streamClosed(child.stdout), streamClosed(child.stderr)]).then(([exit]) => exit);
  return { process: child, line: watchJsonLines(child, ended, () => stderr), stderr: () => stderr, ended };
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: JsonObject;
}

function request(method: string, url: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request(url, { method, agent: false }, (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (text += chunk));
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: JSON.parse(text) as JsonObject }),
      );
    });
    outgoing.on("error", reject);
    outgoing.end();
  });
}

function statusBytes(pid: number, field: "VmRSS" | "RssAnon"): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (match === null) throw new Error(`/proc/${pid}/status has no ${field} line`);
  return Number(match[1]) * 1024;
}

/** Gone, or a zombie nobody has reaped yet (it has exited either way). */
function processGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return true;
  }
}

async function pollUntil(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs} ms waiting for ${what}`);
    await delay(25);
  }
}

beforeAll(() => {
  const sources = ["server.ts", "store.ts"].map((name) => path.join(repoRoot, "src", "demo", name));
  const builtMs = existsSync(serverScript) ? statSync(serverScript).mtimeMs : 0;
  if (sources.some((source) => statSync(source).mtimeMs > builtMs)) {
    const fix = "run `npx tsc -p tsconfig.build.json` first (npm test does)";
    throw new Error(`${serverScript} is missing or older than src/demo: ${fix}`);
  }
});

afterAll(async () => {
  for (const pid of orphanPids) if (!processGone(pid)) process.kill(pid, "SIGKILL");
  const running = [...started].filter((child) => child.exitCode === null && child.signalCode === null);
  const exits = running.map((child) => new Promise((resolve) => child.once("exit", resolve)));
  for (const child of running) child.kill("SIGKILL");
  await Promise.all(exits);
});

describe("demo child at scale 0.02", () => {
  let demo: DemoChild;
  let listening: JsonObject;
  let url: string;

  beforeAll(async () => {
    demo = spawnDemo({});
    listening = await demo.line(isListening);
    url = String(listening.url);
  });

  it("announces one listening line with its url, collection count and total bytes", () => {
    expect(listening).toEqual({
      event: "listening",
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      collections: 6,
      total_bytes: expect.any(Number),
    });
  });

  it("lists its collections in the Vectorizer GET /collections shape", async () => {
    const { status, body } = await request("GET", `${url}/collections`);
    expect(status).toBe(200);
    expect(body.total_collections).toBe(6);
    const collections = body.collections as JsonObject[];
    const names = collections.map((collection) => collection.name);
    expect(names).toEqual(["docs", "docs-sq8", "empty", "faq", "images", "products"]);
    for (const collection of collections) {
      expect(collection).toMatchObject({
        name: expect.any(String),
        vector_count: expect.any(Number),
        document_count: expect.any(Number),
        dimension: expect.any(Number),
        metric: "Cosine",
      });
      const size = collection.size as JsonObject;
      expect(Object.keys(size).sort()).toEqual([
        "index",
        "index_bytes",
        "payload",
        "payload_bytes",
        "total",
        "total_bytes",
      ]);
      for (const field of ["total", "index", "payload"]) expect(size[field]).toMatch(/^(\d+ B|\d+\.\d (KB|MB))$/);
      expect(size.total_bytes).toBe(Number(size.index_bytes) + Number(size.payload_bytes));
      const sq8 = collection.name === "docs-sq8" || collection.name === "products";
      expect(collection.quantization).toEqual(
        sq8 ? { enabled: true, type: "SQ { bits: 8 }", bits: 8 } : { enabled: false, type: "None", bits: 0 },
      );
    }
    const named = (name: string): JsonObject | undefined => collections.find((collection) => collection.name === name);
    expect(named("images")).toMatchObject({ vector_count: 2100, dimension: 512 });
    expect(named("empty")).toMatchObject({
      vector_count: 0,
      document_count: 0,
      size: { total: "0 B", total_bytes: 0 },
    });
    const totalBytes = (collection: JsonObject): number => Number((collection.size as JsonObject).total_bytes);
    expect(collections.reduce((sum, collection) => sum + totalBytes(collection), 0)).toBe(listening.total_bytes);
  });

  linuxIt("holds at least the memory it reports (VmRSS ≥ total_bytes)", () => {
    expect(statusBytes(demo.process.pid!, "VmRSS")).toBeGreaterThanOrEqual(Number(listening.total_bytes));
  });

  it("answers GET /health as healthy with the package version", async () => {
    const { status, body } = await request("GET", `${url}/health`);
    expect(status).toBe(200);
    expect(body).toEqual({ status: "healthy", version: manifest.version, timestamp: expect.any(String) });
    expect(new Date(String(body.timestamp)).toISOString()).toBe(body.timestamp);
  });

  it("answers GET /stats with collection and vector counts, uptime, version and V8's own figures", async () => {
    const [stats, listed] = await Promise.all([request("GET", `${url}/stats`), request("GET", `${url}/collections`)]);
    const collections = listed.body.collections as JsonObject[];
    const totalVectors = collections.reduce((sum, collection) => sum + Number(collection.vector_count), 0);
    expect(stats.body).toEqual({
      collections: 6,
      total_vectors: totalVectors,
      uptime_seconds: expect.any(Number),
      version: manifest.version,
      runtime: {
        v8_heap_used_bytes: expect.any(Number),
        v8_heap_committed_bytes: expect.any(Number),
        v8_heap_resident_bytes: expect.any(Number),
        external_bytes: expect.any(Number),
        array_buffers_bytes: expect.any(Number),
      },
    });
    expect(Number.isInteger(stats.body.uptime_seconds)).toBe(true);
    const runtime = stats.body.runtime as Record<string, number>;
    expect(runtime.v8_heap_used_bytes).toBeLessThanOrEqual(runtime.v8_heap_committed_bytes);
    expect(runtime.array_buffers_bytes).toBeLessThanOrEqual(runtime.external_bytes);
    const typedArrays = collections.reduce((sum, c) => sum + Number((c.size as JsonObject).index_bytes), 0);
    expect(runtime.array_buffers_bytes).toBeGreaterThanOrEqual(typedArrays);
  });

  it("answers an unknown path with 404 JSON", async () => {
    const reply = await request("GET", `${url}/collections/docs/vectors`);
    expect(reply).toMatchObject({ status: 404, body: { error: "not found" } });
  });

  it.each(["POST", "DELETE", "PUT"])("answers %s on a known route with 405 and Allow: GET", async (method) => {
    const reply = await request(method, `${url}/collections`);
    expect(reply).toMatchObject({ status: 405, headers: { allow: "GET" }, body: { error: "method not allowed" } });
  });

  linuxIt("grows its resident anonymous memory with the bytes it reports", async () => {
    const larger = spawnDemo({ MEMSNAP_DEMO_SCALE: "0.25" });
    const largerListening = await larger.line(isListening);
    const reportedGrowthBytes = Number(largerListening.total_bytes) - Number(listening.total_bytes);
    const residentGrowthBytes = statusBytes(larger.process.pid!, "RssAnon") - statusBytes(demo.process.pid!, "RssAnon");
    expect(reportedGrowthBytes).toBeGreaterThan(50 * 1024 * 1024);
    expect(residentGrowthBytes).toBeGreaterThanOrEqual(0.9 * reportedGrowthBytes);
    larger.process.kill("SIGTERM");
    await larger.ended;
  });
});

describe("demo child configuration", () => {
  const badScales = ["0", "-1", "abc", "Infinity", "1e999"];
  it.each(badScales)("refuses MEMSNAP_DEMO_SCALE=%s with exit code 2, naming the variable", async (scale) => {
    const demo = spawnDemo({ MEMSNAP_DEMO_SCALE: scale });
    expect(await demo.ended).toEqual({ code: 2, signal: null });
    expect(demo.stderr()).toContain(`MEMSNAP_DEMO_SCALE=${scale}`);
    expect(demo.stderr()).toContain("expected a number greater than 0");
  });

  it("refuses a MEMSNAP_DEMO_PORT that is not a port with exit code 2", async () => {
    const demo = spawnDemo({ MEMSNAP_DEMO_PORT: "http" });
    expect(await demo.ended).toEqual({ code: 2, signal: null });
    expect(demo.stderr()).toContain("MEMSNAP_DEMO_PORT=http");
  });
});

describe("demo child lifetime", () => {
  it.each(["SIGTERM", "SIGINT"] as const)("exits 0 promptly on %s", async (signal) => {
    const demo = spawnDemo({});
    await demo.line(isListening);
    const sentAtMs = Date.now();
    demo.process.kill(signal);
    expect(await demo.ended).toEqual({ code: 0, signal: null });
    expect(Date.now() - sentAtMs).toBeLessThan(2_000);
  });

  it("exits 0 when its parent's IPC channel disconnects", async () => {
    const demo = spawnDemo({}, ["ignore", "pipe", "pipe", "ipc"]);
    await demo.line(isListening);
    demo.process.disconnect();
    expect(await demo.ended).toEqual({ code: 0, signal: null });
  });

  linuxIt("does not outlive a parent that is killed with SIGKILL", async () => {
    const forkWithIpc =
      'const stdio = ["ignore", "inherit", "inherit", "ipc"];' +
      "const child = require('node:child_process').fork(process.argv[1], [], { stdio });" +
      'process.stdout.write(JSON.stringify({ event: "forked", pid: child.pid }) + "\\n");';
    const parent = spawnDemo({}, ["ignore", "pipe", "pipe"], ["-e", forkWithIpc, serverScript]);
    const demoPid = Number((await parent.line((line) => line.event === "forked")).pid);
    orphanPids.add(demoPid);
    await parent.line(isListening);
    parent.process.kill("SIGKILL");
    await pollUntil(() => processGone(demoPid), `demo child ${demoPid} to exit after its parent was killed`);
  });
});

describe("startDemoServer in-process", () => {
  it("serves the store and frees its port on close()", async () => {
    const server = await startDemoServer({ host: "127.0.0.1", port: 0, scale: 0.005 });
    const { body } = await request("GET", `${server.url}/stats`);
    expect(body).toMatchObject({ collections: 6, total_vectors: server.store.totalVectors });
    await server.close();
    await expect(request("GET", `${server.url}/stats`)).rejects.toThrow(/ECONNREFUSED/);
  });
});
