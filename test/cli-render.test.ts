import fc from "fast-check";
import { InvalidArgumentError } from "commander";
import { ThresholdsSchema } from "../src/config/schema";
import { CliError } from "../src/cli/common";
import { monitorFileName, parseCount, parseSeconds } from "../src/cli/monitor";
import { renderComparison } from "../src/cli/render/comparison-report";
import { duration } from "../src/cli/render/format";
import { renderAnalysis, renderSummary } from "../src/cli/render/snapshot-report";
import { colourEnabled, createStyle } from "../src/cli/render/style";
import { printable, table } from "../src/cli/render/table";
import { translateSeedSpelling } from "../src/cli/seed-spelling";
import { compareSnapshots } from "../src/snapshot/compare";
import { parseSnapshotJson } from "../src/snapshot/read";
import { SnapshotSchema, type Snapshot } from "../src/snapshot/schema";
import { snapshotPressure, snapshotTrendPoints } from "../src/snapshot/trend";
import { arbitraryOf } from "./helpers/arbitraries";

const plain = createStyle(false);

describe("tables", () => {
  it("aligns columns two spaces apart, numbers to the right, without trailing spaces", () => {
    expect(
      table(
        ["NAME", "MB"],
        [
          ["docs", "1.5"],
          ["images", "1024.0"],
        ],
        ["left", "right"],
      ),
    ).toEqual(["NAME        MB", "docs       1.5", "images  1024.0"]);
  });

  it("pads before painting, so colour codes never skew the columns", () => {
    const lines = table(null, [
      [{ text: "critical", paint: (t) => `<${t}>` }, "a"],
      [{ text: "warning", paint: (t) => `<${t}>` }, "b"],
    ]);
    expect(lines).toEqual(["<critical>  a", "<warning >  b"]);
  });

  it("never sends a control character from a snapshot to the terminal", () => {
    expect(printable("evil\u001b[2J\u0007name\u009b")).toBe("evil\ufffd[2J\ufffdname\ufffd");
  });
});

describe("colour", () => {
  it.each([
    [{ isTTY: true }, {}, true],
    [{ isTTY: true }, { NO_COLOR: "1" }, false],
    [{ isTTY: true }, { NO_COLOR: "" }, true],
    [{ isTTY: false }, {}, false],
    [{}, {}, false],
  ])("on %j with %j: %s", (stream, env, expected) => {
    expect(colourEnabled(stream, env)).toBe(expected);
  });

  it("leaves text untouched when off", () => {
    expect(plain.severity("critical", "x")).toBe("x");
    expect(createStyle(true).severity("critical", "x")).toBe("\u001b[31mx\u001b[0m");
  });
});

describe("monitor's names and numbers", () => {
  it("names files monitor_YYYYMMDD_HHMMSS_NNN.json in UTC from the snapshot's time", () => {
    expect(monitorFileName("2024-01-15T10:30:00.000Z", 10)).toBe("monitor_20240115_103000_010.json");
    expect(monitorFileName("2024-12-31T23:59:59.999Z", 1)).toBe("monitor_20241231_235959_001.json");
    expect(monitorFileName("2024-01-15T10:30:00.000Z", 1234)).toBe("monitor_20240115_103000_1234.json");
  });

  it.each(["1", "0.5", "30"])("takes %s seconds", (value) => expect(parseSeconds(value)).toBe(Number(value)));
  it.each(["0", "-1", "abc", "", "Infinity", "1e400"])("refuses %j seconds", (value) => {
    expect(() => parseSeconds(value)).toThrow(InvalidArgumentError);
  });
  it.each(["0", "1.5", "-2", "x"])("refuses a count of %j", (value) =>
    expect(() => parseCount(value)).toThrow(InvalidArgumentError),
  );

  it("says durations as a person would", () => {
    expect(duration(5400)).toBe("1 h 30 min");
    expect(duration(-45)).toBe("45 s");
    expect(duration(0.2)).toBe("0 s");
    expect(duration(90_061)).toBe("1 d 1 h");
  });
});

describe("the seed's --action spelling", () => {
  it.each([
    [
      ["--action", "analyze", "--input", "a.json"],
      ["analyze", "a.json"],
    ],
    [
      ["--action=analyze", "--input=a.json", "--json"],
      ["analyze", "a.json", "--json"],
    ],
    [
      ["--action", "compare", "--input1", "old.json", "--input2", "new.json"],
      ["compare", "old.json", "new.json"],
    ],
    [
      ["--action", "snapshot", "--analyze", "--output", "r.json"],
      ["snapshot", "--analyze", "--output", "r.json"],
    ],
    [
      ["--action", "monitor", "--interval", "30", "--output", "m.json"],
      ["monitor", "--interval", "30", "--output", "m.json"],
    ],
    [
      ["analyze", "a.json"],
      ["analyze", "a.json"],
    ],
  ])("reads %j as %j", (argv, expected) => {
    expect(translateSeedSpelling(argv)).toEqual(expected);
  });

  it.each([
    [["--action", "frob"], "--action frob: expected one of snapshot, analyze, compare, monitor"],
    [["--action"], "--action needs a value"],
    [["--action", "compare", "--input1", "a.json"], "--action compare needs --input2 FILE"],
  ])("refuses %j", (argv, message) => {
    expect(() => translateSeedSpelling(argv)).toThrow(new CliError(message));
  });
});

describe("rendering any snapshot the schema accepts", () => {
  const snapshotArb = arbitraryOf(SnapshotSchema) as fc.Arbitrary<Snapshot>;
  const thresholds = ThresholdsSchema.parse({});
  const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

  it("never throws, and never prints a control character but newlines", () => {
    fc.assert(
      fc.property(snapshotArb, snapshotArb, (a, b) => {
        for (const text of [
          renderAnalysis(a, plain),
          renderSummary(a, plain),
          renderComparison(compareSnapshots(a, b), plain),
        ]) {
          expect(text).not.toMatch(CONTROL);
        }
      }),
      { numRuns: 100 },
    );
  });

  it("shows a target that is down without a score, never as null/100", () => {
    fc.assert(
      fc.property(snapshotArb, (s) => {
        const down = { ...s, health: { score: null, status: "unknown" as const, deductions: [] } };
        const text = renderSummary(down, plain);
        expect(text).toContain("unknown: the target is down");
        expect(text).not.toContain("null/100");
      }),
      { numRuns: 20 },
    );
  });

  it("reads back what it wrote, and derives trend points and pressure without throwing", () => {
    fc.assert(
      fc.property(fc.array(snapshotArb, { maxLength: 3 }), (snapshots) => {
        for (const s of snapshots) expect(parseSnapshotJson(JSON.stringify(s), thresholds).timestamp).toBe(s.timestamp);
        snapshotTrendPoints(snapshots);
        snapshots.forEach(snapshotPressure);
      }),
      { numRuns: 100 },
    );
  });
});
