import type { z } from "zod";
import type { Thresholds } from "../config/schema";
import type { CollectionFigures } from "../sources/types";
import { BYTES_PER_MB, FLOAT32_BYTES, roundTo } from "./analysis";
import type { Assessment } from "./assessment";
import { FINDINGS, thresholdOf, type FindingContext, type FindingDescriptor } from "./catalog";
import { formatBytes, formatCount, mb } from "./format";
import type { FindingSchema } from "./schema";

export type Finding = z.infer<typeof FindingSchema>;
export type Severity = Finding["severity"];

const MEMORY_MAPPED_STORAGE_FROM_BYTES = 1024 * BYTES_PER_MB;
const REVIEW_DATA_STRUCTURES_FROM_BYTES = 200 * BYTES_PER_MB;

const crosses = (value: number | null, threshold: number, comparison: FindingDescriptor["comparison"]) =>
  value !== null && (comparison === "above" ? value > threshold : value < threshold);

/** The code's finding at the most severe level whose threshold the measurement crosses, if any. */
function evaluate(d: FindingDescriptor, ctx: FindingContext): Finding | null {
  const measured = d.measure(ctx);
  if (measured === null) return null;
  for (const level of d.levels) {
    const threshold = thresholdOf(level.threshold, ctx.t);
    if (threshold === null || crosses(measured.value, threshold, d.comparison)) {
      return { severity: level.severity, code: d.code, message: measured.message(threshold), value: measured.value, threshold };
    }
  }
  return null;
}

/** SQ8 stores one byte per component instead of four. */
function sq8SavingsBytes(c: CollectionFigures): number {
  return c.vectorCount * c.dimension * (FLOAT32_BYTES - 1);
}

function opportunityFindings(a: Assessment): Finding[] {
  const found: Finding[] = a.collections
    .filter((c) => c.quantization === "none" && c.vectorCount > 0)
    .sort((x, y) => sq8SavingsBytes(y) - sq8SavingsBytes(x))
    .map((c) => ({
      severity: "opportunity" as const,
      code: "EnableQuantization",
      message: `Enable SQ8 on \`${c.name}\` (${formatCount(c.vectorCount)} vectors × ${c.dimension} dims): saves ~${formatBytes(sq8SavingsBytes(c))}`,
      value: roundTo(sq8SavingsBytes(c) / BYTES_PER_MB, 1),
      threshold: null,
      collection: c.name,
    }));
  if (a.totals.actualBytes > MEMORY_MAPPED_STORAGE_FROM_BYTES) {
    found.push({
      severity: "opportunity",
      code: "UseMemoryMappedStorage",
      message: `collections hold ${formatBytes(a.totals.actualBytes)}: memory-mapped storage would keep cold vectors on disk`,
      value: roundTo(a.totals.actualBytes / BYTES_PER_MB, 1),
      threshold: MEMORY_MAPPED_STORAGE_FROM_BYTES / BYTES_PER_MB,
    });
  }
  const structures = a.discrepancy.dataStructureOverheadBytes;
  if (structures !== null && structures > REVIEW_DATA_STRUCTURES_FROM_BYTES) {
    found.push({
      severity: "opportunity",
      code: "ReviewDataStructures",
      message: `${mb(structures)} of overhead beyond the runtime's own code: review the database's in-memory data structures`,
      value: roundTo(structures / BYTES_PER_MB, 1),
      threshold: REVIEW_DATA_STRUCTURES_FROM_BYTES / BYTES_PER_MB,
    });
  }
  return found;
}

const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, warning: 1, opportunity: 2 };

/**
 * The findings of SPEC section 4: every code of the catalog, in its order within a severity
 * (running out of memory first), critical first, then warning, then opportunity.
 */
export function findings(a: Assessment, healthScore: number | null, t: Thresholds): Finding[] {
  const ctx = { a, t, healthScore };
  const alerted = FINDINGS.map((d) => evaluate(d, ctx)).filter((f): f is Finding => f !== null);
  return [...alerted, ...opportunityFindings(a)].sort((x, y) => SEVERITY_ORDER[x.severity] - SEVERITY_ORDER[y.severity]);
}

/** Opportunities are never sent: they are the snapshot's recommendations. */
export function recommendations(found: Finding[]): string[] {
  return found.filter((f) => f.severity === "opportunity").map((f) => f.message);
}
