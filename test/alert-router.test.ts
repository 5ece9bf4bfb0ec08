import { configuredChannels } from "../src/alerts/notifiers/registry";
import { channelsFor, configuredRoutes } from "../src/alerts/router";
import { loadConfig } from "../src/config/load";

const SLACK = { SLACK_WEBHOOK_URL: "https://hooks.slack.com/services/T/B/X" };
const SMTP = {
  SMTP_URL: "smtp://127.0.0.1:2525",
  ALERT_EMAIL_FROM: "memsnap@example.com",
  ALERT_EMAIL_TO: "oncall@example.com",
};
const alertingOf = (env: Record<string, string>) => loadConfig(env).alerting;

describe("alert routing", () => {
  it("routes nowhere when no channel is configured", () => {
    const alerting = alertingOf({});
    expect(configuredRoutes(alerting)).toEqual([]);
    expect(configuredChannels(alerting)).toEqual([]);
  });

  it("routes critical alerts to Slack and both severities to e-mail by default", () => {
    const routes = configuredRoutes(alertingOf({ ...SLACK, ...SMTP }));
    expect(routes).toEqual([
      { channel: "slack", severities: ["critical"] },
      { channel: "email", severities: ["critical", "warning"] },
    ]);
    expect(channelsFor("critical", routes)).toEqual(["slack", "email"]);
    expect(channelsFor("warning", routes)).toEqual(["email"]);
  });

  it("follows the severities each channel is configured for", () => {
    const routes = configuredRoutes(
      alertingOf({
        ...SLACK,
        ...SMTP,
        MEMSNAP_ALERT_SLACK_SEVERITIES: "warning",
        MEMSNAP_ALERT_EMAIL_SEVERITIES: "critical",
      }),
    );
    expect(channelsFor("critical", routes)).toEqual(["email"]);
    expect(channelsFor("warning", routes)).toEqual(["slack"]);
  });

  it("counts an SMTP host alone as a configured e-mail channel", () => {
    const alerting = alertingOf({
      SMTP_HOST: "127.0.0.1",
      ALERT_EMAIL_FROM: "m@example.com",
      ALERT_EMAIL_TO: "o@example.com",
    });
    expect(configuredRoutes(alerting).map((r) => r.channel)).toEqual(["email"]);
  });

  it("creates the notifier of a configured channel only", async () => {
    const slackOnly = alertingOf(SLACK);
    expect(configuredRoutes(slackOnly).map((r) => r.channel)).toEqual(["slack"]);
    expect(configuredChannels(slackOnly).map((c) => c.name)).toEqual(["slack"]);
    const emailOnly = configuredChannels(alertingOf(SMTP));
    expect(emailOnly.map((c) => c.name)).toEqual(["email"]);
    const email = await emailOnly[0].create();
    expect(typeof email.send).toBe("function");
    email.close();
  });
});
