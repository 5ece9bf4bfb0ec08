import fc from "fast-check";
import type { z } from "zod";
import type { Sample } from "../../src/snapshot/sample";
import type { CollectionFigures, Quantization } from "../../src/sources/types";

/** Magnitudes beyond a petabyte are not memory figures; within them, anything goes. */
const LIMIT = 1e15;

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  values?: Set<unknown>;
}

function numberArbitrary(schema: z.ZodNumber): fc.Arbitrary<number> {
  const min = Math.max(schema.minValue ?? -LIMIT, -LIMIT);
  const max = Math.min(schema.maxValue ?? LIMIT, LIMIT);
  return schema.format?.includes("int")
    ? fc.integer({ min, max })
    : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
}

function objectArbitrary(shape: Record<string, z.ZodType>): fc.Arbitrary<unknown> {
  const entries = Object.entries(shape);
  const required = entries.filter(([, s]) => (s as unknown as { def: Def }).def.type !== "optional").map(([k]) => k);
  return fc.record(Object.fromEntries(entries.map(([k, s]) => [k, arbitraryOf(s)])), { requiredKeys: required });
}

/**
 * Any value the zod schema accepts, for the kinds of schema memsnap's snapshot uses;
 * strings include control characters, numbers include -0 and very large ones.
 * An unknown kind throws, so a schema that grows a new kind fails its tests here first.
 */
export function arbitraryOf(schema: z.ZodType): fc.Arbitrary<unknown> {
  const def = (schema as unknown as { def: Def }).def;
  switch (def.type) {
    case "object":
      return objectArbitrary(def.shape!);
    case "number":
      return numberArbitrary(schema as unknown as z.ZodNumber);
    case "string":
      if ((schema as unknown as { format?: string }).format === "datetime") {
        return fc
          .date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2100-01-01T00:00:00Z"), noInvalidDate: true })
          .map((d) => d.toISOString());
      }
      return fc.string({ unit: "binary", maxLength: 12 });
    case "boolean":
      return fc.boolean();
    case "nullable":
      return fc.option(arbitraryOf(def.innerType!), { nil: null });
    case "optional":
    case "default":
      return arbitraryOf(def.innerType!);
    case "array":
      return fc.array(arbitraryOf(def.element!), { maxLength: 4 });
    case "enum":
      return fc.constantFrom(...(schema as unknown as z.ZodEnum).options);
    case "union":
      return fc.oneof(...def.options!.map(arbitraryOf));
    case "literal":
      return fc.constantFrom(...def.values!);
    default:
      throw new Error(`arbitraryOf: no arbitrary for a zod ${def.type}`);
  }
}

const bytes = fc.integer({ min: 0, max: 2 ** 40 });
const nullableBytes = fc.option(bytes, { nil: null });
const QUANTIZATIONS: Quantization[] = ["none", "sq8", "sq4", "pq", "binary"];

const collectionArb: fc.Arbitrary<CollectionFigures> = fc.record({
  name: fc.string({ maxLength: 8 }),
  dimension: fc.integer({ min: 0, max: 4096 }),
  vectorCount: fc.integer({ min: 0, max: 10_000_000 }),
  documentCount: fc.option(fc.nat(), { nil: null }),
  metric: fc.constant("cosine"),
  quantization: fc.constantFrom(...QUANTIZATIONS),
  actualBytes: nullableBytes,
  indexBytes: nullableBytes,
  payloadBytes: nullableBytes,
});

/** Any sample a sampling round could produce, from an idle host to a swapping, unreachable one. */
export const sampleArb: fc.Arbitrary<Sample> = fc.record({
  takenAt: fc.date({
    min: new Date("2020-01-01T00:00:00Z"),
    max: new Date("2030-01-01T00:00:00Z"),
    noInvalidDate: true,
  }),
  durationSeconds: fc.double({ min: 0, max: 60, noNaN: true }),
  target: fc.record({
    name: fc.constant("t"),
    kind: fc.constant("vectorizer"),
    pid: fc.constant(42),
    url: fc.constant(null),
  }),
  system: fc.option(
    fc.record({
      totalBytes: bytes,
      availableBytes: bytes,
      usedBytes: bytes,
      swapTotalBytes: bytes,
      swapUsedBytes: bytes,
    }),
    { nil: null },
  ),
  process: fc.option(
    fc.record({
      pid: fc.constant(42),
      residentBytes: nullableBytes,
      virtualBytes: nullableBytes,
      peakResidentBytes: nullableBytes,
      anonymousBytes: nullableBytes,
      fileBytes: nullableBytes,
      shmemBytes: nullableBytes,
      stackBytes: nullableBytes,
      swapBytes: nullableBytes,
      pssBytes: nullableBytes,
      sharedBytes: nullableBytes,
      cpuPercent: fc.option(fc.double({ min: 0, max: 6400, noNaN: true }), { nil: null }),
    }),
    { nil: null },
  ),
  cgroup: fc.option(
    fc.record({
      version: fc.constantFrom(1 as const, 2 as const),
      path: fc.constant("/db"),
      limitBytes: nullableBytes,
      limitPath: fc.constant("/"),
      limitWorkingSetBytes: nullableBytes,
      softLimitBytes: nullableBytes,
      usageBytes: nullableBytes,
      workingSetBytes: nullableBytes,
      oomKills: fc.option(fc.nat({ max: 5 }), { nil: null }),
    }),
    { nil: null },
  ),
  collections: fc.option(fc.array(collectionArb, { maxLength: 6 }), { nil: null }),
  errors: fc.constant([]),
  downReasons: fc.array(fc.constant("unreachable"), { maxLength: 1 }),
});
