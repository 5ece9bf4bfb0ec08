import { loadResolvedConfig } from "../config/addresses";
import { ConfigError } from "../config/load";
import type { Config } from "../config/schema";
import { EXIT_USAGE } from "./exit-codes";

/** The configuration from the environment and an optional file; exits with code 2 when it is invalid. */
export async function loadConfigOrExit(file: string | undefined): Promise<Config> {
  try {
    return await loadResolvedConfig(process.env, file);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`memsnap: ${err.message}\n`);
    process.exit(EXIT_USAGE);
  }
}
