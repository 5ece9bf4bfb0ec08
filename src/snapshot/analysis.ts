import type { CollectionFigures, Quantization } from "../sources/types";

export const BYTES_PER_MB = 1024 * 1024;
export const FLOAT32_BYTES = 4;

/** Bytes to MB (MiB, as the seed counted them), rounded to 0.1. */
export function toMb(bytes: number): number;
export function toMb(bytes: number | null): number | null;
export function toMb(bytes: number | null): number | null {
  return bytes === null ? null : roundTo(bytes / BYTES_PER_MB, 1);
}

export function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

/** What an operator estimates from counts alone: full-precision float32 vectors. */
export function estimatedBytes(vectorCount: number, dimension: number): number {
  return vectorCount * dimension * FLOAT32_BYTES;
}

export function isQuantized(quantization: Quantization): boolean {
  return quantization !== "none";
}

/** Bytes one vector component occupies; null where the scheme does not fix it (PQ). */
function bytesPerComponent(quantization: Quantization): number | null {
  if (quantization === "none") return FLOAT32_BYTES;
  if (quantization === "binary") return 1 / 8;
  if (quantization === "pq") return null;
  return Number(quantization.slice(2)) / 8;
}

export function quantizationSavingsBytes(c: CollectionFigures): number {
  const perComponent = bytesPerComponent(c.quantization);
  if (perComponent === null) return 0;
  return c.vectorCount * c.dimension * (FLOAT32_BYTES - perComponent);
}

export function unaccountedBytes(processRss: number, collectionsActual: number): number {
  return processRss - collectionsActual;
}

export function overheadPercentage(unaccounted: number, collectionsActual: number): number | null {
  return collectionsActual === 0 ? null : (unaccounted / collectionsActual) * 100;
}

export function estimatedVsRealDiffPercent(estimated: number, actual: number): number {
  return estimated === 0 ? 0 : ((estimated - actual) / estimated) * 100;
}

/** Unaccounted memory beyond the runtime baseline (file-backed pages: code and libraries). */
export function dataStructureOverheadBytes(unaccounted: number, runtimeBaselineBytes: number): number {
  return Math.max(0, unaccounted - runtimeBaselineBytes);
}

export function quantizationCoverageRatio(quantizedCollections: number, collections: number): number | null {
  return collections === 0 ? null : quantizedCollections / collections;
}

export interface CollectionTotals {
  collections: number;
  vectors: number;
  estimatedBytes: number;
  actualBytes: number;
  quantizedCollections: number;
  quantizationSavingsBytes: number;
  /** Collections for which the database gave no byte figure. */
  collectionsWithoutActual: number;
}

export function collectionTotals(collections: CollectionFigures[]): CollectionTotals {
  const totals: CollectionTotals = {
    collections: collections.length,
    vectors: 0,
    estimatedBytes: 0,
    actualBytes: 0,
    quantizedCollections: 0,
    quantizationSavingsBytes: 0,
    collectionsWithoutActual: 0,
  };
  for (const c of collections) {
    totals.vectors += c.vectorCount;
    totals.estimatedBytes += estimatedBytes(c.vectorCount, c.dimension);
    if (c.actualBytes === null) totals.collectionsWithoutActual += 1;
    else totals.actualBytes += c.actualBytes;
    if (isQuantized(c.quantization)) totals.quantizedCollections += 1;
    totals.quantizationSavingsBytes += quantizationSavingsBytes(c);
  }
  return totals;
}

export interface Discrepancy {
  estimatedVsRealDiffBytes: number;
  estimatedVsRealDiffPercent: number;
  /** null when the process RSS is unknown. */
  unaccountedBytes: number | null;
  overheadPercentage: number | null;
  quantizationImpactBytes: number;
  dataStructureOverheadBytes: number | null;
  runtimeBaselineBytes: number | null;
}

/** The gap between what the database says and what the process holds. */
export function discrepancy(
  totals: CollectionTotals,
  residentBytes: number | null,
  runtimeBaselineBytes: number | null,
): Discrepancy {
  const unaccounted = residentBytes === null ? null : unaccountedBytes(residentBytes, totals.actualBytes);
  return {
    estimatedVsRealDiffBytes: totals.estimatedBytes - totals.actualBytes,
    estimatedVsRealDiffPercent: estimatedVsRealDiffPercent(totals.estimatedBytes, totals.actualBytes),
    unaccountedBytes: unaccounted,
    overheadPercentage: unaccounted === null ? null : overheadPercentage(unaccounted, totals.actualBytes),
    quantizationImpactBytes: totals.quantizationSavingsBytes,
    dataStructureOverheadBytes:
      unaccounted === null ? null : dataStructureOverheadBytes(unaccounted, runtimeBaselineBytes ?? 0),
    runtimeBaselineBytes,
  };
}
