import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadConfig } from "../../src/config/load";
import { startDaemon, type RunningDaemon } from "../../src/daemon";
import { createLogger } from "../../src/log";

export interface TestDaemon extends RunningDaemon {
  outputDir: string;
}

/**
 * A real daemon on 127.0.0.1 and an ephemeral port, configured as from the
 * environment and an optional config file; the demo target runs small unless the
 * test says otherwise (a config file sets its targets' scale itself).
 */
export async function startTestDaemon(env: Record<string, string> = {}, configFile?: string): Promise<TestDaemon> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), "memsnap-test-"));
  const outputDir = path.join(scratch, "out");
  const smallDemo = configFile === undefined && !("MEMSNAP_TARGET" in env) && !("MEMSNAP_TARGET_PID" in env);
  const config = loadConfig(
    {
      MEMSNAP_PORT: "0",
      MEMSNAP_HOST: "127.0.0.1",
      MEMORY_OUTPUT_DIR: outputDir,
      MEMSNAP_DATA_DIR: path.join(scratch, "data"),
      ...(smallDemo ? { MEMSNAP_DEMO_SCALE: "0.02" } : {}),
      ...env,
    },
    configFile,
  );
  const daemon = await startDaemon(config, createLogger("silent"));
  return {
    ...daemon,
    outputDir: config.output_dir,
    async stop() {
      await daemon.stop();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

/** Polls until `check` returns a value other than undefined, or fails at the deadline. */
export async function waitFor<T>(
  check: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 15000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Resolves once /readyz answers 200: every target has been sampled. */
export async function untilReady(daemon: Pick<RunningDaemon, "url">): Promise<void> {
  await waitFor(async () => ((await fetch(`${daemon.url}/readyz`)).status === 200 ? true : undefined), "readiness");
}

/** Parses the Prometheus text exposition into `name{labels}` → value. */
export function metricSamples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

export async function scrape(daemon: RunningDaemon): Promise<Map<string, number>> {
  return metricSamples(await (await fetch(`${daemon.url}/metrics`)).text());
}

export async function getJson(url: string): Promise<{ status: number; body: any }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json() };
}

/**
 * A `?fresh=true` snapshot taken after this call: the daemon shares one fresh sample per target
 * and second, so a request right after another may be answered with the earlier sample.
 */
export function freshSnapshot(daemon: Pick<RunningDaemon, "url">, query = ""): Promise<{ status: number; body: any }> {
  const askedAtMs = Date.now();
  return waitFor(async () => {
    const answer = await getJson(`${daemon.url}/api/v1/memory-snapshot?fresh=true${query}`);
    return answer.status !== 200 || Date.parse(answer.body.timestamp) >= askedAtMs ? answer : undefined;
  }, "a snapshot taken after the request");
}
