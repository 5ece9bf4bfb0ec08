import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createTask, setLogger as setCronLogger, type ScheduledTask } from "node-cron";
import { Alerter } from "./alerts/alerter";
import type { Config } from "./config/schema";
import { cronLogger, type Logger } from "./log";
import { MetricsExporter } from "./metrics/exporter";
import { Monitor } from "./monitor";
import { sampleDeadlineMs } from "./sampling/deadline";
import type { Snapshot } from "./snapshot/schema";
import { isLoopbackAddress } from "./net/loopback";
import { createApp } from "./server/app";
import { summaryJson } from "./server/history-json";
import { SnapshotHistory } from "./snapshot/history";
import { startTarget, type Target } from "./sources/target";
import { VERSION } from "./version";

/** In-flight requests get this long to finish at shutdown before their connections are cut. */
const SHUTDOWN_GRACE_MS = 3000;

export interface RunningDaemon {
  url: string;
  monitor: Monitor;
  stop(): Promise<void>;
}

async function startTargets(config: Config, log: Logger): Promise<Map<string, Target>> {
  const started = await Promise.allSettled(config.targets.map((t) => startTarget(t)));
  const targets = new Map<string, Target>();
  for (const result of started) {
    if (result.status === "fulfilled") targets.set(result.value.name, result.value);
  }
  const failed = started.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) {
    await Promise.allSettled([...targets.values()].map((t) => t.stop()));
    throw failed.reason;
  }
  for (const target of targets.values()) {
    log.info({ target: target.name, kind: target.kind, url: target.url }, "watching target");
  }
  return targets;
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const cut = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
    server.close(() => {
      clearTimeout(cut);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/** Below this, the schedule's own first sample is near enough to wait for. */
const FIRST_SAMPLE_MIN_MS = 1000;

/**
 * A first sample at once, ending before the schedule's first run (which would otherwise join
 * it and so be skipped); when that run is under a second away, it is the first sample.
 */
function firstSample(monitor: Monitor, task: ScheduledTask, deadlineMs: number, log: Logger): void {
  const untilNextRunMs = (task.getNextRun()?.getTime() ?? Infinity) - Date.now();
  if (untilNextRunMs < FIRST_SAMPLE_MIN_MS) return;
  const deadline = Math.min(deadlineMs, untilNextRunMs - FIRST_SAMPLE_MIN_MS / 2);
  monitor.sampleAll(deadline).catch((err: unknown) => log.error({ err }, "sampling failed"));
}

/** The built-in alerting, unless MEMSNAP_ALERTS=off. */
function startAlerting(config: Config, log: Logger, exporter: MetricsExporter, targets: string[], baseUrl: () => string): Promise<Alerter | null> {
  if (!config.alerts) return Promise.resolve(null);
  return Alerter.start({ config, log, registry: exporter.registry, invalidate: () => exporter.invalidate(), targets, baseUrl });
}

/** Wiring: schedule → sample → history → metrics, and the HTTP API over them. */
export async function startDaemon(config: Config, log: Logger): Promise<RunningDaemon> {
  const targets = await startTargets(config, log);
  const exporter = new MetricsExporter(VERSION);
  const history = new SnapshotHistory(config.history_size);
  let listeningUrl = "";
  let boundAddress: string | null = null;
  const alerter = await startAlerting(config, log, exporter, [...targets.keys()], () => config.external_url ?? listeningUrl);
  const sampleAll = () => monitor.sampleAll().catch((err: unknown) => log.error({ err }, "sampling failed"));
  setCronLogger(cronLogger(log));
  const task: ScheduledTask = createTask(config.schedule, sampleAll, { noOverlap: true, name: "sample", logger: cronLogger(log) });
  const deadlineMs = sampleDeadlineMs(config.sample_timeout, task);
  const afterSample = (snapshot: Snapshot) => {
    summaryJson(snapshot);
    alerter?.observe(snapshot);
  };
  const monitor = new Monitor(targets, config, history, exporter, log, afterSample, deadlineMs);
  const app = createApp({
    config,
    log,
    exporter,
    history,
    targetNames: [...targets.keys()],
    alerter,
    isReady: () => monitor.ready,
    sampleNow: (name) => monitor.sample(name),
    boundAddress: () => boundAddress,
  });
  const server = createServer(app.callback());
  let address: AddressInfo;
  try {
    address = await listen(server, config.port, config.host);
  } catch (err) {
    await Promise.allSettled([...targets.values()].map((t) => t.stop()));
    await alerter?.close();
    throw err;
  }
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  listeningUrl = url;
  boundAddress = address.address;
  if (!isLoopbackAddress(address.address) && config.api_token === undefined) {
    log.warn({ host: config.host, address: address.address }, "listening beyond loopback without MEMSNAP_API_TOKEN: write routes answer 403");
  }
  await task.start();
  firstSample(monitor, task, deadlineMs, log);
  log.info({ url, version: VERSION, schedule: config.schedule, sample_deadline_ms: deadlineMs, targets: [...targets.keys()] }, "listening");
  return {
    url,
    monitor,
    async stop() {
      await task.destroy();
      await Promise.all([closeServer(server), monitor.close()]);
      await alerter?.close();
      await Promise.allSettled([...targets.values()].map((t) => t.stop()));
      log.info("stopped");
    },
  };
}
