import type { Command } from "commander";
import { LOG_LEVELS } from "../config/schema";

/** The daemon's settings on the command line; each overrides its environment variable. */
export interface DaemonOptions {
  config?: string;
  port?: string;
  host?: string;
  logLevel?: string;
  webConfigFile?: string;
}

/** Flag → the environment variable it stands for (flags override the environment, which overrides the file). */
const FLAG_VARIABLES: Array<[keyof DaemonOptions, string]> = [
  ["port", "MEMSNAP_PORT"],
  ["host", "MEMSNAP_HOST"],
  ["logLevel", "MEMSNAP_LOG_LEVEL"],
  ["webConfigFile", "MEMSNAP_WEB_CONFIG_FILE"],
];

/** --config, --port, --host, --log-level and --web.config.file, as serve, config check and healthcheck take them. */
export function withDaemonOptions(command: Command): Command {
  return command
    .option(
      "-c, --config <file>",
      "a .yaml or .json config file (MEMSNAP_CONFIG_FILE; environment variables and flags override it)",
    )
    .option("--port <port>", "the TCP port to listen on (MEMSNAP_PORT; 0 picks a free one)")
    .option("--host <host>", "the address to listen on (MEMSNAP_HOST)")
    .option("--log-level <level>", `one of ${LOG_LEVELS.join(", ")} (MEMSNAP_LOG_LEVEL)`)
    .option(
      "--web.config.file <file>",
      "an exporter-toolkit web configuration file: TLS and basic auth (MEMSNAP_WEB_CONFIG_FILE)",
    );
}

/**
 * Commander keeps `--web.config.file` under its dotted name. Without --config, MEMSNAP_CONFIG_FILE
 * names the file: a container's HEALTHCHECK then reads the same one as its `serve`.
 */
export function daemonOptionsOf(
  raw: Record<string, string | undefined>,
  env: NodeJS.ProcessEnv = process.env,
): DaemonOptions {
  return {
    config: raw.config ?? env.MEMSNAP_CONFIG_FILE,
    port: raw.port,
    host: raw.host,
    logLevel: raw.logLevel,
    webConfigFile: raw["web.config.file"],
  };
}

/** The environment with the flags applied. */
export function daemonEnv(
  options: DaemonOptions,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = { ...env };
  for (const [flag, variable] of FLAG_VARIABLES) if (options[flag] !== undefined) out[variable] = options[flag];
  return out;
}
