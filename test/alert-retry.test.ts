import fc from "fast-check";
import { backoffDelayMs, parseRetryAfterMs } from "../src/alerts/notifiers/retry";

describe("retry timing", () => {
  it("waits between half and all of a ceiling that doubles per attempt up to the maximum", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 600_000 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (failed, base, max, random) => {
        const retry = { attempts: 5, base_delay: base, max_delay: max };
        const ceiling = Math.min(max, base * 2 ** (failed - 1));
        const wait = backoffDelayMs(failed, retry, () => random);
        expect(wait).toBeGreaterThanOrEqual(ceiling / 2);
        expect(wait).toBeLessThanOrEqual(ceiling);
      }),
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
