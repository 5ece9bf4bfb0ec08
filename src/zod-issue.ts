import type { z } from "zod";

/** One zod issue as a line: "where: what", `where` being its dotted path, or `whole` when it is about the whole value. */
export function issueText(issue: z.core.$ZodIssue, whole: string): string {
  return `${issue.path.length === 0 ? whole : issue.path.join(".")}: ${issue.message}`;
}
