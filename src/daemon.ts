import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setLogger as setCronLogger } from "node-cron";
import { Alerter } from "./alerts/alerter";
import type { Config } from "./config/schema";
import { cronLogger, type Logger } from "./log";
import { MetricsExporter } from "./metrics/exporter";
import { listen } from "./listen";
import { Monitor } from "./monitor";
import { isLoopbackAddress } from "./net/loopback";
import { applyReload, SampleSchedule, type DaemonParts } from "./reload";
import type { Snapshot } from "./snapshot/schema";
import { createApp } from "./server/app";
import { BasicAuth } from "./server/basic-auth";
import { summaryJson } from "./server/history-json";
import { createListener } from "./server/listener";
import { webConfigOf } from "./server/web-config";
import { SnapshotHistory } from "./snapshot/history";
import type { Target } from "./sources/target";
import { startAll } from "./targets";
import { VERSION } from "./version";

/** In-flight requests get this long to finish at shutdown before their connections are cut. */
const SHUTDOWN_GRACE_MS = 3000;

export interface RunningDaemon {
  url: string;
  monitor: Monitor;
  /**
   * Applies a new configuration (targets, thresholds, channels, schedule, log level, the web
   * configuration file's users and certificates) without losing alert states or history; throws,
   * changing nothing, when it cannot be applied. Resolves with the settings that wait for a restart.
   */
  reload(next: Config): Promise<string[]>;
  stop(): Promise<void>;
}

async function startTargets(config: Config, log: Logger): Promise<Map<string, Target>> {
  const targets = await startAll(config.targets);
  for (const target of targets.values()) {
    log.info({ target: target.name, kind: target.kind, url: target.url }, "watching target");
  }
  return targets;
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
function firstSample(monitor: Monitor, schedule: SampleSchedule, deadlineMs: number, log: Logger): void {
  const untilNextRunMs = (schedule.nextRun()?.getTime() ?? Infinity) - Date.now();
  if (untilNextRunMs < FIRST_SAMPLE_MIN_MS) return;
  const deadline = Math.min(deadlineMs, untilNextRunMs - FIRST_SAMPLE_MIN_MS / 2);
  monitor.sampleAll(deadline).catch((err: unknown) => log.error({ err }, "sampling failed"));
}

/** The built-in alerting, unless MEMSNAP_ALERTS=off. */
function startAlerting(
  config: Config,
  log: Logger,
  exporter: MetricsExporter,
  targets: string[],
  baseUrl: () => string,
): Promise<Alerter | null> {
  if (!config.alerts) return Promise.resolve(null);
  return Alerter.start({
    config,
    log,
    registry: exporter.registry,
    invalidate: () => exporter.invalidate(),
    targets,
    baseUrl,
  });
}

/**
 * Wiring: schedule → sample → history → metrics, and the HTTP API over them. `config` is the one
 * configuration object; a reload updates it in place, so whatever reads it per sample or per
 * request sees the new values.
 */
export async function startDaemon(config: Config, log: Logger): Promise<RunningDaemon> {
  const web = webConfigOf(config);
  const targets = await startTargets(config, log);
  const exporter = new MetricsExporter(VERSION, config.collection_series_max);
  const history = new SnapshotHistory(config.history_size);
  const basicAuth = new BasicAuth(web?.basic_auth_users, config.api_token);
  const targetNames = [...targets.keys()];
  let listeningUrl = "";
  let boundAddress: string | null = null;
  const alerter = await startAlerting(
    config,
    log,
    exporter,
    [...targets.keys()],
    () => config.external_url ?? listeningUrl,
  );
  const sampleAll = () => monitor.sampleAll().catch((err: unknown) => log.error({ err }, "sampling failed"));
  setCronLogger(cronLogger(log));
  const schedule = SampleSchedule.create(config.schedule, sampleAll, cronLogger(log));
  const afterSample = (snapshot: Snapshot) => {
    summaryJson(snapshot);
    alerter?.observe(snapshot);
  };
  const monitor = new Monitor(targets, config, history, exporter, log, afterSample, () =>
    schedule.deadlineMs(config.sample_timeout),
  );
  const app = createApp({
    config,
    log,
    exporter,
    history,
    targetNames,
    alerter,
    basicAuth,
    isReady: () => monitor.ready,
    sampleNow: (name) => monitor.sampleFresh(name),
    boundAddress: () => boundAddress,
  });
  const handle = app.callback();
  const listener = createListener(
    (request, response) => void handle(request, response),
    web,
    config.web_config_file,
    log,
  );
  const server = listener.server;
  let address: AddressInfo;
  try {
    address = await listen(server, config.port, config.host);
  } catch (err) {
    await Promise.allSettled([...targets.values()].map((t) => t.stop()));
    await alerter?.close();
    listener.close();
    throw err;
  }
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `${listener.scheme}://${host}:${address.port}`;
  listeningUrl = url;
  boundAddress = address.address;
  if (!isLoopbackAddress(address.address) && config.api_token === undefined) {
    log.warn(
      { host: config.host, address: address.address },
      "listening beyond loopback without MEMSNAP_API_TOKEN: write routes answer 403",
    );
  }
  const parts: DaemonParts = {
    config,
    log,
    targets,
    targetNames,
    exporter,
    basicAuth,
    listener,
    alerter,
    schedule,
    monitor,
  };
  let reloading: Promise<unknown> = Promise.resolve();
  await schedule.start();
  firstSample(monitor, schedule, schedule.deadlineMs(config.sample_timeout), log);
  log.info(
    {
      url,
      version: VERSION,
      schedule: config.schedule,
      sample_deadline_ms: schedule.deadlineMs(config.sample_timeout),
      targets: targetNames,
      tls: listener.scheme === "https",
      basic_auth: basicAuth.enabled,
    },
    "listening",
  );
  return {
    url,
    monitor,
    reload(next) {
      const run = reloading.then(() => applyReload(parts, next));
      reloading = run.catch(() => undefined);
      return run;
    },
    async stop() {
      await reloading;
      await schedule.stop();
      listener.close();
      await Promise.all([closeServer(server), monitor.close()]);
      await alerter?.close();
      await Promise.allSettled([...targets.values()].map((t) => t.stop()));
      log.info("stopped");
    },
  };
}
