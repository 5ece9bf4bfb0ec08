import { readFileSync } from "node:fs";
import path from "node:path";
import { Registry } from "prom-client";
import { Alerter } from "../src/alerts/alerter";
import { groupNotifications, type TargetContext } from "../src/alerts/grouping";
import type { Route } from "../src/alerts/router";
import { alertRules, evaluate, type AlertBook } from "../src/alerts/state";
import { loadConfig } from "../src/config/load";
import { createLogger } from "../src/log";
import { parseSnapshotJson } from "../src/snapshot/read";
import type { Snapshot } from "../src/snapshot/schema";
import { waitFor } from "./helpers/daemon";
import { scratchDir } from "./helpers/scratch";
import { SlackReceiver } from "./helpers/slack-receiver";
import { SmtpReceiver } from "./helpers/smtp-receiver";

const SEED_EXAMPLE = readFileSync(path.join(__dirname, "fixtures/seed-example-snapshot.json"), "utf8");
const CRITICAL_CODES = ["OverheadCritical", "UnaccountedMemoryCritical", "HealthScoreCritical"];

describe("page once per cause", () => {
  const scratch = scratchDir("delivery-grouping");
  let slack: SlackReceiver;
  let smtp: SmtpReceiver;
  let alerter: Alerter;
  let seed: Snapshot;

  beforeAll(async () => {
    [slack, smtp] = await Promise.all([SlackReceiver.start(), SmtpReceiver.start()]);
    const config = loadConfig({
      SLACK_WEBHOOK_URL: slack.url,
      SMTP_URL: smtp.url,
      ALERT_EMAIL_FROM: "memsnap@example.com",
      ALERT_EMAIL_TO: "oncall@example.com",
      MEMSNAP_DATA_DIR: scratch,
    });
    seed = parseSnapshotJson(SEED_EXAMPLE, config.thresholds);
    const options = {
      config,
      log: createLogger("silent"),
      registry: new Registry(),
      invalidate: () => undefined,
      targets: ["seed"],
      baseUrl: () => "https://memsnap.example.com",
    };
    alerter = await Alerter.start(options);
  });

  afterAll(async () => {
    await alerter?.close();
    await Promise.all([slack?.stop(), smtp?.stop()]);
  });

  it("sends the seed's critical example (overhead 156 %, unaccounted 1248 MB, low health) as one notification per channel, not three", async () => {
    expect(seed.findings.filter((f) => f.severity === "critical").map((f) => f.code)).toEqual(CRITICAL_CODES);
    alerter.observe(seed);
    await slack.waitForPosts(1);
    await smtp.waitForMails(1);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(slack.posts).toHaveLength(1);
    expect(smtp.received).toHaveLength(1);

    const subject = "[memsnap] CRITICAL: OverheadCritical, UnaccountedMemoryCritical, HealthScoreCritical on seed";
    expect(slack.delivered[0].text).toBe(subject);
    const blocks = JSON.stringify(slack.delivered[0].attachments[0].blocks);
    expect(blocks).toContain("memory overhead is 156 %");
    expect(blocks).toContain("*Also firing*\\n• UnaccountedMemoryCritical (critical): 1248 MB");
    expect(blocks).toContain("• HealthScoreCritical (critical)");
    const { mail } = smtp.received[0];
    expect(mail.subject).toBe(subject);
    expect(mail.text).toContain("Also firing:\n  - UnaccountedMemoryCritical (critical)");
    expect(mail.text).not.toContain("OverheadHigh");
  });

  it("keeps the alerts' states one per code, each pointing at the one notification", () => {
    const { alerts } = alerter.report("seed");
    const firing = alerts.filter((a) => a.state === "firing" && a.inhibited_by === null);
    expect(firing.map((a) => a.alertname).sort()).toEqual([...CRITICAL_CODES].sort());
    for (const alert of firing)
      expect(alert.last_notification).toMatchObject({
        kind: "firing",
        channels: { slack: "delivered", email: "delivered" },
      });
    expect(alerts.find((a) => a.alertname === "OverheadHigh")).toMatchObject({ inhibited_by: "OverheadCritical" });
  });

  it("sends the three resolved together, once the figures are healthy", async () => {
    const healthy: Snapshot = { ...seed, findings: [], health: { ...seed.health, score: 95, status: "excellent" } };
    for (let i = 1; i <= 3; i++)
      alerter.observe({ ...healthy, timestamp: new Date(Date.parse(seed.timestamp) + i * 15_000).toISOString() });
    await slack.waitForPosts(2);
    await waitFor(
      () => (alerter.report("seed").alerts.every((a) => a.state !== "firing") ? true : undefined),
      "every alert to resolve",
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(slack.delivered.map((p) => p.text)).toEqual([
      "[memsnap] CRITICAL: OverheadCritical, UnaccountedMemoryCritical, HealthScoreCritical on seed",
      "[memsnap] RESOLVED: OverheadCritical, UnaccountedMemoryCritical, HealthScoreCritical on seed",
    ]);
  });
});

describe("grouping the notifications of one target", () => {
  const RULES = alertRules(loadConfig({}).alerting);
  const ROUTES: Route[] = [
    { channel: "slack", severities: ["critical"] },
    { channel: "email", severities: ["critical", "warning"] },
  ];
  const CONTEXT: TargetContext = {
    target: "db",
    createdAt: "2025-01-01T00:00:00.000Z",
    healthScore: 40,
    healthStatus: "critical",
    recommendations: [],
    externalUrl: null,
  };
  const finding = (code: string, severity: "critical" | "warning") => ({
    code,
    severity,
    message: `${code} holds`,
    value: 1,
    threshold: 0,
  });
  const CATALOG = [
    "TargetDown",
    "OverheadCritical",
    "UnaccountedMemoryCritical",
    "HealthScoreCritical",
    "HostMemoryHigh",
  ];
  const rank = (code: string) => CATALOG.indexOf(code);
  const T0 = Date.parse("2025-01-01T00:00:00.000Z");
  const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

  function step(book: AlertBook, findings: Array<ReturnType<typeof finding>>, when: string) {
    const { next, notifications } = evaluate(book, "db", findings, new Date(when), RULES);
    return {
      next,
      groups: groupNotifications(notifications, next, book, { ...CONTEXT, createdAt: when }, ROUTES, rank),
    };
  }
  const summary = (groups: ReturnType<typeof step>["groups"]) =>
    groups.map((g) => [g.channel, g.notification.kind, g.notification.alerts.map((a) => a.alertname)]);

  it("puts the most severe first, then catalog order, and routes each channel only its severities", () => {
    const findings = [
      finding("HostMemoryHigh", "warning"),
      finding("HealthScoreCritical", "critical"),
      finding("OverheadCritical", "critical"),
    ];
    const first = step(new Map(), findings, at(0));
    expect(summary(first.groups)).toEqual([
      ["slack", "firing", ["OverheadCritical", "HealthScoreCritical"]],
      ["email", "firing", ["OverheadCritical", "HealthScoreCritical"]],
    ]);
    let book = first.next;
    const laterGroups = [61, 122, 183].flatMap((seconds) => {
      const later = step(book, findings, at(seconds));
      book = later.next;
      return later.groups;
    });
    expect(summary(laterGroups)).toEqual([
      ["email", "firing", ["OverheadCritical", "HealthScoreCritical", "HostMemoryHigh"]],
    ]);
    expect(laterGroups[0].notification.alerts[0]).toMatchObject({ status: "firing", startsAt: at(0), endsAt: null });
  });

  it("lists the firing alerts of this target only, not those of another target", () => {
    const elsewhere = evaluate(new Map(), "other", [finding("OverheadCritical", "critical")], new Date(at(0)), RULES);
    const here = step(elsewhere.next, [finding("HealthScoreCritical", "critical")], at(0));
    expect(summary(here.groups)).toEqual([
      ["slack", "firing", ["HealthScoreCritical"]],
      ["email", "firing", ["HealthScoreCritical"]],
    ]);
  });

  it("leaves a firing alert silenced by another out of the list", () => {
    const findings = [finding("OverheadCritical", "critical"), finding("OverheadHigh", "warning")];
    const first = step(new Map(), findings, at(0));
    const later = step(first.next, [...findings, finding("HealthScoreCritical", "critical")], at(61));
    expect(later.next.get("db/OverheadHigh")).toMatchObject({ phase: "firing", inhibitedBy: "OverheadCritical" });
    expect(summary(later.groups)).toEqual([
      ["slack", "firing", ["OverheadCritical", "HealthScoreCritical"]],
      ["email", "firing", ["OverheadCritical", "HealthScoreCritical"]],
    ]);
  });

  it("says firing when one alert fires while another is due a reminder", () => {
    const fired = step(new Map(), [finding("OverheadCritical", "critical")], at(0));
    const both = [finding("OverheadCritical", "critical"), finding("HealthScoreCritical", "critical")];
    const later = step(fired.next, both, at(4 * 3600));
    expect(summary(later.groups)).toEqual([
      ["slack", "firing", ["OverheadCritical", "HealthScoreCritical"]],
      ["email", "firing", ["OverheadCritical", "HealthScoreCritical"]],
    ]);
  });

  it("sends a channel only the firing and resolved alerts of its severities", () => {
    const warning = [finding("HostMemoryHigh", "warning")];
    const first = step(new Map(), warning, at(0));
    const fired = step(first.next, warning, at(61));
    expect(summary(fired.groups)).toEqual([["email", "firing", ["HostMemoryHigh"]]]);
    const critical = step(fired.next, [...warning, finding("OverheadCritical", "critical")], at(76));
    expect(summary(critical.groups)).toEqual([
      ["slack", "firing", ["OverheadCritical"]],
      ["email", "firing", ["OverheadCritical", "HostMemoryHigh"]],
    ]);
    const clearing = step(critical.next, [finding("OverheadCritical", "critical")], at(91));
    const resolved = step(clearing.next, [finding("OverheadCritical", "critical")], at(106));
    expect(summary([...clearing.groups, ...resolved.groups])).toEqual([["email", "resolved", ["HostMemoryHigh"]]]);
  });

  it("says reminder when only reminders are due, and resolved with when the alert began and ended", () => {
    const fired = step(new Map(), [finding("OverheadCritical", "critical")], at(0));
    const reminded = step(fired.next, [finding("OverheadCritical", "critical")], at(4 * 3600));
    expect(summary(reminded.groups)).toEqual([
      ["slack", "reminder", ["OverheadCritical"]],
      ["email", "reminder", ["OverheadCritical"]],
    ]);
    const clear = step(reminded.next, [], at(4 * 3600 + 15));
    const resolved = clear.groups.length > 0 ? clear : step(clear.next, [], at(4 * 3600 + 30));
    expect(summary(resolved.groups)).toEqual([
      ["slack", "resolved", ["OverheadCritical"]],
      ["email", "resolved", ["OverheadCritical"]],
    ]);
    expect(resolved.groups[0].notification.alerts[0]).toMatchObject({
      status: "resolved",
      startsAt: at(0),
      endsAt: expect.stringMatching(/^2025-01-01T04:00:(15|30)/),
    });
  });
});
