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

/** Alert, instance, target: what is posted, and the state each must end in. */
const SCENARIO: Array<[string, string, string, State]> = [
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
];

const CRITICAL = new Set(["OverheadCritical", "UnaccountedMemoryCritical", "HealthScoreCritical", "TargetDown"]);

function key(alertname: string, instance: string, target: string): string {
  return `${alertname} ${instance} ${target}`;
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
    const posted = SCENARIO.map(([alertname, instance, target]) => ({
      labels: {
        alertname,
        instance,
        target,
        job: "memsnap",
        severity: CRITICAL.has(alertname) ? "critical" : "warning",
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
      SCENARIO.map(([alertname, instance, target, state]) => [key(alertname, instance, target), state]),
    );
    let states: Record<string, string> = {};
    // The inhibitor learns of new source alerts asynchronously: poll until the states settle.
    await waitFor(async () => {
      const alerts = ApiAlertsSchema.parse((await getJson(`${url}/api/v2/alerts`)).body);
      states = Object.fromEntries(
        alerts.map(({ labels, status }) => [
          key(labels.alertname ?? "", labels.instance ?? "", labels.target ?? ""),
          status.state,
        ]),
      );
      return isDeepStrictEqual(states, expected) ? states : undefined;
    }, "the inhibitions to take effect", 10_000).catch(() => undefined);
    expect(states).toEqual(expected);
  });
});
