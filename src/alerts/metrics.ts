import { Counter, Gauge, type Registry } from "prom-client";
import { FINDINGS } from "../snapshot/catalog";
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
      help: "1 while the built-in evaluator has the alert firing for the target at the severity, else 0: one series for every code and severity of every target.",
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

  /** Every code and severity of the catalog for the target: 1 where its alert fires at that severity, else 0. */
  applyAlerts(target: string, alerts: Iterable<AlertState>): void {
    const firing = new Set<string>();
    for (const alert of alerts) if (alert.target === target && alert.phase === "firing") firing.add(`${alert.alertname}/${alert.severity}`);
    for (const { code, levels } of FINDINGS) {
      for (const { severity } of levels) this.firing.set({ alertname: code, severity, target }, firing.has(`${code}/${severity}`) ? 1 : 0);
    }
    this.invalidate();
  }

  countDelivery(channel: Channel, outcome: DeliveryOutcome): void {
    this.notifications.inc({ channel, outcome });
    this.invalidate();
  }
}
