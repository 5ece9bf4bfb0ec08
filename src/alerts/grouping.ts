import { unitSuffix } from "../snapshot/catalog";
import { ALERTED_SEVERITIES } from "../config/fields";
import type { AlertFacts, Notification } from "./notification";
import type { ChannelName } from "./notifiers/registry";
import { channelsFor, type Route } from "./router";
import { alertKey, type AlertBook, type AlertNotification, type AlertState } from "./state";

/** What every notification of one target after one sample says besides its alerts. */
export type TargetContext = Omit<Notification, "kind" | "alerts">;

export interface ChannelNotification {
  channel: ChannelName;
  notification: Notification;
}

function factsOf(alert: AlertState, previous: AlertBook): AlertFacts {
  const resolved = alert.phase === "resolved";
  const firingSince = resolved
    ? (previous.get(alertKey(alert.target, alert.alertname))?.since ?? alert.since)
    : alert.since;
  return {
    alertname: alert.alertname,
    severity: alert.severity,
    status: resolved ? "resolved" : "firing",
    message: alert.message,
    value: alert.value,
    threshold: alert.threshold,
    unit: unitSuffix(alert.alertname),
    startsAt: firingSince,
    endsAt: resolved ? alert.since : null,
  };
}

/** The most severe first, then in catalog order (`rank`), as a stable sort. */
function topFirst(alerts: AlertState[], rank: (alertname: string) => number): AlertState[] {
  return [...alerts].sort(
    (x, y) =>
      ALERTED_SEVERITIES.indexOf(x.severity) - ALERTED_SEVERITIES.indexOf(y.severity) ||
      rank(x.alertname) - rank(y.alertname),
  );
}

/**
 * Page once per cause: the alert notifications of one target after one sample become, per
 * channel, one firing message listing every firing alert of the target routed to the
 * channel (sent when one of them fires or is due a reminder), and one resolved message
 * listing the alerts that resolved.
 */
export function groupNotifications(
  notifications: AlertNotification[],
  next: AlertBook,
  previous: AlertBook,
  context: TargetContext,
  routes: Route[],
  rank: (alertname: string) => number,
): ChannelNotification[] {
  const target = context.target;
  const firing = topFirst(
    [...next.values()].filter((a) => a.target === target && a.phase === "firing" && a.inhibitedBy === null),
    rank,
  );
  const resolved = topFirst(
    notifications.filter((n) => n.kind === "resolved").map((n) => n.alert),
    rank,
  );
  const out: ChannelNotification[] = [];
  for (const { channel } of routes) {
    const routed = (a: AlertState) => channelsFor(a.severity, routes).includes(channel);
    const triggers = notifications.filter((n) => n.kind !== "resolved" && routed(n.alert));
    if (triggers.length > 0) {
      const kind = triggers.some((n) => n.kind === "firing") ? "firing" : "reminder";
      out.push({
        channel,
        notification: { ...context, kind, alerts: firing.filter(routed).map((a) => factsOf(a, previous)) },
      });
    }
    const gone = resolved.filter(routed);
    if (gone.length > 0)
      out.push({
        channel,
        notification: { ...context, kind: "resolved", alerts: gone.map((a) => factsOf(a, previous)) },
      });
  }
  return out;
}
