import { Counter, Gauge, type Registry } from "prom-client";
import type { AlertState } from "./state";
import { CHANNELS, type Channel } from "./notifiers/notifier";

const DELIVERY_OUTCOMES = ["sent", "failed", "retried"] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

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
      help: "Alert notifications by channel: sent, failed after the last attempt, or retried after a failed attempt.",
      labelNames: ["channel", "outcome"],
      registers: [registry],
    });
    for (const channel of CHANNELS) for (const outcome of DELIVERY_OUTCOMES) this.notifications.inc({ channel, outcome }, 0);
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

  countDelivery(channel: Channel, outcome: DeliveryOutcome): void {
    this.notifications.inc({ channel, outcome });
    this.invalidate();
  }
}
