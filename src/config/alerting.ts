import { z } from "zod";
import { CHANNELS, type ChannelConfigs } from "../alerts/notifiers/registry";
import { durationMs, integerField, onOff } from "./fields";

export { ALERTED_SEVERITIES, isAlertedSeverity, type AlertedSeverity } from "./fields";

/** Longer waits than this are refused: a Node timer holds at most 2^31 − 1 ms. */
const MAX_DURATION_MS = 24 * 3_600_000;

const BaseAlertingSchema = z.object({
  keep_firing_samples: integerField(0, 1000, "a number of samples from 0 to 1000").default(1),
  repeat_interval: durationMs(1000, "at least one second").default(4 * 3_600_000),
  send_resolved: onOff.default(true),
  /** An undelivered notification is retried until it is this old, then dropped. */
  notify_max_age: durationMs(1000, "from one second to 30 days", 30 * 86_400_000).default(24 * 3_600_000),
  retry: z
    .object({
      /** Attempts of `memsnap alerts test`; the daemon retries until `notify_max_age`. */
      attempts: integerField(1, 20, "a number of attempts from 1 to 20").default(5),
      base_delay: durationMs(1, "from 1ms to 24h", MAX_DURATION_MS).default(1000),
      max_delay: durationMs(1, "from 1ms to 24h", MAX_DURATION_MS).default(60_000),
      /** A receiver's Retry-After is honoured up to this. */
      retry_after_cap: durationMs(1, "from 1ms to 24h", MAX_DURATION_MS).default(10 * 60_000),
    })
    .prefault({}),
});

const channelSlices = Object.fromEntries(
  CHANNELS.map((d): [string, z.ZodType] => [d.name, (d.schema as z.ZodType).prefault({})]),
);

/**
 * The alerting settings: the evaluation and retry settings, and one slice per channel of
 * the registry (`alerting.slack`, `alerting.email`, …). The slices are assembled from the
 * registry, so their types are stated once, in ChannelConfigs.
 */
export const AlertingSchema = BaseAlertingSchema.extend(channelSlices) as unknown as z.ZodType<
  z.output<typeof BaseAlertingSchema> & ChannelConfigs
>;
export type AlertingConfig = z.infer<typeof AlertingSchema>;

/** Environment variable → path under `alerting`. */
export const ALERTING_ENV_PATHS: Record<string, string[]> = {
  ...Object.fromEntries(CHANNELS.flatMap((d) => Object.entries(d.env).map(([name, key]) => [name, [d.name, key]]))),
  MEMSNAP_ALERT_KEEP_FIRING_SAMPLES: ["keep_firing_samples"],
  MEMSNAP_ALERT_REPEAT_INTERVAL: ["repeat_interval"],
  MEMSNAP_ALERT_SEND_RESOLVED: ["send_resolved"],
  MEMSNAP_NOTIFY_MAX_AGE: ["notify_max_age"],
  MEMSNAP_ALERT_RETRY_ATTEMPTS: ["retry", "attempts"],
  MEMSNAP_ALERT_RETRY_BASE_DELAY: ["retry", "base_delay"],
  MEMSNAP_ALERT_RETRY_MAX_DELAY: ["retry", "max_delay"],
  MEMSNAP_ALERT_RETRY_AFTER_CAP: ["retry", "retry_after_cap"],
};

/** The channels' secret variables: a configuration message names them but never repeats their values. */
export const ALERTING_SECRET_VARS: readonly string[] = CHANNELS.flatMap((d) => d.secretEnv);
