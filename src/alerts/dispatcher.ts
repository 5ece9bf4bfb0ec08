import { randomUUID } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import { z } from "zod";
import type { Logger } from "../log";
import type { AlertMetrics } from "./metrics";
import { NotificationSchema, type Notification } from "./notification";
import type { Notifier } from "./notifiers/channel";
import { CHANNEL_NAMES, type ChannelName } from "./notifiers/registry";
import { asDeliveryError, MAX_TIMER_MS, retryDelayMs, type RetryConfig } from "./notifiers/retry";

/** One notification on its way to one channel: written to the state file before its first attempt. */
export const OutboxEntrySchema = z.object({
  id: z.string().min(1),
  channel: z.enum(CHANNEL_NAMES as [ChannelName, ...ChannelName[]]),
  createdAt: z.iso.datetime(),
  /** Failed attempts so far. */
  attempts: z.number().int().min(0),
  nextAttemptAt: z.iso.datetime(),
  lastError: z.string().nullable(),
  notification: NotificationSchema,
});
export type OutboxEntry = z.infer<typeof OutboxEntrySchema>;

export type DeliveryStatus = "pending" | "delivered" | "dropped";

export interface DispatcherOptions {
  retry: RetryConfig;
  /** Undelivered notifications older than this are dropped. */
  maxAgeMs: number;
  metrics: AlertMetrics;
  log: Logger;
  /** The outbox changed: write it to the state file. */
  changed(): void;
  /** An entry reached its end. */
  settled(entry: OutboxEntry, status: Exclude<DeliveryStatus, "pending">): void;
}

/**
 * The durable outbox: one queue per channel, in the order the notifications were made (so
 * a resolved message follows its firing one), each head retried with capped backoff until
 * the channel accepts it or it is older than the maximum age. A slow or failing channel
 * holds up neither sampling nor another channel.
 */
export class Dispatcher {
  private readonly queues = new Map<ChannelName, OutboxEntry[]>();
  /** The channels whose queue a worker is draining; a worker leaves it as it finds its queue empty. */
  private readonly draining = new Set<ChannelName>();
  private readonly workers = new Set<Promise<void>>();
  /** Stops the waits between attempts. */
  private readonly stopping = new AbortController();
  /** Cuts the sends under way, after the grace period of close(). */
  private readonly cutting = new AbortController();

  constructor(
    private readonly notifiers: ReadonlyMap<ChannelName, Notifier<Notification>>,
    private readonly options: DispatcherOptions,
  ) {}

  /** Queues reloaded entries, dropping those of channels no longer configured; call start() after. */
  restore(entries: OutboxEntry[]): void {
    for (const entry of entries) {
      if (this.notifiers.has(entry.channel)) this.queueOf(entry.channel).push(entry);
      else this.drop(entry, `the ${entry.channel} channel is no longer configured`);
    }
  }

  /** Queues a notification for a channel; it is sent once start() runs (after the state file has it). */
  enqueue(channel: ChannelName, notification: Notification): OutboxEntry {
    const entry: OutboxEntry = {
      id: randomUUID(),
      channel,
      createdAt: new Date().toISOString(),
      attempts: 0,
      nextAttemptAt: new Date().toISOString(),
      lastError: null,
      notification,
    };
    this.queueOf(channel).push(entry);
    return entry;
  }

  /** Every undelivered entry, in order. */
  pending(): OutboxEntry[] {
    return [...this.queues.values()].flat();
  }

  /** Starts a worker for every channel with a queue and none running. */
  start(): void {
    for (const channel of this.queues.keys()) {
      if (this.draining.has(channel) || this.stopping.signal.aborted) continue;
      this.draining.add(channel);
      const worker = this.drain(channel).catch((err: unknown) =>
        this.options.log.error(
          { err, channel },
          "notification worker failed; the outbox is retried at the next notification",
        ),
      );
      this.workers.add(worker);
      void worker.finally(() => this.workers.delete(worker));
    }
  }

  private queueOf(channel: ChannelName): OutboxEntry[] {
    let queue = this.queues.get(channel);
    if (queue === undefined) this.queues.set(channel, (queue = []));
    return queue;
  }

  private expiresAt(entry: OutboxEntry): number {
    return Date.parse(entry.createdAt) + this.options.maxAgeMs;
  }

  /** Sends the channel's queue head by head; leaves `draining` in the same tick as it finds the queue empty. */
  private async drain(channel: ChannelName): Promise<void> {
    const queue = this.queueOf(channel);
    const notifier = this.notifiers.get(channel);
    try {
      if (notifier === undefined)
        throw new Error(`no notifier for the ${channel} channel, yet its queue holds notifications`);
      while (queue.length > 0 && !this.stopping.signal.aborted) await this.step(queue, notifier);
    } finally {
      this.draining.delete(channel);
    }
  }

  /** Drops what is too old, waits for the head's next attempt, or makes it. */
  private async step(queue: OutboxEntry[], notifier: Notifier<Notification>): Promise<void> {
    const now = Date.now();
    const expired = queue.filter((e) => this.expiresAt(e) <= now);
    if (expired.length > 0) {
      for (const entry of expired) {
        this.remove(entry);
        this.drop(entry, "older than MEMSNAP_NOTIFY_MAX_AGE");
      }
      this.options.changed();
      return;
    }
    const head = queue[0];
    const waitMs = Math.min(Date.parse(head.nextAttemptAt), this.expiresAt(head)) - now;
    if (waitMs > 0) {
      await delay(Math.min(waitMs, MAX_TIMER_MS), undefined, { signal: this.stopping.signal }).catch(() => undefined);
      return;
    }
    await this.attempt(head, notifier);
  }

  private async attempt(entry: OutboxEntry, notifier: Notifier<Notification>): Promise<void> {
    const { log, metrics, retry } = this.options;
    const fields = {
      channel: entry.channel,
      target: entry.notification.target,
      kind: entry.notification.kind,
      notification: entry.id,
    };
    try {
      await notifier.send(entry.notification, this.cutting.signal);
    } catch (err) {
      if (this.cutting.signal.aborted) return;
      const error = asDeliveryError(err);
      if (error.permanent) {
        this.remove(entry);
        this.drop(entry, error.message);
      } else {
        entry.attempts += 1;
        const waitMs = retryDelayMs(error, entry.attempts, retry);
        entry.nextAttemptAt = new Date(Date.now() + waitMs).toISOString();
        entry.lastError = error.message;
        metrics.countNotification(entry.channel, "retried");
        log.warn(
          { ...fields, attempt: entry.attempts, wait_ms: Math.round(waitMs), reason: error.message },
          "notification failed; retrying",
        );
      }
      this.options.changed();
      return;
    }
    this.remove(entry);
    metrics.countNotification(entry.channel, "delivered");
    log.info({ ...fields, attempts: entry.attempts + 1 }, "notification delivered");
    this.options.settled(entry, "delivered");
    this.options.changed();
  }

  private remove(entry: OutboxEntry): void {
    const queue = this.queueOf(entry.channel);
    queue.splice(queue.indexOf(entry), 1);
  }

  private drop(entry: OutboxEntry, reason: string): void {
    this.options.metrics.countNotification(entry.channel, "dropped");
    this.options.log.error(
      {
        channel: entry.channel,
        target: entry.notification.target,
        kind: entry.notification.kind,
        notification: entry.id,
        created_at: entry.createdAt,
        attempts: entry.attempts,
        reason,
      },
      "notification dropped undelivered",
    );
    this.options.settled(entry, "dropped");
  }

  /** Stops retrying, gives sends under way `graceMs` to finish, then cuts them and closes the notifiers. */
  async close(graceMs: number): Promise<void> {
    this.stopping.abort();
    await Promise.race([Promise.allSettled(this.workers.values()), delay(graceMs, undefined, { ref: false })]);
    this.cutting.abort();
    for (const notifier of this.notifiers.values()) notifier.close();
  }
}
