import { writeFileSync } from "node:fs";
import path from "node:path";
import { getJson, startTestDaemon, untilReady, waitFor, type TestDaemon } from "./helpers/daemon";
import { Holder } from "./helpers/holder";
import { scratchDir } from "./helpers/scratch";

const WINDOW_MINUTES = 1;

describe("UnexplainedMemoryGrowth on real processes, over a one-minute growth window", () => {
  const dir = scratchDir("attribution-growth");
  let steady: Holder;
  let leaking: Holder;
  let daemon: TestDaemon;

  beforeAll(async () => {
    [steady, leaking] = await Promise.all([
      Holder.start(dir, "steady", { anonymousMb: 20, dataMb: 10, shmMb: 5, threads: 2 }),
      Holder.start(dir, "leaking", { anonymousMb: 20, dataMb: 10, shmMb: 5, threads: 0, leakMbPerSecond: 2 }),
    ]);
    const file = path.join(dir, "memsnap.yaml");
    writeFileSync(
      file,
      [
        "targets:",
        `  - {name: steady, kind: none, pid: ${steady.pid}}`,
        `  - {name: leaking, kind: none, pid: ${leaking.pid}}`,
        "",
      ].join("\n"),
    );
    daemon = await startTestDaemon(
      {
        MEMSNAP_SCHEDULE: "* * * * * *",
        MEMSNAP_GROWTH_MIN_WINDOW_MINUTES: String(WINDOW_MINUTES),
        MEMSNAP_SMAPS_INTERVAL: "20",
      },
      file,
    );
    await untilReady(daemon);
  }, 30_000);

  afterAll(async () => {
    await daemon?.stop();
    await Promise.all([steady?.stop(), leaking?.stop()]);
  });

  const snapshotOf = async (target: string) =>
    (await getJson(`${daemon.url}/api/v1/memory-snapshot?target=${target}`)).body;

  it("raises it for a process leaking 2 MB/s of anonymous memory once the readings span the window, and only there speaks of a leak", async () => {
    const started = Date.now();
    const found = await waitFor(
      async () =>
        (await snapshotOf("leaking")).findings.find((f: { code: string }) => f.code === "UnexplainedMemoryGrowth"),
      "UnexplainedMemoryGrowth on the leaking process",
      (WINDOW_MINUTES * 60 + 30) * 1000,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(WINDOW_MINUTES * 60 * 1000 - 5000);
    expect(found.severity).toBe("warning");
    expect(found.value).toBeGreaterThan(3000);
    expect(found.message).toMatch(/possible leak/);

    const leakingNow = await snapshotOf("leaking");
    expect(leakingNow.trend.unexplained_growing).toBe(true);
    const steadyNow = await snapshotOf("steady");
    expect(steadyNow.trend.unexplained_growing).toBe(false);
    expect(steadyNow.findings.map((f: { code: string }) => f.code)).not.toContain("UnexplainedMemoryGrowth");
    expect(steadyNow.findings.filter((f: { message: string }) => /leak/i.test(f.message))).toEqual([]);
  }, 120_000);
});
