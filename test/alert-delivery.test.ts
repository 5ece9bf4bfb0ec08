import { emailChannel } from "../src/alerts/notifiers/email";
import { slackChannel } from "../src/alerts/notifiers/slack";
import { testNotification, type Notification } from "../src/alerts/notification";
import { FAST_RETRY, FIRING, outboxFor, RESOLVED } from "./helpers/outbox";
import { SlackReceiver } from "./helpers/slack-receiver";
import { freeLoopbackPort } from "./helpers/listen";
import { SmtpReceiver } from "./helpers/smtp-receiver";

const emailEnv = (smtpUrl: string) => ({
  SMTP_URL: smtpUrl,
  ALERT_EMAIL_FROM: "memsnap <memsnap@example.com>",
  ALERT_EMAIL_TO: "oncall@example.com,dba@example.com",
});

describe("e-mail delivery", () => {
  let smtp: SmtpReceiver;

  beforeAll(async () => {
    smtp = await SmtpReceiver.start();
  });

  afterAll(() => smtp?.stop());

  it("delivers a plain-text and HTML mail with the subject, the recipients and the figures", async () => {
    const outbox = await outboxFor(emailEnv(smtp.url));
    const [entry] = outbox.send(FIRING);
    expect(await outbox.outcome(entry)).toBe("delivered");
    expect(await outbox.counts()).toEqual({ delivered: 1, retried: 0, dropped: 0 });
    await outbox.close();
    const [{ envelope, mail }] = await smtp.waitForMails(1);
    expect(envelope).toEqual({ from: "memsnap@example.com", to: ["oncall@example.com", "dba@example.com"] });
    expect(mail.subject).toBe("[memsnap] CRITICAL: UnaccountedMemoryCritical on prod-db");
    expect(mail.to).toMatchObject({ text: "oncall@example.com, dba@example.com" });
    for (const body of [mail.text!, mail.html as string]) {
      expect(body).toContain("812.4 MB of resident memory is not accounted for");
      expect(body).toContain("812.4 MB");
      expect(body).toContain("500 MB");
      expect(body).toContain("45 / 100 (critical)");
      expect(body).toContain("second advice");
      expect(body).toContain("third advice");
      expect(body).not.toContain("fourth advice");
      expect(body).toContain("https://memsnap.example.com/api/v1/memory-snapshot?target=prod-db");
    }
    expect(mail.text).toContain("Enable SQ8 on `docs`");
  });

  it("keeps retrying an SMTP server that refuses connections, counting each retry, until the notification is too old", async () => {
    const outbox = await outboxFor(emailEnv(`smtp://127.0.0.1:${await freeLoopbackPort()}`), { maxAgeMs: 600 });
    const [entry] = outbox.send(FIRING);
    expect(await outbox.outcome(entry)).toBe("dropped");
    const counts = await outbox.counts();
    expect(counts).toMatchObject({ delivered: 0, dropped: 1 });
    expect(counts.retried).toBeGreaterThan(FAST_RETRY.attempts);
    await outbox.close();
  });
});

describe("Slack delivery", () => {
  let slack: SlackReceiver;

  beforeAll(async () => {
    slack = await SlackReceiver.start();
  });

  beforeEach(() => {
    slack.posts.length = 0;
    slack.answerAlways({ status: 200 });
  });

  afterAll(() => slack?.stop());

  it("posts a Block Kit message with the facts and a colour per severity", async () => {
    const outbox = await outboxFor({ SLACK_WEBHOOK_URL: slack.url });
    expect(await outbox.outcome(outbox.send(FIRING)[0])).toBe("delivered");
    await outbox.close();
    const [payload] = slack.delivered;
    expect(payload.text).toBe("[memsnap] CRITICAL: UnaccountedMemoryCritical on prod-db");
    const [attachment] = payload.attachments;
    expect(attachment.color).toBe("#E01E5A");
    expect(attachment.blocks[0]).toEqual({
      type: "header",
      text: { type: "plain_text", text: "CRITICAL: UnaccountedMemoryCritical on prod-db" },
    });
    const everything = JSON.stringify(attachment.blocks);
    for (const fact of [
      "*Value*\\n812.4 MB",
      "*Threshold*\\n500 MB",
      "*Health score*\\n45 / 100 (critical)",
      "second advice",
    ]) {
      expect(everything).toContain(fact);
    }
    expect(attachment.blocks.at(-1)).toEqual({
      type: "context",
      elements: [
        {
          type: "mrkdwn",
          text: "<https://memsnap.example.com/api/v1/memory-snapshot?target=prod-db|Open the memory snapshot>",
        },
      ],
    });
  });

  it("waits for Retry-After when Slack answers 429 once, then delivers exactly once", async () => {
    slack.answerNext({ status: 429, headers: { "retry-after": "1" }, body: "rate_limited" });
    const outbox = await outboxFor({ SLACK_WEBHOOK_URL: slack.url });
    expect(await outbox.outcome(outbox.send(FIRING)[0])).toBe("delivered");
    expect(await outbox.counts()).toEqual({ delivered: 1, retried: 1, dropped: 0 });
    await outbox.close();
    expect(slack.posts.map((p) => p.status)).toEqual([429, 200]);
    expect(slack.posts[1].at - slack.posts[0].at).toBeGreaterThanOrEqual(950);
    expect(slack.delivered).toHaveLength(1);
  });

  it("waits no longer than the cap for a huge Retry-After, without overflowing a timer", async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on("warning", onWarning);
    slack.answerNext({ status: 429, headers: { "retry-after": "99999999" }, body: "rate_limited" });
    const outbox = await outboxFor(
      { SLACK_WEBHOOK_URL: slack.url },
      { retry: { ...FAST_RETRY, retry_after_cap: 700 } },
    );
    expect(await outbox.outcome(outbox.send(FIRING)[0])).toBe("delivered");
    await outbox.close();
    process.off("warning", onWarning);
    expect(slack.posts.map((p) => p.status)).toEqual([429, 200]);
    const waitedMs = slack.posts[1].at - slack.posts[0].at;
    expect(waitedMs).toBeGreaterThanOrEqual(650);
    expect(waitedMs).toBeLessThan(5000);
    expect(warnings.map((w) => w.name)).not.toContain("TimeoutOverflowWarning");
    expect(outbox.logs.find((l) => l.msg === "notification failed; retrying")).toMatchObject({ wait_ms: 700 });
  });

  it("sends a resolved notification only after its firing one, even when the firing one needed retries", async () => {
    slack.answerNext({ status: 500 }, { status: 503 }, { status: 500 });
    const outbox = await outboxFor({ SLACK_WEBHOOK_URL: slack.url });
    const [firing, resolved] = outbox.send(FIRING, RESOLVED);
    expect(await outbox.outcome(resolved)).toBe("delivered");
    expect(await outbox.outcome(firing)).toBe("delivered");
    await outbox.close();
    expect(slack.delivered.map((p) => p.text)).toEqual([
      "[memsnap] CRITICAL: UnaccountedMemoryCritical on prod-db",
      "[memsnap] RESOLVED: UnaccountedMemoryCritical on prod-db",
    ]);
  });

  it("drops an undelivered notification once older than the maximum age: logged and counted", async () => {
    slack.answerAlways({ status: 500, body: "internal" });
    const outbox = await outboxFor({ SLACK_WEBHOOK_URL: slack.url }, { maxAgeMs: 500 });
    const [entry] = outbox.send(FIRING);
    expect(await outbox.outcome(entry)).toBe("dropped");
    const counts = await outbox.counts();
    expect(counts).toMatchObject({ delivered: 0, dropped: 1 });
    expect(counts.retried).toBe(slack.posts.length);
    expect(outbox.logs.find((l) => l.msg === "notification dropped undelivered")).toMatchObject({
      level: "error",
      channel: "slack",
      target: "prod-db",
      kind: "firing",
      reason: "older than MEMSNAP_NOTIFY_MAX_AGE",
    });
    const postsAtDrop = slack.posts.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(slack.posts).toHaveLength(postsAtDrop);
    await outbox.close();
  });

  it("sends the notifications reloaded from the state file first, and drops those of a channel no longer configured", async () => {
    const outbox = await outboxFor({ SLACK_WEBHOOK_URL: slack.url });
    const saved = {
      id: "saved",
      channel: "slack" as const,
      createdAt: new Date().toISOString(),
      attempts: 4,
      nextAttemptAt: new Date().toISOString(),
      lastError: "Slack answered 500",
      notification: FIRING,
    };
    outbox.dispatcher.restore([saved, { ...saved, id: "mailed", channel: "email" }]);
    expect(outbox.dispatcher.pending().map((e) => e.id)).toEqual(["saved"]);
    const [fresh] = outbox.send(RESOLVED);
    expect(await outbox.outcome(fresh)).toBe("delivered");
    expect(slack.delivered.map((p) => p.text)).toEqual([
      "[memsnap] CRITICAL: UnaccountedMemoryCritical on prod-db",
      "[memsnap] RESOLVED: UnaccountedMemoryCritical on prod-db",
    ]);
    expect(await outbox.counts("email")).toEqual({ delivered: 0, retried: 0, dropped: 1 });
    expect(outbox.logs.find((l) => l.msg === "notification dropped undelivered")).toMatchObject({
      channel: "email",
      reason: "the email channel is no longer configured",
    });
    await outbox.close();
  });

  it("does not retry a webhook Slack refuses (404 no_service): dropped at once", async () => {
    slack.answerAlways({ status: 404, body: "no_service" });
    const outbox = await outboxFor({ SLACK_WEBHOOK_URL: slack.url });
    expect(await outbox.outcome(outbox.send(FIRING)[0])).toBe("dropped");
    expect(await outbox.counts()).toEqual({ delivered: 0, retried: 0, dropped: 1 });
    expect(slack.posts).toHaveLength(1);
    expect(outbox.logs.find((l) => l.msg === "notification dropped undelivered")?.reason).toContain(
      "check SLACK_WEBHOOK_URL",
    );
    await outbox.close();
  });
});

describe("message rendering", () => {
  const hostile: Notification = {
    ...FIRING,
    alerts: [{ ...FIRING.alerts[0], message: 'over 100 000 vectors: <script>alert("x")</script> & <!channel>' }],
  };

  it("escapes what the database named in HTML and in Slack mrkdwn", () => {
    expect(emailChannel.render(hostile).html).not.toContain("<script>");
    expect(emailChannel.render(hostile).html).toContain(
      "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;!channel&gt;",
    );
    const slackText = JSON.stringify(slackChannel.render(hostile));
    expect(slackText).not.toContain("<!channel>");
    expect(slackText).toContain("&lt;!channel&gt;");
  });

  it.each<[Notification["kind"], string, string]>([
    ["firing", "[memsnap] CRITICAL: UnaccountedMemoryCritical on prod-db", "#E01E5A"],
    ["reminder", "[memsnap] STILL CRITICAL: UnaccountedMemoryCritical on prod-db", "#E01E5A"],
    ["resolved", "[memsnap] RESOLVED: UnaccountedMemoryCritical on prod-db", "#2EB67D"],
  ])("names a %s notification in its subject and colours it", (kind, subject, color) => {
    expect(emailChannel.render({ ...FIRING, kind }).subject).toBe(subject);
    expect(slackChannel.render({ ...FIRING, kind }).attachments?.[0].color).toBe(color);
  });

  it("colours a warning amber", () => {
    const warning: Notification = { ...FIRING, alerts: [{ ...FIRING.alerts[0], severity: "warning" }] };
    expect(slackChannel.render(warning).attachments?.[0].color).toBe("#ECB22E");
  });

  it("lists every alert of a grouped notification, the top one first", () => {
    const grouped: Notification = {
      ...FIRING,
      alerts: [
        {
          ...FIRING.alerts[0],
          alertname: "OverheadCritical",
          message: "memory overhead is 156 % of what the collections hold (over 100 %)",
          value: 156,
          threshold: 100,
          unit: " %",
        },
        FIRING.alerts[0],
        {
          ...FIRING.alerts[0],
          alertname: "HealthScoreCritical",
          message: "memory health score is 40 (under 50)",
          value: 40,
          threshold: 50,
          unit: "",
        },
      ],
    };
    const mail = emailChannel.render(grouped);
    expect(mail.subject).toBe(
      "[memsnap] CRITICAL: OverheadCritical, UnaccountedMemoryCritical, HealthScoreCritical on prod-db",
    );
    expect(mail.text).toContain("Value:        156 %");
    expect(mail.text).toContain("Also firing:\n  - UnaccountedMemoryCritical (critical): 812.4 MB");
    expect(mail.text).toContain("  - HealthScoreCritical (critical): memory health score is 40 (under 50)");
    expect(JSON.stringify(slackChannel.render(grouped))).toContain(
      "*Also firing*\\n• UnaccountedMemoryCritical (critical)",
    );
  });

  it("marks the test message as a test in every rendering", () => {
    const rendered = emailChannel.render(testNotification(null));
    expect(rendered.subject).toMatch(/^\[memsnap TEST\]/);
    expect(rendered.text).toContain("No alert is firing");
    expect(JSON.stringify(slackChannel.render(testNotification(null)))).toContain("TEST: memsnap alert wiring check");
  });
});
