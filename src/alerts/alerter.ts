import type { Registry } from "prom-client";
import type { AlertingConfig } from "../config/alerting";
import type { Config } from "../config/schema";
import type { Logger } from "../log";
import { runbookUrl } from "../runbook";
import type { Snapshot } from "../snapshot/schema";
import { Dispatcher, type DeliveryStatus } from "./dispatcher";
import { renderAlert, snapshotUrl, type AlertFacts } from "./message";
import { AlertMetrics } from "./metrics";
import type { Channel, Notifier } from "./notifiers/notifier";
import { channelsFor, configuredRoutes, createNotifier, type Route } from "./router";
import { alertKey, alertRules, evaluate, type AlertBook, type AlertNotification, type AlertRules, type AlertState } from "./state";
import { AlertStore } from "./store";

function createDispatcher(alerting: AlertingConfig, metrics: AlertMetrics, log: Logger): Dispatcher {
  const notifiers = new Map<Channel, Notifier>();
  for (const { channel } of configuredRoutes(alerting)) notifiers.set(channel, createNotifier(channel, alerting)!);
  return new Dispatcher(notifiers, alerting.retry, metrics, log);
}

/** Sends under way at shutdown get this long before their connections are closed. */
const SHUTDOWN_GRACE_MS = 2000;

const PHASE_ORDER = { firing: 0, pending: 1, resolved: 2, inactive: 3 };

export interface AlerterOptions {
  config: Config;
  log: Logger;
  registry: Registry;
  /** Called after a metric changed, so the next scrape renders it. */
  invalidate(): void;
  targets: string[];
  /** The URL operators reach memsnap at, for links in messages. */
  baseUrl(): string;
}

interface Deliveries {
  at: string;
  channels: Partial<Record<Channel, DeliveryStatus>>;
}

/**
 * The built-in alerting: evaluates every snapshot's findings (synchronously, cheaply),
 * keeps the state file and the metrics up to date, and hands notifications to the dispatcher.
 */
export class Alerter {
  private rules: AlertRules;
  private routes: Route[];
  private readonly deliveries = new Map<string, Deliveries>();

  private constructor(
    private book: AlertBook,
    private readonly options: AlerterOptions,
    private readonly store: AlertStore,
    private readonly metrics: AlertMetrics,
    private dispatcher: Dispatcher,
  ) {
    this.rules = alertRules(options.config.alerting);
    this.routes = configuredRoutes(options.config.alerting);
  }

  static async start(options: AlerterOptions): Promise<Alerter> {
    const { config, log } = options;
    const store = new AlertStore(config.data_dir, log);
    const book = await store.load(options.targets);
    const metrics = new AlertMetrics(options.registry, options.invalidate);
    metrics.applyAlerts(book.values());
    const routes = configuredRoutes(config.alerting);
    if (routes.length === 0) {
      log.info({ state_file: store.file }, "no alert channel configured (SLACK_WEBHOOK_URL, SMTP_URL or SMTP_HOST): alerts are evaluated, exposed and logged only");
    } else {
      log.info({ routes, state_file: store.file, alerts_loaded: book.size }, "alerting on");
    }
    return new Alerter(book, options, store, metrics, createDispatcher(config.alerting, metrics, log));
  }

  /**
   * Applies a reloaded configuration (rules, channels, retries): the alert states stay, so a firing
   * alert neither resolves nor notifies again; a target no longer watched loses its alerts.
   */
  async reconfigure(alerting: AlertingConfig, targets: string[]): Promise<void> {
    this.rules = alertRules(alerting);
    this.routes = configuredRoutes(alerting);
    const previous = this.dispatcher;
    this.dispatcher = createDispatcher(alerting, this.metrics, this.options.log);
    const gone = [...this.book.values()].filter((a) => !targets.includes(a.target));
    if (gone.length > 0) {
      this.book = new Map([...this.book].filter(([, a]) => targets.includes(a.target)));
      this.metrics.applyAlerts(gone.map((a) => ({ ...a, phase: "inactive" as const })));
      this.store.save(this.book);
    }
    await previous.close(SHUTDOWN_GRACE_MS);
  }

  /** Evaluates one target's snapshot; notifications go out in the background. */
  observe(snapshot: Snapshot): void {
    const target = snapshot.target.name;
    try {
      const { next, notifications } = evaluate(this.book, target, snapshot.findings, new Date(snapshot.timestamp), this.rules);
      this.book = next;
      this.metrics.applyAlerts([...next.values()].filter((a) => a.target === target));
      this.store.save(next);
      for (const notification of notifications) this.notify(notification, snapshot);
    } catch (err) {
      this.options.log.error({ err, target }, "alert evaluation failed");
    }
  }

  private notify({ kind, alert }: AlertNotification, snapshot: Snapshot): void {
    const channels = channelsFor(alert.severity, this.routes);
    const { target, alertname, severity } = alert;
    const level = kind === "resolved" ? "info" : "warn";
    this.options.log[level]({ target, alertname, severity, kind, value: alert.value, threshold: alert.threshold, channels }, `alert ${kind}`);
    if (channels.length === 0) return;
    const key = alertKey(target, alertname);
    const record: Deliveries = { at: alert.lastNotification!.at, channels: Object.fromEntries(channels.map((c) => [c, "sending"])) };
    this.deliveries.set(key, record);
    this.dispatcher.dispatch(renderAlert(this.facts(kind, alert, snapshot)), channels, { target, alertname, kind }, (channel, status) => {
      record.channels[channel] = status;
    });
  }

  private facts(kind: AlertNotification["kind"], alert: AlertState, snapshot: Snapshot): AlertFacts {
    return {
      kind,
      target: alert.target,
      alertname: alert.alertname,
      severity: alert.severity,
      message: alert.message,
      value: alert.value,
      threshold: alert.threshold,
      since: alert.since,
      healthScore: snapshot.health.score,
      healthStatus: snapshot.health.status,
      recommendations: snapshot.recommendations,
      snapshotUrl: snapshotUrl(this.options.baseUrl(), alert.target),
      runbookUrl: runbookUrl(this.options.config.runbook_base_url, alert.alertname),
    };
  }

  /** Every alert's state, firing first; only one target's with `target`. */
  report(target?: string) {
    const alerts = [...this.book.values()]
      .filter((a) => target === undefined || a.target === target)
      .sort((x, y) => PHASE_ORDER[x.phase] - PHASE_ORDER[y.phase] || x.target.localeCompare(y.target) || x.alertname.localeCompare(y.alertname));
    return { enabled: true, routes: this.routes, alerts: alerts.map((a) => this.describe(a)) };
  }

  private describe(a: AlertState) {
    const deliveries = this.deliveries.get(alertKey(a.target, a.alertname));
    const last = a.lastNotification;
    return {
      target: a.target,
      alertname: a.alertname,
      severity: a.severity,
      state: a.phase,
      since: a.since,
      message: a.message,
      value: a.value,
      threshold: a.threshold,
      inhibited_by: a.inhibitedBy,
      last_notification: last === null ? null : { ...last, channels: deliveries?.at === last.at ? { ...deliveries.channels } : {} },
    };
  }

  /** Stops retries, lets sends under way finish briefly, writes the state file, closes the SMTP pool. */
  async close(): Promise<void> {
    await this.dispatcher.close(SHUTDOWN_GRACE_MS);
    await this.store.flush();
  }
}
