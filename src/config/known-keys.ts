import type { z } from "zod";

/** What a schema node holds, seen through defaults, optionals, refinements and pipes. */
type Node = { object: Partial<Record<string, z.ZodType>> } | { array: z.ZodType } | null;

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
}

const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;

function nodeOf(schema: z.ZodType): Node {
  const def = defOf(schema);
  if (def.type === "object" && def.shape) return { object: def.shape };
  if (def.type === "array" && def.element) return { array: def.element };
  if (def.innerType) return nodeOf(def.innerType);
  if (def.type === "pipe" && def.in && def.out) return nodeOf(def.in) ?? nodeOf(def.out);
  return null;
}

/** Edit distance between two names, for "did you mean". */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length];
}

/** The valid name closest to `key`, when it is close enough to be a typo. */
function nearestName(key: string, names: string[]): string | null {
  const squash = (s: string) => s.toLowerCase().replace(/[-_]/g, "");
  let best: { name: string; d: number } | null = null;
  for (const name of names) {
    const d = squash(name) === squash(key) ? 0 : distance(key.toLowerCase(), name.toLowerCase());
    if (best === null || d < best.d) best = { name, d };
  }
  return best !== null && best.d <= Math.max(2, Math.floor(key.length / 3)) ? best.name : null;
}

/**
 * Keys of `raw` the schema does not know, each with the nearest valid name: the valid keys
 * come from the schema itself, so a setting added to it is known here at once.
 */
export function unknownKeys(raw: unknown, schema: z.ZodType, at: string[] = []): string[] {
  const node = nodeOf(schema);
  if (node === null || typeof raw !== "object" || raw === null) return [];
  if ("array" in node) {
    return Array.isArray(raw) ? raw.flatMap((item, i) => unknownKeys(item, node.array, [...at, String(i)])) : [];
  }
  if (Array.isArray(raw)) return [];
  const names = Object.keys(node.object);
  return Object.entries(raw as Record<string, unknown>).flatMap(([key, value]) => {
    const field = node.object[key];
    if (field !== undefined) return unknownKeys(value, field, [...at, key]);
    const near = nearestName(key, names);
    const where = at.length > 0 ? `${at.join(".")}: ` : "";
    return [
      `${where}\`${key}\` is not a setting; ${near === null ? `the settings here are ${names.join(", ")}` : `did you mean \`${near}\`?`}`,
    ];
  });
}
