import { startDaemon } from "../daemon";
import { createLogger } from "../log";
import { loadConfigOrExit } from "./config-or-exit";
import { describeStartFailure } from "./start-failure";

/** Shutdown must finish within this; past it memsnap exits anyway, with code 1. */
const SHUTDOWN_DEADLINE_MS = 5000;

export async function serve(options: { config?: string }): Promise<void> {
  const config = await loadConfigOrExit(options.config);
  const log = createLogger(config.log_level);
  let daemon;
  try {
    daemon = await startDaemon(config, log);
  } catch (err) {
    log.fatal({ err }, "cannot start");
    process.stderr.write(`memsnap: ${describeStartFailure(err, config)}\n`);
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
