import { isIP } from "node:net";
import { z } from "zod";
import { isLoopbackAddress } from "../net/loopback";

/**
 * Schema pieces shared by the configuration, the alerting configuration and the notification
 * channels' configuration slices (which the alerting schema is assembled from).
 */

/** Severities that notify; opportunities are shown as recommendations, never sent. */
export const ALERTED_SEVERITIES = ["critical", "warning"] as const;
export type AlertedSeverity = (typeof ALERTED_SEVERITIES)[number];

export const isAlertedSeverity = (s: string): s is AlertedSeverity =>
  (ALERTED_SEVERITIES as readonly string[]).includes(s);

const NUMBER_TEXT = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?\s*$/i;

/**
 * A number as YAML or JSON gives it, or as text that is a number (the environment's only
 * type). Nothing else is coerced: `port: true` or an empty string is refused, not 1 or 0.
 */
export const numberField = (what: string, check: (n: number) => boolean) =>
  z
    .preprocess(
      (v) => (typeof v === "string" && NUMBER_TEXT.test(v) ? Number(v) : v),
      z.number({ error: `expected ${what}` }),
    )
    .refine((n) => Number.isFinite(n) && check(n), { error: `expected ${what}` });

export const integerField = (min: number, max: number, what: string) =>
  numberField(what, (n) => Number.isInteger(n) && n >= min && n <= max);

/** A switch: a YAML boolean, or on/off/true/false as text. */
export const onOff = z
  .union([z.boolean(), z.enum(["on", "off", "true", "false"])], { error: "expected on or off" })
  .transform((v) => v === true || v === "on" || v === "true");

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION_HINT = "a duration such as 4h, 30m, 90s or 500ms";

/**
 * "4h", "30m", "90s", "500ms" or a plain number of seconds → milliseconds; null when not one.
 * A number is finite (z.number() refuses NaN and ±Infinity); a negative one falls below the minimum.
 */
function parseDurationMs(value: unknown): number | null {
  if (typeof value === "number") return value * 1000;
  if (typeof value !== "string") return null;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(value.trim());
  if (match === null) return null;
  return Number(match[1]) * DURATION_UNITS_MS[match.at(2) ?? "s"];
}

export const durationMs = (minMs: number, what: string, maxMs = Number.MAX_SAFE_INTEGER) =>
  z.union([z.number(), z.string()], { error: `expected ${DURATION_HINT}` }).transform((value, ctx) => {
    const ms = parseDurationMs(value);
    if (ms === null || ms < minMs || ms > maxMs) {
      ctx.addIssue({ code: "custom", message: `expected ${what}: ${DURATION_HINT}` });
      return z.NEVER;
    }
    return ms;
  });

/** A list from YAML, or a comma-separated string from the environment. */
export const commaList = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    (v) =>
      typeof v === "string"
        ? v
            .split(",")
            .map((s) => s.trim())
            .filter((s) => s !== "")
        : v,
    z.array(item),
  );

export const severities = commaList(z.string())
  .refine((list) => list.every(isAlertedSeverity), {
    error: `expected severities among ${ALERTED_SEVERITIES.join(", ")}`,
  })
  .transform((list) => list.filter(isAlertedSeverity));

export const HTTP_ONLY_ON_LOOPBACK = "expected an https URL (plain http only to a loopback address, for a local relay)";

/**
 * A webhook memsnap POSTs to: https, or plain http only to a loopback address, for a local relay.
 * An address is checked here; a host name is checked where it resolves, at start
 * (src/config/addresses.ts).
 */
export const webhookUrl = z.url({ protocol: /^https?$/, error: "expected an https URL" }).refine(
  (url) => {
    if (!URL.canParse(url)) return true;
    const parsed = new URL(url);
    const host = parsed.hostname.replace(/^\[|\]$/g, "");
    return parsed.protocol === "https:" || isIP(host) === 0 || isLoopbackAddress(host);
  },
  { error: HTTP_ONLY_ON_LOOPBACK },
);
