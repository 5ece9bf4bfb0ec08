import { renderTest } from "../alerts/message";
import type { Channel } from "../alerts/notifiers/notifier";
import { withRetry } from "../alerts/notifiers/retry";
import { createNotifier } from "../alerts/router";
import { EXIT_USAGE } from "./exit-codes";
import { loadConfigOrExit } from "./config-or-exit";

const EXIT_NOT_DELIVERED = 1;

const SETTINGS: Record<Channel, string> = {
  slack: "SLACK_WEBHOOK_URL",
  email: "SMTP_URL (or SMTP_HOST), ALERT_EMAIL_FROM and ALERT_EMAIL_TO",
};

/**
 * `memsnap alerts test --channel slack|email`: one clearly marked test message through the
 * same notifier, retries and configuration as the daemon's alerts.
 */
export async function alertsTest(options: { channel: Channel; config?: string }): Promise<void> {
  const config = await loadConfigOrExit(options.config);
  const notifier = createNotifier(options.channel, config.alerting);
  if (notifier === null) {
    process.stderr.write(`memsnap: the ${options.channel} channel is not configured: set ${SETTINGS[options.channel]}\n`);
    process.exit(EXIT_USAGE);
  }
  const signal = new AbortController().signal;
  const message = renderTest(options.channel, config.external_url ?? null);
  let exitCode = 0;
  try {
    const attempts = await withRetry(() => notifier.send(message, signal), config.alerting.retry, {
      signal,
      onRetry: (error, failed, waitMs) =>
        process.stderr.write(`memsnap: attempt ${failed} failed (${error.message}); retrying in ${(waitMs / 1000).toFixed(1)} s\n`),
    });
    process.stdout.write(`test message delivered by ${options.channel} (attempt ${attempts})\n`);
  } catch (err) {
    process.stderr.write(`memsnap: the test message was not delivered by ${options.channel}: ${(err as Error).message}\n`);
    exitCode = EXIT_NOT_DELIVERED;
  } finally {
    notifier.close();
  }
  process.exit(exitCode);
}
