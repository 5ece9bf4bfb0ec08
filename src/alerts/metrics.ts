import { Counter, Gauge, type Registry } from "prom-client";
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
      help: "1 while the built-in evaluator has the alert firing for the target; the series is gone otherwise.",
      labelNames: ["alertname", "severity", "target"],
      registers: [registry],
    });
    this.notifications = new Counter({
      name: "memsnap_notifications_total",
      help: "Alert notifications by channel: delivered (the channel accepted it), retried (an attempt failed; another follows), dropped (refused for good, or undelivered past MEMSNAP_NOTIFY_MAX_AGE).",
      labelNames: ["channel", "outcome"],
      registers: [registry],
    });
    for (const channel of CHANNEL_NAMES) for (const outcome of NOTIFICATION_OUTCOMES) this.notifications.inc({ channel, outcome }, 0);
  }

  /** One series per firing alert of the target; the others' series are removed. */
  applyAlerts(alerts: Iterable<AlertState>): void {
    for (const alert of alerts) {
      const labels = { alertname: alert.alertname, severity: alert.severity, target: alert.target };
      if (alert.phase === "firing") this.firing.set(labels, 1);
      else this.firing.remove(labels);
    }
    this.invalidate();
  }

  countNotification(channel: ChannelName, outcome: NotificationOutcome): void {
    this.notifications.inc({ channel, outcome });
    this.invalidate();
  }
}
