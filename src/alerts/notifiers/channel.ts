import type { z } from "zod";
import type { AlertedSeverity } from "../../config/fields";
import type { Notification } from "../notification";

/** One way out to a person, sending what its channel rendered. `send` throws a DeliveryError when it did not go. */
export interface Notifier<P> {
  send(payload: P, signal: AbortSignal): Promise<void>;
  close(): void;
}

/** A setting the channel's isConfigured() has checked before create() runs. */
export function configuredSetting<T>(value: T | undefined, setting: string): T {
  if (value === undefined) throw new Error(`${setting} is not set: set it to configure this channel`);
  return value;
}

/** What every channel's configuration slice has: the severities routed to it. */
export interface ChannelSlice {
  severities: AlertedSeverity[];
}

/**
 * Everything memsnap knows about one notification channel, in one object: the registry
 * lists these, and the configuration, the router, the dispatcher and the CLI read them.
 */
export interface ChannelDescriptor<C extends ChannelSlice, P> {
  /** The channel's name: its key under `alerting` in a config file, and its `channel` label. */
  readonly name: string;
  /** Its configuration slice, `alerting.<name>`. */
  readonly schema: z.ZodType<C>;
  /** Environment variable → key of the slice. */
  readonly env: Readonly<Record<string, string>>;
  /** The variables whose values a message names but never repeats. */
  readonly secretEnv: readonly string[];
  /** What to set to configure it, for messages. */
  readonly settings: string;
  isConfigured(config: C): boolean;
  create(config: C): Promise<Notifier<P>>;
  render(notification: Notification): P;
}
