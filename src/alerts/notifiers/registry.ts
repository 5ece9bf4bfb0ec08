import type { z } from "zod";
import type { AlertedSeverity } from "../../config/fields";
import type { Notification } from "../notification";
import type { ChannelDescriptor, ChannelSlice, Notifier } from "./channel";
import { emailChannel } from "./email";
import { slackChannel } from "./slack";
import { webhookChannel } from "./webhook";

/** Every notification channel; a new one is one file and one line here. */
export const CHANNELS = [slackChannel, emailChannel, webhookChannel] as const;

type Channels = (typeof CHANNELS)[number];
export type ChannelName = Channels["name"];
/** Every channel's configuration slice, by name: the channel part of `alerting`. */
export type ChannelConfigs = { [D in Channels as D["name"]]: z.output<D["schema"]> };

export const CHANNEL_NAMES: ChannelName[] = CHANNELS.map((d) => d.name);

/** A channel bound to its configuration slice: the rest of memsnap needs none of its types. */
export interface ConfiguredChannel {
  name: ChannelName;
  severities: AlertedSeverity[];
  /** Its notifier, rendering each notification the channel's way. */
  create(): Promise<Notifier<Notification>>;
}

function bind(
  descriptor: ChannelDescriptor<ChannelSlice, unknown>,
  name: ChannelName,
  slice: ChannelSlice,
): ConfiguredChannel | null {
  if (!descriptor.isConfigured(slice)) return null;
  return {
    name,
    severities: slice.severities,
    async create() {
      const notifier = await descriptor.create(slice);
      return {
        send: (notification, signal) => notifier.send(descriptor.render(notification), signal),
        close: () => notifier.close(),
      };
    },
  };
}

/** The configured channels, in registry order; with none, alerts are evaluated, exposed and logged only. */
export function configuredChannels(configs: ChannelConfigs): ConfiguredChannel[] {
  return CHANNELS.map((d) => bind(d, d.name, configs[d.name])).filter((c): c is ConfiguredChannel => c !== null);
}

export function channelDescriptor(name: ChannelName): ChannelDescriptor<ChannelSlice, unknown> {
  const descriptor = CHANNELS.find((d) => d.name === name);
  if (descriptor === undefined)
    throw new Error(`unknown channel ${JSON.stringify(name)}: expected one of ${CHANNEL_NAMES.join(", ")}`);
  return descriptor;
}
