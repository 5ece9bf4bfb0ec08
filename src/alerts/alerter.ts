import type { Registry } from "prom-client";
import type { AlertingConfig } from "../config/alerting";
import type { Config } from "../config/schema";
import type { Logger } from "../log";
import { FINDINGS } from "../snapshot/catalog";
import type { Snapshot } from "../snapshot/schema";
import { Dispatcher, type DeliveryStatus, type OutboxEntry } from "./dispatcher";
import { groupNotifications } from "./grouping";
import { AlertMetrics } from "./metrics";
import type { Notification } from "./notification";
import type { Notifier } from "./notifiers/channel";
import { configuredChannels, type ChannelName } from "./notifiers/registry";
import { configuredRoutes, type Route } from "./router";
import {
  alertRules,
  evaluate,
  type AlertBook,
  type AlertNotification,
  type AlertRules,
  type AlertState,
} from "./state";
import { AlertStore, type AlertFile } from "./store";

/** The catalog's order of codes: among alerts of one severity, a notification names the earlier first. */
const CATALOG_ORDER = new Map(FINDINGS.map((d, index) => [d.code, index]));

/** Sends under way at shutdown get this long before their connections are closed. */
const SHUTDOWN_GRACE_MS = 2000;

const PHASE_ORDER = { firing: 0, pending: 1, resolved: 2, inactive: 3 };

export interface AlerterOptions {
  config: Config;
  log: Logger;
  registry: Registry;
  /** Called after a metric changed, so the next scrape renders it. */
  invalidate: () => void;
  targets: string[];
  /** The URL operators reach memsnap at, for links in messages. */
  baseUrl(): string;
}

/** Where each notification of a target made at one instant stands, per channel. */
type Deliveries = Map<string, Partial<Record<ChannelName, DeliveryStatus>>>;
const deliveryKey = (target: string | null, at: string) => `${target}@${at}`;

/**
 * The built-in alerting: evaluates every snapshot's findings (synchronously, cheaply),
 * groups the notifications of a target, writes them to the state file's outbox before
 * the dispatcher sends them, and keeps the metrics up to date.
 */
export class Alerter {
  private rules: AlertRules;
  private routes: Route[];
  private readonly deliveries: Deliveries = new Map();
  private book: AlertBook;
  private dispatcher: Dispatcher;

  private constructor(
    private readonly options: AlerterOptions,
    private readonly store: AlertStore,
    private readonly metrics: AlertMetrics,
    notifiers: ReadonlyMap<ChannelName, Notifier<Notification>>,
    saved: AlertFile,
  ) {
    this.rules = alertRules(options.config.alerting);
    this.routes = configuredRoutes(options.config.alerting);
    this.dispatcher = this.createDispatcher(notifiers, options.config.alerting);
    this.book = saved.book;
    this.dispatcher.restore(saved.outbox);
    for (const entry of this.dispatcher.pending()) this.track(entry, "pending");
  }

  private createDispatcher(
    notifiers: ReadonlyMap<ChannelName, Notifier<Notification>>,
    alerting: AlertingConfig,
  ): Dispatcher {
    return new Dispatcher(notifiers, {
      retry: alerting.retry,
      maxAgeMs: alerting.notify_max_age,
      metrics: this.metrics,
      log: this.options.log,
      changed: () => this.persist(),
      settled: (entry, status) => this.track(entry, status),
    });
  }

  private static async createNotifiers(alerting: AlertingConfig): Promise<Map<ChannelName, Notifier<Notification>>> {
    return new Map(
      await Promise.all(configuredChannels(alerting).map(async (c) => [c.name, await c.create()] as const)),
    );
  }

  /**
   * Applies a reloaded configuration (rules, channels, retries): the alert states stay, so a firing
   * alert neither resolves nor notifies again; undelivered notifications move to the new channels
   * (those of a channel no longer configured are dropped); a target no longer watched loses its alerts.
   */
  async reconfigure(alerting: AlertingConfig, targets: string[]): Promise<void> {
    const notifiers = await Alerter.createNotifiers(alerting);
    const previous = this.dispatcher;
    await previous.close(SHUTDOWN_GRACE_MS);
    this.rules = alertRules(alerting);
    this.routes = configuredRoutes(alerting);
    this.dispatcher = this.createDispatcher(notifiers, alerting);
    this.dispatcher.restore(previous.pending());
    const gone = [...this.book.values()].filter((a) => !targets.includes(a.target));
    if (gone.length > 0) this.book = new Map([...this.book].filter(([, a]) => targets.includes(a.target)));
    this.persist();
    await this.store.flush();
    this.dispatcher.start();
  }

  static async start(options: AlerterOptions): Promise<Alerter> {
    const { config, log } = options;
    const store = new AlertStore(config.data_dir, log);
    const saved = await store.load(options.targets);
    const metrics = new AlertMetrics(options.registry, options.invalidate);
    for (const target of options.targets) metrics.applyAlerts(target, saved.book.values());
    const channels = configuredChannels(config.alerting);
    const notifiers = await Alerter.createNotifiers(config.alerting);
    const alerter = new Alerter(options, store, metrics, notifiers, saved);
    alerter.persist();
    alerter.dispatcher.start();
    if (channels.length === 0) {
      log.info(
        { state_file: store.file },
        "no alert channel configured: alerts are evaluated, exposed and logged only",
      );
    } else {
      log.info(
        {
          routes: alerter.routes,
          state_file: store.file,
          alerts_loaded: saved.book.size,
          undelivered: saved.outbox.length,
        },
        "alerting on",
      );
    }
    return alerter;
  }

  /** Evaluates one target's snapshot; notifications are written to the outbox, then sent in the background. */
  observe(snapshot: Snapshot): void {
    const target = snapshot.target.name;
    try {
      const previous = this.book;
      const { next, notifications } = evaluate(
        previous,
        target,
        snapshot.findings,
        new Date(snapshot.timestamp),
        this.rules,
      );
      this.book = next;
      this.metrics.applyAlerts(target, next.values());
      for (const n of notifications) this.logTransition(n);
      const rank = (code: string) => CATALOG_ORDER.get(code) ?? CATALOG_ORDER.size;
      const context = {
        target,
        createdAt: snapshot.timestamp,
        healthScore: snapshot.health.score,
        healthStatus: snapshot.health.status,
        recommendations: snapshot.recommendations,
        externalUrl: this.options.baseUrl(),
        runbookBaseUrl: this.options.config.runbook_base_url,
      };
      for (const { channel, notification } of groupNotifications(
        notifications,
        next,
        previous,
        context,
        this.routes,
        rank,
      )) {
        this.track(this.dispatcher.enqueue(channel, notification), "pending");
      }
      this.persist();
      void this.store.flush().then(() => this.dispatcher.start());
    } catch (err) {
      this.options.log.error({ err, target }, "alert evaluation failed");
    }
  }

  private logTransition({ kind, alert }: AlertNotification): void {
    const { target, alertname, severity } = alert;
    const level = kind === "resolved" ? "info" : "warn";
    this.options.log[level](
      { target, alertname, severity, kind, value: alert.value, threshold: alert.threshold },
      `alert ${kind}`,
    );
  }

  private persist(): void {
    this.store.save({ book: this.book, outbox: this.dispatcher.pending() });
  }

  private track(entry: OutboxEntry, status: DeliveryStatus): void {
    const key = deliveryKey(entry.notification.target, entry.notification.createdAt);
    const channels = this.deliveries.get(key) ?? {};
    channels[entry.channel] = status;
    this.deliveries.set(key, channels);
  }

  /** Every alert's state, firing first; only one target's with `target`. */
  report(target?: string) {
    const alerts = [...this.book.values()]
      .filter((a) => target === undefined || a.target === target)
      .sort(
        (x, y) =>
          PHASE_ORDER[x.phase] - PHASE_ORDER[y.phase] ||
          x.target.localeCompare(y.target) ||
          x.alertname.localeCompare(y.alertname),
      );
    return { enabled: true, routes: this.routes, alerts: alerts.map((a) => this.describe(a)) };
  }

  private describe(a: AlertState) {
    const last = a.lastNotification;
    const channels = last === null ? {} : { ...this.deliveries.get(deliveryKey(a.target, last.at)) };
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
      last_notification: last === null ? null : { ...last, channels },
    };
  }

  /** Stops retries, lets sends under way finish briefly, writes the state file (outbox included), closes the notifiers. */
  async close(): Promise<void> {
    await this.dispatcher.close(SHUTDOWN_GRACE_MS);
    this.persist();
    await this.store.flush();
  }
}
