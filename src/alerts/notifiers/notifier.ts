import type { RenderedMessage } from "../message";

export const CHANNELS = ["slack", "email"] as const;
export type Channel = (typeof CHANNELS)[number];

/** One way out to a person. `send` throws a DeliveryError when the message did not go. */
export interface Notifier {
  readonly channel: Channel;
  send(message: RenderedMessage, signal: AbortSignal): Promise<void>;
  close(): void;
}
