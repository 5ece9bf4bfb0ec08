import type { Snapshot } from "../snapshot/schema";

type Detail = Snapshot["collections_info"]["collections_detail"][number];

/** The label value under which the collections beyond the cap are summed. */
export const OTHER_COLLECTIONS = "__other__";

/** What one `collection` label value's series carry: one collection, or the sum of the rest. */
export interface CollectionSeriesFigures {
  collection: string;
  vectors: number;
  estimatedBytes: number;
  /** Null when no collection summed here has the database's own figure. */
  actualBytes: number | null;
  /** The model's expectation; null when no collection summed here has one. */
  expectedBytes: number | null;
  /** How many of the collections are quantized (0 or 1 for one collection). */
  quantizedCollections: number;
}

interface BoundedCollections {
  series: CollectionSeriesFigures[];
  /** Collections without series of their own (summed under __other__, or all of them with a cap of 0). */
  notExported: number;
}

/** The size a collection is ranked by: the database's figure, else the float32 estimate. */
const sizeOf = (d: Detail) => d.actual_memory_bytes ?? d.estimated_memory_bytes;

const figuresOf = (d: Detail): CollectionSeriesFigures => ({
  collection: d.name,
  vectors: d.vector_count,
  estimatedBytes: d.estimated_memory_bytes,
  actualBytes: d.actual_memory_bytes,
  expectedBytes: d.expected_bytes ?? null,
  quantizedCollections: d.quantized ? 1 : 0,
});

/** The sum of the figures that are known; null when none is. */
function sumKnown(figures: Array<number | null>): number | null {
  const known = figures.filter((f): f is number => f !== null);
  return known.length === 0 ? null : known.reduce((sum, f) => sum + f, 0);
}

function sumOf(rest: Detail[]): CollectionSeriesFigures {
  return {
    collection: OTHER_COLLECTIONS,
    vectors: rest.reduce((sum, d) => sum + d.vector_count, 0),
    estimatedBytes: rest.reduce((sum, d) => sum + d.estimated_memory_bytes, 0),
    actualBytes: sumKnown(rest.map((d) => d.actual_memory_bytes)),
    expectedBytes: sumKnown(rest.map((d) => d.expected_bytes ?? null)),
    quantizedCollections: rest.filter((d) => d.quantized).length,
  };
}

/**
 * At most `max` collections keep series of their own, the largest ones; the rest are summed into
 * one `__other__` series, so a database with 10 000 collections costs Prometheus 501 series per
 * metric, not 10 000. A cap of 0 exports no per-collection series at all.
 */
export function boundCollections(details: Detail[], max: number): BoundedCollections {
  if (max === 0) return { series: [], notExported: details.length };
  if (details.length <= max) return { series: details.map(figuresOf), notExported: 0 };
  const ranked = [...details].sort((a, b) => sizeOf(b) - sizeOf(a) || a.name.localeCompare(b.name));
  const rest = ranked.slice(max);
  return { series: [...ranked.slice(0, max).map(figuresOf), sumOf(rest)], notExported: rest.length };
}
