import { z } from "zod";
import { ALERTED_SEVERITIES } from "../config/fields";

/** One alert as a notification shows it. */
const AlertFactsSchema = z.object({
  alertname: z.string(),
  severity: z.enum(ALERTED_SEVERITIES),
  status: z.enum(["firing", "resolved"]),
  message: z.string(),
  value: z.number().nullable(),
  threshold: z.number().nullable(),
  /** What follows the value and threshold in a message (" %", " MB"), from the catalog of codes. */
  unit: z.string().default(""),
  /** When the alert started firing (ISO 8601). */
  startsAt: z.iso.datetime(),
  /** When it resolved; null while it fires. */
  endsAt: z.iso.datetime().nullable(),
});
export type AlertFacts = z.infer<typeof AlertFactsSchema>;

export const NOTIFICATION_KINDS = ["firing", "reminder", "resolved", "test"] as const;

/**
 * What one message says, before a channel renders it: the alerts of one target that
 * notify together, the top one (most severe, then catalog order) first. It is what the
 * outbox keeps until the channel accepted it, so it is plain data.
 */
export const NotificationSchema = z.object({
  kind: z.enum(NOTIFICATION_KINDS),
  /** null for the test message of `memsnap alerts test`. */
  target: z.string().nullable(),
  createdAt: z.iso.datetime(),
  alerts: z.array(AlertFactsSchema),
  healthScore: z.number().nullable(),
  healthStatus: z.string().nullable(),
  recommendations: z.array(z.string()),
  /** The URL operators reach memsnap at, for links; null when unknown. */
  externalUrl: z.string().nullable(),
  /** Where the runbook lives (MEMSNAP_RUNBOOK_BASE_URL): the message links the top alert's section. */
  runbookBaseUrl: z.string().optional(),
});
export type Notification = z.infer<typeof NotificationSchema>;

/** The test message of `memsnap alerts test`: no alert, clearly marked. */
export function testNotification(externalUrl: string | null, now = new Date()): Notification {
  return {
    kind: "test",
    target: null,
    createdAt: now.toISOString(),
    alerts: [],
    healthScore: null,
    healthStatus: null,
    recommendations: [],
    externalUrl,
  };
}

export function snapshotUrl(externalUrl: string, target: string): string {
  return `${externalUrl.replace(/\/+$/, "")}/api/v1/memory-snapshot?target=${encodeURIComponent(target)}`;
}
