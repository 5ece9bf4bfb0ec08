import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { z } from "zod";
import { getJson, waitFor } from "./helpers/daemon";
import { startReadyServer, type ReadyServer } from "./kit/processes";

// The repository's alerts/alertmanager.yml in a real Alertmanager: which alert silences which is
// decided by the running inhibitor, not by reading the file. Notifications would leave after
// group_wait (30s); the test is done well before.

const ApiAlertsSchema = z.array(
  z.object({ labels: z.record(z.string(), z.string()), status: z.object({ state: z.string() }) }),
);

type State = "active" | "suppressed";

/** Alert, instance, target: what is posted, the state each must end in, and the severity where the code has two. */
const SCENARIO: Array<[string, string, string, State, ("critical" | "warning")?]> = [
  ["OverheadCritical", "db-1:8080", "a", "active"],
  ["OverheadHigh", "db-1:8080", "a", "suppressed"],
  // Another target, and the same target name on another node, keep their warning.
  ["OverheadHigh", "db-1:8080", "b", "active"],
  ["OverheadHigh", "db-2:8080", "a", "active"],
  ["UnaccountedMemoryCritical", "db-1:8080", "c", "active"],
  ["MemoryGrowth", "db-1:8080", "c", "suppressed"],
  ["OverheadHigh", "db-1:8080", "c", "active"],
  ["TargetDown", "db-1:8080", "d", "active"],
  ["UnaccountedMemoryCritical", "db-1:8080", "d", "suppressed"],
  ["HealthScoreCritical", "db-1:8080", "d", "suppressed"],
  ["LowQuantizationCoverage", "db-1:8080", "d", "suppressed"],
  ["HostMemoryHigh", "db-1:8080", "d", "active"],
  ["MemsnapSamplingStalled", "db-1:8080", "d", "active"],
  // The health score silences nothing: its warnings are its explanation.
  ["HealthScoreCritical", "db-1:8080", "e", "active"],
  ["LowQuantizationCoverage", "db-1:8080", "e", "active"],
  ["HostMemoryHigh", "db-1:8080", "e", "active"],
  // Memory running out, or an OOM kill, silences the efficiency alerts of its target, not the rest.
  ["MemoryExhaustionImminent", "db-1:8080", "f", "active", "critical"],
  ["OverheadCritical", "db-1:8080", "f", "suppressed"],
  ["UnaccountedMemoryCritical", "db-1:8080", "f", "suppressed"],
  ["HealthScoreCritical", "db-1:8080", "f", "suppressed"],
  ["HostMemoryHigh", "db-1:8080", "f", "active", "critical"],
  ["MemoryExhaustionImminent", "db-2:8080", "f", "active", "warning"],
  ["OomKilled", "db-1:8080", "g", "active"],
  ["OverheadHigh", "db-1:8080", "g", "suppressed"],
  ["MemoryGrowth", "db-1:8080", "g", "active"],
  // Both levels of one code fire past the higher line: the critical one speaks.
  ["HostMemoryHigh", "db-1:8080", "h", "active", "critical"],
  ["HostMemoryHigh", "db-1:8080", "h", "suppressed", "warning"],
  ["MemoryExhaustionImminent", "db-1:8080", "h", "active", "critical"],
  ["MemoryExhaustionImminent", "db-1:8080", "h", "suppressed", "warning"],
];

const CRITICAL = new Set([
  "OverheadCritical",
  "UnaccountedMemoryCritical",
  "HealthScoreCritical",
  "TargetDown",
  "OomKilled",
]);

function severityOf(alertname: string, severity?: string): string {
  return severity ?? (CRITICAL.has(alertname) ? "critical" : "warning");
}

function key(alertname: string, instance: string, target: string, severity: string): string {
  return `${alertname} ${instance} ${target} ${severity}`;
}

describe("Alertmanager with alerts/alertmanager.yml", () => {
  let alertmanager: ReadyServer | undefined;
  let storage: string;

  beforeAll(async () => {
    storage = mkdtempSync(path.join(tmpdir(), "memsnap-alertmanager-"));
    alertmanager = await startReadyServer("prometheus-alertmanager", (listenAddress) => [
      "--config.file=alerts/alertmanager.yml",
      `--storage.path=${storage}`,
      `--web.listen-address=${listenAddress}`,
      "--cluster.listen-address=",
    ]);
  });

  afterAll(async () => {
    await alertmanager?.process.stop();
    rmSync(storage, { recursive: true, force: true });
  });

  it("silences exactly the warnings its inhibit rules name, per instance and target", async () => {
    const now = Date.now();
    const posted = SCENARIO.map(([alertname, instance, target, , severity]) => ({
      labels: {
        alertname,
        instance,
        target,
        job: "memsnap",
        severity: severityOf(alertname, severity),
      },
      startsAt: new Date(now).toISOString(),
      endsAt: new Date(now + 3_600_000).toISOString(),
    }));
    const url = alertmanager?.url;
    const answer = await fetch(`${url}/api/v2/alerts`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(posted),
    });
    expect(answer.status).toBe(200);

    const expected = Object.fromEntries(
      SCENARIO.map(([alertname, instance, target, state, severity]) => [
        key(alertname, instance, target, severityOf(alertname, severity)),
        state,
      ]),
    );
    let states: Record<string, string> = {};
    // The inhibitor learns of new source alerts asynchronously: poll until the states settle.
    await waitFor(
      async () => {
        const alerts = ApiAlertsSchema.parse((await getJson(`${url}/api/v2/alerts`)).body);
        states = Object.fromEntries(
          alerts.map(({ labels, status }) => [
            key(labels.alertname ?? "", labels.instance ?? "", labels.target ?? "", labels.severity ?? ""),
            status.state,
          ]),
        );
        return isDeepStrictEqual(states, expected) ? states : undefined;
      },
      "the inhibitions to take effect",
      10_000,
    ).catch(() => undefined);
    expect(states).toEqual(expected);
  });

  it("groups by instance and target: the seed's critical example (overhead, unaccounted, health) is one notification", async () => {
    const now = Date.now();
    const seedExample = ["OverheadCritical", "UnaccountedMemoryCritical", "HealthScoreCritical"].map((alertname) => ({
      labels: { alertname, instance: "db-9:8080", target: "seed", job: "memsnap", severity: "critical" },
      startsAt: new Date(now).toISOString(),
      endsAt: new Date(now + 3_600_000).toISOString(),
    }));
    const url = alertmanager?.url;
    const answer = await fetch(`${url}/api/v2/alerts`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(seedExample),
    });
    expect(answer.status).toBe(200);
    const GroupsSchema = z.array(
      z.object({
        labels: z.record(z.string(), z.string()),
        alerts: z.array(z.object({ labels: z.record(z.string(), z.string()) })),
      }),
    );
    const groups = await waitFor(async () => {
      const all = GroupsSchema.parse((await getJson(`${url}/api/v2/alerts/groups`)).body).filter(
        (g) => g.labels.target === "seed",
      );
      return all.length > 0 && all.reduce((n, g) => n + g.alerts.length, 0) === 3 ? all : undefined;
    }, "the seed example's alerts to be grouped");
    expect(groups.map((g) => g.labels)).toEqual([{ instance: "db-9:8080", target: "seed" }]);
    expect(groups[0].alerts.map((a) => a.labels.alertname).sort()).toEqual([
      "HealthScoreCritical",
      "OverheadCritical",
      "UnaccountedMemoryCritical",
    ]);
  });
});
