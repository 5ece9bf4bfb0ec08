import { channelsFor, configuredRoutes } from "../src/alerts/router";
import { loadConfig } from "../src/config/load";
import { configFileWriter, problemsOf } from "./helpers/config";

const SMTP = {
  SMTP_URL: "smtp://127.0.0.1:2525",
  ALERT_EMAIL_FROM: "memsnap@example.com",
  ALERT_EMAIL_TO: "oncall@example.com",
};

describe("alerting configuration", () => {
  it("is quiet by default: no channel, a 4 h repeat, resolved messages on (each code's for is in the catalog)", () => {
    const { alerting, external_url } = loadConfig({});
    expect(alerting).toEqual({
      keep_firing_samples: 1,
      repeat_interval: 4 * 3_600_000,
      send_resolved: true,
      notify_max_age: 24 * 3_600_000,
      retry: { attempts: 5, base_delay: 1000, max_delay: 60_000, retry_after_cap: 600_000 },
      email: { smtp_secure: false, to: [], severities: ["critical", "warning"] },
      slack: { severities: ["critical"] },
      webhook: { severities: ["critical", "warning"] },
    });
    expect(external_url).toBeUndefined();
  });

  it("reads every alert setting from the environment", () => {
    const { alerting, external_url } = loadConfig({
      SMTP_HOST: "mail.example.com",
      SMTP_PORT: "465",
      SMTP_SECURE: "true",
      SMTP_USER: "memsnap",
      SMTP_PASS: "secret",
      ALERT_EMAIL_FROM: "memsnap <memsnap@example.com>",
      ALERT_EMAIL_TO: "a@example.com, b@example.com",
      SLACK_WEBHOOK_URL: "https://hooks.slack.com/services/T/B/X",
      MEMSNAP_ALERT_SLACK_SEVERITIES: "critical,warning",
      MEMSNAP_ALERT_EMAIL_SEVERITIES: "critical",
      MEMSNAP_ALERT_REPEAT_INTERVAL: "30m",
      MEMSNAP_ALERT_SEND_RESOLVED: "off",
      MEMSNAP_ALERT_RETRY_BASE_DELAY: "250ms",
      MEMSNAP_ALERT_RETRY_AFTER_CAP: "2m",
      MEMSNAP_NOTIFY_MAX_AGE: "6h",
      MEMSNAP_WEBHOOK_URL: "https://alerts.example.com/hook",
      MEMSNAP_WEBHOOK_TOKEN: "s3cret-token",
      MEMSNAP_ALERT_WEBHOOK_SEVERITIES: "critical",
      MEMSNAP_EXTERNAL_URL: "https://memsnap.example.com",
    });
    expect(alerting.email).toEqual({
      smtp_host: "mail.example.com",
      smtp_port: 465,
      smtp_secure: true,
      smtp_user: "memsnap",
      smtp_pass: "secret",
      from: "memsnap <memsnap@example.com>",
      to: ["a@example.com", "b@example.com"],
      severities: ["critical"],
    });
    expect(alerting.slack).toEqual({
      webhook_url: "https://hooks.slack.com/services/T/B/X",
      severities: ["critical", "warning"],
    });
    expect(alerting.repeat_interval).toBe(30 * 60_000);
    expect(alerting.send_resolved).toBe(false);
    expect(alerting.retry.base_delay).toBe(250);
    expect(alerting.retry.retry_after_cap).toBe(120_000);
    expect(alerting.notify_max_age).toBe(6 * 3_600_000);
    expect(alerting.webhook).toEqual({
      url: "https://alerts.example.com/hook",
      token: "s3cret-token",
      severities: ["critical"],
    });
    expect(external_url).toBe("https://memsnap.example.com");
  });

  it("routes every configured channel, in registry order, the severities it asks for", () => {
    const routes = configuredRoutes(
      loadConfig({
        ...SMTP,
        MEMSNAP_WEBHOOK_URL: "https://alerts.example.com/hook",
        MEMSNAP_ALERT_WEBHOOK_SEVERITIES: "warning",
      }).alerting,
    );
    expect(routes).toEqual([
      { channel: "email", severities: ["critical", "warning"] },
      { channel: "webhook", severities: ["warning"] },
    ]);
    expect(channelsFor("critical", routes)).toEqual(["email"]);
    expect(channelsFor("warning", routes)).toEqual(["email", "webhook"]);
    expect(
      configuredRoutes(loadConfig({ SLACK_WEBHOOK_URL: "https://hooks.slack.com/services/T/B/X" }).alerting),
    ).toEqual([{ channel: "slack", severities: ["critical"] }]);
    expect(configuredRoutes(loadConfig({}).alerting)).toEqual([]);
  });

  it("accepts plain http for a Slack relay or a webhook receiver on loopback", () => {
    expect(loadConfig({ SLACK_WEBHOOK_URL: "http://127.0.0.1:9999/hook" }).alerting.slack.webhook_url).toBe(
      "http://127.0.0.1:9999/hook",
    );
    expect(loadConfig({ MEMSNAP_WEBHOOK_URL: "http://127.0.0.1:9999/hook" }).alerting.webhook.url).toBe(
      "http://127.0.0.1:9999/hook",
    );
  });

  it.each([
    [
      { ...SMTP, ALERT_EMAIL_TO: "oncall" },
      'ALERT_EMAIL_TO="oncall": expected comma-separated e-mail addresses; not one: "oncall"',
    ],
    [
      { ...SMTP, ALERT_EMAIL_TO: "a@example.com,b@" },
      'ALERT_EMAIL_TO="a@example.com,b@": expected comma-separated e-mail addresses; not one: "b@"',
    ],
    [{ ...SMTP, ALERT_EMAIL_FROM: "memsnap" }, 'ALERT_EMAIL_FROM="memsnap": expected an e-mail address'],
    [
      { SMTP_URL: "smtp://127.0.0.1", ALERT_EMAIL_FROM: "m@example.com" },
      "alerting.email.to: e-mail alerts need recipients: set ALERT_EMAIL_TO",
    ],
    [
      { SMTP_URL: "smtp://127.0.0.1", ALERT_EMAIL_TO: "m@example.com" },
      "alerting.email.from: e-mail alerts need a sender: set ALERT_EMAIL_FROM",
    ],
    [{ ALERT_EMAIL_TO: "m@example.com" }, 'ALERT_EMAIL_TO="m@example.com": e-mail alerts need an SMTP server'],
    [{ ...SMTP, SMTP_URL: "http://user:pw@mail" }, "SMTP_URL (value hidden): expected an smtp:// or smtps:// URL"],
    [{ ...SMTP, SMTP_HOST: "mail" }, 'SMTP_HOST="mail": set SMTP_URL or SMTP_HOST, not both'],
    [{ ...SMTP, SMTP_USER: "memsnap" }, "alerting.email.smtp_pass: set SMTP_USER and SMTP_PASS together"],
    [{ ...SMTP, SMTP_PORT: "0" }, 'SMTP_PORT="0": expected a TCP port from 1 to 65535'],
    [{ ...SMTP, SMTP_SECURE: "sometimes" }, 'SMTP_SECURE="sometimes": expected on or off'],
    [
      { SLACK_WEBHOOK_URL: "http://10.1.2.3/services/T/B/X" },
      "SLACK_WEBHOOK_URL (value hidden): expected an https URL",
    ],
    [{ SLACK_WEBHOOK_URL: "not a url" }, "SLACK_WEBHOOK_URL (value hidden): expected an https URL"],
    [
      { MEMSNAP_ALERT_SLACK_SEVERITIES: "critical,opportunity" },
      'MEMSNAP_ALERT_SLACK_SEVERITIES="critical,opportunity": expected severities among critical, warning',
    ],
    [
      { MEMSNAP_ALERT_REPEAT_INTERVAL: "-5m" },
      'MEMSNAP_ALERT_REPEAT_INTERVAL="-5m": expected at least one second: a duration such as 4h',
    ],
    [{ MEMSNAP_ALERT_REPEAT_INTERVAL: "0" }, 'MEMSNAP_ALERT_REPEAT_INTERVAL="0": expected at least one second'],
    [{ MEMSNAP_ALERT_REPEAT_INTERVAL: "soon" }, 'MEMSNAP_ALERT_REPEAT_INTERVAL="soon": expected at least one second'],
    [
      { MEMSNAP_ALERT_RETRY_ATTEMPTS: "0" },
      'MEMSNAP_ALERT_RETRY_ATTEMPTS="0": expected a number of attempts from 1 to 20',
    ],
    [{ MEMSNAP_ALERT_RETRY_BASE_DELAY: "-1s" }, 'MEMSNAP_ALERT_RETRY_BASE_DELAY="-1s": expected from 1ms to 24h'],
    [
      { MEMSNAP_WEBHOOK_URL: "http://10.0.0.8/hook" },
      "MEMSNAP_WEBHOOK_URL (value hidden): expected an https URL (plain http only to a loopback address, for a local relay)",
    ],
    [
      { MEMSNAP_WEBHOOK_URL: "https://alerts.example.com/hook", MEMSNAP_WEBHOOK_TOKEN: "" },
      "MEMSNAP_WEBHOOK_TOKEN is set but empty: give it a value, or unset it for the default",
    ],
    [
      { MEMSNAP_ALERT_WEBHOOK_SEVERITIES: "page" },
      'MEMSNAP_ALERT_WEBHOOK_SEVERITIES="page": expected severities among critical, warning',
    ],
    [{ MEMSNAP_NOTIFY_MAX_AGE: "0" }, 'MEMSNAP_NOTIFY_MAX_AGE="0": expected from one second to 30 days'],
    [
      { MEMSNAP_ALERT_RETRY_AFTER_CAP: "99999999" },
      'MEMSNAP_ALERT_RETRY_AFTER_CAP="99999999": expected from 1ms to 24h',
    ],
    [
      { MEMSNAP_EXTERNAL_URL: "memsnap.example.com" },
      'MEMSNAP_EXTERNAL_URL="memsnap.example.com": expected the http(s) URL',
    ],
  ])("refuses %j with a message naming the field", (env, message) => {
    const problems = problemsOf(env);
    expect(problems).toEqual(expect.arrayContaining([expect.stringContaining(message)]));
    expect(problems.find((p) => p.includes(message))?.startsWith(message.split(":")[0])).toBe(true);
  });

  describe("config file", () => {
    const { write } = configFileWriter();

    it("sets routing per channel, and the environment overrides it", () => {
      const file = write(
        "routes.yaml",
        [
          "alerting:",
          "  repeat_interval: 2h",
          "  slack: {webhook_url: 'https://hooks.slack.com/services/T/B/X', severities: [critical, warning]}",
          "  email: {smtp_host: mail.example.com, from: m@example.com, to: [a@example.com], severities: []}",
        ].join("\n"),
      );
      const { alerting } = loadConfig({ MEMSNAP_ALERT_REPEAT_INTERVAL: "1h" }, file);
      expect(alerting.slack.severities).toEqual(["critical", "warning"]);
      expect(alerting.email.severities).toEqual([]);
      expect(alerting.email.to).toEqual(["a@example.com"]);
      expect(alerting.repeat_interval).toBe(3_600_000);
    });

    it.each([
      [
        "neg.yaml",
        "alerting:\n  keep_firing_samples: -2\n",
        "alerting.keep_firing_samples: expected a number of samples",
      ],
      [
        "to.yaml",
        "alerting:\n  email: {smtp_host: m, from: m@example.com, to: [bob]}\n",
        "alerting.email.to: expected comma-separated e-mail addresses",
      ],
      [
        "slack.yaml",
        "alerting:\n  slack: {webhook_url: 'http://10.0.0.8/hook'}\n",
        "alerting.slack.webhook_url: expected an https URL",
      ],
      [
        "webhook.yaml",
        "alerting:\n  webhook: {url: 'http://10.0.0.8/hook'}\n",
        "alerting.webhook.url: expected an https URL",
      ],
    ])("refuses %s naming the file and the field", (name, text, message) => {
      const file = write(name, text);
      const problems = problemsOf({}, file);
      expect(problems[0]).toBe(`${file}: ${problems[0].slice(file.length + 2)}`);
      expect(problems[0]).toContain(message);
    });
  });
});
