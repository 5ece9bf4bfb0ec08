import { loadConfig } from "../../src/config/load";
import type { Config } from "../../src/config/schema";
import { configFileWriter, problemsOf } from "../helpers/config";

type Field = [variable: string, accepted: string[], refused: string[], expected: string, read: (c: Config) => unknown];

const threshold =
  (key: keyof Config["thresholds"]) =>
  (c: Config): unknown =>
    c.thresholds[key];

/** Each numeric setting: its exact limits accepted, a value just beyond refused with what it expects. */
const FIELDS: Field[] = [
  ["MEMSNAP_OVERHEAD_CRITICAL_PERCENT", ["0.5"], ["0"], "a percentage above 0", threshold("overhead_critical_percent")],
  ["MEMSNAP_OVERHEAD_WARNING_PERCENT", ["0.5"], ["0"], "a percentage above 0", threshold("overhead_warning_percent")],
  ["MEMSNAP_UNACCOUNTED_CRITICAL_MB", ["0"], ["-0.5"], "a size in MB ≥ 0", threshold("unaccounted_critical_mb")],
  [
    "MEMSNAP_HEALTH_CRITICAL_SCORE",
    ["0", "100"],
    ["-0.5", "100.5"],
    "a score from 0 to 100",
    threshold("health_critical_score"),
  ],
  [
    "MEMSNAP_QUANTIZATION_WARNING_PERCENT",
    ["0.5"],
    ["0"],
    "a percentage above 0",
    threshold("quantization_warning_percent"),
  ],
  [
    "MEMSNAP_GROWTH_WARNING_MB_PER_HOUR",
    ["0"],
    ["-0.5"],
    "a growth rate in MB per hour ≥ 0",
    threshold("growth_warning_mb_per_hour"),
  ],
  [
    "MEMSNAP_GROWTH_MIN_WINDOW_MINUTES",
    ["1"],
    ["0.5"],
    "a window of 1 minute or more",
    threshold("growth_min_window_minutes"),
  ],
  ["MEMSNAP_OVERHEAD_MIN_MB", ["0"], ["-0.5"], "a size in MB ≥ 0", threshold("overhead_min_mb")],
  [
    "MEMSNAP_HOST_MEMORY_WARNING_PERCENT",
    ["0.5", "100"],
    ["0", "100.5"],
    "a percentage from 0 to 100",
    threshold("host_memory_warning_percent"),
  ],
  [
    "MEMSNAP_HOST_MEMORY_CRITICAL_PERCENT",
    ["0.5", "100"],
    ["0", "100.5"],
    "a percentage from 0 to 100",
    threshold("host_memory_critical_percent"),
  ],
  [
    "MEMSNAP_EXHAUSTION_CRITICAL_HOURS",
    ["0"],
    ["-0.5"],
    "a number of hours ≥ 0",
    threshold("exhaustion_critical_hours"),
  ],
  ["MEMSNAP_EXHAUSTION_WARNING_HOURS", ["0"], ["-0.5"], "a number of hours ≥ 0", threshold("exhaustion_warning_hours")],
  [
    "MEMSNAP_SMAPS_INTERVAL",
    ["0", "86400"],
    ["86400.5"],
    "a number of seconds from 0 to 86400 (0 turns the attribution off)",
    (c) => c.smaps_interval_seconds,
  ],
  ["MEMSNAP_DEMO_SCALE", ["0.1", "10"], ["0", "10.5"], "a number above 0 and at most 10", (c) => c.targets[0].scale],
];

describe("the schema's numeric settings: limits accepted, one step beyond refused", () => {
  it.each(FIELDS)("%s accepts %j and refuses %j", (variable, accepted, refused, expected, read) => {
    for (const value of accepted) expect(read(loadConfig({ [variable]: value }))).toBe(Number(value));
    for (const value of refused) {
      expect(problemsOf({ [variable]: value })).toEqual([`${variable}=${JSON.stringify(value)}: expected ${expected}`]);
    }
  });
});

describe("the schema's target: settings that contradict its kind or each other", () => {
  const { write } = configFileWriter();
  const LOCATE = "set pid, pid_file or process (MEMSNAP_TARGET_PID, MEMSNAP_TARGET_PID_FILE or MEMSNAP_TARGET_PROCESS)";

  it.each<[string, Record<string, string>, string]>([
    [
      "a demo target told which process to watch",
      { MEMSNAP_TARGET: "demo", MEMSNAP_TARGET_PID: "1" },
      'MEMSNAP_TARGET="demo": the demo target runs its own process; remove pid, pid_file and process',
    ],
    [
      "a target that is not the demo, without a process to watch",
      { MEMSNAP_TARGET: "qdrant" },
      `MEMSNAP_TARGET="qdrant": a qdrant target needs the process to watch: ${LOCATE}`,
    ],
    [
      "two ways to find the process",
      { MEMSNAP_TARGET_PID: "1", MEMSNAP_TARGET_PROCESS: "qdrant" },
      'MEMSNAP_TARGET_PID="1": set only one of pid, pid_file and process',
    ],
  ])("refuses %s, naming the variable and what to change", (_what, env, problem) => {
    expect(problemsOf(env)).toEqual([problem]);
  });

  it("names the file's target when the file sets the contradiction", () => {
    const file = write("demo-pid.yaml", "targets:\n  - {name: d, kind: demo, pid_file: /run/d.pid}\n");
    expect(problemsOf({}, file)).toEqual([
      `${file}: targets.0.kind: the demo target runs its own process; remove pid, pid_file and process`,
    ]);
  });

  it.each([
    ["a user and password", "http://admin:pw@db:6333", "http://***@db:6333"],
    ["a user alone", "http://admin@db:6333", "http://***@db:6333"],
  ])("refuses a database URL carrying %s, without repeating it", (_what, url, shown) => {
    expect(problemsOf({ MEMSNAP_TARGET: "qdrant", MEMSNAP_TARGET_PID: "1", MEMSNAP_TARGET_URL: url })).toEqual([
      `MEMSNAP_TARGET_URL="${shown}": keep credentials out of the URL: set api_key (MEMSNAP_TARGET_API_KEY)`,
    ]);
  });

  it("accepts a database URL whose query holds an @, which is no credential", () => {
    const env = { MEMSNAP_TARGET: "qdrant", MEMSNAP_TARGET_PID: "1", MEMSNAP_TARGET_URL: "http://db:6333?tag=a@b" };
    expect(loadConfig(env).targets[0]).toMatchObject({ url: "http://db:6333?tag=a@b" });
  });

  it("gives the demo target its scale", () => {
    expect(loadConfig({ MEMSNAP_TARGET: "demo", MEMSNAP_DEMO_SCALE: "3" }).targets[0]).toMatchObject({
      kind: "demo",
      scale: 3,
    });
  });

  it("gives a chroma target its tenant and database", () => {
    const config = loadConfig({
      MEMSNAP_TARGET: "chroma",
      MEMSNAP_TARGET_PID: "1",
      MEMSNAP_TARGET_TENANT: "acme",
      MEMSNAP_TARGET_DATABASE: "docs",
    });
    expect(config.targets[0]).toMatchObject({ kind: "chroma", tenant: "acme", database: "docs" });
  });
});
