import { z } from "zod";
import { isLoopback } from "../server/auth";

/**
 * Schema pieces shared by the alerting configuration and the notification channels'
 * configuration slices (which the alerting schema is assembled from).
 */

/** Severities that notify; opportunities are shown as recommendations, never sent. */
export const ALERTED_SEVERITIES = ["critical", "warning"] as const;
export type AlertedSeverity = (typeof ALERTED_SEVERITIES)[number];

export const isAlertedSeverity = (s: string): s is AlertedSeverity => (ALERTED_SEVERITIES as readonly string[]).includes(s);

export const count = (min: number, max: number, what: string) =>
  z.coerce
    .number({ error: `expected ${what}` })
    .refine((n) => Number.isInteger(n) && n >= min && n <= max, { message: `expected ${what}` });

export const onOff = z
  .union([z.boolean(), z.enum(["on", "off", "true", "false"])], { error: "expected on or off" })
  .transform((v) => v === true || v === "on" || v === "true");

/** A list from YAML, or a comma-separated string from the environment. */
export const commaList = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    (v) => (typeof v === "string" ? v.split(",").map((s) => s.trim()).filter((s) => s !== "") : v),
    z.array(item),
  );

export const severities = commaList(z.string())
  .refine((list) => list.every(isAlertedSeverity), { message: `expected severities among ${ALERTED_SEVERITIES.join(", ")}` })
  .transform((list) => list.filter(isAlertedSeverity));

/** A webhook memsnap POSTs to: https, or plain http only to a relay on loopback. */
export const webhookUrl = z.url({ protocol: /^https?$/, error: "expected an https URL" }).refine(
  (url) => {
    if (!URL.canParse(url)) return true;
    const parsed = new URL(url);
    return parsed.protocol === "https:" || isLoopback(parsed.hostname.replace(/^\[|\]$/g, ""));
  },
  { message: "expected an https URL (plain http only on 127.0.0.1, for a local relay)" },
);
