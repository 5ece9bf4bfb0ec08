import { z } from "zod";
import { unknownKeys } from "../../src/config/known-keys";
import { ConfigSchema } from "../../src/config/schema";
import { configFileWriter, problemsOf } from "../helpers/config";

const TOP_LEVEL = Object.keys(ConfigSchema.shape).join(", ");

describe("a config file's unknown keys, each with the nearest setting", () => {
  const { write } = configFileWriter();
  const refusal = (name: string, text: string) => {
    const file = write(name, text);
    return problemsOf({}, file).map((problem) => problem.replace(`${file}: `, ""));
  };

  it.each([
    ["a typo at the top level", "api_tokn: x\n", "`api_tokn` is not a setting; did you mean `api_token`?"],
    ["another case and separator", "API-Token: x\n", "`API-Token` is not a setting; did you mean `api_token`?"],
    ["a typo in upper case", "LOG_LEVL: info\n", "`LOG_LEVL` is not a setting; did you mean `log_level`?"],
    ["a name two edits away", "hots: x\n", "`hots` is not a setting; did you mean `host`?"],
    ["the nearer of two near names", "alertin: on\n", "`alertin` is not a setting; did you mean `alerting`?"],
    [
      "a long name three edits away",
      "sampling_timeout: 5s\n",
      "`sampling_timeout` is not a setting; did you mean `sample_timeout`?",
    ],
    [
      "a typo in the first target",
      "targets:\n  - {name: db, kind: none, pidfile: /run/db.pid}\n",
      "targets.0: `pidfile` is not a setting; did you mean `pid_file`?",
    ],
    [
      "a typo in the second target",
      "targets:\n  - {name: a, kind: demo}\n  - {name: b, kind: none, kid: none}\n",
      "targets.1: `kid` is not a setting; did you mean `kind`?",
    ],
    [
      "a typo in a nested section",
      "alerting:\n  email:\n    smtp_pas: x\n",
      "alerting.email: `smtp_pas` is not a setting; did you mean `smtp_pass`?",
    ],
  ])("names %s", (_what, text, problem) => {
    expect(refusal("typo.yaml", text)).toEqual([problem]);
  });

  it.each([
    ["a name far from every setting", "completely_unrelated: 1\n"],
    ["a short name three edits away", "host_ip: 0.0.0.0\n"],
    ["a word that only starts like a setting", "hostname: db\n"],
  ])("lists the settings for %s", (_what, text) => {
    const key = text.slice(0, text.indexOf(":"));
    expect(refusal("far.yaml", text)).toEqual([`\`${key}\` is not a setting; the settings here are ${TOP_LEVEL}`]);
  });

  it("reports every unknown key, each where it is", () => {
    expect(refusal("several.yaml", "prot: 1\nthresholds:\n  overhead_min: 1\n  trend_windw: 1h\n")).toEqual([
      "`prot` is not a setting; did you mean `port`?",
      "thresholds: `overhead_min` is not a setting; did you mean `overhead_min_mb`?",
      "thresholds: `trend_windw` is not a setting; did you mean `trend_window`?",
    ]);
  });

  it("leaves a section of the wrong type to the schema, which says what it expected", () => {
    expect(refusal("shapes.yaml", "thresholds: [1]\ntargets: {name: x}\n")).toEqual([
      "targets: Invalid input: expected array, received object",
      "thresholds: Invalid input: expected object, received array",
    ]);
    expect(refusal("text.yaml", "alerting: text\n")).toEqual([
      "alerting: Invalid input: expected object, received string",
    ]);
    expect(refusal("empty.yaml", "alerting:\n")).toEqual(["alerting: Invalid input: expected object, received null"]);
  });
});

describe("unknownKeys reads the valid names from the schema itself", () => {
  const retry = z.object({ attempts: z.number(), base_delay: z.string() });

  it("sees through a preprocess, a transform, a default and a refinement", () => {
    const wrapped = [
      z.preprocess((v) => v, retry),
      retry.transform((r) => r.attempts),
      retry.default({ attempts: 1, base_delay: "1s" }),
      retry.refine(() => true),
    ];
    for (const schema of wrapped) {
      expect(unknownKeys({ attempts: 1, base_dela: "1s" }, schema)).toEqual([
        "`base_dela` is not a setting; did you mean `base_delay`?",
      ]);
    }
  });

  it("walks a list of objects, naming the item", () => {
    const list = z.array(retry).optional();
    expect(unknownKeys([{ attempts: 1 }, { atempts: 2 }], list, ["retries"])).toEqual([
      "retries.1: `atempts` is not a setting; did you mean `attempts`?",
    ]);
    expect(unknownKeys({ attempts: 1 }, list)).toEqual([]);
  });

  it("of two settings as near, suggests the one declared first", () => {
    const delays = z.object({ min_delay: z.string(), max_delay: z.string() });
    expect(unknownKeys({ mix_delay: "1s" }, delays)).toEqual([
      "`mix_delay` is not a setting; did you mean `min_delay`?",
    ]);
    const swapped = z.object({ max_delay: z.string(), min_delay: z.string() });
    expect(unknownKeys({ mix_delay: "1s" }, swapped)).toEqual([
      "`mix_delay` is not a setting; did you mean `max_delay`?",
    ]);
  });

  it("has nothing to say about values that are not mappings, or about a schema without names", () => {
    expect(unknownKeys("attempts", retry)).toEqual([]);
    expect(unknownKeys(null, retry)).toEqual([]);
    expect(unknownKeys([{ x: 1 }], retry)).toEqual([]);
    expect(unknownKeys({ x: 1 }, z.string())).toEqual([]);
    expect(unknownKeys({ x: 1 }, z.record(z.string(), z.number()))).toEqual([]);
  });
});
