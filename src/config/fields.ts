import { z } from "zod";

const NUMBER_TEXT = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?\s*$/i;

/**
 * A number as YAML or JSON gives it, or as text that is a number (the environment's only
 * type). Nothing else is coerced: `port: true` or an empty string is refused, not 1 or 0.
 */
export const numberField = (what: string, check: (n: number) => boolean) =>
  z
    .preprocess((v) => (typeof v === "string" && NUMBER_TEXT.test(v) ? Number(v) : v), z.number({ error: `expected ${what}` }))
    .refine((n) => Number.isFinite(n) && check(n), { message: `expected ${what}` });

export const integerField = (min: number, max: number, what: string) =>
  numberField(what, (n) => Number.isInteger(n) && n >= min && n <= max);

/** A switch: a YAML boolean, or on/off/true/false as text. */
export const onOff = z
  .union([z.boolean(), z.enum(["on", "off", "true", "false"])], { error: "expected on or off" })
  .transform((v) => v === true || v === "on" || v === "true");

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION_HINT = "a duration such as 4h, 30m, 90s or 500ms";

/** "4h", "30m", "90s", "500ms" or a plain number of seconds → milliseconds; null when not one. */
function parseDurationMs(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? value * 1000 : null;
  if (typeof value !== "string") return null;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(value.trim());
  if (match === null) return null;
  return Number(match[1]) * DURATION_UNITS_MS[match[2] ?? "s"];
}

export const durationMs = (minMs: number, what: string) =>
  z.union([z.number(), z.string()], { error: `expected ${DURATION_HINT}` }).transform((value, ctx) => {
    const ms = parseDurationMs(value);
    if (ms === null || ms < minMs) {
      ctx.addIssue({ code: "custom", message: `expected ${what}: ${DURATION_HINT}` });
      return z.NEVER;
    }
    return ms;
  });
