import { loadResolvedConfig } from "../config/addresses";
import { ConfigError } from "../config/load";
import type { Config } from "../config/schema";
import { loadWebConfig, WebConfigError } from "../server/web-config";
import { EXIT_USAGE } from "./exit-codes";

type Env = Record<string, string | undefined>;

/** The configuration, its host names checked where they resolve, and the web configuration file it names. */
export async function loadDaemonConfig(env: Env, file: string | undefined): Promise<Config> {
  const config = await loadResolvedConfig(env, file);
  if (config.web_config_file !== undefined) loadWebConfig(config.web_config_file);
  return config;
}

/** The configuration from the environment and an optional file; exits with code 2 when it is invalid. */
export async function loadConfigOrExit(file: string | undefined, env: Env = process.env): Promise<Config> {
  try {
    return await loadDaemonConfig(env, file);
  } catch (err) {
    if (!(err instanceof ConfigError) && !(err instanceof WebConfigError)) throw err;
    process.stderr.write(`memsnap: ${err.message}\n`);
    process.exit(EXIT_USAGE);
  }
}
