import { createHash } from "node:crypto";
import { z } from "zod";
import { severities, webhookUrl } from "../../config/fields";
import { figure, layoutOf } from "../message";
import { snapshotUrl, type AlertFacts, type Notification } from "../notification";
import { configuredSetting, type ChannelDescriptor, type Notifier } from "./channel";
import { DeliveryError, deepestMessage, httpFailure } from "./retry";

/** One POST may take this long before it counts as failed. */
const WEBHOOK_TIMEOUT_MS = 10_000;
/** Alertmanager's zero time: the endsAt of an alert that still fires. */
const STILL_FIRING = "0001-01-01T00:00:00Z";
const FIX = "check MEMSNAP_WEBHOOK_URL and MEMSNAP_WEBHOOK_TOKEN";

const WebhookSchema = z.object({
  url: webhookUrl.optional(),
  token: z.string().min(1, "expected the bearer token, not an empty string").optional(),
  severities: severities.default(["critical", "warning"]),
});
type WebhookConfig = z.infer<typeof WebhookSchema>;

type Labels = Record<string, string>;

interface WebhookAlert {
  status: "firing" | "resolved";
  labels: Labels;
  annotations: Labels;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

/** Alertmanager's webhook payload, version 4: what any Alertmanager receiver already reads. */
export interface WebhookPayload {
  version: "4";
  groupKey: string;
  truncatedAlerts: number;
  status: "firing" | "resolved";
  receiver: string;
  groupLabels: Labels;
  commonLabels: Labels;
  commonAnnotations: Labels;
  externalURL: string;
  alerts: WebhookAlert[];
}

const fingerprint = (labels: Labels) =>
  createHash("sha256")
    .update(
      Object.entries(labels)
        .sort()
        .map(([k, v]) => `${k}=${v}`)
        .join("\0"),
    )
    .digest("hex")
    .slice(0, 16);

/** The label/annotation pairs every alert has alike. */
function common(sets: Labels[]): Labels {
  const first = sets.at(0) ?? {};
  const rest = sets.slice(1);
  return Object.fromEntries(Object.entries(first).filter(([k, v]) => rest.every((s) => s[k] === v)));
}

function webhookAlert(n: Notification, a: AlertFacts): WebhookAlert {
  const labels = { alertname: a.alertname, severity: a.severity, target: n.target ?? "" };
  return {
    status: a.status,
    labels,
    annotations: {
      summary: a.message,
      value: figure(a.value, a.unit),
      threshold: figure(a.threshold, a.unit),
      runbook_url: `docs/runbook.md#${a.alertname.toLowerCase()}`,
    },
    startsAt: a.startsAt,
    endsAt: a.endsAt ?? STILL_FIRING,
    generatorURL: n.externalUrl === null || n.target === null ? "" : snapshotUrl(n.externalUrl, n.target),
    fingerprint: fingerprint(labels),
  };
}

function testAlert(n: Notification): WebhookAlert {
  const labels = { alertname: "MemsnapTest", severity: "none" };
  return {
    status: "firing",
    labels,
    annotations: { summary: layoutOf(n, "webhook").headline },
    startsAt: n.createdAt,
    endsAt: STILL_FIRING,
    generatorURL: "",
    fingerprint: fingerprint(labels),
  };
}

export function renderWebhook(n: Notification): WebhookPayload {
  const alerts = n.kind === "test" ? [testAlert(n)] : n.alerts.map((a) => webhookAlert(n, a));
  const groupLabels: Labels = n.target === null ? {} : { target: n.target };
  return {
    version: "4",
    groupKey: `{}:{${Object.entries(groupLabels)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(",")}}`,
    truncatedAlerts: 0,
    status: alerts.some((a) => a.status === "firing") ? "firing" : "resolved",
    receiver: "memsnap",
    groupLabels,
    commonLabels: common(alerts.map((a) => a.labels)),
    commonAnnotations: common(alerts.map((a) => a.annotations)),
    externalURL: n.externalUrl ?? "",
    alerts,
  };
}

/** POSTs the payload as JSON, with `Authorization: Bearer <token>` when a token is set. */
function createWebhookNotifier(config: WebhookConfig): Notifier<WebhookPayload> {
  const url = configuredSetting(config.url, "MEMSNAP_WEBHOOK_URL");
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (config.token !== undefined) headers.authorization = `Bearer ${config.token}`;
  return {
    async send(payload, signal) {
      let response: Response;
      try {
        const timeout = AbortSignal.timeout(WEBHOOK_TIMEOUT_MS);
        response = await fetch(url, {
          method: "POST",
          headers,
          body: JSON.stringify(payload),
          signal: AbortSignal.any([signal, timeout]),
        });
      } catch (err) {
        throw new DeliveryError(`cannot reach the webhook: ${deepestMessage(err)}`, { cause: err });
      }
      const body = await response.text().catch(() => "");
      if (!response.ok)
        throw httpFailure("the webhook", response.status, body, response.headers.get("retry-after"), FIX);
    },
    close: () => undefined,
  };
}

export const webhookChannel = {
  name: "webhook",
  schema: WebhookSchema,
  env: { MEMSNAP_WEBHOOK_URL: "url", MEMSNAP_WEBHOOK_TOKEN: "token", MEMSNAP_ALERT_WEBHOOK_SEVERITIES: "severities" },
  secretEnv: ["MEMSNAP_WEBHOOK_URL", "MEMSNAP_WEBHOOK_TOKEN"],
  settings: "MEMSNAP_WEBHOOK_URL",
  isConfigured: (config: WebhookConfig) => config.url !== undefined,
  create: (config: WebhookConfig) => Promise.resolve(createWebhookNotifier(config)),
  render: renderWebhook,
} as const satisfies ChannelDescriptor<WebhookConfig, WebhookPayload>;
