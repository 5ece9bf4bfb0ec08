import { ConfigError, loadConfig } from "../config/load";
import type { Config } from "../config/schema";
import { startDaemon } from "../daemon";
import { createLogger } from "../log";
import { EXIT_USAGE } from "./exit-codes";

/** Shutdown must finish within this; past it memsnap exits anyway, with code 1. */
const SHUTDOWN_DEADLINE_MS = 5000;

/** The configuration from the environment and an optional file; exits with code 2 when it is invalid. */
export function loadConfigOrExit(file: string | undefined): Config {
  try {
    return loadConfig(process.env, file);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`memsnap: ${err.message}\n`);
    process.exit(EXIT_USAGE);
  }
}

export async function serve(options: { config?: string }): Promise<void> {
  const config = loadConfigOrExit(options.config);
  const log = createLogger(config.log_level);
  let daemon;
  try {
    daemon = await startDaemon(config, log);
  } catch (err) {
    log.fatal({ err }, "cannot start");
    process.exit(1);
  }
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down");
    setTimeout(() => {
      log.error({ deadline_ms: SHUTDOWN_DEADLINE_MS }, "shutdown took too long; exiting");
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    daemon.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
}
