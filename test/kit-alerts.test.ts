import { parse } from "yaml";
import { FINDINGS } from "../src/snapshot/catalog";
import { z } from "zod";
import { loadAlertingRules, loadRuleGroups, readRepoText, repoFiles, RULES_FILE } from "./kit/repo";
import { runTool } from "./kit/tools";

const RULE_TESTS = repoFiles("alerts/tests", ".yml");

const RuleTestFileSchema = z.object({
  tests: z.array(
    z.object({
      alert_rule_test: z
        .array(z.object({ alertname: z.string(), exp_alerts: z.array(z.unknown()).default([]) }))
        .default([]),
    }),
  ),
});

/** GitHub's anchor for a Markdown heading: lower case, punctuation dropped, spaces to hyphens. */
function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

describe("Prometheus alerting rules", () => {
  const rules = loadAlertingRules();

  it("are accepted by promtool check rules", async () => {
    const { code, output } = await runTool("promtool", ["check", "rules", RULES_FILE]);
    expect(output).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(code).toBe(0);
  });

  it("pass their promtool unit tests", async () => {
    expect(RULE_TESTS.length).toBeGreaterThan(0);
    const { code, output } = await runTool("promtool", ["test", "rules", ...RULE_TESTS]);
    expect(output).not.toContain("FAILED");
    expect(code).toBe(0);
  });

  it("each have unit tests where they fire and where they do not", () => {
    const firing = new Set<string>();
    const silent = new Set<string>();
    for (const file of RULE_TESTS) {
      const { tests } = RuleTestFileSchema.parse(parse(readRepoText(file)));
      for (const check of tests.flatMap((test) => test.alert_rule_test)) {
        (check.exp_alerts.length > 0 ? firing : silent).add(check.alertname);
      }
    }
    const names = rules.map((rule) => rule.alert).sort();
    expect(names.filter((name) => !firing.has(name))).toEqual([]);
    expect(names.filter((name) => !silent.has(name))).toEqual([]);
  });

  it("carry the catalog's codes with their severities (test/kit-catalog.test.ts holds the rest)", () => {
    const memsnapGroup = loadRuleGroups().find((group) => group.name === "memsnap");
    const levels = (memsnapGroup?.rules ?? []).map((rule) => `${rule.alert}/${rule.labels.severity}`).sort();
    expect(levels).toEqual(FINDINGS.flatMap((d) => d.levels.map((l) => `${d.code}/${l.severity}`)).sort());
  });

  it("each carry a severity, a summary, a description and a runbook section that exists", () => {
    const anchors = readRepoText("docs/runbook.md")
      .split("\n")
      .filter((line) => line.startsWith("#"))
      .map((line) => `docs/runbook.md#${headingAnchor(line.replace(/^#+/, ""))}`);
    const offenders = rules
      .filter(
        (rule) =>
          !["critical", "warning"].includes(rule.labels.severity ?? "") ||
          Object.keys(rule.annotations).sort().join() !== "description,runbook_url,summary" ||
          !anchors.includes(rule.annotations.runbook_url ?? ""),
      )
      .map((rule) => rule.alert);
    expect(offenders).toEqual([]);
  });
});

describe("Alertmanager configuration", () => {
  it("is accepted by amtool check-config", async () => {
    const { code, output } = await runTool("amtool", ["check-config", "alerts/alertmanager.yml"]);
    expect(output).toContain("SUCCESS");
    expect(code).toBe(0);
  });
});
