import { z } from "zod";
import { SourceHttpError } from "./http";

/** A count in a database answer: a whole number ≥ 0, never a string or a float. */
export const count = z.number().int().nonnegative();

function formatPath(path: PropertyKey[]): string {
  return path.map((key, i) => (typeof key === "number" ? `[${key}]` : `${i === 0 ? "" : "."}${String(key)}`)).join("");
}

/** The name (or Qdrant `id`) of the innermost named object on the path, to say which collection is wrong. */
function namedOwner(body: unknown, path: PropertyKey[]): string | null {
  let node: unknown = body;
  let owner: string | null = null;
  for (const key of path) {
    if (node === null || typeof node !== "object") break;
    const named = node as { name?: unknown; id?: unknown };
    if (typeof named.name === "string") owner = named.name;
    else if (typeof named.id === "string") owner = named.id;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return owner;
}

/**
 * For a value that matches none of a union's shapes (Qdrant's single or named vectors),
 * the closest shape's first complaint: the option with the fewest issues.
 */
function innermost(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code !== "invalid_union" || issue.errors.length === 0) return issue;
  const closest = [...issue.errors].sort((a, b) => a.length - b.length)[0];
  if (closest.length === 0) return issue;
  return innermost({ ...closest[0], path: [...issue.path, ...closest[0].path] });
}

function describeIssue(union: z.core.$ZodIssue, body: unknown): string {
  const issue = innermost(union);
  const owner = namedOwner(body, issue.path);
  const where = formatPath(issue.path) || "the body";
  const got =
    "input" in issue && issue.input !== undefined
      ? ` (got ${(JSON.stringify(issue.input) as string | undefined)?.slice(0, 40)})`
      : "";
  return `${owner === null ? "" : `collection ${JSON.stringify(owner)}: `}${where}: ${issue.message}${got}`;
}

/**
 * Validates a database answer against the shape memsnap relies on: extra fields are
 * ignored, a wrong type is an error naming the URL, the collection and the field.
 */
export function parseShape<T>(schema: z.ZodType<T>, body: unknown, url: string): T {
  const parsed = schema.safeParse(body, { reportInput: true });
  if (parsed.success) return parsed.data;
  throw new SourceHttpError(`${url} answered an unexpected shape: ${describeIssue(parsed.error.issues[0], body)}`);
}
