import type { z } from "zod";
import type { Thresholds } from "../config/schema";
import { SnapshotSchema, type Snapshot } from "./schema";
import { fromSeed, SeedSnapshotSchema } from "./seed";
import { issueText } from "../zod-issue";

/** Input that is not a snapshot; the message is one line that says what is wrong. */
export class SnapshotInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SnapshotInputError";
  }
}

function describe(error: z.ZodError): string {
  const [first, ...rest] = error.issues;
  return `${issueText(first, "top level")}${rest.length > 0 ? ` (and ${rest.length} more problem${rest.length === 1 ? "" : "s"})` : ""}`;
}

/**
 * A snapshot from JSON text: a memsnap snapshot as it is, or a seed-shaped one (the seed
 * document's example) with health and findings computed from its figures.
 */
export function parseSnapshotJson(text: string, thresholds: Thresholds): Snapshot {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new SnapshotInputError(`not JSON (${(err as Error).message})`);
  }
  const memsnap = SnapshotSchema.safeParse(value);
  if (memsnap.success) return memsnap.data;
  const seed = SeedSnapshotSchema.safeParse(value);
  if (seed.success) return fromSeed(seed.data, thresholds);
  const claimsMemsnap = typeof value === "object" && value !== null && "schema_version" in value;
  const error = claimsMemsnap ? memsnap.error : seed.error;
  throw new SnapshotInputError(`not a memsnap snapshot nor a seed-shaped one: ${describe(error)}`);
}
