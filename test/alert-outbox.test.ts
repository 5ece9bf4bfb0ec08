import { readFileSync } from "node:fs";
import path from "node:path";
import { startServe, type ServeProcess } from "./helpers/cli";
import { metricSamples, waitFor } from "./helpers/daemon";
import { HeldMemoryDatabase } from "./helpers/held-memory";
import { scratchDir } from "./helpers/scratch";
import { SlackReceiver } from "./helpers/slack-receiver";
import { SmtpReceiver } from "./helpers/smtp-receiver";

/**
 * Real `memsnap serve` processes watching a database (collections of a few bytes) whose small real
 * process holds the memory: over 1 MB unaccounted is critical, so an alert fires at the first
 * scheduled sample (every second) and stays firing.
 */
describe("the notification outbox of a real daemon", () => {
  const scratch = scratchDir("delivery-outbox");
  let slack: SlackReceiver;
  let watched: HeldMemoryDatabase;
  const running = new Set<ServeProcess>();
  let runs = 0;

  beforeAll(async () => {
    [slack, watched] = await Promise.all([SlackReceiver.start(), HeldMemoryDatabase.start()]);
  });

  beforeEach(() => {
    slack.posts.length = 0;
    slack.answerAlways({ status: 200 });
  });

  afterEach(async () => {
    for (const serve of running) await stop(serve);
  });

  afterAll(async () => {
    await Promise.all([slack?.stop(), watched?.stop()]);
  });

  function env(dataDir: string, extra: Record<string, string>): Record<string, string> {
    return {
      MEMSNAP_HOST: "127.0.0.1",
      ...watched.env("watched"),
      MEMSNAP_SCHEDULE: "* * * * * *",
      MEMSNAP_UNACCOUNTED_CRITICAL_MB: "1",
      MEMSNAP_DATA_DIR: dataDir,
      MEMORY_OUTPUT_DIR: path.join(dataDir, "out"),
      MEMSNAP_ALERT_RETRY_BASE_DELAY: "100ms",
      MEMSNAP_ALERT_RETRY_MAX_DELAY: "800ms",
      ...extra,
    };
  }

  async function serve(dataDir: string, extra: Record<string, string>): Promise<ServeProcess> {
    const started = await startServe(env(dataDir, extra));
    running.add(started);
    return started;
  }

  async function stop(serve: ServeProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    running.delete(serve);
    if (serve.child.exitCode === null && serve.child.signalCode === null) serve.child.kill(signal);
    await serve.exited;
  }

  const freshDataDir = () => path.join(scratch, `run-${++runs}`);
  const counter = async (serve: ServeProcess, channel: string, outcome: string) =>
    metricSamples(await (await fetch(`${serve.url}/metrics`)).text()).get(
      `memsnap_notifications_total{channel="${channel}",outcome="${outcome}"}`,
    );
  const outboxIn = (dataDir: string) =>
    JSON.parse(readFileSync(path.join(dataDir, "alerts-state.json"), "utf8")).outbox;
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it("delivers exactly once when Slack answers 500 through an outage spanning many retries, then 200", async () => {
    slack.answerAlways({ status: 500, body: "internal" });
    const daemon = await serve(freshDataDir(), { SLACK_WEBHOOK_URL: slack.url });
    await slack.waitForPosts(1);
    await pause(6000);
    const failedPosts = slack.posts.length;
    expect(failedPosts).toBeGreaterThanOrEqual(5);
    slack.answerAlways({ status: 200 });
    await waitFor(() => (slack.delivered.length > 0 ? true : undefined), "the delivery");
    await pause(2500);
    expect(slack.delivered).toHaveLength(1);
    expect(slack.posts).toHaveLength(failedPosts + 1);
    expect(await counter(daemon, "slack", "retried")).toBe(failedPosts);
    expect(await counter(daemon, "slack", "delivered")).toBe(1);
  }, 30_000);

  it.each<[string, NodeJS.Signals]>([
    ["stopped (SIGTERM)", "SIGTERM"],
    ["killed (SIGKILL)", "SIGKILL"],
  ])(
    "delivers exactly once after the daemon is %s while a send is being retried",
    async (_, signal) => {
      const dataDir = freshDataDir();
      slack.answerAlways({ status: 500, body: "internal" });
      const first = await serve(dataDir, { SLACK_WEBHOOK_URL: slack.url });
      await slack.waitForPosts(3);
      await stop(first, signal);
      const [pending] = outboxIn(dataDir);
      expect(outboxIn(dataDir)).toHaveLength(1);
      expect(pending).toMatchObject({ channel: "slack", notification: { kind: "firing", target: "watched" } });
      expect(pending.attempts).toBeGreaterThanOrEqual(1);
      expect(slack.delivered).toHaveLength(0);

      slack.answerAlways({ status: 200 });
      const second = await serve(dataDir, { SLACK_WEBHOOK_URL: slack.url });
      await waitFor(() => (slack.delivered.length > 0 ? true : undefined), "the delivery after the restart");
      await pause(2500);
      expect(slack.delivered).toHaveLength(1);
      expect(slack.delivered[0].text).toMatch(/^\[memsnap\] CRITICAL: .*UnaccountedMemoryCritical.* on watched$/);
      expect(await counter(second, "slack", "delivered")).toBe(1);
      await waitFor(() => (outboxIn(dataDir).length === 0 ? true : undefined), "the outbox to be written empty");
    },
    30_000,
  );

  it("waits at most the 10-minute cap for Retry-After: 99999999, without a timer overflow warning", async () => {
    const dataDir = freshDataDir();
    slack.answerAlways({ status: 429, headers: { "retry-after": "99999999" }, body: "rate_limited" });
    const daemon = await serve(dataDir, { SLACK_WEBHOOK_URL: slack.url });
    await slack.waitForPosts(1);
    await waitFor(() => (outboxIn(dataDir)[0]?.attempts === 1 ? true : undefined), "the retry to be written");
    const waitMs = Date.parse(outboxIn(dataDir)[0].nextAttemptAt) - slack.posts[0].at;
    expect(waitMs).toBeGreaterThan(590_000);
    expect(waitMs).toBeLessThanOrEqual(601_000);
    expect(daemon.logs.find((l) => l.msg === "notification failed; retrying")).toMatchObject({
      channel: "slack",
      wait_ms: 600_000,
    });
    await pause(2500);
    expect(slack.posts).toHaveLength(1);
    await stop(daemon);
    expect(daemon.stderr()).not.toContain("TimeoutOverflowWarning");
    expect(daemon.stderr()).toBe("");
  }, 30_000);

  it("drops a notification still undelivered at MEMSNAP_NOTIFY_MAX_AGE: logged and counted, never sent again", async () => {
    const dataDir = freshDataDir();
    slack.answerAlways({ status: 500, body: "internal" });
    const daemon = await serve(dataDir, { SLACK_WEBHOOK_URL: slack.url, MEMSNAP_NOTIFY_MAX_AGE: "2s" });
    const dropped = await waitFor(
      () => daemon.logs.find((l) => l.msg === "notification dropped undelivered"),
      "the drop",
    );
    expect(dropped).toMatchObject({
      level: "error",
      channel: "slack",
      target: "watched",
      kind: "firing",
      reason: "older than MEMSNAP_NOTIFY_MAX_AGE",
    });
    expect(await counter(daemon, "slack", "dropped")).toBe(1);
    const postsAtDrop = slack.posts.length;
    await pause(1500);
    expect(slack.posts).toHaveLength(postsAtDrop);
    await waitFor(() => (outboxIn(dataDir).length === 0 ? true : undefined), "the outbox to be written empty");
  }, 30_000);

  it("delivers an e-mail exactly once when the stopped SMTP server comes back", async () => {
    const smtp = await SmtpReceiver.start();
    const port = smtp.port;
    await smtp.stop();
    const daemon = await serve(freshDataDir(), {
      SMTP_URL: `smtp://127.0.0.1:${port}`,
      ALERT_EMAIL_FROM: "memsnap@example.com",
      ALERT_EMAIL_TO: "oncall@example.com",
    });
    await waitFor(
      async () => ((await counter(daemon, "email", "retried"))! >= 3 ? true : undefined),
      "three e-mail retries",
    );
    const back = await SmtpReceiver.start(port);
    try {
      const [mail] = await back.waitForMails(1);
      expect(mail.mail.subject).toMatch(/^\[memsnap\] CRITICAL: .*UnaccountedMemoryCritical.* on watched$/);
      await pause(2500);
      expect(back.received).toHaveLength(1);
      expect(await counter(daemon, "email", "delivered")).toBe(1);
      expect(await counter(daemon, "email", "dropped")).toBe(0);
    } finally {
      await stop(daemon);
      await back.stop();
    }
  }, 30_000);
});
