import { stringify } from "yaml";
import type { Config } from "../config/schema";
import { daemonEnv, type DaemonOptions } from "./daemon-options";
import { loadConfigOrExit } from "./config-or-exit";

const HIDDEN = "<hidden>";

/** A URL with its password, or everything past the host (a Slack webhook's secret path), hidden. */
function maskUrl(url: string, hidePath: boolean): string {
  if (!URL.canParse(url)) return HIDDEN;
  const parsed = new URL(url);
  const user = parsed.username === "" ? "" : `${parsed.username}${parsed.password === "" ? "" : `:${HIDDEN}`}@`;
  return `${parsed.protocol}//${user}${parsed.host}${hidePath ? `/${HIDDEN}` : ""}`;
}

/** The configuration with every secret (tokens, keys, passwords, the Slack webhook's path) replaced. */
function maskSecrets(config: Config): unknown {
  const { email, slack } = config.alerting;
  return {
    ...config,
    api_token: config.api_token === undefined ? undefined : HIDDEN,
    targets: config.targets.map((t) => ({ ...t, api_key: t.api_key === undefined ? undefined : HIDDEN })),
    alerting: {
      ...config.alerting,
      email: {
        ...email,
        smtp_url: email.smtp_url === undefined ? undefined : maskUrl(email.smtp_url, false),
        smtp_pass: email.smtp_pass === undefined ? undefined : HIDDEN,
      },
      slack: { ...slack, webhook_url: slack.webhook_url === undefined ? undefined : maskUrl(slack.webhook_url, true) },
    },
  };
}

/**
 * `memsnap config check`: validates the configuration as `serve` would read it (file, environment,
 * flags, and the web configuration file) and prints the effective settings, secrets hidden.
 * Exit 0 when valid, 2 with one line per problem otherwise.
 */
export async function configCheck(options: DaemonOptions): Promise<void> {
  const config = await loadConfigOrExit(options.config, daemonEnv(options));
  process.stdout.write(
    `# memsnap: the configuration is valid; effective settings (secrets hidden):\n${stringify(maskSecrets(config))}`,
  );
}
