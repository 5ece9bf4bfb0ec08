import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { loadResolvedConfig } from "../src/config/addresses";
import { ConfigError } from "../src/config/load";
import { runCli } from "./helpers/cli";
import { configFileWriter } from "./helpers/config";

const SECRET = "Sup3rS3cret";
/** The one target the environment cases watch, so that none starts a demo database; a file case sets its own. */
const QUIET = { MEMSNAP_TARGET_PID: String(process.pid), MEMSNAP_ALERTS: "off" };

describe("a configuration memsnap refuses: exit 2, the setting named, no secret printed", () => {
  const { write } = configFileWriter();

  it.each<[string, Record<string, string>, () => string[], string]>([
    [
      "a password in the target URL",
      { MEMSNAP_TARGET: "qdrant", MEMSNAP_TARGET_URL: `http://admin:${SECRET}@127.0.0.1:1/` },
      () => [],
      "MEMSNAP_TARGET_URL",
    ],
    ["an empty port", { MEMSNAP_PORT: "" }, () => [], "MEMSNAP_PORT is set but empty"],
    [
      "an empty threshold",
      { MEMSNAP_UNACCOUNTED_CRITICAL_MB: " " },
      () => [],
      "MEMSNAP_UNACCOUNTED_CRITICAL_MB is set but empty",
    ],
    [
      "a score over 100",
      { MEMSNAP_HEALTH_CRITICAL_SCORE: "500" },
      () => [],
      'MEMSNAP_HEALTH_CRITICAL_SCORE="500": expected a score from 0 to 100',
    ],
    [
      "a percentage of 0",
      { MEMSNAP_OVERHEAD_WARNING_PERCENT: "0" },
      () => [],
      'MEMSNAP_OVERHEAD_WARNING_PERCENT="0": expected a percentage above 0',
    ],
    [
      "an http webhook on a name that only looks like loopback",
      { SLACK_WEBHOOK_URL: `http://127.evil.test/services/${SECRET}` },
      () => [],
      "alerting.slack.webhook_url (SLACK_WEBHOOK_URL)",
    ],
    [
      "an http webhook on a public address",
      { SLACK_WEBHOOK_URL: `http://10.0.0.8/services/${SECRET}` },
      () => [],
      "SLACK_WEBHOOK_URL (value hidden): expected an https URL",
    ],
    [
      "a boolean port in YAML",
      {},
      () => ["-c", write("port.yaml", "port: true\n")],
      "port: expected a TCP port from 0 to 65535",
    ],
    [
      "a boolean pid in YAML",
      {},
      () => ["-c", write("pid.yaml", "targets:\n  - {name: db, kind: none, pid: true}\n")],
      "targets.0.pid: expected a positive integer process id",
    ],
    [
      "a misspelt top-level key",
      {},
      () => ["-c", write("tokn.yaml", `api_tokn: ${SECRET}-long-enough\n`)],
      "`api_tokn` is not a setting; did you mean `api_token`?",
    ],
    [
      "a misspelt target key",
      {},
      () => ["-c", write("pidfile.yaml", "targets:\n  - {name: db, kind: none, pidfile: /run/db.pid}\n")],
      "targets.0: `pidfile` is not a setting; did you mean `pid_file`?",
    ],
    [
      "a misspelt nested key",
      {},
      () => ["-c", write("smtp.yaml", "alerting:\n  email:\n    smtp_pas: x\n")],
      "alerting.email: `smtp_pas` is not a setting; did you mean `smtp_pass`?",
    ],
    [
      "a YAML syntax error on the line of a secret",
      {},
      () => ["-c", write("broken.yaml", `alerting:\n  email:\n    smtp_pass: ${SECRET}: oops\n    smtp_user: x\n`)],
      "not valid YAML",
    ],
    [
      "a JSON syntax error near a secret",
      {},
      () => ["-c", write("broken.json", `{"api_token": "${SECRET}-long-enough",}`)],
      "not valid JSON",
    ],
  ])("%s", (_what, env, args, named) => {
    const argv = args();
    const fromEnvironment = argv.length === 0 ? { ...QUIET, MEMSNAP_PORT: "0" } : { MEMSNAP_ALERTS: "off" };
    const { status, stdout, stderr } = runCli(["serve", ...argv], { ...fromEnvironment, ...env });
    expect(status).toBe(2);
    expect(stderr).toContain(named);
    expect(stderr + stdout).not.toContain(SECRET);
  });

  it("checks a webhook host name by the address it resolves to", async () => {
    const http = (host: string) => ({ SLACK_WEBHOOK_URL: `http://${host}:9/hook`, ...QUIET });
    await expect(loadResolvedConfig(http("localhost"))).resolves.toMatchObject({
      alerting: { slack: { webhook_url: "http://localhost:9/hook" } },
    });
    await expect(loadResolvedConfig(http("127.0.0.1"))).resolves.toBeDefined();
    await expect(loadResolvedConfig(http("127.evil.test"))).rejects.toBeInstanceOf(ConfigError);
  });
});

describe("a daemon that cannot start says why on stderr and exits 1", () => {
  it("when its port is in use", async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const { port } = holder.address() as AddressInfo;
    try {
      const { status, stderr } = runCli(["serve"], { ...QUIET, MEMSNAP_PORT: String(port), MEMSNAP_HOST: "127.0.0.1" });
      expect(status).toBe(1);
      expect(stderr).toContain(
        `memsnap: cannot listen on 127.0.0.1:${port}: the port is already in use by another process`,
      );
    } finally {
      holder.close();
    }
  });

  it("when its host name does not resolve", () => {
    const { status, stderr } = runCli(["serve"], { ...QUIET, MEMSNAP_HOST: "no-such-host.invalid" });
    expect(status).toBe(1);
    expect(stderr).toContain("the host name no-such-host.invalid does not resolve; set MEMSNAP_HOST");
  });
});
