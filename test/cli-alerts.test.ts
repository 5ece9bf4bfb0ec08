import { runCli, runCliAsync } from "./helpers/cli";
import { SlackReceiver } from "./helpers/slack-receiver";
import { SmtpReceiver } from "./helpers/smtp-receiver";

const FAST_RETRY = { MEMSNAP_ALERT_RETRY_ATTEMPTS: "2", MEMSNAP_ALERT_RETRY_BASE_DELAY: "10ms" };

describe("memsnap alerts test", () => {
  let slack: SlackReceiver;
  let smtp: SmtpReceiver;

  beforeAll(async () => {
    [slack, smtp] = await Promise.all([SlackReceiver.start(), SmtpReceiver.start()]);
  });

  afterAll(() => Promise.all([slack?.stop(), smtp?.stop()]));

  it("posts one message marked TEST to Slack and exits 0", async () => {
    slack.answerAlways({ status: 200 });
    const result = await runCliAsync(["alerts", "test", "--channel", "slack"], {
      SLACK_WEBHOOK_URL: slack.url,
      ...FAST_RETRY,
    });
    expect(result).toMatchObject({ status: 0, stdout: "test message delivered by slack (attempt 1)\n" });
    expect(slack.delivered).toHaveLength(1);
    expect(slack.delivered[0].text).toBe("[memsnap TEST] Alert wiring check: no alert is firing");
  });

  it("mails one message marked TEST to every recipient and exits 0", async () => {
    const env = {
      SMTP_URL: smtp.url,
      ALERT_EMAIL_FROM: "memsnap@example.com",
      ALERT_EMAIL_TO: "a@example.com,b@example.com",
      ...FAST_RETRY,
    };
    const result = await runCliAsync(["alerts", "test", "--channel", "email"], env);
    expect(result.status).toBe(0);
    const [{ envelope, mail }] = await smtp.waitForMails(1);
    expect(envelope.to).toEqual(["a@example.com", "b@example.com"]);
    expect(mail.subject).toBe("[memsnap TEST] Alert wiring check: no alert is firing");
    expect(mail.text).toContain("memsnap alerts test --channel email");
  });

  it("exits 1 with the reason when Slack keeps failing", async () => {
    slack.answerAlways({ status: 500, body: "internal" });
    const result = await runCliAsync(["alerts", "test", "--channel", "slack"], {
      SLACK_WEBHOOK_URL: slack.url,
      ...FAST_RETRY,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("attempt 1 failed (Slack answered 500: internal)");
    expect(result.stderr).toContain("the test message was not delivered by slack: Slack answered 500: internal");
  });

  it.each<[string, string[], Record<string, string>, string]>([
    ["an unknown channel", ["alerts", "test", "--channel", "pager"], {}, "Allowed choices are slack, email, webhook"],
    [
      "a channel that is not configured",
      ["alerts", "test", "--channel", "slack"],
      {},
      "the slack channel is not configured: set SLACK_WEBHOOK_URL",
    ],
  ])("exits 2 on %s", (_, args, env, message) => {
    const result = runCli(args, env);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
  });
});

describe("memsnap serve with invalid alert settings", () => {
  it.each([
    [
      { SMTP_URL: "smtp://127.0.0.1:2525", ALERT_EMAIL_FROM: "memsnap@example.com", ALERT_EMAIL_TO: "bob" },
      'ALERT_EMAIL_TO="bob": expected comma-separated e-mail addresses',
    ],
    [
      { SLACK_WEBHOOK_URL: "http://hooks.slack.com/services/x" },
      "alerting.slack.webhook_url (SLACK_WEBHOOK_URL): expected an https URL",
    ],
    [{ MEMSNAP_ALERT_REPEAT_INTERVAL: "-4h" }, 'MEMSNAP_ALERT_REPEAT_INTERVAL="-4h": expected at least one second'],
  ])("refuses to start with %j, naming the field", (env, message) => {
    const result = runCli(["serve"], { MEMSNAP_PORT: "0", ...env });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
  });
});
