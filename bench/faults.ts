/**
 * `npm run bench:faults`: memsnap under the faults of issue 12, with figures. Prints a table and
 * writes it into bench/RESULTS.md (between its faults markers).
 *
 *   npm run bench:faults              full run (about four minutes)
 *   npm run bench:faults -- --quick   smoke run, prints only
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { promisify } from "node:util";
import { racingExportName, startLinkSwapper } from "../test/helpers/link-swapper";
import { runCli } from "../test/helpers/cli";
import { untilReady } from "../test/helpers/daemon";
import { mountTmpfs } from "../test/helpers/tmpfs";
import { listenOnLoopback } from "./child-server";
import { startHistoryDaemon, type LoopFigures } from "./history-load";
import { ProcessStack, startMemsnap, startSyntheticVectorizer, vectorizerTargetEnv } from "./processes";
import { RESULTS_FILE } from "./results-file";
import { HttpTimer } from "./timing";

const execFileAsync = promisify(execFile);

interface Row {
  check: string;
  tried: number;
  figure: string;
  passed: boolean;
}

interface Totals {
  filesOutside: number;
  temporaryLeft: number;
  stalledRequests: number;
}

const QUICK = process.argv.includes("--quick");
const RACING_EXPORTS = QUICK ? 400 : 2000;
const HISTORY_SNAPSHOTS = QUICK ? 60 : 480;
const STALL_MS = 100;
const progress = (message: string) => process.stderr.write(`bench:faults: ${message}\n`);
const MB = 1024 * 1024;

function filesUnder(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir, { recursive: true, encoding: "utf8" }) : [];
}

function postExport(url: string, body: unknown): Promise<number> {
  return fetch(`${url}/api/v1/memory-snapshot/export`, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json" },
  }).then(async (response) => {
    await response.arrayBuffer();
    return response.status;
  });
}

async function racingExports(totals: Totals): Promise<Row> {
  progress(`${RACING_EXPORTS} exports racing a link swapper`);
  const base = mkdtempSync(path.join(os.tmpdir(), "memsnap-bench-faults-"));
  const out = path.join(base, "out");
  const outside = path.join(base, "outside");
  mkdirSync(out);
  mkdirSync(outside);
  const daemon = await startMemsnap({ MEMORY_OUTPUT_DIR: out, MEMSNAP_DEMO_SCALE: "0.05" });
  await untilReady(daemon);
  const swapper = startLinkSwapper(out, outside);
  const statuses: number[] = [];
  let sent = 0;
  try {
    const worker = async () => {
      while (sent < RACING_EXPORTS) {
        const n = sent++;
        statuses.push(await postExport(daemon.url, { file_path: racingExportName(n), overwrite: n % 2 === 0 }));
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
  } finally {
    await swapper.stop();
    await daemon.stop();
  }
  const outsideFiles = filesUnder(outside).length;
  const temporary = [...filesUnder(out), ...filesUnder(`${out}.moved`)].filter((f) => f.endsWith(".tmp")).length;
  rmSync(base, { recursive: true, force: true });
  totals.filesOutside += outsideFiles;
  totals.temporaryLeft += temporary;
  const written = statuses.filter((s) => s === 201).length;
  const failed = statuses.filter((s) => s >= 500).length;
  return {
    check: "racing exports, a link swapped in and out: files outside the folder, temporary files left, 5xx",
    tried: statuses.length,
    figure: `${outsideFiles} outside, ${temporary} .tmp left, ${failed} 5xx (${written} written)`,
    passed: outsideFiles === 0 && temporary === 0 && failed === 0,
  };
}

async function unusableFolders(totals: Totals): Promise<Row[]> {
  progress("a full disk and a read-only folder");
  const cases: Array<[string, string[], number, (dir: string) => void]> = [
    ["a full disk (64 KiB tmpfs)", [], 507, (dir) => writeFileSync(path.join(dir, "filler"), Buffer.alloc(60 * 1024))],
    ["a read-only folder (ro tmpfs)", ["ro"], 503, () => undefined],
  ];
  const rows: Row[] = [];
  for (const [what, options, expected, prepare] of cases) {
    const disk = mountTmpfs("bench-faults", 64 * 1024, options);
    try {
      prepare(disk.dir);
      const daemon = await startMemsnap({ MEMORY_OUTPUT_DIR: disk.dir, MEMSNAP_DEMO_SCALE: "0.05" });
      await untilReady(daemon);
      const status = await postExport(daemon.url, { file_path: "report.json" }).finally(() => daemon.stop());
      const temporary = filesUnder(disk.dir).filter((f) => f.endsWith(".tmp")).length;
      totals.temporaryLeft += temporary;
      rows.push({
        check: `export to ${what}: status, temporary files left`,
        tried: 1,
        figure: `${status}, ${temporary} .tmp left`,
        passed: status === expected && temporary === 0,
      });
    } finally {
      disk.unmount();
    }
  }
  return rows;
}

/** /metrics timed every 20 ms while `load` runs: the worst answer and how many took over 100 ms. */
async function whileTimingMetrics(
  url: string,
  load: () => Promise<void>,
): Promise<{ worstMs: number; stalled: number }> {
  const timer = new HttpTimer();
  const latencies: number[] = [];
  const loaded = new AbortController();
  const probe = (async () => {
    while (!loaded.signal.aborted) {
      latencies.push((await timer.get(`${url}/metrics`)).ms);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  await load();
  loaded.abort();
  await probe;
  timer.close();
  return { worstMs: Math.max(...latencies), stalled: latencies.filter((ms) => ms > STALL_MS).length };
}

/**
 * GETs the URLs at once, each by its own curl process, and resolves with the bytes received: the
 * answers are read outside this process, so its /metrics timings measure the daemon, not the
 * time this process spends taking in tens of MB.
 */
async function concurrentGets(urls: string[]): Promise<number> {
  const sizes = await Promise.all(
    urls.map(async (url) => {
      const { stdout } = await execFileAsync("curl", [
        "--silent",
        "--fail",
        "--output",
        "/dev/null",
        "--write-out",
        "%{size_download}",
        url,
      ]);
      return Number(stdout);
    }),
  );
  return sizes.reduce((a, b) => a + b, 0);
}

async function historyAtTenThousand(totals: Totals, stack: ProcessStack): Promise<Row[]> {
  progress(`filling a ${HISTORY_SNAPSHOTS}-snapshot history at 10 000 collections`);
  const vectorizer = await stack.start(startSyntheticVectorizer(10_000));
  // No scheduled sample while measuring: a sample at 10 000 collections is its own cost (the sampling table).
  const env = { ...vectorizerTargetEnv(vectorizer), MEMSNAP_HISTORY_SIZE: "480", MEMSNAP_SCHEDULE: "0 0 0 1 1 *" };
  const daemon = await stack.start(startHistoryDaemon(env, HISTORY_SNAPSHOTS));
  await fetch(`${daemon.url}/metrics`).then((response) => response.arrayBuffer());
  const runs: Array<[string, string]> = [
    ["five concurrent history?limit=480 (summaries)", "limit=480"],
    ["five concurrent history?limit=60&detail=full", "limit=60&detail=full"],
  ];
  const idle = await daemon.measure(() => new Promise((resolve) => setTimeout(resolve, 3000)));
  const rows: Row[] = [
    {
      check: "baseline: the same daemon idle for 3 s (this machine's own noise), event-loop delay, RSS",
      tried: 0,
      figure: `loop delay max ${idle.maxLoopDelayMs.toFixed(0)} ms, ${(idle.peakResidentBytes / MB).toFixed(0)} MB RSS`,
      passed: true,
    },
  ];
  for (const [what, query] of runs) {
    progress(what);
    let bytes = 0;
    let timing = { worstMs: 0, stalled: 0 };
    const started = performance.now();
    const figures: LoopFigures = await daemon.measure(async () => {
      timing = await whileTimingMetrics(daemon.url, async () => {
        bytes = await concurrentGets(
          Array.from({ length: 5 }, () => `${daemon.url}/api/v1/memory-snapshot/history?${query}`),
        );
      });
    });
    totals.stalledRequests += timing.stalled;
    rows.push({
      check: `${what} at 10 000 collections: worst /metrics answer meanwhile, event-loop delay, peak RSS`,
      tried: 5,
      figure:
        `${timing.worstMs.toFixed(0)} ms (${timing.stalled} over ${STALL_MS} ms), loop delay max ${figures.maxLoopDelayMs.toFixed(0)} ms, ` +
        `${(figures.peakResidentBytes / MB).toFixed(0)} MB RSS; ${(bytes / MB).toFixed(1)} MB sent in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      passed: timing.worstMs <= STALL_MS && figures.peakResidentBytes < 400 * MB,
    });
  }
  return rows;
}

async function slowDatabase(stack: ProcessStack): Promise<Row> {
  progress("a database answering each of 40 collections in 2.5 s, sampled every 5 s");
  const detail = JSON.stringify({
    result: { points_count: 1000, config: { params: { vectors: { size: 384, distance: "Cosine" } } } },
  });
  const listing = JSON.stringify({
    result: { collections: Array.from({ length: 40 }, (_, i) => ({ name: `c${i}` })) },
  });
  const database = await stack.start(
    listenOnLoopback((request, response) => {
      response.setHeader("content-type", "application/json");
      if (request.url === "/collections") return void response.end(listing);
      if (!request.url?.startsWith("/collections/")) return void response.writeHead(404).end("{}");
      const timer = setTimeout(() => response.end(detail), 2500);
      response.on("close", () => clearTimeout(timer));
    }).then((server) => ({ ...server, stop: () => server.close() })),
  );
  const daemon = await stack.start(
    startMemsnap({
      MEMSNAP_TARGET: "qdrant",
      MEMSNAP_TARGET_URL: database.url,
      MEMSNAP_TARGET_PID: String(process.pid),
      MEMSNAP_SCHEDULE: "*/5 * * * * *",
    }),
  );
  const notReady: number[] = [];
  const watchUntil = Date.now() + (QUICK ? 12_000 : 30_000);
  while (Date.now() < watchUntil) {
    const status = (await fetch(`${daemon.url}/readyz`)).status;
    if (status !== 200 && Date.now() > watchUntil - (QUICK ? 7000 : 25_000)) notReady.push(status);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const history = (await (await fetch(`${daemon.url}/api/v1/memory-snapshot/history?limit=20`)).json()) as {
    snapshots: Array<{ timestamp: string; sample_duration_seconds: number }>;
  };
  const durations = history.snapshots.map((s) => s.sample_duration_seconds);
  const times = history.snapshots.map((s) => Date.parse(s.timestamp));
  const worstGap = Math.max(...times.slice(1).map((t, i) => t - times[i])) / 1000;
  const deadline = (5 * 2) / 3;
  return {
    check: "slow database: samples within the deadline (3.3 s), worst gap between samples, /readyz not 200 once ready",
    tried: durations.length,
    figure: `slowest sample ${Math.max(...durations).toFixed(2)} s, worst gap ${worstGap.toFixed(1)} s, ${notReady.length} not ready`,
    passed: Math.max(...durations) <= deadline && worstGap < 7.5 && notReady.length === 0,
  };
}

function configDefects(): Row {
  progress("configuration defects");
  const secret = "Sup3rS3cret";
  const dir = mkdtempSync(path.join(os.tmpdir(), "memsnap-bench-config-"));
  const file = (name: string, text: string) => {
    writeFileSync(path.join(dir, name), text);
    return ["-c", path.join(dir, name)];
  };
  const quiet = { MEMSNAP_TARGET_PID: String(process.pid), MEMSNAP_ALERTS: "off" };
  const cases: Array<[Record<string, string>, string[]]> = [
    [{ ...quiet, MEMSNAP_TARGET: "qdrant", MEMSNAP_TARGET_URL: `http://admin:${secret}@127.0.0.1:1/` }, []],
    [{ ...quiet, MEMSNAP_PORT: "" }, []],
    [{ ...quiet, MEMSNAP_UNACCOUNTED_CRITICAL_MB: "" }, []],
    [{ ...quiet, MEMSNAP_HEALTH_CRITICAL_SCORE: "500" }, []],
    [{ ...quiet, SLACK_WEBHOOK_URL: `http://127.evil.test/${secret}` }, []],
    [{ MEMSNAP_ALERTS: "off" }, file("port.yaml", "port: true\n")],
    [{ MEMSNAP_ALERTS: "off" }, file("pid.yaml", "targets: [{name: db, kind: none, pid: true}]\n")],
    [{ MEMSNAP_ALERTS: "off" }, file("tokn.yaml", "api_tokn: abcdefghijklmnopq\n")],
    [{ MEMSNAP_ALERTS: "off" }, file("pidfile.yaml", "targets: [{name: db, kind: none, pidfile: /run/x.pid}]\n")],
    [{ MEMSNAP_ALERTS: "off" }, file("broken.yaml", `alerting:\n  email:\n    smtp_pass: ${secret}: x\n`)],
  ];
  const results = cases.map(([env, args]) => runCli(["serve", ...args], env));
  rmSync(dir, { recursive: true, force: true });
  const refused = results.filter((r) => r.status === 2).length;
  const leaked = results.filter((r) => (r.stdout + r.stderr).includes(secret)).length;
  return {
    check: "configuration defects of issue 12: refused with exit 2, secrets printed",
    tried: cases.length,
    figure: `${refused} refused, ${leaked} printed a secret`,
    passed: refused === cases.length && leaked === 0,
  };
}

function render(rows: Row[], totals: Totals): string {
  const tried = rows.reduce((sum, row) => sum + row.tried, 0);
  return [
    `- date: ${new Date().toISOString()} (${QUICK ? "quick" : "full"} run), Node ${process.version}, ${os.cpus().length} cores`,
    "",
    "| fault | tried | figure | passed |",
    "| --- | --- | --- | --- |",
    ...rows.map((row) => `| ${row.check} | ${row.tried} | ${row.figure} | ${row.passed ? "yes" : "**no**"} |`),
    "",
    "| total | figure |",
    "| --- | --- |",
    `| cases tried | ${tried} |`,
    `| files written outside the output folder | ${totals.filesOutside} |`,
    `| temporary files left behind | ${totals.temporaryLeft} |`,
    `| requests that stalled the event loop over ${STALL_MS} ms (/metrics answers over ${STALL_MS} ms under load) | ${totals.stalledRequests} |`,
    "| notifications lost / duplicated | covered by the alert delivery tests (test/alert-*.test.ts), not measured here |",
  ].join("\n");
}

const BEGIN = "<!-- faults:begin -->";
const END = "<!-- faults:end -->";

function writeResults(table: string): void {
  const text = readFileSync(RESULTS_FILE, "utf8");
  const begin = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (begin === -1 || end === -1) throw new Error(`${RESULTS_FILE} has no ${BEGIN} … ${END} block`);
  writeFileSync(RESULTS_FILE, `${text.slice(0, begin + BEGIN.length)}\n${table}\n${text.slice(end)}`);
}

async function main(): Promise<void> {
  const totals: Totals = { filesOutside: 0, temporaryLeft: 0, stalledRequests: 0 };
  const stack = new ProcessStack();
  const rows: Row[] = [];
  try {
    rows.push(await racingExports(totals));
    rows.push(...(await unusableFolders(totals)));
    rows.push(...(await historyAtTenThousand(totals, stack)));
    rows.push(await slowDatabase(stack));
    rows.push(configDefects());
  } finally {
    await stack.stopAll();
  }
  const table = render(rows, totals);
  process.stdout.write(`${table}\n`);
  if (!QUICK) writeResults(table);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:faults: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
