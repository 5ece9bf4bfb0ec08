import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { z } from "zod";

/** The checkout the tests run in. */
export const repoRoot = path.resolve(__dirname, "..", "..");

export function repoPath(...segments: string[]): string {
  return path.join(repoRoot, ...segments);
}

export function readRepoText(relativePath: string): string {
  return readFileSync(repoPath(relativePath), "utf8");
}

export function readRepoYaml(relativePath: string): unknown {
  return parse(readRepoText(relativePath));
}

/** Repository-relative paths of the files in `folder` whose names end with `suffix`, sorted. */
export function repoFiles(folder: string, suffix: string): string[] {
  return readdirSync(repoPath(folder))
    .filter((name) => name.endsWith(suffix))
    .sort()
    .map((name) => path.posix.join(folder, name));
}

const AlertingRuleSchema = z.object({
  alert: z.string(),
  expr: z.string(),
  for: z.string().optional(),
  labels: z.record(z.string(), z.string()).default({}),
  annotations: z.record(z.string(), z.string()).default({}),
});
type AlertingRule = z.infer<typeof AlertingRuleSchema>;

const RuleFileSchema = z.object({
  groups: z.array(z.object({ name: z.string(), rules: z.array(AlertingRuleSchema) })),
});
type RuleGroup = z.infer<typeof RuleFileSchema>["groups"][number];

export const RULES_FILE = "alerts/memsnap.rules.yml";

export function loadRuleGroups(): RuleGroup[] {
  return RuleFileSchema.parse(readRepoYaml(RULES_FILE)).groups;
}

export function loadAlertingRules(): AlertingRule[] {
  return loadRuleGroups().flatMap((group) => group.rules);
}
