import { writeFileSync } from "node:fs";
import path from "node:path";
import { parse, stringify } from "yaml";
import { makeCertificate, makeCertificateAuthority } from "./helpers/certificates";
import { runCli, runCliAsync, startServe } from "./helpers/cli";
import { startTestDaemon, waitFor } from "./helpers/daemon";
import { scratchDir } from "./helpers/scratch";

const dir = scratchDir("production-cli");

describe("memsnap config check", () => {
  it("prints the effective configuration, flags over environment over file, with every secret hidden", () => {
    const file = path.join(dir, "check.yaml");
    writeFileSync(
      file,
      stringify({
        port: 9000,
        targets: [
          { name: "q", kind: "qdrant", url: "http://127.0.0.1:6333", process: "qdrant", api_key: "qdrant-key-secret" },
        ],
        alerting: {
          email: {
            smtp_url: "smtp://mailer:mail-password@smtp.example.com:587",
            from: "m@example.com",
            to: "o@example.com",
          },
        },
      }),
    );
    const result = runCli(["config", "check", "--config", file, "--port", "9100", "--log-level", "warn"], {
      MEMSNAP_PORT: "9050",
      MEMSNAP_HOST: "0.0.0.0",
      MEMSNAP_API_TOKEN: "api-token-secret-0123456789",
      SLACK_WEBHOOK_URL: "https://hooks.slack.com/services/T0/B0/slack-secret",
      MEMSNAP_COLLECTION_SERIES_MAX: "0",
    });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    for (const secret of ["qdrant-key-secret", "mail-password", "api-token-secret", "slack-secret", "T0/B0"])
      expect(result.stdout).not.toContain(secret);
    const effective = parse(result.stdout);
    expect(effective).toMatchObject({
      port: 9100,
      host: "0.0.0.0",
      log_level: "warn",
      collection_series_max: 0,
      api_token: "<hidden>",
      targets: [{ name: "q", api_key: "<hidden>" }],
      alerting: {
        email: { smtp_url: "smtp://mailer:<hidden>@smtp.example.com:587" },
        slack: { webhook_url: "https://hooks.slack.com/<hidden>" },
      },
    });
  });

  it("reads the file MEMSNAP_CONFIG_FILE names when --config is not given", () => {
    const file = path.join(dir, "from-env.yaml");
    writeFileSync(file, stringify({ port: 9321, schedule: "*/30 * * * * *" }));
    const result = runCli(["config", "check"], { MEMSNAP_CONFIG_FILE: file });
    expect(result.status).toBe(0);
    expect(parse(result.stdout)).toMatchObject({ port: 9321, schedule: "*/30 * * * * *" });
  });

  it.each([
    [
      ["--log-level", "loud"],
      {},
      'MEMSNAP_LOG_LEVEL="loud": expected one of fatal, error, warn, info, debug, trace, silent',
    ],
    [
      [],
      { MEMSNAP_COLLECTION_SERIES_MAX: "-1" },
      'MEMSNAP_COLLECTION_SERIES_MAX="-1": expected a number of collections from 0 to 1000000',
    ],
    [
      [],
      { MEMSNAP_RUNBOOK_BASE_URL: "docs/runbook.md" },
      'MEMSNAP_RUNBOOK_BASE_URL="docs/runbook.md": expected the absolute http(s) URL of the runbook',
    ],
    [["--config", path.join(dir, "absent.yaml")], {}, "cannot read the config file"],
  ])("exits 2 and names the problem for %j %j", (args, env, message) => {
    const result = runCli(["config", "check", ...args], env);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(message);
  });
});

describe("memsnap serve flags", () => {
  it("listens on --host and --port and logs at --log-level", async () => {
    const serve = await startServe(
      {
        MEMSNAP_DEMO_SCALE: "0.02",
        MEMSNAP_ALERTS: "off",
        MEMSNAP_DATA_DIR: path.join(dir, "flags-data"),
        MEMSNAP_HOST: "0.0.0.0",
      },
      ["--host", "127.0.0.1", "--log-level", "debug"],
    );
    try {
      expect(new URL(serve.url).hostname).toBe("127.0.0.1");
      await waitFor(() => (serve.logs.some((l) => l.level === "debug") ? true : undefined), "a debug line");
    } finally {
      serve.child.kill("SIGTERM");
      await serve.exited;
    }
  });
});

describe("memsnap healthcheck", () => {
  it("reaches the daemon on the port, host and scheme its configuration sets (a wildcard host through loopback)", async () => {
    const ca = makeCertificateAuthority(dir);
    const cert = makeCertificate(dir, ca, "health");
    const webConfig = path.join(dir, "health-web.yml");
    writeFileSync(
      webConfig,
      stringify({
        tls_server_config: { cert_file: cert.cert, key_file: cert.key },
        basic_auth_users: { a: "$2y$04$" + "a".repeat(53) },
      }),
    );
    const daemon = await startTestDaemon({ MEMSNAP_WEB_CONFIG_FILE: webConfig });
    try {
      const port = new URL(daemon.url).port;
      const healthy = await runCliAsync(["healthcheck", "--port", port], {
        MEMSNAP_HOST: "0.0.0.0",
        MEMSNAP_WEB_CONFIG_FILE: webConfig,
      });
      expect(healthy).toMatchObject({ status: 0, stdout: "healthy\n" });
      const plain = await runCliAsync(["healthcheck", "--port", port, "--host", "127.0.0.1"]);
      expect(plain.status).toBe(1);
      expect(plain.stderr).toContain(`memsnap: unhealthy: http://127.0.0.1:${port}/healthz`);
    } finally {
      await daemon.stop();
    }
  });
});
