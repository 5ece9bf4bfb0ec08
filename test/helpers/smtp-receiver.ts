import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";
import { waitFor } from "./daemon";
import { listenOnLoopback } from "./listen";

export interface ReceivedMail {
  envelope: { from: string; to: string[] };
  mail: ParsedMail;
}

/** A real SMTP server on 127.0.0.1 that parses every message it accepts. */
export class SmtpReceiver {
  private constructor(
    private readonly server: SMTPServer,
    readonly port: number,
    readonly received: ReceivedMail[],
  ) {}

  /** Listens on `port` (0: any free port), so that a server stopped can come back where it was. */
  static async start(port = 0): Promise<SmtpReceiver> {
    const received: ReceivedMail[] = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS", "AUTH"],
      logger: false,
      onData(stream, session, callback) {
        simpleParser(stream).then(
          (mail) => {
            const envelope = session.envelope;
            received.push({
              envelope: {
                from: envelope.mailFrom ? envelope.mailFrom.address : "",
                to: envelope.rcptTo.map((r) => r.address),
              },
              mail,
            });
            callback();
          },
          (err: unknown) => callback(err as Error),
        );
      },
    });
    return new SmtpReceiver(server, await listenOnLoopback(server.server, port), received);
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Resolves with the mails once at least `count` have arrived. */
  waitForMails(count: number, timeoutMs?: number): Promise<ReceivedMail[]> {
    return waitFor(
      () => (this.received.length >= count ? [...this.received] : undefined),
      `${count} mail(s)`,
      timeoutMs,
    );
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
