import { z } from "zod";
import type { SourceError } from "../types";
import { count } from "./shape";

/**
 * `GET /telemetry?details_level=3`: from level 3 each collection lists its shards, and a
 * shard held by this node has `local.vectors_size_bytes` and `local.payloads_size_bytes`
 * (Qdrant's own estimate, summed over the shard's segments). Versions before those fields
 * list `local.segments[].info` with the same two figures per segment (1.13); older ones
 * give neither.
 */
export const TELEMETRY_PATH = "telemetry?details_level=3";

const SizeStats = z.object({ vectors_size_bytes: count.nullish(), payloads_size_bytes: count.nullish() });
type SizeStats = z.infer<typeof SizeStats>;

const LocalShard = SizeStats.extend({ segments: z.array(z.object({ info: SizeStats })).nullish() });

const CollectionTelemetry = z.object({
  id: z.string().nullish(),
  shards: z.array(z.object({ local: LocalShard.nullish() })).nullish(),
});

export const QdrantTelemetry = z.object({
  result: z.object({
    app: z.object({ version: z.string().nullish() }).nullish(),
    collections: z.object({ collections: z.array(CollectionTelemetry).nullish() }).nullish(),
  }),
});
export type QdrantTelemetry = z.infer<typeof QdrantTelemetry>;

/** What telemetry says one collection occupies in this node's process. */
export interface CollectionBytes {
  totalBytes: number;
  payloadBytes: number;
}

interface Bytes {
  vectors: number;
  payloads: number;
}

function sized(stats: SizeStats): Bytes | null {
  const { vectors_size_bytes: vectors, payloads_size_bytes: payloads } = stats;
  if (vectors === null || vectors === undefined || payloads === null || payloads === undefined) return null;
  return { vectors, payloads };
}

/** A local shard's figures: its own, else the sum over its segments; null when neither is given. */
function shardBytes(local: z.infer<typeof LocalShard>): Bytes | null {
  const own = sized(local);
  if (own !== null || !local.segments || local.segments.length === 0) return own;
  const total: Bytes = { vectors: 0, payloads: 0 };
  for (const segment of local.segments) {
    const bytes = sized(segment.info);
    if (bytes === null) return null;
    total.vectors += bytes.vectors;
    total.payloads += bytes.payloads;
  }
  return total;
}

/**
 * Vectors + payloads of the shards this node holds. A collection whose shards all live
 * on other nodes occupies 0 bytes here; null when telemetry gives no byte figures.
 */
function localBytes(collection: z.infer<typeof CollectionTelemetry>): CollectionBytes | null {
  if (!collection.shards) return null;
  const total: Bytes = { vectors: 0, payloads: 0 };
  for (const shard of collection.shards) {
    if (!shard.local) continue;
    const bytes = shardBytes(shard.local);
    if (bytes === null) return null;
    total.vectors += bytes.vectors;
    total.payloads += bytes.payloads;
  }
  return { totalBytes: total.vectors + total.payloads, payloadBytes: total.payloads };
}

/** Byte figures by collection name; collections telemetry cannot size are named in `errors`. */
export function collectionBytes(
  telemetry: QdrantTelemetry,
  names: string[],
  errors: SourceError[],
): Map<string, CollectionBytes> {
  const byName = new Map<string, CollectionBytes>();
  for (const collection of telemetry.result.collections?.collections ?? []) {
    if (!collection.id) continue;
    const bytes = localBytes(collection);
    if (bytes !== null) byName.set(collection.id, bytes);
  }
  const unsized = names.filter((name) => !byName.has(name));
  if (unsized.length > 0) {
    const version = telemetry.result.app?.version ?? "this version";
    errors.push({
      source: "qdrant",
      message:
        `Qdrant ${version} telemetry gives no vectors_size_bytes/payloads_size_bytes for ${unsized.map((n) => JSON.stringify(n)).join(", ")}; ` +
        "their byte figures are unknown",
    });
  }
  return byName;
}
