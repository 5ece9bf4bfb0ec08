import { readFileSync } from "node:fs";
import path from "node:path";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { sampleTarget } from "../src/sampling/sampler";
import type { Target } from "../src/sources/target";
import { CgroupSandbox, writableMemoryHierarchy, type Grower } from "./helpers/cgroup-sandbox";
import { getJson, scrape, startTestDaemon, waitFor, type TestDaemon } from "./helpers/daemon";
import { MB } from "./helpers/samples";

/**
 * A real process growing about 5 MB/s in a child cgroup whose parent is limited, watched by a
 * real daemon sampling every second: the forecast, the page before the kill, and the kill itself.
 * Needs root and a memory cgroup hierarchy (cgroup v1 here; v2 where that is what is mounted).
 */
const hierarchy = writableMemoryHierarchy();
const describeWithCgroups = hierarchy === null ? describe.skip : describe;
if (hierarchy === null)
  console.warn("exhaustion-cgroup tests skipped: they need root and a writable memory cgroup hierarchy");

const GROWTH_MB_PER_SECOND = 5;
const PARENT_LIMIT_BYTES = 256 * MB;

interface Forecast {
  takenAtMs: number;
  secondsUntilLimit: number | null;
  samples: number;
  limitBytes: number | null;
  limitPath: string | null;
}

function daemonFor(grower: Grower, trendWindow: string): Promise<TestDaemon> {
  return startTestDaemon({
    MEMSNAP_TARGET: "none",
    MEMSNAP_TARGET_NAME: "grower",
    MEMSNAP_TARGET_PID: String(grower.pid),
    MEMSNAP_SCHEDULE: "* * * * * *",
    MEMSNAP_TREND_WINDOW: trendWindow,
    MEMSNAP_PROCESS_SMAPS: "off",
  });
}

async function alertState(daemon: TestDaemon, alertname: string): Promise<string | undefined> {
  const { body } = await getJson(`${daemon.url}/api/v1/alerts`);
  return body.alerts.find((a: { alertname: string }) => a.alertname === alertname)?.state;
}

describeWithCgroups("running out of memory in a real cgroup", () => {
  const made: CgroupSandbox[] = [];
  const running: Array<{ stop(): Promise<void> }> = [];
  afterEach(async () => {
    for (const thing of running.splice(0).reverse()) await thing.stop();
    for (const sandbox of made.splice(0)) sandbox.remove();
  });

  function sandbox(name: string, limitBytes: number): CgroupSandbox {
    const made_ = new CgroupSandbox(hierarchy!, `memsnap-exhaustion-${name}-${process.pid}`, limitBytes);
    made.push(made_);
    return made_;
  }

  it("forecasts the parent's limit within 15 %, pages MemoryExhaustionImminent before the kill, then counts the OOM kill and pages OomKilled", async () => {
    const cgroup = sandbox("oom", PARENT_LIMIT_BYTES);
    const grower = await cgroup.startGrower(GROWTH_MB_PER_SECOND);
    running.push(grower);
    const daemon = await daemonFor(grower, "20s");
    running.push(daemon);

    const forecasts: Forecast[] = [];
    let imminentFiredAtMs: number | null = null;
    let oomKillsBefore: number | undefined;
    while (grower.exit === null) {
      const { body } = await getJson(`${daemon.url}/api/v1/memory-snapshot`).catch(() => ({ body: null }));
      if (body?.trend) {
        forecasts.push({
          takenAtMs: Date.parse(body.timestamp),
          secondsUntilLimit: body.trend.seconds_until_memory_limit,
          samples: body.trend.samples,
          limitBytes: body.cgroup_info?.limit_bytes ?? null,
          limitPath: body.cgroup_info?.limit_path ?? null,
        });
      }
      oomKillsBefore ??= (await scrape(daemon)).get('memsnap_cgroup_oom_kills_total{target="grower"}');
      if (imminentFiredAtMs === null && (await alertState(daemon, "MemoryExhaustionImminent")) === "firing")
        imminentFiredAtMs = Date.now();
      await Promise.race([grower.exited, new Promise((resolve) => setTimeout(resolve, 250))]);
    }
    const killedAtMs = grower.exit.atMs;

    expect(grower.exit.signal).toBe("SIGKILL");
    expect(oomKillsBefore).toBe(0);
    expect(imminentFiredAtMs).not.toBeNull();
    expect(imminentFiredAtMs!).toBeLessThan(killedAtMs);
    // Forecasts from a settled trend, at least 10 s (ten samples) before the kill: closer in, one
    // second of sampling is already a large part of the time left.
    const settled = forecasts.filter(
      (f) => f.samples >= 10 && f.secondsUntilLimit !== null && killedAtMs - f.takenAtMs >= 10_000,
    );
    expect(settled.length).toBeGreaterThan(3);
    for (const f of settled) {
      expect(f.limitBytes).toBe(PARENT_LIMIT_BYTES);
      expect(f.limitPath).toBe(`/${path.basename(cgroup.parent)}`);
      const trueSeconds = (killedAtMs - f.takenAtMs) / 1000;
      expect(Math.abs(f.secondsUntilLimit! - trueSeconds) / trueSeconds).toBeLessThan(0.15);
    }

    const oomKillsAfter = await waitFor(async () => {
      const kills = (await scrape(daemon)).get('memsnap_cgroup_oom_kills_total{target="grower"}');
      return kills !== undefined && kills > 0 ? kills : undefined;
    }, "the OOM kill to be counted");
    expect(oomKillsAfter).toBeGreaterThanOrEqual(1);
    const metrics = await scrape(daemon);
    expect(metrics.get('memsnap_memory_limit_bytes{target="grower"}')).toBe(PARENT_LIMIT_BYTES);
    expect(metrics.get('memsnap_cgroup_memory_limit_bytes{target="grower"}')).toBe(PARENT_LIMIT_BYTES);
    expect(metrics.get('memsnap_cgroup_memory_working_set_bytes{target="grower"}')).toBeLessThan(PARENT_LIMIT_BYTES);
    await waitFor(
      async () => ((await alertState(daemon, "OomKilled")) === "firing" ? true : undefined),
      "OomKilled to fire",
    );
    const { body } = await getJson(`${daemon.url}/api/v1/memory-snapshot`);
    expect(body.findings.find((f: { code: string }) => f.code === "OomKilled")).toMatchObject({
      severity: "critical",
      value: 1,
    });
  }, 120_000);

  it("keeps reading the cgroup a process was killed in while it is a zombie, which the kernel shows in the root cgroup", async () => {
    const cgroup = sandbox("zombie", 64 * MB);
    // The shell starts a sleeper in the child cgroup and becomes a process that never reaps it.
    const holder = spawn(
      "sh",
      ["-c", `echo $$ > ${path.join(cgroup.child, "cgroup.procs")}; sleep 60 & echo $!; exec sleep 60`],
      { stdio: "pipe" },
    );
    const holderExited = new Promise((resolve) => holder.once("exit", resolve));
    running.push({
      stop: async () => {
        holder.kill("SIGKILL");
        await holderExited;
      },
    });
    const sleeper = Number((await createInterface({ input: holder.stdout })[Symbol.asyncIterator]().next()).value);
    const target: Target = {
      name: "sleeper",
      kind: "none",
      url: null,
      collections: null,
      pid: () => sleeper,
      stop: () => Promise.resolve(),
    };
    const childPath = `/${path.basename(cgroup.parent)}/child`;
    const signal = new AbortController().signal;
    expect((await sampleTarget(target, signal)).cgroup).toMatchObject({ path: childPath, limitBytes: 64 * MB });
    process.kill(sleeper, "SIGKILL");
    await waitFor(
      () => (/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${sleeper}/stat`, "utf8")) ? true : undefined),
      "the sleeper to be a zombie",
    );
    expect(readFileSync(`/proc/${sleeper}/cgroup`, "utf8")).not.toContain(childPath);
    expect((await sampleTarget(target, signal)).cgroup).toMatchObject({ path: childPath, limitBytes: 64 * MB });
  });

  it("drops the forecast within the trend window once the process stops growing", async () => {
    const cgroup = sandbox("stops", 1024 * MB);
    const grower = await cgroup.startGrower(GROWTH_MB_PER_SECOND, 70);
    running.push(grower);
    const daemon = await daemonFor(grower, "10s");
    running.push(daemon);

    await waitFor(
      async () =>
        (await getJson(`${daemon.url}/api/v1/memory-snapshot`)).body?.trend?.hours_until_memory_limit ?? undefined,
      "a forecast while the process grows",
    );
    await grower.expect("stopped");
    const stoppedAtMs = Date.now();
    const { body } = await waitFor(async () => {
      const latest = await getJson(`${daemon.url}/api/v1/memory-snapshot`);
      return Date.parse(latest.body.timestamp) > stoppedAtMs && latest.body.trend?.hours_until_memory_limit === null
        ? latest
        : undefined;
    }, "the forecast to go");
    expect(Date.parse(body.timestamp) - stoppedAtMs).toBeLessThan(10_000);
    expect(body.trend.hours_until_memory_limit_reason).toMatch(/stopped growing|does not grow/);
  }, 60_000);
});
