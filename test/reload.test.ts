import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { stringify } from "yaml";
import { startServe, type ServeProcess } from "./helpers/cli";
import { freshSnapshot, getJson, metricSamples, waitFor } from "./helpers/daemon";
import { HeldMemoryDatabase, QUIET_OVERHEAD_MIN_MB } from "./helpers/held-memory";
import { scratchDir } from "./helpers/scratch";
import { SlackReceiver } from "./helpers/slack-receiver";

// `memsnap serve --config FILE` re-reads FILE on SIGHUP. A database target whose collections hold a
// few bytes watches a process holding 200 MB, nearly all of it unaccounted: UnaccountedMemoryCritical
// fires at 150 MB and is sent to Slack once. A sample every second drives the alert (a ?fresh=true
// one never does), so the test waits for the state it expects.

const ALERT = "UnaccountedMemoryCritical";
const HELD_MB = 200;

describe("reloading the configuration on SIGHUP", () => {
  const dir = scratchDir("production-reload");
  const configFile = path.join(dir, "memsnap.yaml");
  let held: HeldMemoryDatabase;
  let slack: SlackReceiver;
  let memsnap: ServeProcess;

  function writeConfig(
    thresholdMb: number | string,
    targets: Array<Record<string, unknown>> = [held.target("held")],
  ): void {
    writeFileSync(
      configFile,
      stringify({
        schedule: "* * * * * *",
        data_dir: path.join(dir, "data"),
        output_dir: path.join(dir, "out"),
        targets,
        thresholds: { unaccounted_critical_mb: thresholdMb, overhead_min_mb: QUIET_OVERHEAD_MIN_MB },
        runbook_base_url: "https://wiki.example.com/memsnap/runbook",
        alerting: { slack: { webhook_url: slack.url }, retry: { attempts: 2, base_delay: "20ms" } },
      }),
    );
  }

  /** Sends SIGHUP and resolves with the first log line after it whose message is one of `outcomes`. */
  async function hangUp(outcomes: string[]): Promise<Record<string, unknown>> {
    const seen = memsnap.logs.length;
    memsnap.child.kill("SIGHUP");
    return waitFor(
      () => memsnap.logs.slice(seen).find((l) => outcomes.includes(l.msg as string)),
      `one of ${outcomes.join(", ")}`,
    );
  }

  /** A snapshot of `target` taken after this call. */
  async function freshSample(target = "held"): Promise<any> {
    const { status, body } = await freshSnapshot(memsnap, `&target=${target}`);
    expect(status).toBe(200);
    return body;
  }

  const thresholdIn = (snapshot: any) => snapshot.findings.find((f: { code: string }) => f.code === ALERT)?.threshold;

  async function alert(): Promise<any> {
    const { body } = await getJson(`${memsnap.url}/api/v1/alerts?target=held`);
    return body.alerts.find((a: { alertname: string }) => a.alertname === ALERT);
  }

  beforeAll(async () => {
    [held, slack] = await Promise.all([HeldMemoryDatabase.start(HELD_MB), SlackReceiver.start()]);
    writeConfig(150);
    memsnap = await startServe({ MEMSNAP_HOST: "127.0.0.1" }, ["--config", configFile, "--port", "0"]);
  }, 30_000);

  afterAll(async () => {
    if (memsnap?.child.exitCode === null) {
      memsnap.child.kill("SIGTERM");
      await memsnap.exited;
    }
    await Promise.all([held?.stop(), slack?.stop()]);
  });

  it("applies a changed threshold from the next sample, keeping the firing alert without sending it again", async () => {
    expect(thresholdIn(await freshSample())).toBe(150);
    await waitFor(
      async () => ((await alert())?.last_notification?.channels?.slack === "delivered" ? true : undefined),
      "the firing message",
    );
    expect(slack.posts).toHaveLength(1);
    expect(JSON.stringify(slack.posts[0].payload)).toContain(
      "<https://wiki.example.com/memsnap/runbook#unaccountedmemorycritical|Runbook>",
    );
    const firing = await alert();
    expect(firing.state).toBe("firing");

    writeConfig(160);
    expect(await hangUp(["configuration reloaded", "configuration refused; the running one stays"])).toMatchObject({
      msg: "configuration reloaded",
    });
    expect(thresholdIn(await freshSample())).toBe(160);
    const after = await waitFor(async () => {
      const current = await alert();
      return current?.threshold === 160 ? current : undefined;
    }, "a scheduled sample to apply the new threshold to the alert");
    expect(after).toMatchObject({ state: "firing", since: firing.since, threshold: 160 });
    expect(after.last_notification.at).toBe(firing.last_notification.at);
    expect(slack.posts).toHaveLength(1);
  });

  it("refuses a broken file, logs why, and keeps running the previous configuration", async () => {
    writeConfig("lots");
    const refused = await hangUp(["configuration reloaded", "configuration refused; the running one stays"]);
    expect(refused).toMatchObject({ msg: "configuration refused; the running one stays", level: "error" });
    expect(JSON.stringify(refused.problems)).toContain("thresholds.unaccounted_critical_mb");
    expect(thresholdIn(await freshSample())).toBe(160);
    expect((await alert()).state).toBe("firing");
    expect(memsnap.child.exitCode).toBeNull();
  });

  it("starts a target added to the file and drops one removed from it, series included", async () => {
    writeConfig(160, [held.target("held"), { name: "second", kind: "none", pid: held.allocator.pid }]);
    expect((await hangUp(["configuration reloaded", "configuration refused; the running one stays"])).msg).toBe(
      "configuration reloaded",
    );
    expect((await freshSample("second")).target.name).toBe("second");
    const withSecond = metricSamples(await (await fetch(`${memsnap.url}/metrics`)).text());
    expect(withSecond.get('memsnap_target_up{target="second"}')).toBe(1);

    writeConfig(160);
    expect((await hangUp(["configuration reloaded", "configuration refused; the running one stays"])).msg).toBe(
      "configuration reloaded",
    );
    expect((await getJson(`${memsnap.url}/api/v1/memory-snapshot?target=second`)).status).toBe(404);
    const text = await (await fetch(`${memsnap.url}/metrics`)).text();
    expect(text).not.toContain('target="second"');
    expect((await alert()).state).toBe("firing");
  });

  it("keeps the running value of a setting only a restart applies, and says so", async () => {
    writeFileSync(
      configFile,
      readFileSync(configFile, "utf8").replace(/^data_dir: .*$/m, `data_dir: ${path.join(dir, "elsewhere")}`),
    );
    const seen = memsnap.logs.length;
    expect((await hangUp(["configuration reloaded", "configuration refused; the running one stays"])).msg).toBe(
      "configuration reloaded",
    );
    const warning = memsnap.logs
      .slice(seen)
      .find((l) => l.msg === "these settings changed but apply only after a restart");
    expect(warning).toMatchObject({ settings: ["data_dir"] });
    expect((await alert()).state).toBe("firing");
  });

  it("changes the log level", async () => {
    const debugLines = () => memsnap.logs.filter((l) => l.level === "debug" && l.msg === "sampled").length;
    await freshSample();
    expect(debugLines()).toBe(0);
    writeFileSync(configFile, `log_level: debug\n${readFileSync(configFile, "utf8")}`);
    expect((await hangUp(["configuration reloaded", "configuration refused; the running one stays"])).msg).toBe(
      "configuration reloaded",
    );
    await waitFor(() => (debugLines() > 0 ? true : undefined), "a sample logged at debug level");
  });
});
