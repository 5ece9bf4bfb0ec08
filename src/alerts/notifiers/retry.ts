import { setTimeout as delay } from "node:timers/promises";
import type { RetryConfig } from "../../config/alerting";

/** Why a send failed, and whether (and when) trying again can help. */
export class DeliveryError extends Error {
  readonly permanent: boolean;
  /** How long the receiver asked us to wait (Slack's 429 Retry-After). */
  readonly retryAfterMs: number | null;

  constructor(message: string, options: { permanent?: boolean; retryAfterMs?: number | null; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "DeliveryError";
    this.permanent = options.permanent ?? false;
    this.retryAfterMs = options.retryAfterMs ?? null;
  }
}

/**
 * Exponential backoff with equal jitter: the ceiling doubles per attempt up to the
 * maximum, and the wait is half the ceiling plus a random part of the other half,
 * so retries of many senders spread out yet never collapse to zero.
 */
export function backoffDelayMs(failedAttempts: number, retry: RetryConfig, random: () => number = Math.random): number {
  const ceiling = Math.min(retry.max_delay, retry.base_delay * 2 ** (failedAttempts - 1));
  return ceiling / 2 + (random() * ceiling) / 2;
}

/** Retry-After as seconds or an HTTP date → milliseconds from now; null when absent or unreadable. */
export function parseRetryAfterMs(header: string | null, nowMs: number = Date.now()): number | null {
  const value = header?.trim() ?? "";
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = /^[A-Za-z]{3}, /.test(value) ? Date.parse(value) : NaN;
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

export interface RetryHooks {
  signal: AbortSignal;
  onRetry(error: DeliveryError, failedAttempts: number, waitMs: number): void;
}

function asDeliveryError(err: unknown): DeliveryError {
  return err instanceof DeliveryError ? err : new DeliveryError(err instanceof Error ? err.message : String(err), { cause: err });
}

/**
 * Calls `send` until it succeeds, the error is permanent, the attempts are spent or the
 * signal aborts; the wait before a retry is the receiver's Retry-After when it gave one.
 */
export async function withRetry(send: () => Promise<void>, retry: RetryConfig, hooks: RetryHooks): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      await send();
      return attempt;
    } catch (err) {
      const error = asDeliveryError(err);
      if (error.permanent || attempt >= retry.attempts || hooks.signal.aborted) throw error;
      const waitMs = error.retryAfterMs ?? backoffDelayMs(attempt, retry);
      hooks.onRetry(error, attempt, waitMs);
      try {
        await delay(waitMs, undefined, { signal: hooks.signal });
      } catch {
        throw new DeliveryError(`gave up while waiting to retry (memsnap is stopping); last error: ${error.message}`, { cause: error });
      }
    }
  }
}
