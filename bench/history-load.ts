/**
 * The history route under load at 10 000 collections, inside a daemon started in this process
 * (configured from the environment as `memsnap serve` is): the history is filled by sampling back
 * to back, then the parent sends requests while this process measures its own event loop
 * (perf_hooks.monitorEventLoopDelay) and RSS.
 *
 *   node dist-bench/bench/history-load.js FILL_SAMPLES   (with an IPC channel)
 *
 * Messages: → {event:"ready", url}; ← "start"; ← "stop" → {event:"figures", ...}; ← "quit".
 */
import { fork } from "node:child_process";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { loadConfig } from "../src/config/load";
import { startDaemon } from "../src/daemon";
import { createLogger } from "../src/log";
import { untilReady } from "../test/helpers/daemon";
import { scratchDirs } from "./processes";

export interface LoopFigures {
  maxLoopDelayMs: number;
  peakResidentBytes: number;
}

const RSS_EVERY_MS = 20;

async function main(): Promise<void> {
  const fillSamples = Number(process.argv[2]);
  const config = loadConfig({ MEMSNAP_PORT: "0", MEMSNAP_LOG_LEVEL: "silent", ...process.env });
  const daemon = await startDaemon(config, createLogger("silent"));
  await untilReady(daemon);
  const target = config.targets[0].name;
  for (let i = 0; i < fillSamples; i++) await daemon.monitor.sampleScheduled(target);
  const delay = monitorEventLoopDelay({ resolution: 5 });
  let peak = 0;
  let rssTimer: NodeJS.Timeout | undefined;
  process.on("message", (message) => {
    if (message === "start") {
      delay.reset();
      delay.enable();
      peak = process.memoryUsage.rss();
      rssTimer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), RSS_EVERY_MS);
    } else if (message === "stop") {
      delay.disable();
      clearInterval(rssTimer);
      const figures: LoopFigures = {
        maxLoopDelayMs: delay.max / 1e6,
        peakResidentBytes: Math.max(peak, process.memoryUsage.rss()),
      };
      process.send!({ event: "figures", ...figures });
    } else if (message === "quit") {
      void daemon.stop().then(() => process.exit(0));
    }
  });
  process.send!({ event: "ready", url: daemon.url });
}

export interface HistoryDaemon {
  url: string;
  /** Runs `load` between "start" and "stop", and returns what the daemon measured meanwhile. */
  measure(load: () => Promise<void>): Promise<LoopFigures>;
  stop(): Promise<void>;
}

/** Starts this file as a child with `env` on top of ours, once its history holds `fillSamples` snapshots. */
export function startHistoryDaemon(env: Record<string, string>, fillSamples: number): Promise<HistoryDaemon> {
  const scratch = scratchDirs();
  const child = fork(__filename, [String(fillSamples)], {
    env: { ...process.env, ...scratch.env, ...env },
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  child.once("exit", () => scratch.remove());
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the history daemon exited with code ${code} before it was ready`)));
    child.once("message", (ready: { url: string }) =>
      resolve({
        url: ready.url,
        async measure(load) {
          child.send("start");
          await load();
          const figures = new Promise<LoopFigures>((done) => child.once("message", (m) => done(m as LoopFigures)));
          child.send("stop");
          return figures;
        },
        async stop() {
          const exited = new Promise((done) => child.once("exit", done));
          child.send("quit");
          await exited;
        },
      }),
    );
  });
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`history load: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
