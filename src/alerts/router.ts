import type { AlertedSeverity, AlertingConfig } from "../config/alerting";
import { configuredChannels, type ChannelName } from "./notifiers/registry";

/** A configured channel and the severities it receives. */
export interface Route {
  channel: ChannelName;
  severities: AlertedSeverity[];
}

/** The channels that are configured; with none, alerts are evaluated, exposed and logged only. */
export function configuredRoutes(alerting: AlertingConfig): Route[] {
  return configuredChannels(alerting).map((c) => ({ channel: c.name, severities: c.severities }));
}

export function channelsFor(severity: AlertedSeverity, routes: Route[]): ChannelName[] {
  return routes.filter((r) => r.severities.includes(severity)).map((r) => r.channel);
}
