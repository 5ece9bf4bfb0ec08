import { Writable } from "node:stream";
import { Registry } from "prom-client";
import { Dispatcher, type DeliveryStatus, type OutboxEntry } from "../../src/alerts/dispatcher";
import { AlertMetrics } from "../../src/alerts/metrics";
import type { Notification } from "../../src/alerts/notification";
import { configuredChannels } from "../../src/alerts/notifiers/registry";
import type { RetryConfig } from "../../src/alerts/notifiers/retry";
import { loadConfig } from "../../src/config/load";
import { createLogger } from "../../src/log";
import { waitFor } from "./daemon";

export const FAST_RETRY: RetryConfig = { attempts: 3, base_delay: 20, max_delay: 100, retry_after_cap: 60_000 };

/** A firing notification of one critical alert on prod-db. */
export const FIRING: Notification = {
  kind: "firing",
  target: "prod-db",
  createdAt: "2025-03-01T10:00:05.000Z",
  alerts: [
    {
      alertname: "UnaccountedMemoryCritical",
      severity: "critical",
      status: "firing",
      message: "812.4 MB of resident memory is not accounted for by any collection (over 500 MB)",
      value: 812.4,
      threshold: 500,
      unit: " MB",
      startsAt: "2025-03-01T10:00:00.000Z",
      endsAt: null,
    },
  ],
  healthScore: 45,
  healthStatus: "critical",
  recommendations: [
    "Enable SQ8 on `docs` (1.2 M vectors × 768 dims): saves ~2.6 GB",
    "second advice",
    "third advice",
    "fourth advice",
  ],
  externalUrl: "https://memsnap.example.com",
};

export const RESOLVED: Notification = {
  ...FIRING,
  kind: "resolved",
  createdAt: "2025-03-01T10:05:00.000Z",
  alerts: [{ ...FIRING.alerts[0], status: "resolved", endsAt: "2025-03-01T10:05:00.000Z" }],
};

/**
 * The one channel `env` configures, behind a real Dispatcher (the daemon's outbox) with
 * its own metrics and a log captured as JSON lines.
 */
export async function outboxFor(env: Record<string, string>, options: { retry?: RetryConfig; maxAgeMs?: number } = {}) {
  const registry = new Registry();
  const metrics = new AlertMetrics(registry, () => undefined);
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  const settled = new Map<string, DeliveryStatus>();
  const [channel] = configuredChannels(loadConfig(env).alerting);
  const dispatcher = new Dispatcher(new Map([[channel.name, await channel.create()]]), {
    retry: options.retry ?? FAST_RETRY,
    maxAgeMs: options.maxAgeMs ?? 60_000,
    metrics,
    log: createLogger("info", sink),
    changed: () => undefined,
    settled: (entry, status) => settled.set(entry.id, status),
  });
  return {
    dispatcher,
    logs,
    /** Queues the notifications in order and starts sending. */
    send(...notifications: Notification[]): OutboxEntry[] {
      const entries = notifications.map((n) => dispatcher.enqueue(channel.name, n));
      dispatcher.start();
      return entries;
    },
    /** Resolves with how the entry ended. */
    outcome(entry: OutboxEntry, timeoutMs?: number): Promise<DeliveryStatus> {
      return waitFor(() => settled.get(entry.id), `notification ${entry.id} to settle`, timeoutMs);
    },
    /** memsnap_notifications_total of the channel (or another), by outcome. */
    async counts(of: string = channel.name): Promise<Record<string, number>> {
      const values = (await registry.getSingleMetric("memsnap_notifications_total")!.get()).values;
      return Object.fromEntries(values.filter((v) => v.labels.channel === of).map((v) => [v.labels.outcome, v.value]));
    },
    close: () => dispatcher.close(0),
  };
}
