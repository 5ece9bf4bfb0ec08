import fc from "fast-check";
import {
  alertRules,
  evaluate,
  type AlertBook,
  type AlertNotification,
  type AlertRules,
  type NotificationKind,
} from "../src/alerts/state";
import { AlertingSchema } from "../src/config/alerting";
import type { Finding, Severity } from "../src/snapshot/findings";

const SAMPLE_INTERVAL_MS = 15_000;
/** Critical fires at once; a warning after holding for two sample intervals. */
const forSamples = (critical: number, warning: number) => (_code: string, severity: string) =>
  (severity === "critical" ? critical : warning) * SAMPLE_INTERVAL_MS;
const RULES: AlertRules = {
  forMs: forSamples(0, 2),
  keepFiringSamples: 1,
  repeatIntervalMs: 4 * 3_600_000,
  sendResolved: true,
};
const START = Date.parse("2025-01-01T00:00:00Z");

function finding(code: string, severity: Severity = "critical", value = 150): Finding {
  return { code, severity, message: `${code} is ${value}`, value, threshold: 100 };
}

interface Sent {
  sample: number;
  kind: NotificationKind;
  alertname: string;
  target: string;
}

/** Evaluates one target's samples in order, one finding list per sample. */
function run(
  samples: Finding[][],
  rules: AlertRules = RULES,
  intervalMs = SAMPLE_INTERVAL_MS,
  start: AlertBook = new Map(),
) {
  let book = start;
  const sent: Sent[] = [];
  samples.forEach((findings, sample) => {
    const step = evaluate(book, "db", findings, new Date(START + sample * intervalMs), rules);
    book = step.next;
    sent.push(
      ...step.notifications.map((n: AlertNotification) => ({
        sample,
        kind: n.kind,
        alertname: n.alert.alertname,
        target: n.alert.target,
      })),
    );
  });
  return { book, sent };
}

const held = (n: number, f: () => Finding[]) => Array.from({ length: n }, f);
const kinds = (sent: Sent[]) => sent.map((s) => `${s.sample}:${s.kind}:${s.alertname}`);

describe("alert state machine", () => {
  it.each<[string, Finding[][], string[]]>([
    ["a critical condition fires on its first sample", [[finding("OverheadCritical")]], ["0:firing:OverheadCritical"]],
    [
      "a warning waits two samples in pending, then fires",
      held(3, () => [finding("OverheadHigh", "warning")]),
      ["2:firing:OverheadHigh"],
    ],
    [
      "a warning that clears while pending says nothing",
      [[finding("OverheadHigh", "warning")], [finding("OverheadHigh", "warning")], []],
      [],
    ],
    [
      "a critical condition held for 10 samples and then clear gives one firing and one resolved message",
      [...held(10, () => [finding("UnaccountedMemoryCritical")]), [], [], []],
      ["0:firing:UnaccountedMemoryCritical", "11:resolved:UnaccountedMemoryCritical"],
    ],
    [
      "a critical value flapping every sample fires once and never storms",
      held(20, () => []).map((_, i) => (i % 2 === 0 ? [finding("OverheadCritical")] : [])),
      ["0:firing:OverheadCritical"],
    ],
    [
      "a critical firing alert silences the warning of its family until it resolves",
      [
        [finding("OverheadCritical"), finding("OverheadHigh", "warning")],
        [finding("OverheadCritical"), finding("OverheadHigh", "warning")],
        [finding("OverheadCritical"), finding("OverheadHigh", "warning")],
        [finding("OverheadHigh", "warning")],
        [finding("OverheadHigh", "warning")],
      ],
      ["0:firing:OverheadCritical", "4:resolved:OverheadCritical", "4:firing:OverheadHigh"],
    ],
    [
      "a warning of another family is not silenced",
      held(3, () => [finding("OverheadCritical"), finding("HostMemoryHigh", "warning")]),
      ["0:firing:OverheadCritical", "2:firing:HostMemoryHigh"],
    ],
    [
      "a target that is down silences its figure alerts, which speak once it is up again",
      [
        [finding("TargetDown"), finding("UnaccountedMemoryCritical")],
        [finding("TargetDown"), finding("UnaccountedMemoryCritical")],
        [finding("UnaccountedMemoryCritical")],
        [finding("UnaccountedMemoryCritical")],
      ],
      ["0:firing:TargetDown", "3:resolved:TargetDown", "3:firing:UnaccountedMemoryCritical"],
    ],
    [
      "host memory stays loud while the target is down",
      held(3, () => [finding("TargetDown"), finding("HostMemoryHigh", "warning")]),
      ["0:firing:TargetDown", "2:firing:HostMemoryHigh"],
    ],
    ["opportunities never alert", held(5, () => [finding("EnableQuantization", "opportunity")]), []],
    [
      "any finding code alerts by its severity",
      held(3, () => [finding("SomeFutureCode", "warning")]),
      ["2:firing:SomeFutureCode"],
    ],
  ])("%s", (_, samples, expected) => {
    expect(kinds(run(samples).sent)).toEqual(expected);
  });

  it("flapping around a warning threshold every sample never notifies", () => {
    const samples = held(50, () => []).map((_, i) => (i % 2 === 0 ? [finding("OverheadHigh", "warning")] : []));
    const { book, sent } = run(samples);
    expect(sent).toEqual([]);
    expect(book.get("db/OverheadHigh")?.phase).toBe("inactive");
  });

  it("reminds after the repeat interval, not before", () => {
    const samples = held(4 * 240 + 2, () => [finding("OverheadCritical")]);
    const { sent } = run(samples);
    expect(kinds(sent)).toEqual(["0:firing:OverheadCritical", "960:reminder:OverheadCritical"]);
  });

  it("sends no resolved message when resolved notifications are off", () => {
    const { sent, book } = run([[finding("OverheadCritical")], [], []], { ...RULES, sendResolved: false });
    expect(kinds(sent)).toEqual(["0:firing:OverheadCritical"]);
    expect(book.get("db/OverheadCritical")?.phase).toBe("resolved");
  });

  it("resolves on the first clear sample when keep_firing_samples is 0", () => {
    const { sent } = run([[finding("OverheadCritical")], []], { ...RULES, keepFiringSamples: 0 });
    expect(kinds(sent)).toEqual(["0:firing:OverheadCritical", "1:resolved:OverheadCritical"]);
  });

  it("records since when, the latest figures and the last notification", () => {
    const { book } = run([
      [finding("OverheadCritical", "critical", 120)],
      [finding("OverheadCritical", "critical", 180)],
    ]);
    expect(book.get("db/OverheadCritical")).toMatchObject({
      phase: "firing",
      since: new Date(START).toISOString(),
      value: 180,
      message: "OverheadCritical is 180",
      lastNotification: { kind: "firing", at: new Date(START).toISOString() },
    });
  });

  it("leaves the alerts of other targets untouched", () => {
    const first = evaluate(new Map(), "a", [finding("OverheadCritical")], new Date(START), RULES);
    const second = evaluate(first.next, "b", [], new Date(START + 1000), RULES);
    expect(second.notifications).toEqual([]);
    expect(second.next.get("a/OverheadCritical")).toBe(first.next.get("a/OverheadCritical"));
  });

  it("holds a warning pending for the catalog's 60 s, however many samples come in between", () => {
    const rules = alertRules(AlertingSchema.parse({}));
    const everySecond = held(61, () => [finding("OverheadHigh", "warning")]);
    expect(kinds(run(everySecond, rules, 1000).sent)).toEqual(["60:firing:OverheadHigh"]);
    const critical = [[finding("MemoryExhaustionImminent")]];
    expect(kinds(run(critical, rules).sent)).toEqual(["0:firing:MemoryExhaustionImminent"]);
  });

  it("silences the efficiency alerts of a target while memory runs out or was OOM-killed there", () => {
    const efficiency = () => [
      finding("OverheadCritical"),
      finding("UnaccountedMemoryCritical"),
      finding("HealthScoreCritical"),
    ];
    expect(kinds(run([[finding("MemoryExhaustionImminent"), ...efficiency()]]).sent)).toEqual([
      "0:firing:MemoryExhaustionImminent",
    ]);
    expect(kinds(run([[finding("OomKilled"), ...efficiency()]]).sent)).toEqual(["0:firing:OomKilled"]);
  });

  const at = (sample: number) => new Date(START + sample * SAMPLE_INTERVAL_MS).toISOString();

  it("a warning that cleared while pending goes inactive from that sample, then waits its whole for again", () => {
    const warning = () => [finding("OverheadHigh", "warning")];
    const cleared = run([warning(), warning(), []]);
    expect(cleared.book.get("db/OverheadHigh")).toMatchObject({ phase: "inactive", since: at(2), activeSamples: 0 });
    const { sent, book } = run([warning(), warning(), [], warning(), warning(), warning()]);
    expect(kinds(sent)).toEqual(["5:firing:OverheadHigh"]);
    expect(book.get("db/OverheadHigh")).toMatchObject({ phase: "firing", since: at(5) });
  });

  it("an alert that fires again after it resolved sends a new firing message, then a new resolved one", () => {
    const critical = () => [finding("OverheadCritical")];
    const { sent } = run([critical(), [], [], critical(), [], []]);
    expect(kinds(sent)).toEqual([
      "0:firing:OverheadCritical",
      "2:resolved:OverheadCritical",
      "3:firing:OverheadCritical",
      "5:resolved:OverheadCritical",
    ]);
  });

  it("a resolved warning pending again still reports its last notification, the resolved one", () => {
    const warning = () => [finding("OverheadHigh", "warning")];
    const { sent, book } = run([warning(), warning(), warning(), [], [], warning()]);
    expect(kinds(sent)).toEqual(["2:firing:OverheadHigh", "4:resolved:OverheadHigh"]);
    expect(book.get("db/OverheadHigh")).toMatchObject({
      phase: "pending",
      since: at(5),
      lastNotification: { kind: "resolved", at: at(4) },
    });
  });

  it("an alert that fired only while silenced resolves without a word", () => {
    const down = () => [finding("TargetDown"), finding("OverheadCritical")];
    const { sent, book } = run([down(), down(), [], [], []]);
    expect(kinds(sent)).toEqual(["0:firing:TargetDown", "3:resolved:TargetDown"]);
    expect(book.get("db/OverheadCritical")).toMatchObject({ phase: "resolved", lastNotification: null });
  });

  it("a sample listing one code twice counts its first finding, the most severe", () => {
    const { sent, book } = run([
      [finding("OverheadCritical", "critical", 160), finding("OverheadCritical", "warning", 120)],
    ]);
    expect(kinds(sent)).toEqual(["0:firing:OverheadCritical"]);
    expect(book.get("db/OverheadCritical")).toMatchObject({ severity: "critical", value: 160 });
  });

  it("continues from a reloaded book without notifying again", () => {
    const before = run(held(3, () => [finding("OverheadCritical")]));
    const after = run(
      held(3, () => [finding("OverheadCritical")]),
      RULES,
      SAMPLE_INTERVAL_MS,
      before.book,
    );
    expect(after.sent).toEqual([]);
  });
});

describe("alert state machine properties", () => {
  const CODES: Array<[string, Severity]> = [
    ["OverheadCritical", "critical"],
    ["OverheadHigh", "warning"],
    ["HostMemoryHigh", "warning"],
    ["TargetDown", "critical"],
  ];
  const sampleArb = fc.subarray(CODES).map((codes) => codes.map(([code, severity]) => finding(code, severity)));
  const rulesArb = fc.record({
    forMs: fc.tuple(fc.nat(3), fc.nat(3)).map(([critical, warning]) => forSamples(critical, warning)),
    keepFiringSamples: fc.nat(3),
    repeatIntervalMs: fc.integer({ min: 1, max: 10 }).map((n) => n * SAMPLE_INTERVAL_MS),
    sendResolved: fc.boolean(),
  });

  it("per alert, messages follow firing → reminder* → resolved (when on), and reminders are spaced by the repeat interval", () => {
    fc.assert(
      fc.property(fc.array(sampleArb, { maxLength: 60 }), rulesArb, (samples, rules) => {
        const { sent } = run(samples, rules);
        for (const [code] of CODES) {
          let open = false;
          let lastAt = -Infinity;
          for (const s of sent.filter((x) => x.alertname === code)) {
            if (s.kind !== "firing") expect(open).toBe(true);
            else if (rules.sendResolved) expect(open).toBe(false);
            if (s.kind === "resolved") expect(rules.sendResolved).toBe(true);
            if (s.kind === "reminder")
              expect((s.sample - lastAt) * SAMPLE_INTERVAL_MS).toBeGreaterThanOrEqual(rules.repeatIntervalMs);
            open = s.kind !== "resolved";
            lastAt = s.sample;
          }
        }
      }),
    );
  });

  it("a condition that never holds as long as its for never notifies", () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { maxLength: 80 }), fc.integer({ min: 1, max: 4 }), (pattern, streakLimit) => {
        let streak = 0;
        const samples = pattern.map((on) => {
          streak = on && streak < streakLimit ? streak + 1 : 0;
          return streak > 0 ? [finding("HostMemoryHigh", "warning")] : [];
        });
        const { sent } = run(samples, { ...RULES, forMs: forSamples(0, streakLimit) });
        expect(sent).toEqual([]);
      }),
    );
  });

  it("an alert never notifies firing or a reminder while an alert that inhibits it fires", () => {
    const pairs = [
      ["OverheadCritical", "OverheadHigh"],
      ["TargetDown", "OverheadCritical"],
      ["TargetDown", "OverheadHigh"],
    ];
    fc.assert(
      fc.property(fc.array(sampleArb, { maxLength: 60 }), rulesArb, (samples, rules) => {
        let book: AlertBook = new Map();
        samples.forEach((findings, i) => {
          const step = evaluate(book, "db", findings, new Date(START + i * SAMPLE_INTERVAL_MS), rules);
          for (const [source, silenced] of pairs) {
            const sourceFiring = step.next.get(`db/${source}`)?.phase === "firing";
            const spoke = step.notifications.some((n) => n.alert.alertname === silenced && n.kind !== "resolved");
            expect(sourceFiring && spoke).toBe(false);
          }
          book = step.next;
        });
      }),
    );
  });
});
