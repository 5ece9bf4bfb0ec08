import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { InvalidArgumentError, type Command } from "commander";
import type { Config } from "../config/schema";
import { growthRule, trendInfo } from "../snapshot/growth";
import type { Snapshot, TrendInfo } from "../snapshot/schema";
import { computeTrend, snapshotPressure, snapshotTrendPoints } from "../snapshot/trend";
import { fixed } from "./render/format";
import { trendLines } from "./render/snapshot-report";
import { stdoutStyle, type Style } from "./render/style";
import {
  checkOutputFile,
  cliConfig,
  exitCodeFor,
  print,
  runAction,
  withOutputOptions,
  writeJsonFile,
  writeOutputFile,
  type OutputOptions,
  type SnapshotSource,
} from "./common";
import { openSource, withSourceOptions, type SourceOptions } from "./source";

interface MonitorOptions extends OutputOptions, SourceOptions {
  interval?: number;
  count?: number;
  outputDir?: string;
  output?: string;
  force?: boolean;
}

interface Tick {
  tick: number;
  file: string;
  snapshot: Snapshot;
}

interface Plan {
  intervalMs: number;
  count: number | undefined;
  outputDir: string;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** monitor_YYYYMMDD_HHMMSS_NNN.json, from the snapshot's time (UTC) and the tick number. */
export function monitorFileName(timestamp: string, tick: number): string {
  const d = new Date(timestamp);
  const day = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
  const time = `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
  return `monitor_${day}_${time}_${pad(tick, 3)}.json`;
}

export function parseSeconds(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError("expected a number of seconds above 0");
  return n;
}

export function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a whole number of snapshots, 1 or more");
  return n;
}

/** Waits `ms`; false when `signal` aborts first. */
async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await sleep(Math.max(0, ms), undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

/** Snapshots on the interval, each written to its own file, until the count or the signal. */
async function runTicks(
  source: SnapshotSource,
  plan: Plan,
  signal: AbortSignal,
  onTick: (t: Tick) => void,
): Promise<Tick[]> {
  const ticks: Tick[] = [];
  const startedMs = Date.now();
  for (let n = 1; plan.count === undefined || n <= plan.count; n++) {
    if (n > 1 && !(await pause(startedMs + (n - 1) * plan.intervalMs - Date.now(), signal))) break;
    let snapshot: Snapshot;
    try {
      signal.throwIfAborted();
      snapshot = await source.take(signal);
    } catch (err) {
      if (signal.aborted) break;
      throw err;
    }
    const file = monitorFileName(snapshot.timestamp, n);
    await writeJsonFile(plan.outputDir, file, snapshot, false);
    const tick = { tick: n, file, snapshot };
    ticks.push(tick);
    onTick(tick);
  }
  return ticks;
}

function tickFigures(t: Tick) {
  const s = t.snapshot;
  return {
    tick: t.tick,
    file: t.file,
    timestamp: s.timestamp,
    rss_mb: s.process_info.physical_memory_mb,
    unaccounted_mb: s.discrepancy_analysis.unaccounted_memory_mb,
    health_score: s.health.score,
    health_status: s.health.status,
  };
}

function tickLine(t: Tick, style: Style): string {
  const f = tickFigures(t);
  const health = style.status(
    f.health_status,
    `health ${(f.health_score === null ? "-" : String(f.health_score)).padStart(3)} ${f.health_status.padEnd(9)}`,
  );
  const rss = `RSS ${fixed(f.rss_mb).padStart(9)} MB`;
  const unaccounted = `unaccounted ${fixed(f.unaccounted_mb).padStart(9)} MB`;
  return `${f.timestamp}  #${pad(f.tick, 3)}  ${rss}  ${unaccounted}  ${health}  ${f.file}`;
}

function monitorTrend(ticks: Tick[], config: Config): TrendInfo | null {
  const snapshots = ticks.map((t) => t.snapshot);
  if (snapshots.length === 0) return null;
  const trend = computeTrend(
    snapshotTrendPoints(snapshots),
    snapshotPressure(snapshots[snapshots.length - 1]),
    growthRule(config.thresholds),
    config.thresholds.trend_window,
  );
  return trend === null ? null : trendInfo(trend);
}

function planOf(options: MonitorOptions, config: Config): Plan {
  const intervalSeconds = options.interval ?? config.cli.monitor_interval_seconds;
  return {
    intervalMs: intervalSeconds * 1000,
    count: options.count,
    outputDir: path.resolve(options.outputDir ?? config.output_dir),
  };
}

async function monitor(options: MonitorOptions): Promise<number> {
  const config = cliConfig(options.config);
  const plan = planOf(options, config);
  checkOutputFile(options.output, options.force === true);
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once("SIGINT", onSignal).once("SIGTERM", onSignal);
  const style = stdoutStyle();
  const source = await openSource(config, options);
  try {
    const ticks = await runTicks(source, plan, stop.signal, (t) =>
      print(options.json ? JSON.stringify(tickFigures(t)) : tickLine(t, style)),
    );
    const trend = monitorTrend(ticks, config);
    const summary = { ticks: ticks.map(tickFigures), output_dir: plan.outputDir, trend };
    if (options.output !== undefined) await writeOutputFile(options.output, summary, options.force === true);
    if (options.json) print(JSON.stringify({ ticks: ticks.length, output_dir: plan.outputDir, trend }));
    else
      print(["", ...trendLines(trend, style), style.dim(`${ticks.length} snapshots in ${plan.outputDir}`)].join("\n"));
    return Math.max(0, ...ticks.map((t) => exitCodeFor(t.snapshot.findings, options.failOn)));
  } finally {
    process.off("SIGINT", onSignal).off("SIGTERM", onSignal);
    await source.close();
  }
}

export function registerMonitorCommand(program: Command): void {
  const command = program
    .command("monitor")
    .description(
      "snapshot on an interval into monitor_YYYYMMDD_HHMMSS_NNN.json files; a line per tick, the trend at the end or on Ctrl-C",
    )
    .option(
      "-i, --interval <seconds>",
      "seconds between snapshots (default: MEMORY_MONITOR_INTERVAL, else 30)",
      parseSeconds,
    )
    .option("-n, --count <n>", "stop after this many snapshots (default: until Ctrl-C)", parseCount)
    .option("-d, --output-dir <dir>", "where the snapshot files go (default: MEMORY_OUTPUT_DIR, else memory_snapshots)")
    .option("-o, --output <file>", "also write a summary (every tick's figures and the trend) to this .json file")
    .option("--force", "with --output, replace an existing file");
  withSourceOptions(withOutputOptions(command)).action(runAction(monitor));
}
