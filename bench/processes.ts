import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { launchListeningChild, type ListeningChild } from "../src/demo/launcher";
import { parseKibLines } from "../src/sources/process";
import { startServe } from "../test/helpers/cli";
import { waitFor } from "../test/helpers/daemon";
import { freeLoopbackPort } from "../test/helpers/listen";

export const NODE_EXPORTER_BINARY = "/usr/bin/prometheus-node-exporter";
const SYNTHETIC_VECTORIZER_ENTRY = path.join(__dirname, "synthetic-vectorizer.js");
const STATIC_SERVER_ENTRY = path.join(__dirname, "static-server.js");

/** Everything a run started, stopped in reverse order at the end, even after a failure. */
export class ProcessStack {
  private readonly stops: Array<() => Promise<void>> = [];

  async start<T extends { stop(): Promise<void> }>(starting: Promise<T>): Promise<T> {
    const started = await starting;
    this.stops.push(() => started.stop());
    return started;
  }

  async stopAll(): Promise<void> {
    while (this.stops.length > 0) await this.stops.pop()!().catch(() => undefined);
  }
}

/** The resident set size of a process, from the kernel. */
export function residentBytes(pid: number): number {
  return parseKibLines(readFileSync(`/proc/${pid}/status`, "utf8")).get("VmRSS") ?? 0;
}

/** Folders for memsnap's state and exports in a fresh temporary folder, so a run writes nothing else. */
export function scratchDirs(): { env: Record<string, string>; remove(): void } {
  const root = mkdtempSync(path.join(os.tmpdir(), "memsnap-bench-"));
  return {
    env: { MEMSNAP_DATA_DIR: path.join(root, "data"), MEMORY_OUTPUT_DIR: path.join(root, "out") },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** `memsnap serve` from the build, as an operator runs it, on a free port. */
export async function startMemsnap(env: Record<string, string>): Promise<ListeningChild> {
  const scratch = scratchDirs();
  const serve = await startServe({ ...scratch.env, ...env }).catch((err: unknown) => {
    scratch.remove();
    throw err;
  });
  return {
    url: serve.url,
    pid: serve.child.pid!,
    async stop() {
      if (serve.child.exitCode === null && serve.child.signalCode === null) serve.child.kill("SIGTERM");
      await serve.exited;
      scratch.remove();
    },
  };
}

/** A Vectorizer stand-in answering `GET /collections` with `count` collections. */
export function startSyntheticVectorizer(count: number): Promise<ListeningChild> {
  const env = { ...process.env, BENCH_COLLECTIONS: String(count) };
  return launchListeningChild(SYNTHETIC_VECTORIZER_ENTRY, env, "the synthetic vectorizer");
}

/** A bare server answering every request with the bytes of `bodyFile` and these headers. */
export function startStaticServer(bodyFile: string, headers: Record<string, string>): Promise<ListeningChild> {
  const env = { ...process.env, BENCH_BODY_FILE: bodyFile, BENCH_HEADERS: JSON.stringify(headers) };
  return launchListeningChild(STATIC_SERVER_ENTRY, env, "the static server");
}

/** The Debian `prometheus-node-exporter` with its default collectors, on 127.0.0.1. */
export async function startNodeExporter(): Promise<ListeningChild> {
  const port = await freeLoopbackPort();
  const child = spawn(NODE_EXPORTER_BINARY, [`--web.listen-address=127.0.0.1:${port}`], { stdio: "ignore" });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`${NODE_EXPORTER_BINARY} exited with code ${child.exitCode}`);
      const response = await fetch(`${url}/metrics`).catch(() => null);
      return response?.ok ? true : undefined;
    }, "node_exporter to answer /metrics");
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, pid: child.pid!, stop };
}

/** The environment of a memsnap watching the synthetic vectorizer as a `vectorizer` target. */
export function vectorizerTargetEnv(source: ListeningChild): Record<string, string> {
  return { MEMSNAP_TARGET: "vectorizer", MEMSNAP_TARGET_URL: source.url, MEMSNAP_TARGET_PID: String(source.pid) };
}
