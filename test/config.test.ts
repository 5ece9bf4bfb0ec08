import path from "node:path";
import { loadConfig } from "../src/config/load";
import { configFileWriter, problemsOf } from "./helpers/config";

describe("configuration", () => {
  it("runs the demo target on 127.0.0.1:8080 every 15 s when nothing is configured", () => {
    const config = loadConfig({});
    expect(config.port).toBe(8080);
    expect(config.host).toBe("127.0.0.1");
    expect(config.schedule).toBe("*/15 * * * * *");
    expect(config.targets).toEqual([
      { name: "demo", kind: "demo", timeout_ms: 5000, max_response_bytes: 32 * 1024 * 1024 },
    ]);
    expect(config.output_dir).toBe("memory_snapshots");
    expect(config.data_dir).toBe(".memsnap");
    expect(config.alerts).toBe(true);
    expect(config.thresholds).toEqual({
      overhead_critical_percent: 100,
      overhead_warning_percent: 50,
      unaccounted_critical_mb: 500,
      health_critical_score: 50,
      quantization_warning_percent: 50,
      growth_warning_mb_per_hour: 50,
      growth_min_window_minutes: 30,
      overhead_min_mb: 100,
      host_memory_warning_percent: 90,
      host_memory_critical_percent: 97,
      exhaustion_critical_hours: 2,
      exhaustion_warning_hours: 24,
      trend_window: 30 * 60_000,
    });
  });

  it("reads the trend window as a duration, and refuses one that is not", () => {
    expect(loadConfig({ MEMSNAP_TREND_WINDOW: "90s" }).thresholds.trend_window).toBe(90_000);
    expect(loadConfig({ MEMSNAP_TREND_WINDOW: "2h" }).thresholds.trend_window).toBe(2 * 3_600_000);
    expect(() => loadConfig({ MEMSNAP_TREND_WINDOW: "soon" })).toThrow(
      'MEMSNAP_TREND_WINDOW="soon": expected a window of at least one second',
    );
    expect(() => loadConfig({ MEMSNAP_EXHAUSTION_CRITICAL_HOURS: "-1" })).toThrow(
      'MEMSNAP_EXHAUSTION_CRITICAL_HOURS="-1": expected a number of hours ≥ 0',
    );
  });

  it("watches any process with MEMSNAP_TARGET_PID alone", () => {
    const config = loadConfig({ MEMSNAP_TARGET_PID: "1234" });
    expect(config.targets).toEqual([
      { name: "none", kind: "none", pid: 1234, timeout_ms: 5000, max_response_bytes: 32 * 1024 * 1024 },
    ]);
  });

  it("reads a Qdrant target's API key and response cap from the environment", () => {
    const config = loadConfig({
      MEMSNAP_TARGET: "qdrant",
      MEMSNAP_TARGET_PROCESS: "qdrant",
      MEMSNAP_TARGET_API_KEY: "k-123",
      MEMSNAP_TARGET_MAX_RESPONSE_BYTES: "1048576",
    });
    expect(config.targets[0]).toMatchObject({
      kind: "qdrant",
      process: "qdrant",
      api_key: "k-123",
      max_response_bytes: 1048576,
    });
  });

  it("reads thresholds and switches from the environment", () => {
    const config = loadConfig({
      MEMSNAP_OVERHEAD_CRITICAL_PERCENT: "80",
      MEMSNAP_ALERTS: "off",
      MEMSNAP_PORT: "0",
    });
    expect(config.thresholds.overhead_critical_percent).toBe(80);
    expect(config.alerts).toBe(false);
    expect(config.port).toBe(0);
  });

  it("walks smaps for the attribution every 60 s unless MEMSNAP_SMAPS_INTERVAL says otherwise; 0 turns it off", () => {
    expect(loadConfig({}).smaps_interval_seconds).toBe(60);
    expect(loadConfig({ MEMSNAP_SMAPS_INTERVAL: "0" }).smaps_interval_seconds).toBe(0);
    expect(loadConfig({ MEMSNAP_SMAPS_INTERVAL: "2.5" }).smaps_interval_seconds).toBe(2.5);
  });

  it("reads smaps_rollup unless MEMSNAP_PROCESS_SMAPS is off", () => {
    expect(loadConfig({}).process_smaps).toBe(true);
    expect(loadConfig({ MEMSNAP_PROCESS_SMAPS: "off" }).process_smaps).toBe(false);
  });

  it.each([
    [{ MEMSNAP_PORT: "abc" }, 'MEMSNAP_PORT="abc": expected a TCP port from 0 to 65535'],
    [{ MEMSNAP_PORT: "70000" }, 'MEMSNAP_PORT="70000": expected a TCP port from 0 to 65535'],
    [{ MEMSNAP_PORT: "8080.5" }, 'MEMSNAP_PORT="8080.5": expected a TCP port from 0 to 65535'],
    [{ MEMSNAP_SCHEDULE: "every minute" }, 'MEMSNAP_SCHEDULE="every minute": expected a cron expression'],
    [{ MEMSNAP_TARGET_PID: "abc" }, 'MEMSNAP_TARGET_PID="abc": expected a positive integer process id'],
    [{ MEMSNAP_TARGET_PID: "-3" }, 'MEMSNAP_TARGET_PID="-3": expected a positive integer process id'],
    [{ MEMSNAP_TARGET: "mongo" }, 'MEMSNAP_TARGET="mongo": expected one of demo, vectorizer, qdrant, chroma, none'],
    [
      { MEMSNAP_TARGET: "chroma", MEMSNAP_TARGET_PID: "1", MEMSNAP_TARGET_TENANT: "a/b" },
      'MEMSNAP_TARGET_TENANT="a/b": expected a Chroma name',
    ],
    [
      { MEMSNAP_TARGET: "qdrant", MEMSNAP_TARGET_PID: "1", MEMSNAP_TARGET_DATABASE: "docs" },
      'MEMSNAP_TARGET_DATABASE="docs": only the chroma target takes a database',
    ],
    [{ MEMSNAP_TARGET: "none" }, 'MEMSNAP_TARGET="none": a none target needs the process to watch'],
    [{ MEMSNAP_TARGET_URL: "ftp://x" }, 'MEMSNAP_TARGET_URL="ftp://x": expected an http(s) URL'],
    [{ MEMSNAP_ALERTS: "maybe" }, 'MEMSNAP_ALERTS="maybe"'],
    [
      { MEMSNAP_OVERHEAD_CRITICAL_PERCENT: "-1" },
      'MEMSNAP_OVERHEAD_CRITICAL_PERCENT="-1": expected a percentage above 0',
    ],
    [{ MEMSNAP_DEMO_SCALE: "0" }, 'MEMSNAP_DEMO_SCALE="0": expected a number above 0'],
    [
      { MEMSNAP_SMAPS_INTERVAL: "-1" },
      'MEMSNAP_SMAPS_INTERVAL="-1": expected a number of seconds from 0 to 86400 (0 turns the attribution off)',
    ],
    [{ MEMSNAP_SMAPS_INTERVAL: "1m" }, 'MEMSNAP_SMAPS_INTERVAL="1m": expected a number of seconds'],
    [{ MEMSNAP_TARGET_PID: "1", MEMSNAP_DEMO_SCALE: "1" }, 'MEMSNAP_DEMO_SCALE="1": only the demo target has a scale'],
    [{ MEMSNAP_API_TOKEN: "short" }, "MEMSNAP_API_TOKEN (value hidden): expected a token of at least 16 characters"],
    [
      { MEMSNAP_TARGET: "vectorizer", MEMSNAP_TARGET_PID: "1", MEMSNAP_TARGET_API_KEY: "k" },
      "MEMSNAP_TARGET_API_KEY (value hidden): only the qdrant target takes an api_key",
    ],
    [
      { MEMSNAP_TARGET: "qdrant", MEMSNAP_TARGET_PID: "1", MEMSNAP_TARGET_API_KEY: "" },
      "MEMSNAP_TARGET_API_KEY is set but empty",
    ],
    [
      { MEMSNAP_TARGET_PID: "1", MEMSNAP_TARGET_MAX_RESPONSE_BYTES: "10" },
      'MEMSNAP_TARGET_MAX_RESPONSE_BYTES="10": expected a size in bytes from 1024',
    ],
    [
      { MEMSNAP_TARGET_PROCESS: "qdrant(" },
      'MEMSNAP_TARGET_PROCESS="qdrant(": expected a process name or a regular expression over the command line (Invalid regular expression',
    ],
    [
      { MEMSNAP_TARGET: "qdrant", MEMSNAP_TARGET_PID: "1", MEMSNAP_TARGET_URL: "http://admin:pw@db:6333" },
      'MEMSNAP_TARGET_URL="http://***@db:6333": keep credentials out of the URL',
    ],
    [
      { MEMSNAP_GROWTH_WARNING_MB_PER_HOUR: "fast" },
      'MEMSNAP_GROWTH_WARNING_MB_PER_HOUR="fast": expected a growth rate in MB per hour ≥ 0',
    ],
    [
      { VECTORIZER_API_URL: "localhost:8080" },
      'VECTORIZER_API_URL="localhost:8080": expected the http(s) URL of a memsnap daemon',
    ],
    [{ MEMORY_MONITOR_INTERVAL: "abc" }, 'MEMORY_MONITOR_INTERVAL="abc": expected a number of seconds above 0'],
    [{ MEMORY_MONITOR_INTERVAL: "0" }, 'MEMORY_MONITOR_INTERVAL="0": expected a number of seconds above 0'],
    [
      { MEMSNAP_GROWTH_MIN_WINDOW_MINUTES: "-5" },
      'MEMSNAP_GROWTH_MIN_WINDOW_MINUTES="-5": expected a window of 1 minute or more',
    ],
  ])("refuses %j with a message naming the variable", (env, message) => {
    const problems = problemsOf(env);
    expect(problems.some((p) => p.startsWith(message))).toBe(true);
  });

  it("gives the command line the seed's defaults and variables", () => {
    expect(loadConfig({}).cli).toEqual({ api_url: "http://localhost:8080/api/v1", monitor_interval_seconds: 30 });
    const config = loadConfig({
      VECTORIZER_API_URL: "http://db1:9000/api/v1",
      MEMORY_MONITOR_INTERVAL: "2.5",
      MEMORY_OUTPUT_DIR: "out",
    });
    expect(config.cli).toEqual({ api_url: "http://db1:9000/api/v1", monitor_interval_seconds: 2.5 });
    expect(config.output_dir).toBe("out");
  });

  it("reads the MemoryGrowth threshold and its minimum window", () => {
    const config = loadConfig({ MEMSNAP_GROWTH_WARNING_MB_PER_HOUR: "20", MEMSNAP_GROWTH_MIN_WINDOW_MINUTES: "10" });
    expect(config.thresholds).toMatchObject({ growth_warning_mb_per_hour: 20, growth_min_window_minutes: 10 });
  });

  it("reports every bad value at once, one line each", () => {
    const problems = problemsOf({ MEMSNAP_PORT: "x", MEMSNAP_SCHEDULE: "y", MEMSNAP_LOG_LEVEL: "loud" });
    expect(problems).toHaveLength(3);
  });

  describe("config file", () => {
    const { dir, write } = configFileWriter();

    it("reads several targets from YAML, and the environment overrides the file", () => {
      const file = write(
        "two.yaml",
        "port: 9000\ntargets:\n  - {name: a, kind: none, pid: 1}\n  - {name: b, kind: demo}\nthresholds:\n  overhead_warning_percent: 40\n",
      );
      const config = loadConfig({ MEMSNAP_PORT: "9100" }, file);
      expect(config.port).toBe(9100);
      expect(config.targets.map((t) => t.name)).toEqual(["a", "b"]);
      expect(config.thresholds.overhead_warning_percent).toBe(40);
      expect(config.thresholds.overhead_critical_percent).toBe(100);
    });

    it("lets MEMSNAP_TARGET_* variables override the file's one target, a locator replacing the file's", () => {
      const file = write(
        "one.yaml",
        "targets:\n  - {name: vec, kind: qdrant, url: 'http://db:6333', process: qdrant}\n",
      );
      const config = loadConfig(
        { MEMSNAP_TARGET_API_KEY: "from-env", MEMSNAP_TARGET_PID_FILE: "/run/qdrant.pid" },
        file,
      );
      expect(config.targets).toEqual([
        expect.objectContaining({
          name: "vec",
          kind: "qdrant",
          url: "http://db:6333",
          api_key: "from-env",
          pid_file: "/run/qdrant.pid",
        }),
      ]);
      expect(config.targets[0].process).toBeUndefined();
    });

    it("refuses MEMSNAP_TARGET_* variables when the file lists several targets", () => {
      const file = write(
        "several.yaml",
        "targets:\n  - {name: a, kind: none, pid: 1}\n  - {name: b, kind: none, pid: 2}\n",
      );
      expect(problemsOf({ MEMSNAP_TARGET_API_KEY: "k" }, file)).toEqual([
        `MEMSNAP_TARGET_* variables (MEMSNAP_TARGET_API_KEY) describe one target, but ${file} lists 2: set these in the file's targets instead`,
      ]);
    });

    it("reads JSON", () => {
      const file = write("c.json", JSON.stringify({ host: "0.0.0.0" }));
      expect(loadConfig({}, file).host).toBe("0.0.0.0");
    });

    it.each([
      ["bad.yaml", "port: [1\n", "not valid YAML"],
      ["bad.json", "{", "not valid JSON"],
      ["list.yaml", "- 1\n", "expected a mapping of settings"],
      ["c.toml", "port = 1", "expected a .yaml, .yml or .json config file"],
      [
        "dup.yaml",
        "targets:\n  - {name: a, kind: demo}\n  - {name: a, kind: demo}\n",
        "targets: target names must be unique",
      ],
      ["port.yaml", "port: high\n", "port: expected a TCP port"],
    ])("refuses %s naming the file and the field", (name, text, message) => {
      const file = write(name, text);
      const problems = problemsOf({}, file);
      expect(problems[0]).toContain(file);
      expect(problems[0]).toContain(message);
    });

    it("refuses a missing file", () => {
      expect(problemsOf({}, path.join(dir, "absent.yaml"))[0]).toContain("cannot read the config file");
    });
  });
});
