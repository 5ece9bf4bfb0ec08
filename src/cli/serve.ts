import { ConfigError } from "../config/load";
import type { Config } from "../config/schema";
import { startDaemon, type RunningDaemon } from "../daemon";
import { createLogger, type Logger } from "../log";
import { WebConfigError } from "../server/web-config";
import { loadConfigOrExit, loadDaemonConfig } from "./config-or-exit";
import { daemonEnv, type DaemonOptions } from "./daemon-options";
import { describeStartFailure } from "./start-failure";

/** Shutdown must finish within this; past it memsnap exits anyway, with code 1. */
const SHUTDOWN_DEADLINE_MS = 5000;

/**
 * SIGHUP: the config file (and the web configuration file) read again with the same environment
 * and flags. A valid one is applied; an invalid one is refused and logged, and the running one stays.
 */
function reloadOnHangup(daemon: RunningDaemon, options: DaemonOptions, log: Logger): void {
  process.on("SIGHUP", () => {
    log.info({ signal: "SIGHUP", config_file: options.config ?? null }, "reloading the configuration");
    const refused = (err: unknown) => {
      const problems =
        err instanceof ConfigError || err instanceof WebConfigError ? err.problems : [(err as Error).message];
      log.error({ problems }, "configuration refused; the running one stays");
    };
    loadDaemonConfig(daemonEnv(options), options.config).then(
      (next: Config) =>
        daemon.reload(next).then((restartNeeded) => {
          if (restartNeeded.length > 0)
            log.warn({ settings: restartNeeded }, "these settings changed but apply only after a restart");
          log.info({ targets: next.targets.map((t) => t.name) }, "configuration reloaded");
        }, refused),
      refused,
    );
  });
}

export async function serve(options: DaemonOptions): Promise<void> {
  const config = await loadConfigOrExit(options.config, daemonEnv(options));
  const log = createLogger(config.log_level);
  const tooEarly = () => log.warn({ signal: "SIGHUP" }, "not started yet: nothing to reload");
  process.on("SIGHUP", tooEarly);
  let daemon: RunningDaemon;
  try {
    daemon = await startDaemon(config, log);
  } catch (err) {
    log.fatal({ err }, "cannot start");
    process.stderr.write(`memsnap: ${describeStartFailure(err, config)}\n`);
    process.exit(1);
  }
  process.off("SIGHUP", tooEarly);
  reloadOnHangup(daemon, options, log);
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
