import { setTimeout as delay } from "node:timers/promises";
import type { RetryConfig } from "../config/alerting";
import type { Logger } from "../log";
import type { RenderedMessage } from "./message";
import type { AlertMetrics } from "./metrics";
import type { Channel, Notifier } from "./notifiers/notifier";
import { DeliveryError, withRetry } from "./notifiers/retry";

export type DeliveryStatus = "sending" | "sent" | "failed";

/** Log keys of the alert a message is about. */
export interface MessageContext {
  target: string;
  alertname: string;
  kind: string;
}

/**
 * Sends messages in the background, one independent delivery per channel, each
 * retried with backoff; a slow or failing channel never holds up sampling or another channel.
 */
export class Dispatcher {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(
    private readonly notifiers: Map<Channel, Notifier>,
    private readonly retry: RetryConfig,
    private readonly metrics: AlertMetrics,
    private readonly log: Logger,
  ) {}

  dispatch(message: RenderedMessage, channels: Channel[], context: MessageContext, onDone: (channel: Channel, status: DeliveryStatus) => void): void {
    for (const channel of channels) {
      const notifier = this.notifiers.get(channel);
      if (notifier === undefined) continue;
      const delivery = this.deliver(notifier, message, context).then((status) => onDone(channel, status));
      this.inFlight.add(delivery);
      void delivery.finally(() => this.inFlight.delete(delivery));
    }
  }

  private async deliver(notifier: Notifier, message: RenderedMessage, context: MessageContext): Promise<DeliveryStatus> {
    const fields = { ...context, channel: notifier.channel };
    try {
      const attempts = await withRetry(() => notifier.send(message, this.stopping.signal), this.retry, {
        signal: this.stopping.signal,
        onRetry: (error, failedAttempts, waitMs) => {
          this.metrics.countDelivery(notifier.channel, "retried");
          this.log.warn({ ...fields, attempt: failedAttempts, wait_ms: Math.round(waitMs), reason: error.message }, "notification failed; retrying");
        },
      });
      this.metrics.countDelivery(notifier.channel, "sent");
      this.log.info({ ...fields, attempts }, "notification sent");
      return "sent";
    } catch (err) {
      this.metrics.countDelivery(notifier.channel, "failed");
      this.log.error({ ...fields, reason: (err as DeliveryError).message }, "notification failed; giving up");
      return "failed";
    }
  }

  /** Stops retries, gives sends under way `graceMs` to finish, then closes the notifiers. */
  async close(graceMs: number): Promise<void> {
    this.stopping.abort();
    await Promise.race([Promise.allSettled(this.inFlight), delay(graceMs, undefined, { ref: false })]);
    for (const notifier of this.notifiers.values()) notifier.close();
  }
}
