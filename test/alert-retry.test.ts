import fc from "fast-check";
import {
  backoffDelayMs,
  DeliveryError,
  MAX_TIMER_MS,
  parseRetryAfterMs,
  retryDelayMs,
} from "../src/alerts/notifiers/retry";

describe("retry timing", () => {
  it("waits between half and all of a ceiling that doubles per attempt up to the maximum", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 600_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (failed, base, max, random) => {
          const retry = { attempts: 5, base_delay: base, max_delay: max, retry_after_cap: 600_000 };
          const ceiling = Math.min(max, base * 2 ** (failed - 1));
          const wait = backoffDelayMs(failed, retry, () => random);
          expect(wait).toBeGreaterThanOrEqual(ceiling / 2);
          expect(wait).toBeLessThanOrEqual(ceiling);
        },
      ),
    );
  });

  it("waits for Retry-After up to the cap, and never longer than a timer holds, whatever the attempt", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.nat({ max: Number.MAX_SAFE_INTEGER }),
        fc.integer({ min: 1, max: 86_400_000 }),
        (failed, retryAfterMs, cap) => {
          const retry = { attempts: 5, base_delay: 1000, max_delay: 60_000, retry_after_cap: cap };
          const wait = retryDelayMs(new DeliveryError("429", { retryAfterMs }), failed, retry);
          expect(wait).toBe(Math.min(retryAfterMs, cap));
          expect(wait).toBeLessThanOrEqual(MAX_TIMER_MS);
          expect(backoffDelayMs(failed, retry)).toBeLessThanOrEqual(retry.max_delay);
        },
      ),
    );
  });

  it("reads the seed's outage reply, Retry-After: 99999999, as a wait capped at 10 minutes", () => {
    const retry = { attempts: 5, base_delay: 1000, max_delay: 60_000, retry_after_cap: 600_000 };
    expect(retryDelayMs(new DeliveryError("429", { retryAfterMs: parseRetryAfterMs("99999999") }), 1, retry)).toBe(
      600_000,
    );
  });

  it.each<[string | null, number | null]>([
    ["1", 1000],
    ["120", 120_000],
    [" 3 ", 3000],
    ["Wed, 01 Jan 2025 00:00:05 GMT", 5000],
    ["Tue, 31 Dec 2024 23:59:00 GMT", 0],
    [null, null],
    ["", null],
    ["soon", null],
    ["-1", null],
  ])("reads Retry-After %j as %j ms", (header, expected) => {
    expect(parseRetryAfterMs(header, Date.parse("2025-01-01T00:00:00Z"))).toBe(expected);
  });
});
