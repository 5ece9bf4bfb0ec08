/**
 * The cost of sampling and memsnap's memory over many samples, measured inside a daemon started
 * in this process and configured from the environment exactly as `memsnap serve` is. Samples are
 * taken back to back through `Monitor.sample` (the path the schedule takes), far faster than any
 * schedule, so 10 000 samples take minutes rather than days.
 *
 *   node dist-bench/bench/sample-loop.js COST_SAMPLES SOAK_SAMPLES
 *
 * Writes one JSON line on stdout: SampleLoopFigures.
 */
import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";
import { loadConfig } from "../src/config/load";
import { startDaemon, type RunningDaemon } from "../src/daemon";
import { createLogger } from "../src/log";
import { untilReady } from "../test/helpers/daemon";
import { scratchDirs } from "./processes";
import { HttpTimer, median } from "./timing";

export interface SoakFigures {
  samples: number;
  /** RSS after the first tenth of the soak (sample 1 000 of 10 000) and at its end. */
  startResidentBytes: number;
  endResidentBytes: number;
  /** Least-squares slope of RSS over the last nine tenths of the soak, times their length. */
  growthBytes: number;
}

export interface SampleLoopFigures {
  restResidentBytes: number;
  /** The watched process's RSS: what smaps_rollup has to walk. */
  targetResidentBytes: number;
  sampleWallMs: number;
  sampleCpuMs: number;
  firstScrapeAfterSampleMs: number;
  soak: SoakFigures | null;
}

/** RSS is read this many times over a soak. */
const RSS_READINGS = 100;
const SETTLE_MS = 2000;

interface CostFigures {
  sampleWallMs: number;
  sampleCpuMs: number;
  firstScrapeAfterSampleMs: number;
}

async function measureCost(daemon: RunningDaemon, target: string, samples: number): Promise<CostFigures> {
  const wall: number[] = [];
  const cpu: number[] = [];
  const scrape: number[] = [];
  const timer = new HttpTimer();
  try {
    for (let i = 0; i < samples; i++) {
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      await daemon.monitor.sampleScheduled(target);
      wall.push(performance.now() - started);
      const used = process.cpuUsage(cpuBefore);
      cpu.push((used.user + used.system) / 1000);
      scrape.push((await timer.get(`${daemon.url}/metrics`)).ms);
    }
  } finally {
    timer.close();
  }
  return { sampleWallMs: median(wall), sampleCpuMs: median(cpu), firstScrapeAfterSampleMs: median(scrape) };
}

/** Slope of y over x by least squares. */
export function leastSquaresSlope(points: Array<[number, number]>): number {
  const n = points.length;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  let numerator = 0;
  let denominator = 0;
  for (const [x, y] of points) {
    numerator += (x - meanX) * (y - meanY);
    denominator += (x - meanX) ** 2;
  }
  return denominator === 0 ? 0 : numerator / denominator;
}

async function soak(daemon: RunningDaemon, target: string, samples: number): Promise<SoakFigures | null> {
  if (samples === 0) return null;
  const from = Math.floor(samples / 10);
  const every = Math.max(1, Math.floor(samples / RSS_READINGS));
  const points: Array<[number, number]> = [];
  for (let i = 1; i <= samples; i++) {
    await daemon.monitor.sampleScheduled(target);
    if (i >= from && (i % every === 0 || i === samples)) points.push([i, process.memoryUsage.rss()]);
  }
  return {
    samples,
    startResidentBytes: points[0]?.[1] ?? Number.NaN,
    endResidentBytes: points[points.length - 1]?.[1] ?? Number.NaN,
    growthBytes: leastSquaresSlope(points) * (samples - from),
  };
}

function readCount(raw: string | undefined, what: string): number {
  const count = Number(raw);
  if (!Number.isInteger(count) || count < 0) throw new Error(`${what}=${raw} is not an integer ≥ 0`);
  return count;
}

async function main(): Promise<void> {
  const costSamples = readCount(process.argv[2], "COST_SAMPLES");
  const soakSamples = readCount(process.argv[3], "SOAK_SAMPLES");
  const config = loadConfig({ MEMSNAP_PORT: "0", ...process.env });
  const daemon = await startDaemon(config, createLogger("silent"));
  try {
    await untilReady(daemon);
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const restResidentBytes = process.memoryUsage.rss();
    const target = config.targets[0].name;
    const targetResidentBytes =
      (await daemon.monitor.sampleScheduled(target)).process_info.physical_memory_bytes ?? Number.NaN;
    const cost = await measureCost(daemon, target, costSamples);
    const figures: SampleLoopFigures = {
      restResidentBytes,
      targetResidentBytes,
      ...cost,
      soak: await soak(daemon, target, soakSamples),
    };
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } finally {
    await daemon.stop();
  }
}

/** Runs this file as a child process with `env` on top of ours, and returns its figures. */
export async function runSampleLoop(
  env: Record<string, string>,
  costSamples: number,
  soakSamples: number,
): Promise<SampleLoopFigures> {
  const scratch = scratchDirs();
  const child = spawn(process.execPath, [__filename, String(costSamples), String(soakSamples)], {
    env: { ...process.env, ...scratch.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    return await new Promise((resolve, reject) => {
      child.once("error", reject);
      child.once("exit", (code) => {
        if (code === 0) resolve(JSON.parse(stdout.trim().split("\n").pop()!) as SampleLoopFigures);
        else reject(new Error(`the sample loop exited with code ${code}: ${stderr.trim()}`));
      });
    });
  } finally {
    scratch.remove();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`sample loop: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
