import { loadConfig } from "../../src/config/load";
import { HTTP_ONLY_ON_LOOPBACK } from "../../src/config/fields";
import { configFileWriter, problemsOf } from "../helpers/config";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe("numbers as YAML and the environment give them", () => {
  const { write } = configFileWriter();

  it("refuses a YAML boolean or null where a number belongs, rather than reading it as 1 or 0", () => {
    const yes = write("port-true.yaml", "port: true\n");
    expect(problemsOf({}, yes)).toEqual([`${yes}: port: expected a TCP port from 0 to 65535`]);
    const nothing = write("history-null.yaml", "history_size: null\n");
    expect(problemsOf({}, nothing)).toEqual([`${nothing}: history_size: expected an integer from 2 to 100000`]);
  });

  it.each([
    ["MEMSNAP_PORT", "0", (c: ReturnType<typeof loadConfig>) => c.port],
    ["MEMSNAP_PORT", "65535", (c: ReturnType<typeof loadConfig>) => c.port],
    ["MEMSNAP_HISTORY_SIZE", "2", (c: ReturnType<typeof loadConfig>) => c.history_size],
    ["MEMSNAP_HISTORY_SIZE", "100000", (c: ReturnType<typeof loadConfig>) => c.history_size],
    ["MEMSNAP_ALERT_KEEP_FIRING_SAMPLES", "1000", (c: ReturnType<typeof loadConfig>) => c.alerting.keep_firing_samples],
  ])("accepts %s=%s, an integer field's limit exactly", (name, value, read) => {
    expect(read(loadConfig({ [name]: value }))).toBe(Number(value));
  });

  it.each([
    ["MEMSNAP_PORT", "65536", "expected a TCP port from 0 to 65535"],
    ["MEMSNAP_HISTORY_SIZE", "1", "expected an integer from 2 to 100000"],
    ["MEMSNAP_HISTORY_SIZE", "100001", "expected an integer from 2 to 100000"],
    ["MEMSNAP_ALERT_KEEP_FIRING_SAMPLES", "1001", "expected a number of samples from 0 to 1000"],
  ])("refuses %s=%s, one past the limit", (name, value, message) => {
    expect(problemsOf({ [name]: value })).toEqual([`${name}=${JSON.stringify(value)}: ${message}`]);
  });
});

describe("on/off switches", () => {
  const { write } = configFileWriter();

  it.each([
    ["on", true],
    ["true", true],
    ["off", false],
    ["false", false],
  ])("reads MEMSNAP_ALERTS=%s as %s", (value, on) => {
    expect(loadConfig({ MEMSNAP_ALERTS: value }).alerts).toBe(on);
  });

  it.each([
    ["true", true],
    ["false", false],
    ["on", true],
    ["off", false],
  ])("reads `alerts: %s` in YAML as %s", (value, on) => {
    expect(loadConfig({}, write(`alerts-${value}.yaml`, `alerts: ${value}\n`)).alerts).toBe(on);
  });
});

describe("durations", () => {
  const { write } = configFileWriter();
  const repeatInterval = (value: string) =>
    loadConfig({ MEMSNAP_ALERT_REPEAT_INTERVAL: value }).alerting.repeat_interval;

  it.each([
    ["4h", 4 * HOUR],
    ["30m", 30 * 60_000],
    ["90s", 90_000],
    ["1500ms", 1500],
    ["1d", DAY],
    ["1.5s", 1500],
    ["1.25s", 1250],
    ["2.5h", 2.5 * HOUR],
    ["90", 90_000],
    [" 90s ", 90_000],
  ])("reads %j as %d ms", (value, ms) => {
    expect(repeatInterval(value)).toBe(ms);
  });

  it.each(["4hours", "90 s", "1.5.5s", ".5s", "5.s", "-5s", "1e3", "s"])("refuses %j", (value) => {
    expect(problemsOf({ MEMSNAP_ALERT_REPEAT_INTERVAL: value })).toEqual([
      `MEMSNAP_ALERT_REPEAT_INTERVAL=${JSON.stringify(value)}: expected at least one second: a duration such as 4h, 30m, 90s or 500ms`,
    ]);
  });

  it("reads a plain YAML number as seconds", () => {
    const alerting = (text: string, name: string) => loadConfig({}, write(name, `alerting:\n${text}`)).alerting;
    expect(alerting("  repeat_interval: 90\n", "ninety.yaml").repeat_interval).toBe(90_000);
    expect(alerting("  repeat_interval: 1.5\n", "decimal.yaml").repeat_interval).toBe(1500);
    expect(alerting("  retry:\n    base_delay: 0.001\n", "one-ms.yaml").retry.base_delay).toBe(1);
  });

  it("refuses a negative YAML number, and one below the minimum", () => {
    for (const [name, value] of [
      ["negative.yaml", "-5"],
      ["half.yaml", "0.5"],
    ]) {
      const file = write(name, `alerting:\n  repeat_interval: ${value}\n`);
      expect(problemsOf({}, file)).toEqual([
        `${file}: alerting.repeat_interval: expected at least one second: a duration such as 4h, 30m, 90s or 500ms`,
      ]);
    }
  });

  it("accepts a duration at its minimum and at its maximum exactly, and nothing past them", () => {
    expect(loadConfig({ MEMSNAP_TREND_WINDOW: "1s" }).thresholds.trend_window).toBe(1000);
    expect(problemsOf({ MEMSNAP_TREND_WINDOW: "999ms" })[0]).toContain("expected a window of at least one second");
    expect(loadConfig({ MEMSNAP_SAMPLE_TIMEOUT: "100ms" }).sample_timeout).toBe(100);
    expect(problemsOf({ MEMSNAP_SAMPLE_TIMEOUT: "99ms" })[0]).toContain("expected at least 100ms");
    expect(loadConfig({ MEMSNAP_NOTIFY_MAX_AGE: "30d" }).alerting.notify_max_age).toBe(30 * DAY);
    expect(problemsOf({ MEMSNAP_NOTIFY_MAX_AGE: `${30 * DAY + 1}ms` })[0]).toContain(
      "expected from one second to 30 days",
    );
    expect(loadConfig({ MEMSNAP_ALERT_RETRY_MAX_DELAY: "24h" }).alerting.retry.max_delay).toBe(DAY);
    expect(loadConfig({ MEMSNAP_ALERT_RETRY_BASE_DELAY: "1ms" }).alerting.retry.base_delay).toBe(1);
    expect(problemsOf({ MEMSNAP_ALERT_RETRY_BASE_DELAY: "0ms" })[0]).toContain("expected from 1ms to 24h");
    expect(problemsOf({ MEMSNAP_ALERT_RETRY_MAX_DELAY: "24.5h" })[0]).toContain("expected from 1ms to 24h");
  });
});

describe("severity lists", () => {
  it("reads a comma-separated list, ignoring spaces and empty items", () => {
    const slack = (value: string) => loadConfig({ MEMSNAP_ALERT_SLACK_SEVERITIES: value }).alerting.slack.severities;
    expect(slack("critical, warning,")).toEqual(["critical", "warning"]);
    expect(slack(" , warning")).toEqual(["warning"]);
  });

  it("refuses a severity that is never sent", () => {
    expect(problemsOf({ MEMSNAP_ALERT_SLACK_SEVERITIES: "critical,opportunity" })).toEqual([
      'MEMSNAP_ALERT_SLACK_SEVERITIES="critical,opportunity": expected severities among critical, warning',
    ]);
  });
});

describe("webhook URLs", () => {
  const slackUrl = (url: string) => loadConfig({ SLACK_WEBHOOK_URL: url }).alerting.slack.webhook_url;

  it("accepts https to any host, and plain http to a loopback address", () => {
    expect(slackUrl("https://hooks.example.com/services/T0")).toBe("https://hooks.example.com/services/T0");
    expect(slackUrl("https://10.0.0.8/hook")).toBe("https://10.0.0.8/hook");
    expect(slackUrl("http://127.0.0.1:9/hook")).toBe("http://127.0.0.1:9/hook");
    expect(slackUrl("http://[::1]:9/hook")).toBe("http://[::1]:9/hook");
  });

  it("leaves a plain-http host name to be judged where it resolves", () => {
    expect(slackUrl("http://relay.internal/hook")).toBe("http://relay.internal/hook");
  });

  it("refuses plain http to an address that is not loopback, IPv6 included", () => {
    for (const url of ["http://10.0.0.8/hook", "http://[2001:db8::1]/hook", "http://[::ffff:10.0.0.8]/hook"]) {
      expect(problemsOf({ SLACK_WEBHOOK_URL: url })).toEqual([
        `SLACK_WEBHOOK_URL (value hidden): ${HTTP_ONLY_ON_LOOPBACK}`,
      ]);
    }
  });

  it("says once what is wrong with text that is no URL at all", () => {
    for (const url of ["not a url", "ftp://files.example.com/hook"]) {
      expect(problemsOf({ MEMSNAP_WEBHOOK_URL: url })).toEqual([
        "MEMSNAP_WEBHOOK_URL (value hidden): expected an https URL",
      ]);
    }
  });
});
