import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { stringify } from "yaml";
import { Allocator } from "./helpers/allocator";
import { startServe, type ServeProcess } from "./helpers/cli";
import { getJson, metricSamples, waitFor } from "./helpers/daemon";
import { scratchDir } from "./helpers/scratch";
import { SlackReceiver } from "./helpers/slack-receiver";

// `memsnap serve --config FILE` re-reads FILE on SIGHUP. A `none` target watches a process holding
// 200 MB, all of it unaccounted: its health score loses 10 points (90), so HealthScoreCritical fires
// under a critical score of 95 and is sent to Slack once. Samples come only from ?fresh=true, so each
// one is the test's; one a second at most, so a sample after a reload is polled for.

const ALERT = "HealthScoreCritical";
const HELD_MB = 200;

describe("reloading the configuration on SIGHUP", () => {
  // Declared before scratchDir, so that the processes writing into the folder stop before it is removed.
  afterAll(async () => {
    if (memsnap !== undefined && memsnap.child.exitCode === null) {
      memsnap.child.kill("SIGTERM");
      await memsnap.exited;
    }
    await Promise.all([allocator?.stop(), slack?.stop()]);
  });
  const dir = scratchDir("production-reload");
  const configFile = path.join(dir, "memsnap.yaml");
  let allocator: Allocator;
  let slack: SlackReceiver;
  let memsnap: ServeProcess;

  function writeConfig(threshold: number | string, targets: Array<Record<string, unknown>> = [{ name: "held", kind: "none", pid: allocator.pid }]): void {
    writeFileSync(
      configFile,
      stringify({
        schedule: "0 0 0 1 1 *",
        data_dir: path.join(dir, "data"),
        output_dir: path.join(dir, "out"),
        targets,
        thresholds: { health_critical_score: threshold },
        runbook_base_url: "https://wiki.example.com/memsnap/runbook",
        alerting: { slack: { webhook_url: slack.url }, retry: { attempts: 2, base_delay: "20ms" } },
      }),
    );
  }

  /** Sends SIGHUP and resolves with the first log line after it whose message is one of `outcomes`. */
  async function hangUp(outcomes: string[]): Promise<Record<string, unknown>> {
    const seen = memsnap.logs.length;
    memsnap.child.kill("SIGHUP");
    return waitFor(() => memsnap.logs.slice(seen).find((l) => outcomes.includes(l.msg as string)), `one of ${outcomes.join(", ")}`);
  }

  async function freshSample(target = "held"): Promise<any> {
    const { status, body } = await getJson(`${memsnap.url}/api/v1/memory-snapshot?target=${target}&fresh=true`);
    expect(status).toBe(200);
    return body;
  }

  const thresholdIn = (snapshot: any) => snapshot.findings.find((f: { code: string }) => f.code === ALERT)?.threshold;

  async function alert(): Promise<any> {
    const { body } = await getJson(`${memsnap.url}/api/v1/alerts?target=held`);
    return body.alerts.find((a: { alertname: string }) => a.alertname === ALERT);
  }

  beforeAll(async () => {
    [allocator, slack] = await Promise.all([Allocator.start(), SlackReceiver.start()]);
    await allocator.allocate(HELD_MB);
    writeConfig(95);
    memsnap = await startServe({ MEMSNAP_HOST: "127.0.0.1" }, ["--config", configFile, "--port", "0"]);
  }, 30_000);

  it("applies a changed threshold from the next sample, keeping the firing alert without sending it again", async () => {
    expect(thresholdIn(await freshSample())).toBe(95);
    await waitFor(async () => ((await alert())?.last_notification?.channels?.slack === "delivered" ? true : undefined), "the firing message");
    expect(slack.posts).toHaveLength(1);
    expect(JSON.stringify(slack.posts[0].payload)).toContain("<https://wiki.example.com/memsnap/runbook#healthscorecritical|Runbook>");
    const firing = await alert();
    expect(firing.state).toBe("firing");

    writeConfig(96);
    expect(await hangUp(["configuration reloaded", "configuration refused; the running one stays"])).toMatchObject({ msg: "configuration reloaded" });
    await waitFor(async () => (thresholdIn(await freshSample()) === 96 ? true : undefined), "a sample with the new threshold");
    await freshSample();
    const after = await alert();
    // A ?fresh=true sample shows the new threshold; the alert takes it at the next scheduled sample.
    expect(after).toMatchObject({ state: "firing", since: firing.since });
    expect(after.last_notification.at).toBe(firing.last_notification.at);
    expect(slack.posts).toHaveLength(1);
  });

  it("refuses a broken file, logs why, and keeps running the previous configuration", async () => {
    writeConfig("lots");
    const refused = await hangUp(["configuration reloaded", "configuration refused; the running one stays"]);
    expect(refused).toMatchObject({ msg: "configuration refused; the running one stays", level: 50 });
    expect(JSON.stringify(refused.problems)).toContain("thresholds.health_critical_score");
    expect(thresholdIn(await freshSample())).toBe(96);
    expect((await alert()).state).toBe("firing");
    expect(memsnap.child.exitCode).toBeNull();
  });

  it("starts a target added to the file and drops one removed from it, series included", async () => {
    writeConfig(96, [
      { name: "held", kind: "none", pid: allocator.pid },
      { name: "second", kind: "none", pid: allocator.pid },
    ]);
    expect((await hangUp(["configuration reloaded", "configuration refused; the running one stays"])).msg).toBe("configuration reloaded");
    expect((await freshSample("second")).target.name).toBe("second");
    const withSecond = metricSamples(await (await fetch(`${memsnap.url}/metrics`)).text());
    expect(withSecond.get('memsnap_target_up{target="second"}')).toBe(1);

    writeConfig(96);
    expect((await hangUp(["configuration reloaded", "configuration refused; the running one stays"])).msg).toBe("configuration reloaded");
    expect((await getJson(`${memsnap.url}/api/v1/memory-snapshot?target=second`)).status).toBe(404);
    const text = await (await fetch(`${memsnap.url}/metrics`)).text();
    expect(text).not.toContain('target="second"');
    expect((await alert()).state).toBe("firing");
  });

  it("keeps the running value of a setting only a restart applies, and says so", async () => {
    writeFileSync(configFile, readFileSync(configFile, "utf8").replace(/^data_dir: .*$/m, `data_dir: ${path.join(dir, "elsewhere")}`));
    const seen = memsnap.logs.length;
    expect((await hangUp(["configuration reloaded", "configuration refused; the running one stays"])).msg).toBe("configuration reloaded");
    const warning = memsnap.logs.slice(seen).find((l) => l.msg === "these settings changed but apply only after a restart");
    expect(warning).toMatchObject({ settings: ["data_dir"] });
    expect((await alert()).state).toBe("firing");
  });

  it("changes the log level", async () => {
    const debugLines = () => memsnap.logs.filter((l) => l.level === 20 && l.msg === "sampled").length;
    await freshSample();
    expect(debugLines()).toBe(0);
    writeFileSync(configFile, `log_level: debug\n${readFileSync(configFile, "utf8")}`);
    expect((await hangUp(["configuration reloaded", "configuration refused; the running one stays"])).msg).toBe("configuration reloaded");
    await waitFor(async () => {
      await freshSample();
      return debugLines() > 0 ? true : undefined;
    }, "a debug line");
  });
});
