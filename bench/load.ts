/**
 * `npm run bench:load`: 100 concurrent clients for 30 s against `memsnap serve` (the demo target,
 * sampled every second), mixing scrapes of /metrics, the snapshot route and hostile export
 * requests. Then checks that nothing answered 5xx, no connection was dropped, no scheduled sample
 * was missed, nothing was written, and memsnap's RSS came back within 10 % of its rest value.
 * Prints the figures; exits 1 when a check fails.
 *
 *   npm run bench:load [-- --connections N --seconds N]
 */
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import autocannon from "autocannon";
import { untilReady, waitFor } from "../test/helpers/daemon";
import { PROMETHEUS_SCRAPE_HEADERS } from "./timing";
import { ProcessStack, residentBytes, scratchDirs, startMemsnap } from "./processes";

const SAMPLE_INTERVAL_SECONDS = 1;
const REST_SETTLE_MS = 3000;
const RSS_TOLERANCE_RATIO = 0.1;
const RSS_RECOVERY_DEADLINE_MS = 60_000;
/** MEMSNAP_HISTORY_SIZE's default: the history route answers at most this many. */
const DEFAULT_HISTORY_SIZE = 480;
const EXPORT_PATH = "/api/v1/memory-snapshot/export";
const JSON_HEADERS = { "content-type": "application/json" };

/** What the clients send, in turn: reads, and export requests memsnap must refuse. */
export const LOAD_REQUESTS: autocannon.Request[] = [
  { method: "GET", path: "/metrics", headers: PROMETHEUS_SCRAPE_HEADERS },
  { method: "GET", path: "/api/v1/memory-snapshot" },
  {
    method: "POST",
    path: EXPORT_PATH,
    headers: JSON_HEADERS,
    body: JSON.stringify({ file_path: "/etc/memsnap.json" }),
  },
  {
    method: "POST",
    path: EXPORT_PATH,
    headers: JSON_HEADERS,
    body: JSON.stringify({ file_path: "../../escape.json" }),
  },
  { method: "POST", path: EXPORT_PATH, headers: JSON_HEADERS, body: JSON.stringify({ file_path: "report.sh" }) },
  { method: "POST", path: EXPORT_PATH, headers: JSON_HEADERS, body: '{"file_path": ' },
  { method: "POST", path: EXPORT_PATH, headers: { "content-type": "text/plain" }, body: "report.json" },
  {
    method: "POST",
    path: EXPORT_PATH,
    headers: JSON_HEADERS,
    body: JSON.stringify({ file_path: "big.json", pad: "x".repeat(70 * 1024) }),
  },
];

export interface Check {
  what: string;
  figure: string;
  passed: boolean;
}

function readOption(argv: string[], name: string, fallback: number): number {
  const at = argv.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(argv[at + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} ${argv[at + 1]}: expected a positive integer`);
  return value;
}

function statusCounts(result: autocannon.Result): { ok: number; refused: number; failed: number } {
  const counts = { ok: 0, refused: 0, failed: 0 };
  for (const [code, stats] of Object.entries(result.statusCodeStats ?? {})) {
    const count = stats.count ?? 0;
    if (Number(code) >= 500) counts.failed += count;
    else if (Number(code) >= 400) counts.refused += count;
    else counts.ok += count;
  }
  return counts;
}

interface SamplingFigures {
  /** Between consecutive samples taken during the load. */
  gapsSeconds: number[];
  worstDurationSeconds: number;
}

/** How regularly memsnap sampled in [from, to], from its own history. */
async function samplingDuring(url: string, from: number, to: number): Promise<SamplingFigures> {
  const limit = Math.min(DEFAULT_HISTORY_SIZE, Math.ceil((Date.now() - from) / 1000 / SAMPLE_INTERVAL_SECONDS) + 10);
  const response = await fetch(`${url}/api/v1/memory-snapshot/history?limit=${limit}`);
  const { snapshots } = (await response.json()) as {
    snapshots: Array<{ timestamp: string; sample_duration_seconds: number }>;
  };
  const during = snapshots.filter((s) => Date.parse(s.timestamp) >= from && Date.parse(s.timestamp) <= to);
  const times = during.map((s) => Date.parse(s.timestamp));
  return {
    gapsSeconds: times.slice(1).map((t, i) => (t - times[i]) / 1000),
    worstDurationSeconds: Math.max(0, ...during.map((s) => s.sample_duration_seconds)),
  };
}

/** Waits up to the deadline for RSS to come back near its rest value; returns the last reading. */
async function settledResidentBytes(pid: number, limitBytes: number): Promise<number> {
  let last = residentBytes(pid);
  await waitFor(
    () => ((last = residentBytes(pid)) <= limitBytes ? true : undefined),
    "RSS to settle",
    RSS_RECOVERY_DEADLINE_MS,
  ).catch(() => undefined);
  return last;
}

/** Whatever the hostile exports may have written: anything in the output folder, or where their paths lead. */
function writtenFiles(outputDir: string): string[] {
  const inside = existsSync(outputDir)
    ? readdirSync(outputDir, { recursive: true }).map((f) => path.join(outputDir, String(f)))
    : [];
  const aimedAt = LOAD_REQUESTS.flatMap((r) => {
    const match = /"file_path":\s*"([^"]*)"/.exec(String(r.body ?? ""));
    return match ? [path.resolve(outputDir, match[1])] : [];
  });
  return [...inside, ...aimedAt.filter((file) => existsSync(file))];
}

const MIB = 1024 * 1024;
const mb = (bytes: number) => `${(bytes / MIB).toFixed(1)} MB`;

interface LoadFigures {
  result: autocannon.Result;
  restBytes: number;
  peakBytes: number;
  afterBytes: number;
  sampling: SamplingFigures;
  written: string[];
}

function evaluate(f: LoadFigures, seconds: number): Check[] {
  const counts = statusCounts(f.result);
  const { gapsSeconds, worstDurationSeconds } = f.sampling;
  const worstGap = Math.max(0, ...gapsSeconds);
  const rssLimit = f.restBytes * (1 + RSS_TOLERANCE_RATIO);
  const expectedSamples = Math.floor(seconds / SAMPLE_INTERVAL_SECONDS) - 1;
  return [
    { what: "no 5xx answer", figure: `${counts.failed} of ${f.result.requests.total}`, passed: counts.failed === 0 },
    {
      what: "no dropped connection (socket errors, timeouts)",
      figure: `${f.result.errors} errors, ${f.result.timeouts} timeouts`,
      passed: f.result.errors === 0 && f.result.timeouts === 0,
    },
    {
      what: "reads answered 2xx, hostile exports 4xx",
      figure: `${counts.ok} 2xx, ${counts.refused} 4xx`,
      passed: counts.ok > 0 && counts.refused > 0,
    },
    { what: "hostile exports wrote nothing", figure: `${f.written.length} files`, passed: f.written.length === 0 },
    {
      what: `sampled on time: every gap < ${2 * SAMPLE_INTERVAL_SECONDS} s, at least ${expectedSamples} samples`,
      figure: `${gapsSeconds.length + 1} samples, worst gap ${worstGap.toFixed(2)} s, slowest sample ${worstDurationSeconds.toFixed(2)} s`,
      passed: worstGap < 2 * SAMPLE_INTERVAL_SECONDS && gapsSeconds.length + 1 >= expectedSamples,
    },
    {
      what: `RSS back within ${RSS_TOLERANCE_RATIO * 100} % of rest`,
      figure: `rest ${mb(f.restBytes)}, peak ${mb(f.peakBytes)}, after ${mb(f.afterBytes)}`,
      passed: f.afterBytes <= rssLimit,
    },
  ];
}

async function applyLoad(url: string, pid: number, connections: number, seconds: number) {
  let peakBytes = residentBytes(pid);
  const poll = setInterval(() => (peakBytes = Math.max(peakBytes, residentBytes(pid))), 500);
  const from = Date.now();
  try {
    const result = await autocannon({ url, connections, duration: seconds, requests: LOAD_REQUESTS });
    return { result, peakBytes, from, to: Date.now() };
  } finally {
    clearInterval(poll);
  }
}

async function runLoad(connections: number, seconds: number, demoEnv: Record<string, string>): Promise<LoadFigures> {
  const scratch = scratchDirs();
  const outputDir = scratch.env.MEMORY_OUTPUT_DIR;
  const stack = new ProcessStack();
  try {
    const env = { ...scratch.env, ...demoEnv, MEMSNAP_SCHEDULE: `*/${SAMPLE_INTERVAL_SECONDS} * * * * *` };
    const memsnap = await stack.start(startMemsnap(env));
    await untilReady(memsnap);
    await new Promise((resolve) => setTimeout(resolve, REST_SETTLE_MS));
    const restBytes = residentBytes(memsnap.pid);
    const load = await applyLoad(memsnap.url, memsnap.pid, connections, seconds);
    const sampling = await samplingDuring(memsnap.url, load.from, load.to);
    const afterBytes = await settledResidentBytes(memsnap.pid, restBytes * (1 + RSS_TOLERANCE_RATIO));
    const written = writtenFiles(outputDir);
    return { result: load.result, restBytes, peakBytes: load.peakBytes, afterBytes, sampling, written };
  } finally {
    await stack.stopAll();
    scratch.remove();
  }
}

export interface LoadTestResult {
  summary: string;
  checks: Check[];
}

/** The load and fault test: `connections` clients for `seconds` on the demo target, then the checks. */
export async function loadTest(
  connections: number,
  seconds: number,
  demoEnv: Record<string, string> = {},
): Promise<LoadTestResult> {
  const figures = await runLoad(connections, seconds, demoEnv);
  const { total } = figures.result.requests;
  const summary = `${connections} clients, ${seconds} s: ${total} requests (${(total / seconds).toFixed(0)}/s), p99 ${figures.result.latency.p99} ms`;
  return { summary, checks: evaluate(figures, seconds) };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const connections = readOption(argv, "--connections", 100);
  const seconds = readOption(argv, "--seconds", 30);
  process.stderr.write(
    `load: ${connections} clients for ${seconds} s against memsnap serve (demo, sampled every second)\n`,
  );
  const { summary, checks } = await loadTest(connections, seconds);
  process.stdout.write(`${summary}\n\n`);
  for (const check of checks)
    process.stdout.write(`${check.passed ? "pass" : "FAIL"}  ${check.what}: ${check.figure}\n`);
  process.exitCode = checks.every((c) => c.passed) ? 0 : 1;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`load test failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
