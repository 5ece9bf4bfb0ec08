import { parse } from "yaml";
import { z } from "zod";
import { ThresholdsSchema, type Thresholds } from "../../src/config/schema";
import { FINDINGS, thresholdOf, type FindingDescriptor } from "../../src/snapshot/catalog";

const RulesSchema = z.object({
  groups: z.array(
    z.object({
      name: z.string(),
      rules: z.array(
        z.object({
          alert: z.string(),
          expr: z.string(),
          for: z.string().optional(),
          labels: z.record(z.string(), z.string()).default({}),
        }),
      ),
    }),
  ),
});

const AlertmanagerSchema = z.object({
  route: z.object({ group_by: z.array(z.string()).default([]) }),
  inhibit_rules: z
    .array(
      z.object({
        source_matchers: z.array(z.string()).default([]),
        target_matchers: z.array(z.string()).default([]),
        equal: z.array(z.string()).default([]),
      }),
    )
    .default([]),
});

const DURATION_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

/** Prometheus's "1m", "30s", "0s" in seconds; an absent `for` is 0. */
function durationSeconds(text: string | undefined): number {
  if (text === undefined) return 0;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim());
  return match === null ? Number.NaN : Number(match[1]) * DURATION_SECONDS[match[2]];
}

/**
 * Every figure a rule's expression holds: each run of numbers joined by `*` or `/` (as
 * `500 * 1024 * 1024` or `2 * 3600`), worked out; range selectors and label matchers left out.
 */
export function exprFigures(expr: string): number[] {
  const bare = expr.replace(/\[[^\]]*\]/g, " ").replace(/\{[^}]*\}/g, " ");
  const runs = bare.match(/(?<![\w.])\d+(?:\.\d+)?(?:\s*[*/]\s*\d+(?:\.\d+)?)*(?![\w.])/g) ?? [];
  return runs.map((run) => {
    const tokens = run.split(/\s*([*/])\s*/);
    let value = Number(tokens[0]);
    for (let i = 1; i < tokens.length; i += 2)
      value = tokens[i] === "*" ? value * Number(tokens[i + 1]) : value / Number(tokens[i + 1]);
    return value;
  });
}

const holds = (figures: number[], expected: number) =>
  figures.some((f) => Math.abs(f - expected) <= Math.abs(expected) * 1e-9);

/** `alertname=~"A|B"` → the names it matches; null for a matcher on another label. */
function matcherNames(matchers: string[], label: string): string[] | null {
  for (const matcher of matchers) {
    const match = /^(\w+)\s*(=~|=)\s*"?([^"]*)"?$/.exec(matcher.trim());
    if (match?.[1] === label) return match[3].split("|");
  }
  return null;
}

/** "Source>Target" for each pair the catalog inhibits; a code with several levels silences its own lower ones. */
function catalogPairs(catalog: FindingDescriptor[]): Set<string> {
  const pairs = new Set<string>();
  for (const d of catalog) {
    for (const target of d.inhibits) pairs.add(`${d.code}>${target}`);
    if (d.levels.length > 1) pairs.add(`${d.code}>${d.code}`);
  }
  return pairs;
}

function alertmanagerPairs(config: z.infer<typeof AlertmanagerSchema>, problems: string[]): Set<string> {
  const pairs = new Set<string>();
  for (const rule of config.inhibit_rules) {
    const sources = matcherNames(rule.source_matchers, "alertname") ?? [];
    const sameAlert = rule.equal.includes("alertname");
    const targets = matcherNames(rule.target_matchers, "alertname") ?? (sameAlert ? sources : []);
    for (const source of sources)
      for (const target of targets) if (!sameAlert || source === target) pairs.add(`${source}>${target}`);
    if (!rule.equal.includes("instance") || !rule.equal.includes("target")) {
      problems.push(`alertmanager.yml: the inhibit rule for ${sources.join("|")} must hold equal [instance, target]`);
    }
  }
  return pairs;
}

function ruleProblems(
  rules: z.infer<typeof RulesSchema>["groups"][number]["rules"],
  catalog: FindingDescriptor[],
  t: Thresholds,
): string[] {
  const problems: string[] = [];
  const matched = new Set<number>();
  for (const d of catalog) {
    for (const level of d.levels) {
      const where = `${d.code} (${level.severity})`;
      const index = rules.findIndex((r) => r.alert === d.code && r.labels.severity === level.severity);
      if (index < 0) {
        problems.push(`${where}: no rule with this alert name and severity`);
        continue;
      }
      matched.add(index);
      const rule = rules[index];
      const figures = exprFigures(rule.expr);
      const threshold = thresholdOf(level.threshold, t);
      if (threshold !== null && !holds(figures, threshold * d.ruleFactor)) {
        problems.push(
          `${where}: the rule does not compare with the catalog's threshold ${threshold} ${d.unit} (${threshold * d.ruleFactor} in the rule's units); it holds ${figures.join(", ")}`,
        );
      }
      if (d.floor && !holds(figures, t[d.floor.key] * d.floor.ruleFactor)) {
        problems.push(`${where}: the rule lacks the catalog's floor ${d.floor.key} = ${t[d.floor.key]}`);
      }
      if (durationSeconds(rule.for) !== level.forSeconds)
        problems.push(`${where}: the rule's for is ${rule.for ?? "absent"}, the catalog's ${level.forSeconds}s`);
    }
  }
  rules.forEach((r, i) => {
    if (!matched.has(i)) problems.push(`${r.alert} (${r.labels.severity}): a rule without a code in the catalog`);
  });
  return problems;
}

/**
 * Where alerts/memsnap.rules.yml (group "memsnap") and alerts/alertmanager.yml differ from the
 * catalog: a code or level without its rule, a threshold, floor or `for` that differs, a rule
 * without a code, an inhibition on one side only, grouping other than per target. Empty: they agree.
 */
export function catalogDrift(
  rulesYaml: string,
  alertmanagerYaml: string,
  catalog: FindingDescriptor[] = FINDINGS,
): string[] {
  const t = ThresholdsSchema.parse({});
  const group = RulesSchema.parse(parse(rulesYaml)).groups.find((g) => g.name === "memsnap");
  const problems = ruleProblems(group?.rules ?? [], catalog, t);
  const alertmanager = AlertmanagerSchema.parse(parse(alertmanagerYaml));
  const groupBy = alertmanager.route.group_by;
  if (groupBy.includes("alertname") || !groupBy.includes("instance") || !groupBy.includes("target")) {
    problems.push(`alertmanager.yml: group_by is [${groupBy.join(", ")}], expected [instance, target]`);
  }
  const expected = catalogPairs(catalog);
  const configured = alertmanagerPairs(alertmanager, problems);
  for (const pair of expected)
    if (!configured.has(pair)) problems.push(`inhibition ${pair}: in the catalog, not in alertmanager.yml`);
  for (const pair of configured)
    if (!expected.has(pair)) problems.push(`inhibition ${pair}: in alertmanager.yml, not in the catalog`);
  return problems;
}
