import type { AlertedSeverity, AlertingConfig } from "../config/alerting";
import { EmailNotifier, isEmailConfigured } from "./notifiers/email";
import type { Channel, Notifier } from "./notifiers/notifier";
import { SlackNotifier } from "./notifiers/slack";

/** A configured channel and the severities it receives. */
export interface Route {
  channel: Channel;
  severities: AlertedSeverity[];
}

/** The channels that are configured; with none, alerts are evaluated, exposed and logged only. */
export function configuredRoutes(alerting: AlertingConfig): Route[] {
  const routes: Route[] = [];
  if (alerting.slack.webhook_url !== undefined) routes.push({ channel: "slack", severities: alerting.slack.severities });
  if (isEmailConfigured(alerting.email)) routes.push({ channel: "email", severities: alerting.email.severities });
  return routes;
}

export function channelsFor(severity: AlertedSeverity, routes: Route[]): Channel[] {
  return routes.filter((r) => r.severities.includes(severity)).map((r) => r.channel);
}

/** The notifier of a channel; null when that channel is not configured. */
export function createNotifier(channel: Channel, alerting: AlertingConfig): Notifier | null {
  if (channel === "slack") return alerting.slack.webhook_url === undefined ? null : new SlackNotifier(alerting.slack.webhook_url);
  return isEmailConfigured(alerting.email) ? new EmailNotifier(alerting.email) : null;
}
