import { setTimeout as delay } from "node:timers/promises";

/** The longest delay a Node timer takes (2^31 − 1 ms, about 24.8 days); a longer one fires at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** The retry settings (`alerting.retry`), in milliseconds. */
export interface RetryConfig {
  attempts: number;
  base_delay: number;
  max_delay: number;
  retry_after_cap: number;
}

/** Why a send failed, and whether (and when) trying again can help. */
export class DeliveryError extends Error {
  readonly permanent: boolean;
  /** How long the receiver asked us to wait (Retry-After). */
  readonly retryAfterMs: number | null;

  constructor(message: string, options: { permanent?: boolean; retryAfterMs?: number | null; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "DeliveryError";
    this.permanent = options.permanent ?? false;
    this.retryAfterMs = options.retryAfterMs ?? null;
  }
}

export function asDeliveryError(err: unknown): DeliveryError {
  return err instanceof DeliveryError
    ? err
    : new DeliveryError(err instanceof Error ? err.message : String(err), { cause: err });
}

/**
 * Exponential backoff with equal jitter: the ceiling doubles per attempt up to the
 * maximum, and the wait is half the ceiling plus a random part of the other half,
 * so retries of many senders spread out yet never collapse to zero.
 */
export function backoffDelayMs(failedAttempts: number, retry: RetryConfig, random: () => number = Math.random): number {
  const ceiling = Math.min(retry.max_delay, retry.base_delay * 2 ** Math.min(failedAttempts - 1, 52));
  return ceiling / 2 + (random() * ceiling) / 2;
}

/** The wait before the next attempt: the receiver's Retry-After up to `retry_after_cap`, else the backoff. */
export function retryDelayMs(
  error: DeliveryError,
  failedAttempts: number,
  retry: RetryConfig,
  random?: () => number,
): number {
  const wait =
    error.retryAfterMs === null
      ? backoffDelayMs(failedAttempts, retry, random)
      : Math.min(error.retryAfterMs, retry.retry_after_cap);
  return Math.min(wait, MAX_TIMER_MS);
}

/** Retry-After as seconds or an HTTP date → milliseconds from now; null when absent or unreadable. */
export function parseRetryAfterMs(header: string | null, nowMs: number = Date.now()): number | null {
  const value = header?.trim() ?? "";
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = /^[A-Za-z]{3}, /.test(value) ? Date.parse(value) : NaN;
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

/**
 * An HTTP receiver's refusal: 429, 408 and 5xx may pass (after its Retry-After, if
 * it gave one); any other status will not, and `fix` says what to check.
 */
export function httpFailure(
  who: string,
  status: number,
  body: string,
  retryAfter: string | null,
  fix: string,
  cause?: unknown,
): DeliveryError {
  const text = `${who} answered ${status}${status === 429 ? " (rate limited)" : ""}: ${body.slice(0, 200)}`;
  if (status === 429 || status === 408 || status >= 500)
    return new DeliveryError(text, { retryAfterMs: parseRetryAfterMs(retryAfter), cause });
  return new DeliveryError(`${who} refused the message with ${status} (${body.slice(0, 200)}): ${fix}`, {
    permanent: true,
    cause,
  });
}

/** fetch wraps the socket error (ECONNREFUSED, …) in "fetch failed", and libraries wrap that again. */
export function deepestMessage(err: unknown): string {
  let current = err;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}

/**
 * Calls `send` until it succeeds, the error is permanent or `retry.attempts` are spent:
 * for `memsnap alerts test`, which answers in bounded time (the daemon's outbox retries
 * until the notification is delivered or too old).
 */
export async function withRetry(
  send: () => Promise<void>,
  retry: RetryConfig,
  onRetry: (error: DeliveryError, failedAttempts: number, waitMs: number) => void,
): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      await send();
      return attempt;
    } catch (err) {
      const error = asDeliveryError(err);
      if (error.permanent || attempt >= retry.attempts) throw error;
      const waitMs = retryDelayMs(error, attempt, retry);
      onRetry(error, attempt, waitMs);
      await delay(waitMs);
    }
  }
}
