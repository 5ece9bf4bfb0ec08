import { Counter, Gauge, type Registry } from "prom-client";
import { FINDINGS } from "../snapshot/catalog";
import { CHANNEL_NAMES, type ChannelName } from "./notifiers/registry";
import type { AlertState } from "./state";

const NOTIFICATION_OUTCOMES = ["delivered", "retried", "dropped"] as const;
type NotificationOutcome = (typeof NOTIFICATION_OUTCOMES)[number];

/** memsnap_alert_firing and memsnap_notifications_total, registered on the exporter's registry. */
export class AlertMetrics {
  private readonly firing: Gauge;
  private readonly notifications: Counter;

  constructor(
    registry: Registry,
    private readonly invalidate: () => void,
  ) {
    this.firing = new Gauge({
      name: "memsnap_alert_firing",
      help: "1 while the built-in evaluator has the alert firing for the target at the severity, else 0: one series for every code and severity of every target.",
      labelNames: ["alertname", "severity", "target"],
      registers: [registry],
    });
    this.notifications = new Counter({
      name: "memsnap_notifications_total",
      help: "Alert notifications by channel: delivered (the channel accepted it), retried (an attempt failed; another follows), dropped (refused for good, or undelivered past MEMSNAP_NOTIFY_MAX_AGE).",
      labelNames: ["channel", "outcome"],
      registers: [registry],
    });
    for (const channel of CHANNEL_NAMES)
      for (const outcome of NOTIFICATION_OUTCOMES) this.notifications.inc({ channel, outcome }, 0);
  }

  /** Every code and severity of the catalog for the target: 1 where its alert fires at that severity, else 0. */
  applyAlerts(target: string, alerts: Iterable<AlertState>): void {
    const firing = new Set<string>();
    for (const alert of alerts)
      if (alert.target === target && alert.phase === "firing") firing.add(`${alert.alertname}/${alert.severity}`);
    for (const { code, levels } of FINDINGS) {
      for (const { severity } of levels)
        this.firing.set({ alertname: code, severity, target }, firing.has(`${code}/${severity}`) ? 1 : 0);
    }
    this.invalidate();
  }

  countNotification(channel: ChannelName, outcome: NotificationOutcome): void {
    this.notifications.inc({ channel, outcome });
    this.invalidate();
  }
}
