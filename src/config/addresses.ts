import { isLoopbackAddress, resolveHost } from "../net/loopback";
import { ALERTING_ENV_PATHS } from "./alerting";
import { HTTP_ONLY_ON_LOOPBACK } from "./fields";
import { ConfigError, loadConfig, type Env } from "./load";
import type { Config } from "./schema";

/** Every plain-http URL among the alerting settings, with its path in the configuration. */
function plainHttpUrls(node: unknown, at: string[]): Array<{ at: string[]; url: URL }> {
  if (typeof node === "string") {
    return URL.canParse(node) && new URL(node).protocol === "http:" ? [{ at, url: new URL(node) }] : [];
  }
  if (typeof node !== "object" || node === null) return [];
  return Object.entries(node).flatMap(([key, value]) => plainHttpUrls(value, [...at, key]));
}

function settingName(at: string[]): string {
  const key = at.join(".");
  const variable = Object.entries(ALERTING_ENV_PATHS).find(([, keys]) => ["alerting", ...keys].join(".") === key)?.[0];
  return variable === undefined ? key : `${key} (${variable})`;
}

/**
 * A notification URL may use plain http only to a loopback relay, and a host name is judged
 * by the addresses it resolves to (dns.lookup), not by how it is spelt: `127.evil.test` is a
 * name like any other. The URL itself is a secret (a Slack webhook's path is its key), so only
 * the host is named.
 */
async function resolvedAddressProblems(config: Config): Promise<string[]> {
  const problems: string[] = [];
  for (const { at, url } of plainHttpUrls(config.alerting, ["alerting"])) {
    const found = await resolveHost(url.hostname);
    if ("problem" in found) problems.push(`${settingName(at)}: ${HTTP_ONLY_ON_LOOPBACK}; ${found.problem}`);
    else if (!found.addresses.every(isLoopbackAddress)) {
      problems.push(
        `${settingName(at)}: ${HTTP_ONLY_ON_LOOPBACK}; ${url.hostname} resolves to ${found.addresses.join(", ")}`,
      );
    }
  }
  return problems;
}

/** The configuration as `loadConfig` builds it, with its host names checked where they resolve. */
export async function loadResolvedConfig(env: Env, configFile?: string): Promise<Config> {
  const config = loadConfig(env, configFile);
  const problems = await resolvedAddressProblems(config);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
