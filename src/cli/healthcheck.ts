import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { loadWebConfig } from "../server/web-config";
import { daemonEnv, type DaemonOptions } from "./daemon-options";
import { loadConfigOrExit } from "./config-or-exit";

const TIMEOUT_MS = 4000;
const EXIT_UNHEALTHY = 1;

/** Where a client on the same host reaches a daemon listening on `host`: a wildcard address means loopback. */
function probeHost(host: string): string {
  if (host === "0.0.0.0") return "127.0.0.1";
  if (host === "::" || host === "[::]") return "::1";
  return host.replace(/^\[|\]$/g, "");
}

/**
 * `memsnap healthcheck`: asks this host's daemon for /healthz on the port, address and scheme its
 * configuration sets (the same file, environment and flags as `serve`), so that a container's
 * HEALTHCHECK follows MEMSNAP_PORT, MEMSNAP_HOST and the web configuration file. The certificate is
 * not verified: the question is whether the daemon answers, not who it is. Exit 0 healthy, 1 not.
 */
export async function healthcheck(options: DaemonOptions): Promise<void> {
  const config = await loadConfigOrExit(options.config, daemonEnv(options));
  const tls =
    config.web_config_file !== undefined && loadWebConfig(config.web_config_file).tls_server_config !== undefined;
  const request = tls ? httpsRequest : httpRequest;
  const fail = (why: string) => {
    process.stderr.write(`memsnap: unhealthy: ${why}\n`);
    process.exit(EXIT_UNHEALTHY);
  };
  const req = request(
    {
      host: probeHost(config.host),
      port: config.port,
      path: "/healthz",
      timeout: TIMEOUT_MS,
      rejectUnauthorized: false,
    },
    (res) => {
      res.resume();
      if (res.statusCode === 200) {
        process.stdout.write("healthy\n");
        process.exit(0);
      }
      fail(`/healthz answered ${res.statusCode}`);
    },
  );
  req.on("timeout", () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
  req.on("error", (err) =>
    fail(`${tls ? "https" : "http"}://${probeHost(config.host)}:${config.port}/healthz: ${err.message}`),
  );
  req.end();
}
