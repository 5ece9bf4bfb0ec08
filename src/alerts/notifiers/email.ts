import { z } from "zod";
import { commaList, integerField, onOff, severities } from "../../config/fields";
import { layoutOf, renderHtml, renderText } from "../message";
import type { ChannelDescriptor, Notifier } from "./channel";
import { DeliveryError } from "./retry";

const SMTP_TIMEOUTS_MS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };
/** Failures that another attempt cannot mend: the credentials or the configuration. */
const PERMANENT_CODES = new Set(["EAUTH", "ENOAUTH", "ECONFIG"]);

/** The address inside "Name <address>", or the text itself. */
function mailboxAddress(mailbox: string): string {
  const match = /<([^<>]*)>\s*$/.exec(mailbox);
  return (match === null ? mailbox : match[1]).trim();
}

const isEmailAddress = (mailbox: string) => z.email().safeParse(mailboxAddress(mailbox)).success;

const mailbox = z.string().refine(isEmailAddress, { error: "expected an e-mail address such as memsnap@example.com" });

const mailboxes = commaList(z.string()).superRefine((list, ctx) => {
  const bad = list.filter((m) => !isEmailAddress(m));
  if (bad.length > 0) {
    ctx.addIssue({
      code: "custom",
      message: `expected comma-separated e-mail addresses; not one: ${bad.map((m) => JSON.stringify(m)).join(", ")}`,
    });
  }
});

const EmailSchema = z
  .object({
    smtp_url: z.url({ protocol: /^smtps?$/, error: "expected an smtp:// or smtps:// URL" }).optional(),
    smtp_host: z.string().min(1, "expected a host name or address").optional(),
    smtp_port: integerField(1, 65535, "a TCP port from 1 to 65535").optional(),
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
export type EmailConfig = z.infer<typeof EmailSchema>;

interface Mail {
  subject: string;
  text: string;
  html: string;
}

function transportOptions(email: EmailConfig) {
  const auth = email.smtp_user === undefined ? undefined : { user: email.smtp_user, pass: email.smtp_pass };
  const common = { pool: true as const, maxConnections: 2, auth, ...SMTP_TIMEOUTS_MS };
  if (email.smtp_url !== undefined) return { ...common, url: email.smtp_url };
  return {
    ...common,
    host: email.smtp_host,
    port: email.smtp_port ?? (email.smtp_secure ? 465 : 587),
    secure: email.smtp_secure,
  };
}

function emailFailure(err: unknown): DeliveryError {
  const { code, responseCode, permanent, message } = err as {
    code?: string;
    responseCode?: number;
    permanent?: boolean;
    message?: string;
  };
  const reply = responseCode === undefined ? "" : ` (SMTP reply ${responseCode})`;
  const text = `SMTP ${code ?? "error"}${reply}: ${message ?? String(err)}`;
  if (permanent === true || (code !== undefined && PERMANENT_CODES.has(code))) {
    return new DeliveryError(`${text}; check the SMTP settings and ALERT_EMAIL_TO`, { permanent: true, cause: err });
  }
  return new DeliveryError(text, { cause: err });
}

/** Sends alerts by SMTP through one pooled nodemailer transport (loaded only when e-mail is configured). */
function createEmailNotifier(email: EmailConfig): Promise<Notifier<Mail>> {
  const { createTransport } = require("nodemailer") as typeof import("nodemailer");
  const transport = createTransport(transportOptions(email));
  return Promise.resolve({
    async send(mail) {
      try {
        await transport.sendMail({ from: email.from, to: email.to, ...mail });
      } catch (err) {
        throw emailFailure(err);
      }
    },
    close: () => transport.close(),
  });
}

export const emailChannel = {
  name: "email",
  schema: EmailSchema,
  env: {
    SMTP_URL: "smtp_url",
    SMTP_HOST: "smtp_host",
    SMTP_PORT: "smtp_port",
    SMTP_SECURE: "smtp_secure",
    SMTP_USER: "smtp_user",
    SMTP_PASS: "smtp_pass",
    ALERT_EMAIL_FROM: "from",
    ALERT_EMAIL_TO: "to",
    MEMSNAP_ALERT_EMAIL_SEVERITIES: "severities",
  },
  secretEnv: ["SMTP_URL", "SMTP_PASS"],
  settings: "SMTP_URL (or SMTP_HOST), ALERT_EMAIL_FROM and ALERT_EMAIL_TO",
  isConfigured: (config: EmailConfig) => config.smtp_url !== undefined || config.smtp_host !== undefined,
  create: createEmailNotifier,
  render: (notification): Mail => {
    const layout = layoutOf(notification, "email");
    return { subject: layout.subject, text: renderText(layout), html: renderHtml(layout) };
  },
} as const satisfies ChannelDescriptor<EmailConfig, Mail>;
