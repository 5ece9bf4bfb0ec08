import { loadConfig } from "../../src/config/load";
import { configErrorOf, configFileWriter, problemsOf } from "../helpers/config";

describe("loadConfig: what the user reads when a configuration is refused", () => {
  it("lists every problem on its own indented line under one heading", () => {
    const err = configErrorOf({ MEMSNAP_PORT: "x", MEMSNAP_LOG_LEVEL: "loud" });
    expect(err.message).toBe(
      "invalid configuration:\n" +
        '  MEMSNAP_PORT="x": expected a TCP port from 0 to 65535\n' +
        '  MEMSNAP_LOG_LEVEL="loud": expected one of fatal, error, warn, info, debug, trace, silent',
    );
    // What a stack trace shows when the error escapes.
    expect(String(err)).toMatch(/^ConfigError: invalid configuration:\n/);
  });

  it("refuses a variable set to nothing or to blanks, naming it and saying what to do", () => {
    expect(problemsOf({ MEMSNAP_PORT: " ", MEMSNAP_TARGET_NAME: "\t" })).toEqual([
      "MEMSNAP_PORT is set but empty: give it a value, or unset it for the default",
      "MEMSNAP_TARGET_NAME is set but empty: give it a value, or unset it for the default",
    ]);
  });
});

describe("loadConfig: the target the environment describes", () => {
  it("is the demo database, named demo, when no variable locates a process", () => {
    expect(loadConfig({ MEMSNAP_DEMO_SCALE: "2" }).targets).toEqual([
      { name: "demo", kind: "demo", scale: 2, timeout_ms: 5000, max_response_bytes: 32 * 1024 * 1024 },
    ]);
  });

  it("is any process, named none, when a variable locates one", () => {
    expect(loadConfig({ MEMSNAP_TARGET_PROCESS: "qdrant" }).targets[0]).toMatchObject({
      name: "none",
      kind: "none",
      process: "qdrant",
    });
  });
});

describe("loadConfig: the config file", () => {
  const { write } = configFileWriter();

  it.each([
    ["empty.yaml", ""],
    ["comments.yaml", "# every setting commented out\n# port: 9000\n"],
    ["null.yaml", "~\n"],
    ["null.json", "null"],
  ])("takes %s, which holds no settings, as the defaults", (name, text) => {
    expect(loadConfig({}, write(name, text))).toEqual(loadConfig({}));
  });

  it("reads a .yml file", () => {
    expect(loadConfig({}, write("c.yml", "port: 9001\n")).port).toBe(9001);
  });

  it("reads a .json file as JSON: YAML in it is refused", () => {
    const file = write("yaml-inside.json", "port: 9000\n");
    const problems = problemsOf({}, file);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: not valid JSON \\(`));
  });

  it("gives a YAML syntax error on one line, its excerpt and caret joined by single spaces", () => {
    const file = write("nested.yaml", "host: db: 8080\n");
    expect(problemsOf({}, file)).toEqual([
      `${file}: not valid YAML (Nested mappings are not allowed in compact mappings at line 1, column 7: host: db: 8080 ^)`,
    ]);
  });

  it.each([
    ["scalar.yaml", "just text\n"],
    ["number.yaml", "42\n"],
    ["array.json", "[1, 2]"],
  ])("refuses %s, which is not a mapping of settings", (name, text) => {
    const file = write(name, text);
    expect(problemsOf({}, file)).toEqual([`${file}: expected a mapping of settings at the top level`]);
  });

  it("names the file where a key is not a setting", () => {
    const file = write("typo.yaml", "prot: 9000\n");
    expect(problemsOf({}, file)).toEqual([`${file}: \`prot\` is not a setting; did you mean \`port\`?`]);
  });

  it("keeps the file's other settings of a section a variable sets one of", () => {
    const file = write("thresholds.yaml", "thresholds:\n  overhead_warning_percent: 40\n");
    const config = loadConfig({ MEMSNAP_OVERHEAD_CRITICAL_PERCENT: "80" }, file);
    expect(config.thresholds).toMatchObject({ overhead_warning_percent: 40, overhead_critical_percent: 80 });
  });

  it("lets a variable fill a section the file leaves empty", () => {
    const file = write("empty-section.yaml", "thresholds:\nport: 9002\n");
    const config = loadConfig({ MEMSNAP_OVERHEAD_CRITICAL_PERCENT: "80" }, file);
    expect(config.thresholds.overhead_critical_percent).toBe(80);
    expect(config.port).toBe(9002);
  });

  it("keeps the locator of the file's one target when the variables set no locator", () => {
    const file = write("qdrant.yaml", "targets:\n  - {name: vec, kind: qdrant, process: qdrant}\n");
    expect(loadConfig({ MEMSNAP_TARGET_API_KEY: "k-1" }, file).targets[0]).toMatchObject({
      name: "vec",
      kind: "qdrant",
      process: "qdrant",
      api_key: "k-1",
    });
  });

  it("names every MEMSNAP_TARGET_* variable it refuses when the file lists several targets", () => {
    const file = write(
      "several.yaml",
      "targets:\n  - {name: a, kind: none, pid: 1}\n  - {name: b, kind: none, pid: 2}\n",
    );
    expect(problemsOf({ MEMSNAP_TARGET_PID: "3", MEMSNAP_TARGET_API_KEY: "k" }, file)).toEqual([
      `MEMSNAP_TARGET_* variables (MEMSNAP_TARGET_PID, MEMSNAP_TARGET_API_KEY) describe one target, but ${file} lists 2: ` +
        "set these in the file's targets instead",
    ]);
  });

  it("takes the target from the variables when the file lists none", () => {
    const file = write("no-targets.yaml", "targets: []\n");
    expect(loadConfig({ MEMSNAP_TARGET_PID: "7" }, file).targets).toEqual([
      { name: "none", kind: "none", pid: 7, timeout_ms: 5000, max_response_bytes: 32 * 1024 * 1024 },
    ]);
  });
});
