import { webhookChannel } from "../src/alerts/notifiers/webhook";
import type { Notification } from "../src/alerts/notification";
import { runCliAsync } from "./helpers/cli";
import { FIRING, outboxFor, RESOLVED } from "./helpers/outbox";
import { SlackReceiver } from "./helpers/slack-receiver";

const TOKEN = "webhook-bearer-token-0123";

const GROUPED: Notification = {
  ...FIRING,
  alerts: [
    {
      ...FIRING.alerts[0],
      alertname: "OverheadCritical",
      message: "memory overhead is 156 %",
      value: 156,
      threshold: 100,
      unit: " %",
    },
    FIRING.alerts[0],
  ],
};

describe("the webhook channel (Alertmanager's webhook payload)", () => {
  let receiver: SlackReceiver;

  beforeAll(async () => {
    receiver = await SlackReceiver.start();
  });

  beforeEach(() => {
    receiver.posts.length = 0;
    receiver.answerAlways({ status: 200 });
  });

  afterAll(() => receiver?.stop());

  it("POSTs one JSON document per notification, version 4, with the bearer token, to a real receiver", async () => {
    const outbox = await outboxFor({ MEMSNAP_WEBHOOK_URL: receiver.url, MEMSNAP_WEBHOOK_TOKEN: TOKEN });
    expect(await outbox.outcome(outbox.send(GROUPED)[0])).toBe("delivered");
    await outbox.close();
    const [post] = receiver.posts;
    expect(receiver.posts).toHaveLength(1);
    expect(post.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(post.headers["content-type"]).toBe("application/json");
    expect(post.payload).toEqual({
      version: "4",
      groupKey: '{}:{target="prod-db"}',
      truncatedAlerts: 0,
      status: "firing",
      receiver: "memsnap",
      groupLabels: { target: "prod-db" },
      commonLabels: { severity: "critical", target: "prod-db" },
      commonAnnotations: {},
      externalURL: "https://memsnap.example.com",
      alerts: [
        {
          status: "firing",
          labels: { alertname: "OverheadCritical", severity: "critical", target: "prod-db" },
          annotations: {
            summary: "memory overhead is 156 %",
            value: "156 %",
            threshold: "100 %",
            runbook_url: "docs/runbook.md#overheadcritical",
          },
          startsAt: "2025-03-01T10:00:00.000Z",
          endsAt: "0001-01-01T00:00:00Z",
          generatorURL: "https://memsnap.example.com/api/v1/memory-snapshot?target=prod-db",
          fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
        },
        expect.objectContaining({
          status: "firing",
          labels: { alertname: "UnaccountedMemoryCritical", severity: "critical", target: "prod-db" },
        }),
      ],
    });
    const [first, second] = post.payload.alerts;
    expect(first.fingerprint).not.toBe(second.fingerprint);
  });

  it("says resolved, with endsAt, for a resolved notification, and keeps an alert's fingerprint", () => {
    const firing = webhookChannel.render(FIRING);
    const resolved = webhookChannel.render(RESOLVED);
    expect(resolved).toMatchObject({
      status: "resolved",
      alerts: [{ status: "resolved", endsAt: "2025-03-01T10:05:00.000Z" }],
    });
    expect(resolved.commonAnnotations).toMatchObject({ summary: FIRING.alerts[0].message });
    expect(resolved.alerts[0].fingerprint).toBe(firing.alerts[0].fingerprint);
  });

  it("sends no Authorization header without a token, retries a 503 and drops a 401", async () => {
    receiver.answerNext(
      { status: 503, headers: { "retry-after": "0" } },
      { status: 200 },
      { status: 401, body: "bad token" },
    );
    const outbox = await outboxFor({ MEMSNAP_WEBHOOK_URL: receiver.url });
    const [retried, refused] = outbox.send(FIRING, RESOLVED);
    expect(await outbox.outcome(retried)).toBe("delivered");
    expect(await outbox.outcome(refused)).toBe("dropped");
    expect(await outbox.counts()).toEqual({ delivered: 1, retried: 1, dropped: 1 });
    expect(receiver.posts.map((p) => p.headers.authorization)).toEqual([undefined, undefined, undefined]);
    expect(outbox.logs.find((l) => l.msg === "notification dropped undelivered")?.reason).toContain(
      "check MEMSNAP_WEBHOOK_URL and MEMSNAP_WEBHOOK_TOKEN",
    );
    await outbox.close();
  });

  it("carries the test message of `memsnap alerts test --channel webhook`", async () => {
    const result = await runCliAsync(["alerts", "test", "--channel", "webhook"], {
      MEMSNAP_WEBHOOK_URL: receiver.url,
      MEMSNAP_WEBHOOK_TOKEN: TOKEN,
    });
    expect(result).toMatchObject({ status: 0, stdout: "test message delivered by webhook (attempt 1)\n" });
    expect(receiver.posts).toHaveLength(1);
    expect(receiver.posts[0].payload).toMatchObject({
      version: "4",
      status: "firing",
      groupLabels: {},
      alerts: [
        {
          labels: { alertname: "MemsnapTest" },
          annotations: { summary: expect.stringContaining("memsnap alerts test --channel webhook") },
        },
      ],
    });
  });
});
