import pino, { type Logger } from "pino";

export type { Logger };

/** Structured JSON logs on stdout, level by name ("level":"info"), with stable keys (target, source, duration_ms). */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "memsnap" },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

type CronMessage = string | Error;

/** node-cron's own messages as JSON log lines; left to itself it prints coloured text on stdout. */
export function cronLogger(log: Logger) {
  const cron = log.child({ source: "node-cron" });
  const entry = (message: CronMessage, err?: Error) =>
    message instanceof Error ? ([{ err: message }, message.message] as const) : ([{ err }, message] as const);
  return {
    info: (message: string) => cron.info(message),
    warn: (message: string) => cron.warn(message),
    error: (message: CronMessage, err?: Error) => cron.error(...entry(message, err)),
    debug: (message: CronMessage, err?: Error) => cron.debug(...entry(message, err)),
  };
}
