import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { getJson, startTestDaemon, untilReady, waitFor, type TestDaemon } from "./helpers/daemon";
import { HeldMemoryDatabase, QUIET_OVERHEAD_MIN_MB } from "./helpers/held-memory";
import { SlackReceiver } from "./helpers/slack-receiver";
import { freeLoopbackPort } from "./helpers/listen";
import { SmtpReceiver } from "./helpers/smtp-receiver";

const ALERT = "UnaccountedMemoryCritical";
const HELD_MB = 200;

/**
 * A database whose process holds the memory: over 150 MB unaccounted is critical, the overhead
 * codes stay quiet. Scheduled samples come only from the start and the test.
 */
function alertEnv(
  name: string,
  held: HeldMemoryDatabase,
  dataDir: string,
  channels: Record<string, string>,
): Record<string, string> {
  return {
    ...held.env(name),
    MEMSNAP_SCHEDULE: "0 0 0 1 1 *",
    MEMSNAP_UNACCOUNTED_CRITICAL_MB: "150",
    MEMSNAP_OVERHEAD_MIN_MB: String(QUIET_OVERHEAD_MIN_MB),
    MEMSNAP_DATA_DIR: dataDir,
    MEMSNAP_ALERT_RETRY_ATTEMPTS: "3",
    MEMSNAP_ALERT_RETRY_BASE_DELAY: "20ms",
    ...channels,
  };
}

const dataDirs: string[] = [];
function freshDataDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "memsnap-alerts-"));
  dataDirs.push(dir);
  return dir;
}

/** A scheduled sample of the target, taken now: the kind that advances alerts (a ?fresh=true one does not). */
async function sample(daemon: TestDaemon, target: string): Promise<void> {
  await daemon.monitor.sampleScheduled(target);
}

async function alertOf(daemon: TestDaemon, target: string): Promise<any> {
  const { body } = await getJson(`${daemon.url}/api/v1/alerts?target=${target}`);
  return body.alerts.find((a: { alertname: string }) => a.alertname === ALERT);
}

/** Samples until the alert reaches `state`, or fails at the deadline. */
function sampleUntil(daemon: TestDaemon, target: string, state: string): Promise<any> {
  return waitFor(async () => {
    await sample(daemon, target);
    const alert = await alertOf(daemon, target);
    return alert?.state === state ? alert : undefined;
  }, `${ALERT} on ${target} to be ${state}`);
}

/** Waits until no delivery of the alert is pending; resolves with the alert. */
function settled(daemon: TestDaemon, target: string): Promise<any> {
  return waitFor(async () => {
    const alert = await alertOf(daemon, target);
    return Object.values(alert?.last_notification?.channels ?? { x: "pending" }).includes("pending")
      ? undefined
      : alert;
  }, "deliveries to settle");
}

async function metric(daemon: TestDaemon, series: string): Promise<number | undefined> {
  const text = await (await fetch(`${daemon.url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const firingSeries = (target: string) =>
  `memsnap_alert_firing{alertname="${ALERT}",severity="critical",target="${target}"}`;
const sentTo = (channel: string, outcome: string) =>
  `memsnap_notifications_total{channel="${channel}",outcome="${outcome}"}`;

describe("alerting in the daemon", () => {
  let slack: SlackReceiver;
  let smtp: SmtpReceiver;
  const started: Array<{ stop(): Promise<void> }> = [];
  const slackFor = (target: string) =>
    slack.delivered.filter((p) => p.text.includes(` on ${target}`)).map((p) => p.text as string);
  const mailsFor = (target: string) =>
    smtp.received.filter((m) => m.mail.subject!.includes(` on ${target}`)).map((m) => m.mail.subject);
  const channels = () => ({
    SLACK_WEBHOOK_URL: slack.url,
    SMTP_URL: smtp.url,
    ALERT_EMAIL_FROM: "memsnap@example.com",
    ALERT_EMAIL_TO: "oncall@example.com",
  });

  async function database(heldMb: number): Promise<HeldMemoryDatabase> {
    const held = await HeldMemoryDatabase.start(heldMb);
    started.push(held);
    return held;
  }

  async function daemon(env: Record<string, string>): Promise<TestDaemon> {
    const d = await startTestDaemon(env);
    started.push(d);
    await untilReady(d);
    return d;
  }

  beforeAll(async () => {
    [slack, smtp] = await Promise.all([SlackReceiver.start(), SmtpReceiver.start()]);
  });

  afterAll(async () => {
    for (const thing of started.reverse()) await thing.stop();
    await Promise.all([slack?.stop(), smtp?.stop()]);
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  it("sends one firing message to Slack and by e-mail for a critical condition over 10 scheduled samples, and one resolved message when it clears", async () => {
    const held = await database(HELD_MB);
    const d = await daemon(alertEnv("held", held, freshDataDir(), channels()));
    for (let i = 1; i < 10; i++) await sample(d, "held");
    const firing = await settled(d, "held");
    expect(firing).toMatchObject({ state: "firing", severity: "critical", threshold: 150, inhibited_by: null });
    expect(firing.last_notification).toMatchObject({
      kind: "firing",
      channels: { slack: "delivered", email: "delivered" },
    });
    expect(await metric(d, firingSeries("held"))).toBe(1);
    expect(slackFor("held")).toEqual([`[memsnap] CRITICAL: ${ALERT} on held`]);
    expect(mailsFor("held")).toEqual([`[memsnap] CRITICAL: ${ALERT} on held`]);
    const mail = smtp.received.find((m) => m.mail.subject!.includes(" on held"))!;
    expect(mail.envelope.to).toEqual(["oncall@example.com"]);
    expect(mail.mail.text).toContain(`Value:`);
    expect(mail.mail.text).toContain(`${firing.value} MB`);
    expect(mail.mail.text).toContain(`${d.url}/api/v1/memory-snapshot?target=held`);

    await held.allocator.free();
    await sampleUntil(d, "held", "resolved");
    for (let i = 0; i < 3; i++) await sample(d, "held");
    const resolved = await settled(d, "held");
    expect(resolved.last_notification).toMatchObject({
      kind: "resolved",
      channels: { slack: "delivered", email: "delivered" },
    });
    expect(slackFor("held")).toEqual([`[memsnap] CRITICAL: ${ALERT} on held`, `[memsnap] RESOLVED: ${ALERT} on held`]);
    expect(mailsFor("held")).toEqual([`[memsnap] CRITICAL: ${ALERT} on held`, `[memsnap] RESOLVED: ${ALERT} on held`]);
    expect(await metric(d, firingSeries("held"))).toBe(0);
  });

  it("sends nothing new when restarted while an alert fires, and resolves it after the restart", async () => {
    const held = await database(HELD_MB);
    const dataDir = freshDataDir();
    const first = await daemon(alertEnv("restarted", held, dataDir, channels()));
    const firing = await settled(first, "restarted");
    await first.stop();
    const saved = JSON.parse(readFileSync(path.join(dataDir, "alerts-state.json"), "utf8"));
    expect(saved.alerts).toEqual(
      expect.arrayContaining([expect.objectContaining({ target: "restarted", alertname: ALERT, phase: "firing" })]),
    );

    const second = await daemon(alertEnv("restarted", held, dataDir, channels()));
    for (let i = 0; i < 3; i++) await sample(second, "restarted");
    expect(await alertOf(second, "restarted")).toMatchObject({
      state: "firing",
      since: firing.since,
      last_notification: { at: firing.last_notification.at },
    });
    expect(await metric(second, firingSeries("restarted"))).toBe(1);
    await held.allocator.free();
    await sampleUntil(second, "restarted", "resolved");
    await settled(second, "restarted");
    expect(slackFor("restarted")).toEqual([
      `[memsnap] CRITICAL: ${ALERT} on restarted`,
      `[memsnap] RESOLVED: ${ALERT} on restarted`,
    ]);
    expect(mailsFor("restarted")).toEqual([
      `[memsnap] CRITICAL: ${ALERT} on restarted`,
      `[memsnap] RESOLVED: ${ALERT} on restarted`,
    ]);
    expect(await metric(second, sentTo("slack", "delivered"))).toBe(1);
  });

  it("keeps sampling and delivering to Slack while the SMTP server refuses connections", async () => {
    const closedPort = await freeLoopbackPort();
    const held = await database(HELD_MB);
    const d = await daemon(
      alertEnv("smtp-down", held, freshDataDir(), { ...channels(), SMTP_URL: `smtp://127.0.0.1:${closedPort}` }),
    );
    await waitFor(
      async () => ((await metric(d, sentTo("email", "retried")))! >= 2 ? true : undefined),
      "two e-mail retries",
    );
    const alert = await alertOf(d, "smtp-down");
    expect(alert.last_notification.channels).toEqual({ slack: "delivered", email: "pending" });
    expect(await metric(d, sentTo("email", "dropped"))).toBe(0);
    expect(await metric(d, sentTo("slack", "delivered"))).toBe(1);
    expect(slackFor("smtp-down")).toEqual([`[memsnap] CRITICAL: ${ALERT} on smtp-down`]);
    await sample(d, "smtp-down");
    expect((await fetch(`${d.url}/readyz`)).status).toBe(200);
  });

  it("evaluates, exposes and keeps alerts with no channel configured", async () => {
    const held = await database(HELD_MB);
    const dataDir = freshDataDir();
    const d = await daemon(alertEnv("quiet", held, dataDir, {}));
    const { body } = await getJson(`${d.url}/api/v1/alerts`);
    expect(body.enabled).toBe(true);
    expect(body.routes).toEqual([]);
    expect(body.alerts.find((a: { alertname: string }) => a.alertname === ALERT)).toMatchObject({
      state: "firing",
      last_notification: { kind: "firing", channels: {} },
    });
    expect(await metric(d, firingSeries("quiet"))).toBe(1);
    const stateFile = path.join(dataDir, "alerts-state.json");
    await waitFor(
      () => (existsSync(stateFile) && readFileSync(stateFile, "utf8").includes(ALERT) ? true : undefined),
      "the state file",
    );
  });

  it("with MEMSNAP_ALERTS=off evaluates nothing, exposes nothing and sends nothing", async () => {
    const held = await database(HELD_MB);
    const d = await daemon(alertEnv("off", held, freshDataDir(), { ...channels(), MEMSNAP_ALERTS: "off" }));
    await sample(d, "off");
    const { body } = await getJson(`${d.url}/api/v1/alerts`);
    expect(body).toMatchObject({ enabled: false, alerts: [] });
    expect(await metric(d, firingSeries("off"))).toBeUndefined();
    expect(await metric(d, sentTo("slack", "delivered"))).toBeUndefined();
    const snapshot = await getJson(`${d.url}/api/v1/memory-snapshot?target=off`);
    expect(snapshot.body.findings.map((f: { code: string }) => f.code)).toContain(ALERT);
    expect(slackFor("off")).toEqual([]);
  });

  it.each([
    ["?target=nope", 404, "unknown_target", { known_targets: ["api"] }],
    ["?target=api&target=api", 400, "bad_parameter", { parameter: "target" }],
  ])("answers GET /api/v1/alerts%s with %i", async (query, status, code, details) => {
    const held = await database(0);
    const d = await daemon(alertEnv("api", held, freshDataDir(), {}));
    const response = await getJson(`${d.url}/api/v1/alerts${query}`);
    expect(response).toEqual({ status, body: { error: expect.any(String), code, details } });
  });
});
