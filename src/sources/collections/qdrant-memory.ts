import { z } from "zod";
import type { RuntimeFigures, SourceError } from "../types";
import type { CollectionBytes } from "./qdrant-telemetry";
import { prefixOf, unlabelledSamples } from "./prometheus-text";
import { count } from "./shape";

/**
 * Qdrant 1.18+ `GET /collections/{name}/memory` (lib/collection/src/common/memory_reporter.rs):
 * per component `disk_bytes`, `ram_bytes` (heap, not evictable), `cached_bytes` (resident
 * pages of its mapped files, measured with mincore) and `expected_cache_bytes`; `total`
 * sums the components of this node's shards.
 */
export const memoryPath = (name: string) => `collections/${encodeURIComponent(name)}/memory`;

const Usage = z.object({
  disk_bytes: count,
  ram_bytes: count,
  cached_bytes: count,
  expected_cache_bytes: count.nullish(),
});
type Usage = z.infer<typeof Usage>;

export const QdrantMemoryReport = z.object({
  result: z.object({
    total: Usage,
    vectors: z
      .array(z.object({ name: z.string(), storage: Usage, index: Usage, quantized: Usage.nullish() }))
      .nullish(),
    sparse_vectors: z.array(z.object({ name: z.string(), storage: Usage, index: Usage })).nullish(),
    payload: Usage.nullish(),
    payload_index: z.array(z.object({ name: z.string(), usage: Usage })).nullish(),
    warnings: z.array(z.string()).nullish(),
  }),
});
export type QdrantMemoryReport = z.infer<typeof QdrantMemoryReport>["result"];

/** What /memory says one collection holds in this node's process. */
export interface MeasuredCollection {
  /** ram + cached: the collection's resident memory. */
  residentBytes: number;
  anonymousBytes: number;
  mappedResidentBytes: number;
  indexBytes: number;
  payloadBytes: number | null;
  warnings: string[];
}

const resident = (usage: Usage | null | undefined) => (usage ? usage.ram_bytes + usage.cached_bytes : 0);

export function measuredCollection(report: QdrantMemoryReport): MeasuredCollection {
  const indexes = [...(report.vectors ?? []), ...(report.sparse_vectors ?? [])].map((vector) => resident(vector.index));
  const payloadIndexes = (report.payload_index ?? []).map((index) => resident(index.usage));
  return {
    residentBytes: resident(report.total),
    anonymousBytes: report.total.ram_bytes,
    mappedResidentBytes: report.total.cached_bytes,
    indexBytes: indexes.reduce((sum, bytes) => sum + bytes, 0),
    payloadBytes: report.payload
      ? resident(report.payload) + payloadIndexes.reduce((sum, bytes) => sum + bytes, 0)
      : null,
    warnings: report.warnings ?? [],
  };
}

/** The jemalloc figures of Qdrant's `GET /metrics` (src/common/metrics.rs), under any `metrics_prefix`. */
export const METRICS_PATH = "metrics";
export const ALLOCATOR_SOURCE = "qdrant /metrics (jemalloc memory_resident_bytes − memory_allocated_bytes)";

/**
 * Memory jemalloc holds resident but the program has not allocated: `memory_resident_bytes
 * − memory_allocated_bytes`. Null when the exposition has no jemalloc figures (a build
 * without jemalloc); the reason is the returned string.
 */
export function allocatorFigures(text: string): RuntimeFigures | string {
  const samples = unlabelledSamples(text);
  const prefix = prefixOf(samples, "memory_resident_bytes");
  const residentBytes = prefix === null ? undefined : samples.get(`${prefix}memory_resident_bytes`);
  const allocatedBytes = prefix === null ? undefined : samples.get(`${prefix}memory_allocated_bytes`);
  if (residentBytes === undefined || allocatedBytes === undefined) {
    return "Qdrant's /metrics has no memory_resident_bytes and memory_allocated_bytes (a build without jemalloc?); the allocator's free memory is unknown";
  }
  return { allocatorFreeBytes: Math.max(0, residentBytes - allocatedBytes), source: ALLOCATOR_SOURCE };
}

const SOURCE = "qdrant";

/** The byte figures of one collection: measured by /memory, else telemetry's estimate. */
export type Sized =
  { source: "memory"; figures: MeasuredCollection } | { source: "telemetry"; figures: CollectionBytes };

export type MemoryRead = { report: QdrantMemoryReport } | { failed: string } | "absent";

/**
 * Fills `sized` from the /memory reports and returns the collections left to telemetry:
 * all of them on a Qdrant without the route (before 1.18), else the ones whose report failed.
 */
export function measuredByMemory(
  names: string[],
  memory: Map<string, MemoryRead>,
  sized: Map<string, Sized>,
  errors: SourceError[],
): string[] {
  if (names.length > 0 && names.every((name) => memory.get(name) === "absent")) {
    errors.push({ source: SOURCE, message: ROUTE_ABSENT });
    return names;
  }
  const unmeasured: string[] = [];
  for (const name of names) {
    const read = memory.get(name);
    if (read === undefined || read === "absent" || "failed" in read) {
      const why = read === undefined || read === "absent" ? "answered 404" : read.failed;
      errors.push({
        source: SOURCE,
        message: `collection ${JSON.stringify(name)}: its /memory report failed (${why}); its byte figure is telemetry's estimate`,
      });
      unmeasured.push(name);
      continue;
    }
    const figures = measuredCollection(read.report);
    for (const warning of figures.warnings)
      errors.push({
        source: SOURCE,
        message: `collection ${JSON.stringify(name)}: Qdrant's memory report warns: ${warning}`,
      });
    sized.set(name, { source: "memory", figures });
  }
  return unmeasured;
}

const ROUTE_ABSENT =
  "this Qdrant answers no GET /collections/{name}/memory (Qdrant 1.18 and later): the byte figures are telemetry's " +
  "vectors_size_bytes + payloads_size_bytes, an estimate Qdrant itself says not to rely on; upgrade Qdrant for measured figures";

export const CLUSTER_NOTE =
  "Qdrant runs in cluster mode: /collections/{name}/memory sums the shards of every node, so the collections' figures " +
  "include memory held by other nodes' processes";

/** `cluster_enabled 1` in Qdrant's /metrics. */
export function clusterEnabled(text: string): boolean {
  const samples = unlabelledSamples(text);
  const prefix = prefixOf(samples, "cluster_enabled");
  return prefix !== null && samples.get(`${prefix}cluster_enabled`) === 1;
}

/** The server's version from `app_info{version="…"}` in its /metrics. */
export function appVersion(text: string): string | null {
  return /^(?:[\w:]*_)?app_info\{[^}]*\bversion="([^"]+)"/m.exec(text)?.[1] ?? null;
}

export function runtimeOf(metricsRead: PromiseSettledResult<string>, errors: SourceError[]): RuntimeFigures | null {
  if (metricsRead.status === "rejected") {
    errors.push({
      source: SOURCE,
      message: `${(metricsRead.reason as Error).message}; the allocator's free memory is unknown`,
    });
    return null;
  }
  const runtime = allocatorFigures(metricsRead.value);
  if (typeof runtime !== "string") return runtime;
  errors.push({ source: SOURCE, message: runtime });
  return null;
}
