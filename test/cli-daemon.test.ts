import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { SnapshotSchema } from "../src/snapshot/schema";
import { Allocator } from "./helpers/allocator";
import { freeLoopbackPort } from "./helpers/listen";
import { scratchDir } from "./helpers/scratch";
import { runCliAsync, spawnCli } from "./helpers/cli";
import { getJson, startTestDaemon, untilReady, waitFor, type TestDaemon } from "./helpers/daemon";

const MONITOR_FILE = /^monitor_\d{8}_\d{6}_\d{3}\.json$/;

describe("the command line against a running daemon", () => {
  let daemon: TestDaemon;
  let env: Record<string, string>;
  const workDir = scratchDir("cli-daemon");

  beforeAll(async () => {
    daemon = await startTestDaemon();
    await untilReady(daemon);
    env = { VECTORIZER_API_URL: `${daemon.url}/api/v1` };
  });

  afterAll(() => daemon?.stop());

  it("gives the daemon's snapshots a trend once a target has two samples", async () => {
    await getJson(`${daemon.url}/api/v1/memory-snapshot?fresh=true`);
    const { body } = await getJson(`${daemon.url}/api/v1/memory-snapshot?fresh=true`);
    expect(body.trend.samples).toBeGreaterThanOrEqual(2);
    expect(body.trend.window_end).toBe(body.timestamp);
    expect(typeof body.trend.rss_slope_mb_per_hour).toBe("number");
  });

  it("memsnap snapshot --json prints a fresh snapshot from VECTORIZER_API_URL, and --fail-on follows its findings", async () => {
    const result = await runCliAsync(["snapshot", "--json"], env);
    expect(result.status).toBe(0);
    const snapshot = SnapshotSchema.parse(JSON.parse(result.stdout));
    expect(snapshot.target.name).toBe("demo");
    const critical = snapshot.findings.some((f) => f.severity === "critical");
    expect((await runCliAsync(["snapshot", "--fail-on", "critical"], env)).status).toBe(critical ? 1 : 0);
  });

  it("memsnap snapshot --analyze explains it in tables", async () => {
    const result = await runCliAsync(["snapshot", "--analyze"], env);
    expect(result.stdout).toMatch(/^memsnap · target demo \(demo, pid \d+\)/);
    expect(result.stdout).toMatch(/Health {2}\d+\/100 {2}(excellent|good|fair|critical): /);
    for (const section of ["Memory", "Findings", "Recommendations", "Collections (6)", "Trend over"])
      expect(result.stdout).toContain(section);
  });

  it("writes --output FILE, refuses to replace it, and replaces it with --force", async () => {
    const file = path.join(workDir, "baseline.json");
    const first = await runCliAsync(["snapshot", "--output", "baseline.json"], env, workDir);
    expect(first.status).toBe(0);
    expect(SnapshotSchema.safeParse(JSON.parse(readFileSync(file, "utf8"))).success).toBe(true);
    const again = await runCliAsync(["snapshot", "--output", "baseline.json"], env, workDir);
    expect(again.status).toBe(2);
    expect(again.stderr).toBe(
      "memsnap: baseline.json already exists: choose another name, or add --force to replace it\n",
    );
    expect(
      (await runCliAsync(["--action", "snapshot", "--output", "baseline.json", "--force"], env, workDir)).status,
    ).toBe(0);
  });

  it.each([
    [
      "an --output that is not .json",
      ["snapshot", "--output", "report.txt"],
      {},
      "--output report.txt: expected a file name ending in .json",
    ],
    ["a target the daemon does not know", ["snapshot", "--target", "nope"], {}, "answered 404"],
    [
      "a VECTORIZER_API_URL that is no URL",
      ["snapshot"],
      { VECTORIZER_API_URL: "localhost" },
      'VECTORIZER_API_URL="localhost": expected the http(s) URL',
    ],
  ])("refuses %s in one line, exit 2, writing nothing", async (_what, args, extraEnv, message) => {
    const result = await runCliAsync(args, { ...env, ...extraEnv }, workDir);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain(message);
    expect(existsSync(path.join(workDir, "report.txt"))).toBe(false);
  });

  it("says how to reach a daemon that does not answer, in one line, exit 2", async () => {
    const refused = `http://127.0.0.1:${await freeLoopbackPort()}/api/v1`;
    const result = await runCliAsync(["snapshot"], { VECTORIZER_API_URL: refused });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      `memsnap: cannot reach the memsnap daemon at ${refused} (ECONNREFUSED): start it with memsnap serve, set VECTORIZER_API_URL to its API, or add --local\n`,
    );
  });

  it("memsnap monitor --interval 2 --count 3 writes three correctly named files, a line per tick, and the trend", async () => {
    const outputDir = path.join(workDir, "monitor");
    const result = await runCliAsync(["monitor", "--interval", "2", "--count", "3", "--output-dir", outputDir], env);
    expect(result.status).toBe(0);
    const files = readdirSync(outputDir).sort();
    expect(files).toHaveLength(3);
    files.forEach((file, i) => expect(file).toMatch(new RegExp(`^monitor_\\d{8}_\\d{6}_00${i + 1}\\.json$`)));
    for (const file of files) {
      const snapshot = SnapshotSchema.parse(JSON.parse(readFileSync(path.join(outputDir, file), "utf8")));
      const stamp = snapshot.timestamp.replace(/[-:]/g, "").replace("T", "_").slice(0, 15);
      expect(file.startsWith(`monitor_${stamp}_`)).toBe(true);
    }
    const ticks = result.stdout.split("\n").filter((line) => /#00\d/.test(line));
    expect(ticks.map((line) => line.split(/\s+/).at(-1))).toEqual(files);
    expect(result.stdout).toMatch(/Trend over 3 samples, \d+ s/);
    expect(result.stdout).toMatch(/RSS\s+[+-]?\d+\.\d MB\/hour/);
  });

  it("memsnap monitor prints the trend and exits 0 on Ctrl-C", async () => {
    const outputDir = path.join(workDir, "until-ctrl-c");
    const child = spawnCli(["monitor", "--interval", "2", "--output-dir", outputDir, "--json"], env);
    const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
    const lines: string[] = [];
    createInterface({ input: child.stdout }).on("line", (line) => lines.push(line));
    await waitFor(() => (lines.length >= 2 ? true : undefined), "two ticks", 20_000);
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    const last = JSON.parse(lines[lines.length - 1]);
    expect(last.ticks).toBe(lines.length - 1);
    expect(last.trend.samples).toBe(last.ticks);
    expect(readdirSync(outputDir).filter((f) => MONITOR_FILE.test(f))).toHaveLength(last.ticks);
  });

  it("writes a monitor summary with --output, as the seed's --action monitor --output did", async () => {
    const outputDir = path.join(workDir, "seed-monitor");
    const result = await runCliAsync(
      ["--action", "monitor", "--interval", "2", "--count", "2", "--output", "summary.json"],
      { ...env, MEMORY_OUTPUT_DIR: outputDir },
      workDir,
    );
    expect(result.status).toBe(0);
    const summary = JSON.parse(readFileSync(path.join(workDir, "summary.json"), "utf8"));
    expect(summary.ticks.map((t: { file: string }) => t.file)).toEqual(readdirSync(outputDir).sort());
    expect(summary.trend.samples).toBe(2);
  });

  /** Monitor arguments, the environment, and a part of the one line expected on stderr. */
  const BAD_NUMBERS: Array<[string[], Record<string, string>, string]> = [
    [["--interval", "abc"], {}, "argument 'abc' is invalid. expected a number of seconds above 0"],
    [["--interval", "0"], {}, "argument '0' is invalid. expected a number of seconds above 0"],
    [["--count", "0"], {}, "argument '0' is invalid. expected a whole number of snapshots, 1 or more"],
    [["--count", "1.5"], {}, "argument '1.5' is invalid. expected a whole number of snapshots, 1 or more"],
    [[], { MEMORY_MONITOR_INTERVAL: "soon" }, 'MEMORY_MONITOR_INTERVAL="soon": expected a number of seconds above 0'],
  ];

  it("refuses bad numbers for monitor, each with one line and exit 2, creating no files", async () => {
    const outputDir = path.join(workDir, "never-created");
    const results = await Promise.all(
      BAD_NUMBERS.map(([args, extraEnv]) =>
        runCliAsync(["monitor", "--count", "1", ...args, "--output-dir", outputDir], { ...env, ...extraEnv }),
      ),
    );
    results.forEach((result, i) => {
      expect({
        case: BAD_NUMBERS[i][0],
        status: result.status,
        lines: result.stderr.trimEnd().split("\n").length,
      }).toEqual({
        case: BAD_NUMBERS[i][0],
        status: 2,
        lines: 1,
      });
      expect(result.stderr).toContain(BAD_NUMBERS[i][2]);
    });
    expect(existsSync(outputDir)).toBe(false);
  });
});

describe("memsnap snapshot --local", () => {
  let allocator: Allocator;
  const configDir = scratchDir("local");

  beforeAll(async () => {
    allocator = await Allocator.start();
    await allocator.allocate(64);
  });

  afterAll(() => allocator?.stop());

  it("samples a process directly, with the daemon's sources, and no daemon", async () => {
    const env = {
      MEMSNAP_TARGET: "none",
      MEMSNAP_TARGET_PID: String(allocator.pid),
      VECTORIZER_API_URL: "http://127.0.0.1:9/api/v1",
    };
    const result = await runCliAsync(["snapshot", "--local", "--json"], env);
    expect(result.status).toBe(0);
    const snapshot = SnapshotSchema.parse(JSON.parse(result.stdout));
    expect(snapshot.target).toMatchObject({ name: "none", kind: "none", pid: allocator.pid, up: true });
    expect(snapshot.process_info.physical_memory_mb).toBeGreaterThan(64);
    expect(snapshot.discrepancy_analysis.unaccounted_memory_bytes).toBe(snapshot.process_info.physical_memory_bytes);
  });

  it("names the configured targets when asked for another", async () => {
    const config = path.join(configDir, "memsnap.yaml");
    writeFileSync(config, `targets:\n  - {name: db, kind: none, pid: ${allocator.pid}}\n`);
    const result = await runCliAsync(["snapshot", "--local", "--target", "nope", "--config", config]);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe("memsnap: no target named nope; configured: db\n");
  });
});
