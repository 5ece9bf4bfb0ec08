import pino, { type Logger } from "pino";

export type { Logger };

/** Structured JSON logs on stdout, with stable keys (target, source, duration_ms). */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { service: "memsnap" }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}
