import { z } from "zod";
import type { CollectionFigures, CollectionSource, Quantization } from "../types";
import { fetchJson, SourceHttpError } from "./http";

export const VECTORIZER_DEFAULT_URL = "http://127.0.0.1:15002";

const count = z.number().int().nonnegative();

const VectorizerCollection = z.object({
  name: z.string(),
  vector_count: count,
  document_count: count.nullish(),
  dimension: count,
  metric: z.string().nullish(),
  size: z
    .object({
      total_bytes: count.nullish(),
      index_bytes: count.nullish(),
      payload_bytes: count.nullish(),
    })
    .nullish(),
  quantization: z
    .object({
      enabled: z.boolean().nullish(),
      type: z.string().nullish(),
      bits: count.nullish(),
    })
    .nullish(),
});
type VectorizerCollection = z.infer<typeof VectorizerCollection>;

const VectorizerCollections = z.object({ collections: z.array(VectorizerCollection) });

/**
 * Vectorizer's `quantization.type` is a Rust Debug string ("SQ { bits: 8 }", "Binary",
 * "PQ { .. }", "None"); it is the truth even where `enabled` disagrees.
 */
export function normaliseVectorizerQuantization(q: VectorizerCollection["quantization"]): Quantization {
  const type = q?.type?.trim() ?? "";
  const sq = /^SQ\s*\{\s*bits:\s*(\d+)\s*\}$/i.exec(type);
  if (sq) return `sq${Number(sq[1])}`;
  if (/^binary/i.test(type)) return "binary";
  if (/^pq/i.test(type)) return "pq";
  if (/^none$/i.test(type)) return "none";
  if (q?.enabled && q.bits) return `sq${q.bits}`;
  return "none";
}

function toFigures(c: VectorizerCollection): CollectionFigures {
  return {
    name: c.name,
    dimension: c.dimension,
    vectorCount: c.vector_count,
    documentCount: c.document_count ?? null,
    metric: c.metric ?? null,
    quantization: normaliseVectorizerQuantization(c.quantization),
    actualBytes: c.size?.total_bytes ?? null,
    indexBytes: c.size?.index_bytes ?? null,
    payloadBytes: c.size?.payload_bytes ?? null,
  };
}

function describeShapeError(url: string, error: z.ZodError): string {
  const issue = error.issues[0];
  return `${url} answered an unexpected shape: ${issue.path.join(".") || "body"}: ${issue.message}`;
}

export interface VectorizerOptions {
  url: string;
  timeoutMs: number;
  maxBytes: number;
}

/** Collections from the Vectorizer REST API (`GET /collections`). */
export class VectorizerSource implements CollectionSource {
  readonly kind = "vectorizer";
  constructor(private readonly options: VectorizerOptions) {}

  async collections(signal: AbortSignal): Promise<CollectionFigures[]> {
    const url = new URL("/collections", this.options.url).toString();
    const body = await fetchJson(url, { signal, timeoutMs: this.options.timeoutMs, maxBytes: this.options.maxBytes });
    const parsed = VectorizerCollections.safeParse(body);
    if (!parsed.success) throw new SourceHttpError(describeShapeError(url, parsed.error));
    return parsed.data.collections.map(toFigures);
  }
}
