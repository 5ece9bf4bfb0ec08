import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ThresholdsSchema } from "../src/config/schema";
import { buildSnapshot } from "../src/snapshot/build";
import { runCli, runCliAsync, type CliResult } from "./helpers/cli";
import { scratchDir } from "./helpers/scratch";
import { collectionOf, processOf, sampleOf } from "./helpers/samples";

const SEED_EXAMPLE = path.join(__dirname, "fixtures/seed-example-snapshot.json");
const dir = scratchDir("cli-files");
const thresholds = ThresholdsSchema.parse({});

function write(name: string, content: string | object): string {
  const file = path.join(dir, name);
  writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
  return file;
}

/** A process of 4 GB with three collections, then one of 2 GB after docs was quantized, images halved and old dropped. */
const before = write(
  "before.json",
  buildSnapshot(
    sampleOf("2024-01-15T10:00:00Z", processOf(4000), [
      collectionOf("docs", 1_200_000),
      collectionOf("images", 300_000),
      collectionOf("old", 1000),
    ]),
    thresholds,
  ),
);
const after = write(
  "after.json",
  buildSnapshot(
    sampleOf("2024-01-15T11:30:00Z", processOf(2000), [
      collectionOf("docs", 1_200_000, { quantization: "sq8", actualBytes: 1_200_000 * 768 }),
      collectionOf("images", 150_000),
    ]),
    thresholds,
  ),
);
const healthy = write(
  "healthy.json",
  buildSnapshot(sampleOf("2024-01-15T10:00:00Z", processOf(35), [collectionOf("small", 10_000)]), thresholds),
);

const lineOf = (text: string, ...words: string[]) =>
  text.split("\n").find((line) => words.every((w) => line.includes(w)));

describe("memsnap analyze, the built binary", () => {
  let report: CliResult;
  beforeAll(() => (report = runCli(["analyze", SEED_EXAMPLE])));

  it("reports the seed's example: overhead 156 % and unaccounted 1248 MB critical, health 30 in words", () => {
    const result = report;
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("Health  30/100  critical: act now");
    expect(lineOf(result.stdout, "critical", "OverheadCritical")).toMatch(
      /critical\s+OverheadCritical\s+156\s+100\s+memory overhead is 156 %/,
    );
    expect(lineOf(result.stdout, "critical", "UnaccountedMemoryCritical")).toMatch(
      /UnaccountedMemoryCritical\s+1248\s+500\s+1248 MB of resident memory/,
    );
    expect(result.stdout).toContain("Enable SQ8 on `docs` (150 k vectors × 384 dims): saves ~164.8 MB");
    expect(result.stderr).toBe("");
  });

  it("prints no colour codes when stdout is not a terminal", () => {
    expect(report.stdout).not.toContain("\u001b[");
  });

  it("prints the whole snapshot as JSON with --json", () => {
    const snapshot = JSON.parse(runCli(["analyze", SEED_EXAMPLE, "--json"]).stdout);
    expect(snapshot.health.score).toBe(30);
    expect(snapshot.findings.slice(0, 3).map((f: { code: string }) => f.code)).toEqual([
      "OverheadCritical",
      "UnaccountedMemoryCritical",
      "HealthScoreCritical",
    ]);
  });

  it.each([
    [SEED_EXAMPLE, "critical", 1],
    [SEED_EXAMPLE, "warning", 1],
    [healthy, "critical", 0],
    [healthy, "warning", 0],
  ])("exits by --fail-on: %s with --fail-on %s gives %i", (file, failOn, status) => {
    expect(runCli(["analyze", file, "--fail-on", failOn]).status).toBe(status);
  });

  it("accepts the seed's spelling: --action analyze --input FILE", () => {
    const seedSpelling = runCli(["--action", "analyze", "--input", SEED_EXAMPLE]);
    expect(seedSpelling.status).toBe(0);
    expect(seedSpelling.stdout).toBe(report.stdout);
  });

  it("applies thresholds from the environment to a seed-shaped file", () => {
    const result = runCli(["analyze", SEED_EXAMPLE, "--json"], { MEMSNAP_OVERHEAD_CRITICAL_PERCENT: "200" });
    expect(JSON.parse(result.stdout).findings.map((f: { code: string }) => f.code)).not.toContain("OverheadCritical");
  });
});

describe("memsnap compare, the built binary", () => {
  let json: CliResult;
  beforeAll(() => (json = runCli(["compare", before, after, "--json"])));

  it("compares two files where collections went down", () => {
    const result = runCli(["compare", before, after]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("(1 h 30 min later)");
    expect(lineOf(result.stdout, "process_info", "physical_memory_mb")).toMatch(/4000\s+2000\s+-2000\s+-50\.0 %/);
    expect(result.stdout).toContain("Collections removed  old");
    expect(lineOf(result.stdout, "images")).toContain("vector_count 300000 → 150000 (-50.0 %)");
    expect(lineOf(result.stdout, "docs", "quantization")).toContain("quantization none → sq8");
    expect(result.stdout).toContain("Findings that cleared");
  });

  it("gives the structured diff with --json", () => {
    const diff = JSON.parse(json.stdout);
    expect(diff.elapsed_seconds).toBe(5400);
    expect(diff.collections_removed).toEqual(["old"]);
    expect(diff.collections_added).toEqual([]);
    expect(diff.figures).toContainEqual(
      expect.objectContaining({
        section: "collections_info",
        figure: "total_vectors",
        old: 1_501_000,
        new: 1_350_000,
        change: -151_000,
      }),
    );
  });

  it("says so when nothing differs", () => {
    expect(runCli(["compare", before, before]).stdout).toContain("No differences");
  });

  it("compares a seed-shaped file with a memsnap snapshot", () => {
    const result = runCli(["compare", SEED_EXAMPLE, after, "--json"]);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout).health).toMatchObject({ old_score: 30 });
  });

  it("accepts the seed's spelling: --action compare --input1 OLD --input2 NEW", () => {
    const seedSpelling = runCli(["--action", "compare", "--input1", before, "--input2", after, "--json"]);
    expect(seedSpelling.stdout).toBe(json.stdout);
  });

  it("judges --fail-on by the newer snapshot's findings", () => {
    expect(runCli(["compare", SEED_EXAMPLE, healthy, "--fail-on", "warning"]).status).toBe(0);
    expect(runCli(["compare", healthy, SEED_EXAMPLE, "--fail-on", "critical"]).status).toBe(1);
  });
});

describe("bad usage and bad input: one clear line on stderr, exit 2, nothing on stdout", () => {
  const notJson = write("notes.json", "this is not JSON");
  const notSnapshot = write("package.json", { name: "x", version: "1.0.0" });
  const aDirectory = path.join(dir, "a-directory.json");
  mkdirSync(aDirectory);

  /** What, the arguments, the environment, and a part of the one line expected on stderr. */
  const HOSTILE: Array<[string, string[], Record<string, string>, string]> = [
    ["a missing file", ["analyze", path.join(dir, "absent.json")], {}, "absent.json: no such file"],
    ["a non-JSON file", ["analyze", notJson], {}, "notes.json is not JSON"],
    [
      "a JSON file that is not a snapshot",
      ["analyze", notSnapshot],
      {},
      "package.json is not a memsnap snapshot nor a seed-shaped one: timestamp:",
    ],
    ["a directory", ["analyze", aDirectory], {}, "it is a directory"],
    ["an unknown flag", ["analyze", SEED_EXAMPLE, "--frobnicate"], {}, "unknown option '--frobnicate'"],
    ["a missing argument", ["compare", before], {}, "missing required argument 'new'"],
    ["a bad second file", ["compare", before, notJson], {}, "notes.json is not JSON"],
    [
      "an unknown --fail-on",
      ["analyze", SEED_EXAMPLE, "--fail-on", "sometimes"],
      {},
      "Allowed choices are critical, warning",
    ],
    ["an unknown command", ["analyse", SEED_EXAMPLE], {}, "unknown command 'analyse'"],
    [
      "an unknown --action",
      ["--action", "frob"],
      {},
      "--action frob: expected one of snapshot, analyze, compare, monitor",
    ],
    ["--action analyze without --input", ["--action", "analyze"], {}, "--action analyze needs --input FILE"],
    [
      "a bad threshold in the environment",
      ["analyze", SEED_EXAMPLE],
      { MEMSNAP_HEALTH_CRITICAL_SCORE: "high" },
      'MEMSNAP_HEALTH_CRITICAL_SCORE="high": expected',
    ],
  ];
  let results: CliResult[];
  beforeAll(async () => {
    results = await Promise.all(HOSTILE.map(([, args, env]) => runCliAsync(args, env)));
  });

  it.each(HOSTILE.map(([what, , , message], i) => [what, i, message] as const))("refuses %s", (_what, i, message) => {
    const result = results[i];
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/^memsnap: /);
    expect(result.stderr).toContain(message);
  });
});
