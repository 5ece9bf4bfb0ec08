import { IncomingWebhook, IncomingWebhookHTTPError, type FetchFunction } from "@slack/webhook";
import type { RenderedMessage } from "../message";
import type { Notifier } from "./notifier";
import { DeliveryError, parseRetryAfterMs } from "./retry";

/** One POST to the webhook may take this long before it counts as failed. */
const SLACK_TIMEOUT_MS = 10_000;

/**
 * Posts Block Kit messages to a Slack incoming webhook. @slack/webhook reports the
 * status of a failed POST but not its headers, so the fetch it uses is wrapped to
 * read Retry-After, and to stop a POST under way when memsnap stops.
 */
export class SlackNotifier implements Notifier {
  readonly channel = "slack" as const;

  constructor(private readonly webhookUrl: string) {}

  async send(message: RenderedMessage, signal: AbortSignal): Promise<void> {
    let retryAfter: string | null = null;
    const fetchWithHeaders: FetchFunction = async (url, init) => {
      const response = await fetch(url, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal });
      retryAfter = response.headers.get("retry-after");
      return response;
    };
    const webhook = new IncomingWebhook(this.webhookUrl, { timeout: SLACK_TIMEOUT_MS, fetch: fetchWithHeaders });
    try {
      await webhook.send(message.slack);
    } catch (err) {
      throw slackFailure(err, retryAfter);
    }
  }

  close(): void {}
}

function slackFailure(err: unknown, retryAfter: string | null): DeliveryError {
  if (err instanceof IncomingWebhookHTTPError) {
    const status = err.statusCode;
    const body = err.body.slice(0, 200);
    if (status === 429) {
      return new DeliveryError(`Slack answered 429 (rate limited): ${body}`, { retryAfterMs: parseRetryAfterMs(retryAfter), cause: err });
    }
    if (status >= 500) return new DeliveryError(`Slack answered ${status}: ${body}`, { cause: err });
    return new DeliveryError(`Slack refused the message with ${status} (${body}): check SLACK_WEBHOOK_URL`, { permanent: true, cause: err });
  }
  return new DeliveryError(`cannot reach the Slack webhook: ${deepestMessage(err)}`, { cause: err });
}

/** fetch wraps the socket error (ECONNREFUSED, …) in "fetch failed", and Slack wraps that again. */
function deepestMessage(err: unknown): string {
  let current = err;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}
