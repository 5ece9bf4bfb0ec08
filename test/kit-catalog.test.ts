import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { FINDINGS } from "../src/snapshot/catalog";
import { catalogDrift, exprFigures } from "./kit/catalog-check";
import { readRepoText, RULES_FILE } from "./kit/repo";
import { scratchDir } from "./helpers/scratch";

const ALERTMANAGER_FILE = "alerts/alertmanager.yml";
const scratch = scratchDir("catalog");

/** A copy of a repository file in the scratch folder with one text replaced, read back. */
function mutatedCopy(file: string, from: string, to: string): string {
  const original = readRepoText(file);
  expect(original).toContain(from);
  const copy = path.join(scratch, path.basename(file));
  writeFileSync(copy, original.replace(from, to));
  return readFileSync(copy, "utf8");
}

describe("the catalog of finding codes against alerts/", () => {
  it("agrees with every rule and every inhibition", () => {
    expect(catalogDrift(readRepoText(RULES_FILE), readRepoText(ALERTMANAGER_FILE))).toEqual([]);
  });

  it("works out the figures of a rule's expression, leaving ranges and matchers out", () => {
    expect(exprFigures('memsnap_x{a="1"} > 500 * 1024 * 1024 and deriv(y[30m]) * 3600 > 0.5')).toEqual([
      500 * 1024 * 1024,
      3600,
      0.5,
    ]);
    expect(exprFigures("predict_linear(w[30m], 2 * 3600) >= on (job) l")).toEqual([7200]);
  });

  it("fails when a rule's threshold differs from the catalog's", () => {
    const drifted = mutatedCopy(RULES_FILE, "memsnap_health_score < 50", "memsnap_health_score < 40");
    expect(catalogDrift(drifted, readRepoText(ALERTMANAGER_FILE))).toEqual([
      "HealthScoreCritical (critical): the rule does not compare with the catalog's threshold 50 score (50 in the rule's units); it holds 40",
    ]);
  });

  it("fails when a level's threshold, floor or for differs, or a rule has no code", () => {
    const rules = readRepoText(RULES_FILE);
    const exhaustion = rules.replace(
      "predict_linear(memsnap_memory_working_set_bytes[30m], 24 * 3600)",
      "predict_linear(memsnap_memory_working_set_bytes[30m], 12 * 3600)",
    );
    expect(catalogDrift(exhaustion, readRepoText(ALERTMANAGER_FILE))).toEqual([
      expect.stringMatching(
        /^MemoryExhaustionImminent \(warning\): the rule does not compare with the catalog's threshold 24 hours/,
      ),
    ]);
    const floorless = rules.replace(
      "memsnap_overhead_ratio > 1\n          and on (job, instance, target)\n            memsnap_unaccounted_memory_bytes > 100 * 1024 * 1024",
      "memsnap_overhead_ratio > 1",
    );
    expect(catalogDrift(floorless, readRepoText(ALERTMANAGER_FILE))).toEqual([
      "OverheadCritical (critical): the rule lacks the catalog's floor overhead_min_mb = 100",
    ]);
    const slow = rules.replace(
      "expr: memsnap_target_up == 0\n        for: 0s",
      "expr: memsnap_target_up == 0\n        for: 30s",
    );
    expect(catalogDrift(slow, readRepoText(ALERTMANAGER_FILE))).toEqual([
      "TargetDown (critical): the rule's for is 30s, the catalog's 0s",
    ]);
    const withoutCode = FINDINGS.filter((d) => d.code !== "MemoryGrowth");
    expect(catalogDrift(rules, readRepoText(ALERTMANAGER_FILE), withoutCode)).toEqual(
      expect.arrayContaining(["MemoryGrowth (warning): a rule without a code in the catalog"]),
    );
  });

  it("fails when an inhibition is on one side only, or alerts are grouped by name", () => {
    const rules = readRepoText(RULES_FILE);
    const narrower = mutatedCopy(
      ALERTMANAGER_FILE,
      'alertname=~"OverheadCritical|OverheadHigh|UnaccountedMemoryCritical|HealthScoreCritical"',
      'alertname=~"OverheadCritical|OverheadHigh|UnaccountedMemoryCritical"',
    );
    expect(catalogDrift(rules, narrower)).toEqual([
      "inhibition OomKilled>HealthScoreCritical: in the catalog, not in alertmanager.yml",
      "inhibition MemoryExhaustionImminent>HealthScoreCritical: in the catalog, not in alertmanager.yml",
    ]);
    const wider = mutatedCopy(
      ALERTMANAGER_FILE,
      'target_matchers: [alertname="OverheadHigh"]',
      'target_matchers: [alertname=~"OverheadHigh|LowQuantizationCoverage"]',
    );
    expect(catalogDrift(rules, wider)).toEqual([
      "inhibition OverheadCritical>LowQuantizationCoverage: in alertmanager.yml, not in the catalog",
    ]);
    const byName = mutatedCopy(
      ALERTMANAGER_FILE,
      "group_by: [instance, target]",
      "group_by: [alertname, instance, target]",
    );
    expect(catalogDrift(rules, byName)).toEqual([
      "alertmanager.yml: group_by is [alertname, instance, target], expected [instance, target]",
    ]);
  });
});
