import { Registry } from "prom-client";
import { Dispatcher, type DeliveryStatus } from "../src/alerts/dispatcher";
import { renderAlert, renderTest, type AlertFacts } from "../src/alerts/message";
import { AlertMetrics } from "../src/alerts/metrics";
import { EmailNotifier } from "../src/alerts/notifiers/email";
import type { Channel, Notifier } from "../src/alerts/notifiers/notifier";
import { SlackNotifier } from "../src/alerts/notifiers/slack";
import type { EmailConfig } from "../src/config/alerting";
import { createLogger } from "../src/log";
import { SlackReceiver } from "./helpers/slack-receiver";
import { freeLoopbackPort } from "./helpers/listen";
import { SmtpReceiver } from "./helpers/smtp-receiver";

const FAST_RETRY = { attempts: 3, base_delay: 20, max_delay: 100 };

const FACTS: AlertFacts = {
  kind: "firing",
  target: "prod-db",
  alertname: "UnaccountedMemoryCritical",
  severity: "critical",
  message: "812.4 MB of resident memory is not accounted for by any collection (over 500 MB): look for a leak",
  value: 812.4,
  threshold: 500,
  since: "2025-03-01T10:00:00.000Z",
  healthScore: 45,
  healthStatus: "critical",
  recommendations: ["Enable SQ8 on `docs` (1.2 M vectors × 768 dims): saves ~2.6 GB", "second advice", "third advice", "fourth advice"],
  snapshotUrl: "https://memsnap.example.com/api/v1/memory-snapshot?target=prod-db",
};

function emailConfig(smtpUrl: string): EmailConfig {
  return { smtp_url: smtpUrl, smtp_secure: false, from: "memsnap <memsnap@example.com>", to: ["oncall@example.com", "dba@example.com"], severities: ["critical"] };
}

/** Delivers one message on one channel through the dispatcher; resolves with the outcome and the counters. */
async function deliver(notifier: Notifier, message = renderAlert(FACTS)) {
  const registry = new Registry();
  const metrics = new AlertMetrics(registry, () => {});
  const dispatcher = new Dispatcher(new Map<Channel, Notifier>([[notifier.channel, notifier]]), FAST_RETRY, metrics, createLogger("silent"));
  const status = await new Promise<DeliveryStatus>((resolve) =>
    dispatcher.dispatch(message, [notifier.channel], { target: "prod-db", alertname: FACTS.alertname, kind: "firing" }, (_, s) => resolve(s)),
  );
  await dispatcher.close(0);
  const counter = (await registry.getSingleMetric("memsnap_notifications_total")!.get()).values;
  const counts = Object.fromEntries(counter.filter((v) => v.labels.channel === notifier.channel).map((v) => [v.labels.outcome, v.value]));
  return { status, counts };
}

describe("e-mail delivery", () => {
  let smtp: SmtpReceiver;

  beforeAll(async () => {
    smtp = await SmtpReceiver.start();
  });

  afterAll(() => smtp?.stop());

  it("delivers a plain-text and HTML mail with the subject, the recipients and the figures", async () => {
    const { status, counts } = await deliver(new EmailNotifier(emailConfig(smtp.url)));
    expect(status).toBe("sent");
    expect(counts).toEqual({ sent: 1, failed: 0, retried: 0 });
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

  it("retries an SMTP server that refuses connections, then counts the message failed", async () => {
    const { status, counts } = await deliver(new EmailNotifier(emailConfig(`smtp://127.0.0.1:${await freeLoopbackPort()}`)));
    expect(status).toBe("failed");
    expect(counts).toEqual({ sent: 0, failed: 1, retried: FAST_RETRY.attempts - 1 });
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
    const { status } = await deliver(new SlackNotifier(slack.url));
    expect(status).toBe("sent");
    const [payload] = slack.delivered;
    expect(payload.text).toBe("[memsnap] CRITICAL: UnaccountedMemoryCritical on prod-db");
    const [attachment] = payload.attachments;
    expect(attachment.color).toBe("#E01E5A");
    expect(attachment.blocks[0]).toEqual({ type: "header", text: { type: "plain_text", text: "CRITICAL: UnaccountedMemoryCritical on prod-db" } });
    const everything = JSON.stringify(attachment.blocks);
    for (const fact of ["*Value*\\n812.4 MB", "*Threshold*\\n500 MB", "*Health score*\\n45 / 100 (critical)", "second advice"]) {
      expect(everything).toContain(fact);
    }
    expect(attachment.blocks.at(-1)).toEqual({
      type: "context",
      elements: [{ type: "mrkdwn", text: "<https://memsnap.example.com/api/v1/memory-snapshot?target=prod-db|Open the memory snapshot>" }],
    });
  });

  it("waits for Retry-After when Slack answers 429 once, then delivers exactly once", async () => {
    slack.answerNext({ status: 429, headers: { "retry-after": "1" }, body: "rate_limited" });
    const { status, counts } = await deliver(new SlackNotifier(slack.url));
    expect(status).toBe("sent");
    expect(counts).toEqual({ sent: 1, failed: 0, retried: 1 });
    expect(slack.posts.map((p) => p.status)).toEqual([429, 200]);
    expect(slack.posts[1].at - slack.posts[0].at).toBeGreaterThanOrEqual(950);
    expect(slack.delivered).toHaveLength(1);
  });

  it("gives up after the bounded attempts when Slack answers 500 forever", async () => {
    slack.answerAlways({ status: 500, body: "internal" });
    const { status, counts } = await deliver(new SlackNotifier(slack.url));
    expect(status).toBe("failed");
    expect(counts).toEqual({ sent: 0, failed: 1, retried: FAST_RETRY.attempts - 1 });
    expect(slack.posts).toHaveLength(FAST_RETRY.attempts);
  });

  it("does not retry a webhook Slack refuses (404 no_service)", async () => {
    slack.answerAlways({ status: 404, body: "no_service" });
    const { status, counts } = await deliver(new SlackNotifier(slack.url));
    expect(status).toBe("failed");
    expect(counts).toEqual({ sent: 0, failed: 1, retried: 0 });
    expect(slack.posts).toHaveLength(1);
  });
});

describe("message rendering", () => {
  const hostile = { ...FACTS, message: 'over 100 000 vectors: <script>alert("x")</script> & <!channel>' };

  it("escapes what the database named in HTML and in Slack mrkdwn", () => {
    const rendered = renderAlert(hostile);
    expect(rendered.html).not.toContain("<script>");
    expect(rendered.html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;!channel&gt;");
    const slackText = JSON.stringify(rendered.slack);
    expect(slackText).not.toContain("<!channel>");
    expect(slackText).toContain("&lt;!channel&gt;");
  });

  it.each<[AlertFacts["kind"], string, string]>([
    ["firing", "[memsnap] CRITICAL: UnaccountedMemoryCritical on prod-db", "#E01E5A"],
    ["reminder", "[memsnap] STILL CRITICAL: UnaccountedMemoryCritical on prod-db", "#E01E5A"],
    ["resolved", "[memsnap] RESOLVED: UnaccountedMemoryCritical on prod-db", "#2EB67D"],
  ])("names a %s notification in its subject and colours it", (kind, subject, color) => {
    const rendered = renderAlert({ ...FACTS, kind });
    expect(rendered.subject).toBe(subject);
    expect(rendered.slack.attachments?.[0].color).toBe(color);
  });

  it("colours a warning amber", () => {
    expect(renderAlert({ ...FACTS, severity: "warning" }).slack.attachments?.[0].color).toBe("#ECB22E");
  });

  it("marks the test message as a test in every rendering", () => {
    const rendered = renderTest("email", null);
    expect(rendered.subject).toMatch(/^\[memsnap TEST\]/);
    expect(rendered.text).toContain("No alert is firing");
    expect(JSON.stringify(rendered.slack)).toContain("TEST: memsnap alert wiring check");
  });
});
