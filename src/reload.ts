import { isDeepStrictEqual } from "node:util";
import { createTask, type ScheduledTask } from "node-cron";
import type { Alerter } from "./alerts/alerter";
import type { Config, TargetConfig } from "./config/schema";
import type { cronLogger, Logger } from "./log";
import type { MetricsExporter } from "./metrics/exporter";
import type { Monitor } from "./monitor";
import { sampleDeadlineMs } from "./sampling/deadline";
import type { BasicAuth } from "./server/basic-auth";
import type { Listener } from "./server/listener";
import { webConfigOf } from "./server/web-config";
import type { Target } from "./sources/target";
import { startAll } from "./targets";

type CronLogger = ReturnType<typeof cronLogger>;

/** The sampling schedule, whose cron expression a reload may change. */
export class SampleSchedule {
  private constructor(
    private task: ScheduledTask,
    private readonly run: () => unknown,
    private readonly logger: CronLogger,
  ) {}

  /** The schedule, not running yet: start() runs it. */
  static create(expression: string, run: () => unknown, logger: CronLogger): SampleSchedule {
    return new SampleSchedule(createTask(expression, run, { noOverlap: true, name: "sample", logger }), run, logger);
  }

  async start(): Promise<void> {
    await this.task.start();
  }

  async change(expression: string): Promise<void> {
    await this.task.destroy();
    this.task = createTask(expression, this.run, { noOverlap: true, name: "sample", logger: this.logger });
    await this.task.start();
  }

  /** The deadline of one sample: `configured`, else derived from the schedule's interval. */
  deadlineMs(configured: number | undefined): number {
    return sampleDeadlineMs(configured, this.task);
  }

  /** When the schedule runs next; null when it never will. */
  nextRun(): Date | null {
    return this.task.getNextRun();
  }

  stop(): Promise<void> {
    return Promise.resolve(this.task.destroy());
  }
}

/** What a reload touches in a running daemon. */
export interface DaemonParts {
  /** The one configuration object, updated in place. */
  config: Config;
  log: Logger;
  targets: Map<string, Target>;
  /** The routes' list of target names, updated in place. */
  targetNames: string[];
  exporter: MetricsExporter;
  basicAuth: BasicAuth;
  listener: Listener;
  alerter: Alerter | null;
  schedule: SampleSchedule;
  monitor: Monitor;
}

/**
 * Settings a running daemon cannot take over: they shape its socket, its files or its wiring.
 * A reload keeps their running values and says which ones wait for a restart.
 */
const RESTART_ONLY_SETTINGS = [
  "port",
  "host",
  "data_dir",
  "output_dir",
  "history_size",
  "alerts",
  "api_token",
  "web_config_file",
] as const;

/** `next` with the running values of the settings only a restart applies, and the names of those that differ. */
function reloadable(current: Config, next: Config): { config: Config; restartNeeded: string[] } {
  const restartNeeded = RESTART_ONLY_SETTINGS.filter((key) => !isDeepStrictEqual(current[key], next[key]));
  const kept = Object.fromEntries(RESTART_ONLY_SETTINGS.map((key) => [key, current[key]]));
  return { config: { ...next, ...kept }, restartNeeded };
}

interface TargetChanges {
  /** Started for the new configuration: new names, and targets whose settings changed. */
  started: Map<string, Target>;
  /** Running targets to stop: removed, or replaced by one in `started`. */
  retired: Target[];
  removed: string[];
}

/**
 * Starts what the new target list needs before anything running is touched, so that a target
 * that cannot start (a demo that fails, say) refuses the reload and leaves the running ones be.
 */
async function startTargetChanges(
  running: Map<string, Target>,
  current: TargetConfig[],
  next: TargetConfig[],
): Promise<TargetChanges> {
  const before = new Map(current.map((t) => [t.name, t]));
  const toStart = next.filter((t) => !isDeepStrictEqual(before.get(t.name), t));
  const started = await startAll(toStart);
  const names = new Set(next.map((t) => t.name));
  const removed = [...running.keys()].filter((name) => !names.has(name));
  const retired = [...running.values()].filter((t) => removed.includes(t.name) || started.has(t.name));
  return { started, retired, removed };
}

/**
 * Applies a new configuration to the running daemon: what cannot be applied (a web configuration
 * file or a target that fails) throws before anything changes. Alert states and history stay.
 * Resolves with the settings that changed but wait for a restart.
 */
export async function applyReload(parts: DaemonParts, requested: Config): Promise<string[]> {
  const { config, targets, exporter } = parts;
  const { config: next, restartNeeded } = reloadable(config, requested);
  const web = webConfigOf(next);
  const changes = await startTargetChanges(targets, config.targets, next.targets);
  for (const target of changes.retired) targets.delete(target.name);
  for (const [name, target] of changes.started) targets.set(name, target);
  parts.targetNames.splice(0, parts.targetNames.length, ...targets.keys());
  await Promise.allSettled(changes.retired.map((t) => t.stop()));
  for (const name of changes.removed) await exporter.removeTarget(name);
  const scheduleChanged = next.schedule !== config.schedule;
  Object.assign(config, next);
  exporter.collectionSeriesMax = config.collection_series_max;
  parts.log.level = config.log_level;
  parts.basicAuth.replaceUsers(web?.basic_auth_users);
  if (!parts.listener.reload(web)) restartNeeded.push("tls_server_config");
  await parts.alerter?.reconfigure(config.alerting, parts.targetNames);
  if (scheduleChanged) await parts.schedule.change(config.schedule);
  for (const target of changes.started.values()) void parts.monitor.sampleScheduled(target.name).catch(() => undefined);
  return restartNeeded;
}
