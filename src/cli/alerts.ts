import { testNotification } from "../alerts/notification";
import { channelDescriptor, type ChannelName } from "../alerts/notifiers/registry";
import { withRetry } from "../alerts/notifiers/retry";
import { EXIT_USAGE } from "./exit-codes";
import { loadConfigOrExit } from "./config-or-exit";

const EXIT_NOT_DELIVERED = 1;

/**
 * `memsnap alerts test --channel <name>`: one clearly marked test message through the
 * same channel, rendering and configuration as the daemon's alerts, with bounded retries.
 */
export async function alertsTest(options: { channel: ChannelName; config?: string }): Promise<void> {
  const config = await loadConfigOrExit(options.config);
  const descriptor = channelDescriptor(options.channel);
  const slice = config.alerting[options.channel];
  if (!descriptor.isConfigured(slice)) {
    process.stderr.write(`memsnap: the ${options.channel} channel is not configured: set ${descriptor.settings}\n`);
    process.exit(EXIT_USAGE);
  }
  const notifier = await descriptor.create(slice);
  const payload = descriptor.render(testNotification(config.external_url ?? null));
  const signal = new AbortController().signal;
  let exitCode = 0;
  try {
    const attempts = await withRetry(
      () => notifier.send(payload, signal),
      config.alerting.retry,
      (error, failed, waitMs) =>
        process.stderr.write(
          `memsnap: attempt ${failed} failed (${error.message}); retrying in ${(waitMs / 1000).toFixed(1)} s\n`,
        ),
    );
    process.stdout.write(`test message delivered by ${options.channel} (attempt ${attempts})\n`);
  } catch (err) {
    process.stderr.write(
      `memsnap: the test message was not delivered by ${options.channel}: ${(err as Error).message}\n`,
    );
    exitCode = EXIT_NOT_DELIVERED;
  } finally {
    notifier.close();
  }
  process.exit(exitCode);
}
