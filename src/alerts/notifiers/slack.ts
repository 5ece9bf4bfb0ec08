import {
  IncomingWebhook,
  IncomingWebhookHTTPError,
  type FetchFunction,
  type IncomingWebhookSendArguments,
} from "@slack/webhook";
import { z } from "zod";
import { severities, webhookUrl } from "../../config/fields";
import { layoutOf, oneLine, type Layout } from "../message";
import { configuredSetting, type ChannelDescriptor, type Notifier } from "./channel";
import { DeliveryError, deepestMessage, httpFailure } from "./retry";

/** One POST to the webhook may take this long before it counts as failed. */
const SLACK_TIMEOUT_MS = 10_000;
const SLACK_HEADER_MAX_CHARS = 150;

const SlackSchema = z.object({
  webhook_url: webhookUrl.optional(),
  severities: severities.default(["critical"]),
});
type SlackConfig = z.infer<typeof SlackSchema>;

/** Slack mrkdwn treats &, < and > as control characters. */
const escapeSlack = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function renderSlack(l: Layout): IncomingWebhookSendArguments {
  const header = oneLine(l.title).slice(0, SLACK_HEADER_MAX_CHARS);
  const blocks: NonNullable<IncomingWebhookSendArguments["blocks"]> = [
    { type: "header", text: { type: "plain_text", text: header } },
    { type: "section", text: { type: "mrkdwn", text: escapeSlack(l.headline) } },
    {
      type: "section",
      fields: l.fields.map(([label, value]) => ({
        type: "mrkdwn" as const,
        text: `*${label}*\n${escapeSlack(value)}`,
      })),
    },
  ];
  if (l.others.length > 0) {
    const list = l.others.map((o) => `• ${escapeSlack(o)}`).join("\n");
    blocks.push({ type: "section", text: { type: "mrkdwn", text: `*${l.othersLabel}*\n${list}` } });
  }
  if (l.recommendations.length > 0) {
    const list = l.recommendations.map((r, i) => `${i + 1}. ${escapeSlack(r)}`).join("\n");
    blocks.push({ type: "section", text: { type: "mrkdwn", text: `*Top recommendations*\n${list}` } });
  }
  if (l.links.length > 0) {
    blocks.push({
      type: "context",
      elements: l.links.map((link) => ({ type: "mrkdwn" as const, text: `<${link.url}|${link.label}>` })),
    });
  }
  return { text: oneLine(l.subject), attachments: [{ color: l.color, fallback: oneLine(l.subject), blocks }] };
}

/**
 * Posts Block Kit messages to a Slack incoming webhook. @slack/webhook reports the
 * status of a failed POST but not its headers, so the fetch it uses is wrapped to
 * read Retry-After, and to stop a POST under way when memsnap stops.
 */
class SlackNotifier implements Notifier<IncomingWebhookSendArguments> {
  constructor(private readonly webhookUrl: string) {}

  async send(message: IncomingWebhookSendArguments, signal: AbortSignal): Promise<void> {
    let retryAfter: string | null = null;
    const fetchWithHeaders: FetchFunction = async (url, init) => {
      const response = await fetch(url, {
        ...init,
        signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal,
      });
      retryAfter = response.headers.get("retry-after");
      return response;
    };
    const webhook = new IncomingWebhook(this.webhookUrl, { timeout: SLACK_TIMEOUT_MS, fetch: fetchWithHeaders });
    try {
      await webhook.send(message);
    } catch (err) {
      if (err instanceof IncomingWebhookHTTPError)
        throw httpFailure("Slack", err.statusCode, err.body, retryAfter, "check SLACK_WEBHOOK_URL", err);
      throw new DeliveryError(`cannot reach the Slack webhook: ${deepestMessage(err)}`, { cause: err });
    }
  }

  /** Each send opens its own request: nothing stays open to close. */
  close(): void {
    return;
  }
}

export const slackChannel = {
  name: "slack",
  schema: SlackSchema,
  env: { SLACK_WEBHOOK_URL: "webhook_url", MEMSNAP_ALERT_SLACK_SEVERITIES: "severities" },
  secretEnv: ["SLACK_WEBHOOK_URL"],
  settings: "SLACK_WEBHOOK_URL",
  isConfigured: (config: SlackConfig) => config.webhook_url !== undefined,
  create: (config: SlackConfig) =>
    Promise.resolve(new SlackNotifier(configuredSetting(config.webhook_url, "SLACK_WEBHOOK_URL"))),
  render: (notification) => renderSlack(layoutOf(notification, "slack")),
} as const satisfies ChannelDescriptor<SlackConfig, IncomingWebhookSendArguments>;
