import { createTransport } from "nodemailer";
import type { EmailConfig } from "../../config/alerting";
import type { RenderedMessage } from "../message";
import type { Notifier } from "./notifier";
import { DeliveryError } from "./retry";

const SMTP_TIMEOUTS_MS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };
/** Failures that another attempt cannot mend: the credentials or the configuration. */
const PERMANENT_CODES = new Set(["EAUTH", "ENOAUTH", "ECONFIG"]);

export function isEmailConfigured(email: EmailConfig): boolean {
  return email.smtp_url !== undefined || email.smtp_host !== undefined;
}

function transportOptions(email: EmailConfig) {
  const auth = email.smtp_user === undefined ? undefined : { user: email.smtp_user, pass: email.smtp_pass };
  const common = { pool: true as const, maxConnections: 2, auth, ...SMTP_TIMEOUTS_MS };
  if (email.smtp_url !== undefined) return { ...common, url: email.smtp_url };
  return { ...common, host: email.smtp_host, port: email.smtp_port ?? (email.smtp_secure ? 465 : 587), secure: email.smtp_secure };
}

/** Sends alerts by SMTP through one pooled nodemailer transport, as plain text and HTML. */
export class EmailNotifier implements Notifier {
  readonly channel = "email" as const;
  private readonly transport;

  constructor(private readonly email: EmailConfig) {
    this.transport = createTransport(transportOptions(email));
  }

  async send(message: RenderedMessage): Promise<void> {
    try {
      await this.transport.sendMail({
        from: this.email.from,
        to: this.email.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
      });
    } catch (err) {
      throw emailFailure(err);
    }
  }

  /** Closes the pooled SMTP connections. */
  close(): void {
    this.transport.close();
  }
}

function emailFailure(err: unknown): DeliveryError {
  const { code, responseCode, permanent, message } = err as { code?: string; responseCode?: number; permanent?: boolean; message?: string };
  const reply = responseCode === undefined ? "" : ` (SMTP reply ${responseCode})`;
  const text = `SMTP ${code ?? "error"}${reply}: ${message ?? String(err)}`;
  if (permanent === true || (code !== undefined && PERMANENT_CODES.has(code))) {
    return new DeliveryError(`${text}; check the SMTP settings and ALERT_EMAIL_TO`, { permanent: true, cause: err });
  }
  return new DeliveryError(text, { cause: err });
}
