import { z } from "zod";
import { isIP } from "node:net";
import { isLoopbackAddress } from "../net/loopback";
import { durationMs, integerField as count, onOff } from "./fields";

/** Severities that notify; opportunities are shown as recommendations, never sent. */
export const ALERTED_SEVERITIES = ["critical", "warning"] as const;
export type AlertedSeverity = (typeof ALERTED_SEVERITIES)[number];

export const HTTP_ONLY_ON_LOOPBACK = "expected an https URL (plain http only to a loopback address, for a local relay)";

/** A list from YAML, or a comma-separated string from the environment. */
const commaList = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    (v) => (typeof v === "string" ? v.split(",").map((s) => s.trim()).filter((s) => s !== "") : v),
    z.array(item),
  );

export const isAlertedSeverity = (s: string): s is AlertedSeverity => (ALERTED_SEVERITIES as readonly string[]).includes(s);

const severities = commaList(z.string())
  .refine((list) => list.every(isAlertedSeverity), { message: `expected severities among ${ALERTED_SEVERITIES.join(", ")}` })
  .transform((list) => list.filter(isAlertedSeverity));

/** The address inside "Name <address>", or the text itself. */
function mailboxAddress(mailbox: string): string {
  const match = /<([^<>]*)>\s*$/.exec(mailbox);
  return (match === null ? mailbox : match[1]).trim();
}

const isEmailAddress = (mailbox: string) => z.email().safeParse(mailboxAddress(mailbox)).success;

const mailbox = z.string().refine(isEmailAddress, { message: "expected an e-mail address such as memsnap@example.com" });

const mailboxes = commaList(z.string()).superRefine((list, ctx) => {
  const bad = list.filter((m) => !isEmailAddress(m));
  if (bad.length > 0) {
    ctx.addIssue({ code: "custom", message: `expected comma-separated e-mail addresses; not one: ${bad.map((m) => JSON.stringify(m)).join(", ")}` });
  }
});

/**
 * Plain http only to a loopback address, for a local relay. An address is checked here; a host
 * name is checked where it resolves, at start (see `checkResolvedAddresses`).
 */
const slackWebhookUrl = z.url({ protocol: /^https?$/, error: "expected an https URL" }).refine(
  (url) => {
    if (!URL.canParse(url)) return true;
    const parsed = new URL(url);
    const host = parsed.hostname.replace(/^\[|\]$/g, "");
    return parsed.protocol === "https:" || isIP(host) === 0 || isLoopbackAddress(host);
  },
  { message: HTTP_ONLY_ON_LOOPBACK },
);

const EmailSchema = z
  .object({
    smtp_url: z.url({ protocol: /^smtps?$/, error: "expected an smtp:// or smtps:// URL" }).optional(),
    smtp_host: z.string().min(1, "expected a host name or address").optional(),
    smtp_port: count(1, 65535, "a TCP port from 1 to 65535").optional(),
    smtp_secure: onOff.default(false),
    smtp_user: z.string().min(1).optional(),
    smtp_pass: z.string().min(1).optional(),
    from: mailbox.optional(),
    to: mailboxes.default([]),
    severities: severities.default(["critical", "warning"]),
  })
  .superRefine((email, ctx) => {
    const problem = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
    const server = email.smtp_url !== undefined || email.smtp_host !== undefined;
    if (email.smtp_url !== undefined && email.smtp_host !== undefined) {
      problem("smtp_host", "set SMTP_URL or SMTP_HOST, not both");
    }
    if ((email.smtp_user === undefined) !== (email.smtp_pass === undefined)) {
      problem(email.smtp_user === undefined ? "smtp_user" : "smtp_pass", "set SMTP_USER and SMTP_PASS together");
    }
    const addressed = email.from !== undefined || email.to.length > 0;
    if (server && email.from === undefined) problem("from", "e-mail alerts need a sender: set ALERT_EMAIL_FROM");
    if (server && email.to.length === 0) problem("to", "e-mail alerts need recipients: set ALERT_EMAIL_TO");
    if (!server && addressed) {
      problem(email.to.length > 0 ? "to" : "from", "e-mail alerts need an SMTP server: set SMTP_URL or SMTP_HOST");
    }
  });

const SlackSchema = z.object({
  webhook_url: slackWebhookUrl.optional(),
  severities: severities.default(["critical"]),
});

export const AlertingSchema = z.object({
  for_samples: z
    .object({
      critical: count(0, 1000, "a number of samples from 0 to 1000").default(0),
      warning: count(0, 1000, "a number of samples from 0 to 1000").default(2),
    })
    .prefault({}),
  keep_firing_samples: count(0, 1000, "a number of samples from 0 to 1000").default(1),
  repeat_interval: durationMs(1000, "at least one second").default(4 * 3_600_000),
  send_resolved: onOff.default(true),
  retry: z
    .object({
      attempts: count(1, 20, "a number of attempts from 1 to 20").default(5),
      base_delay: durationMs(1, "at least 1ms").default(1000),
      max_delay: durationMs(1, "at least 1ms").default(60_000),
    })
    .prefault({}),
  email: EmailSchema.prefault({}),
  slack: SlackSchema.prefault({}),
});
export type AlertingConfig = z.infer<typeof AlertingSchema>;
export type EmailConfig = AlertingConfig["email"];
export type RetryConfig = AlertingConfig["retry"];

/** Environment variable → path under `alerting`. */
export const ALERTING_ENV_PATHS: Record<string, string[]> = {
  SMTP_URL: ["email", "smtp_url"],
  SMTP_HOST: ["email", "smtp_host"],
  SMTP_PORT: ["email", "smtp_port"],
  SMTP_SECURE: ["email", "smtp_secure"],
  SMTP_USER: ["email", "smtp_user"],
  SMTP_PASS: ["email", "smtp_pass"],
  ALERT_EMAIL_FROM: ["email", "from"],
  ALERT_EMAIL_TO: ["email", "to"],
  MEMSNAP_ALERT_EMAIL_SEVERITIES: ["email", "severities"],
  SLACK_WEBHOOK_URL: ["slack", "webhook_url"],
  MEMSNAP_ALERT_SLACK_SEVERITIES: ["slack", "severities"],
  MEMSNAP_ALERT_FOR_SAMPLES_CRITICAL: ["for_samples", "critical"],
  MEMSNAP_ALERT_FOR_SAMPLES_WARNING: ["for_samples", "warning"],
  MEMSNAP_ALERT_KEEP_FIRING_SAMPLES: ["keep_firing_samples"],
  MEMSNAP_ALERT_REPEAT_INTERVAL: ["repeat_interval"],
  MEMSNAP_ALERT_SEND_RESOLVED: ["send_resolved"],
  MEMSNAP_ALERT_RETRY_ATTEMPTS: ["retry", "attempts"],
  MEMSNAP_ALERT_RETRY_BASE_DELAY: ["retry", "base_delay"],
  MEMSNAP_ALERT_RETRY_MAX_DELAY: ["retry", "max_delay"],
};
