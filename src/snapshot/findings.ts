import type { z } from "zod";
import type { Thresholds } from "../config/schema";
import type { CollectionFigures } from "../sources/types";
import { BYTES_PER_MB, roundTo } from "./analysis";
import type { Assessment } from "./assessment";
import { FINDINGS, thresholdOf, type FindingContext, type FindingDescriptor } from "./catalog";
import { formatBytes, formatCount, mb } from "./format";
import { sq8Change } from "./model";
import type { FindingSchema } from "./schema";

export type Finding = z.infer<typeof FindingSchema>;
export type Severity = Finding["severity"];

const MEMORY_MAPPED_STORAGE_FROM_BYTES = 1024 * BYTES_PER_MB;
const REVIEW_DATA_STRUCTURES_FROM_BYTES = 200 * BYTES_PER_MB;

const crosses = (value: number, threshold: number, comparison: FindingDescriptor["comparison"]) =>
  comparison === "above" ? value > threshold : value < threshold;

/** The code's finding at the most severe level whose threshold the measurement crosses, if any. */
function evaluate(d: FindingDescriptor, ctx: FindingContext): Finding | null {
  const measured = d.measure(ctx);
  if (measured === null) return null;
  for (const level of d.levels) {
    const threshold = thresholdOf(level.threshold, ctx.t);
    if (threshold === null || crosses(measured.value, threshold, d.comparison)) {
      return {
        severity: level.severity,
        code: d.code,
        message: measured.message(threshold),
        value: measured.value,
        threshold,
      };
    }
  }
  return null;
}

const ELEMENT_NAMES: Record<number, string> = { 4: "float32", 2: "float16" };

/**
 * The SQ8 recommendation, by the model: what goes away, what stays, and the call that
 * applies it. Null where the database offers no quantization (Chroma) or SQ8 cannot shrink
 * the vectors.
 */
function enableSq8(c: CollectionFigures): Finding | null {
  const change = sq8Change(c);
  const apply = c.layout?.enableSq8;
  if (change === null || apply === null) return null;
  const shape = `${formatCount(c.vectorCount)} vectors × ${c.dimension} dims`;
  const originals = `${ELEMENT_NAMES[c.layout?.componentBytes ?? 4] ?? "full-precision"} originals`;
  const copy = `a 1-byte copy (~${formatBytes(change.addedBytes)})`;
  let message: string;
  if (apply === undefined) {
    message =
      `Enable SQ8 on \`${c.name}\` (${shape}): saves ~${formatBytes(change.ramFreedBytes)} where the database drops the ${originals} ` +
      `(~${formatBytes(change.removedBytes)}) for ${copy}; where it keeps them beside the copy (Qdrant), they stay`;
  } else if (change.keptBytes > 0) {
    message =
      `Quantize \`${c.name}\` with SQ8 (${shape}), its ${originals} on disk: the database keeps the originals ` +
      `(~${formatBytes(change.keptBytes)} stay, on disk, paged in for rescoring) and adds ${copy} in RAM; ` +
      `the RAM it needs falls by ~${formatBytes(change.ramFreedBytes)} (SQ8 alone, the originals left in RAM, adds ~${formatBytes(change.addedBytes)}). Apply: ${apply}`;
  } else {
    message =
      `Enable SQ8 on \`${c.name}\` (${shape}): the ${originals} (~${formatBytes(change.removedBytes)}) go away for ${copy}: ` +
      `saves ~${formatBytes(change.ramFreedBytes)}. ${apply}`;
  }
  return {
    severity: "opportunity",
    code: "EnableQuantization",
    message,
    value: roundTo(change.ramFreedBytes / BYTES_PER_MB, 1),
    threshold: null,
    collection: c.name,
  };
}

function opportunityFindings(a: Assessment): Finding[] {
  const found: Finding[] = a.collections
    .filter((c) => c.quantization === "none" && c.vectorCount > 0)
    .map(enableSq8)
    .filter((f): f is Finding => f !== null)
    .sort((x, y) => (y.value ?? 0) - (x.value ?? 0));
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
  if (a.collectionFiguresKnown && structures !== null && structures > REVIEW_DATA_STRUCTURES_FROM_BYTES) {
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

/** Critical first, then warning, then opportunity: the one order of severities. */
export const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, warning: 1, opportunity: 2 };

/**
 * The findings of SPEC section 4: every code of the catalog, in its order within a severity
 * (running out of memory first), critical first, then warning, then opportunity.
 */
export function findings(a: Assessment, healthScore: number | null, t: Thresholds): Finding[] {
  const ctx = { a, t, healthScore };
  const alerted = FINDINGS.map((d) => evaluate(d, ctx)).filter((f): f is Finding => f !== null);
  return [...alerted, ...opportunityFindings(a)].sort(
    (x, y) => SEVERITY_ORDER[x.severity] - SEVERITY_ORDER[y.severity],
  );
}

/** Opportunities are never sent: they are the snapshot's recommendations. */
export function recommendations(found: Finding[]): string[] {
  return found.filter((f) => f.severity === "opportunity").map((f) => f.message);
}
