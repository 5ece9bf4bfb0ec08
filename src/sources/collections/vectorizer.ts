import { z } from "zod";
import type { CollectionFigures, CollectionSource, CollectionsReading, Quantization, SourceError } from "../types";
import { endpoint, fetchJson, fetchPlainText, settled, type FetchJsonOptions } from "./http";
import { unlabelledSamples } from "./prometheus-text";
import { count, parseShape } from "./shape";

export const VECTORIZER_DEFAULT_URL = "http://127.0.0.1:15002";

const VectorizerCollection = z.object({
  name: z.string(),
  vector_count: count,
  document_count: count.nullish(),
  dimension: count,
  metric: z.string().nullish(),
  size: z
    .object({ total_bytes: count.nullish(), index_bytes: count.nullish(), payload_bytes: count.nullish() })
    .nullish(),
  quantization: z
    .object({ enabled: z.boolean().nullish(), type: z.string().nullish(), bits: count.nullish() })
    .nullish(),
  indexing_status: z.object({ status: z.string().nullish() }).nullish(),
});
type VectorizerCollection = z.infer<typeof VectorizerCollection>;

const VectorizerCollections = z.object({ collections: z.array(VectorizerCollection) });
const VectorizerHealth = z.object({ status: z.string(), version: z.string().nullish() });
const VectorizerStats = z.object({ collections: count, total_vectors: count.nullish(), version: z.string().nullish() });

const SOURCE = "vectorizer";
/**
 * What `size.total_bytes` is (crates/vectorizer/src/db/collection/persistence.rs): Vectorizer's
 * own estimate, not a measurement.
 */
const ESTIMATE_SOURCE =
  "vectorizer size.total_bytes: Vectorizer's own estimate (per vector: id length + dimension × 4, or dimension + 8 with SQ8, " +
  "+ the payload's JSON length + a flat 100 bytes for the HNSW graph)";
/** Vectorizer's default HNSW `m`. */
const VECTORIZER_DEFAULT_M = 16;
const PROMETHEUS_PATH = "prometheus/metrics";
/** Vectorizer fixes a collection's quantization when it is created. */
const VECTORIZER_SQ8 =
  "Vectorizer sets quantization when a collection is created: rebuild it with quantization SQ { bits: 8 } in its collection config and re-insert the vectors";

/**
 * Vectorizer's `quantization.type` is a Rust Debug string ("SQ { bits: 8 }", "Binary",
 * "PQ { n_centroids: 256, n_subquantizers: 8 }", "None"); it is the truth even where
 * `enabled` disagrees (Vectorizer sets `enabled` only for SQ 8-bit). Null: a type memsnap
 * does not know.
 */
export function normaliseVectorizerQuantization(q: VectorizerCollection["quantization"]): Quantization | null {
  const type = q?.type?.trim() ?? "None";
  const sq = /^SQ\s*\{\s*bits:\s*(\d+)\s*\}$/i.exec(type);
  if (sq) return `sq${Number(sq[1])}`;
  if (/^binary$/i.test(type)) return "binary";
  if (/^pq\b/i.test(type)) return "pq";
  if (/^none$/i.test(type)) return "none";
  return null;
}

function quantizationOf(c: VectorizerCollection, errors: SourceError[]): Quantization {
  const quantization = normaliseVectorizerQuantization(c.quantization);
  if (quantization !== null) return quantization;
  errors.push({
    source: SOURCE,
    message: `collection ${JSON.stringify(c.name)}: quantization type ${JSON.stringify(c.quantization?.type)} is not one memsnap knows; counted as none`,
  });
  return "none";
}

/**
 * The database's own byte figure, or null when it is implausible: Vectorizer sizes only
 * SQ8 and full-precision storage, so a binary-quantized collection holding vectors can
 * report 0 bytes. Taking that 0 would call its whole memory unaccounted.
 */
function actualBytesOf(c: VectorizerCollection, quantization: Quantization, errors: SourceError[]): number | null {
  const total = c.size?.total_bytes ?? null;
  if (total !== 0 || c.vector_count === 0) return total;
  errors.push({
    source: SOURCE,
    message:
      `collection ${JSON.stringify(c.name)}: Vectorizer reports size.total_bytes 0 for ${c.vector_count} vectors ` +
      `(quantization ${quantization}); the figure is implausible and left out`,
  });
  return null;
}

function toFigures(c: VectorizerCollection, errors: SourceError[]): CollectionFigures {
  const quantization = quantizationOf(c, errors);
  return {
    name: c.name,
    dimension: c.dimension,
    vectorCount: c.vector_count,
    documentCount: c.document_count ?? null,
    metric: c.metric ?? null,
    quantization,
    actualBytes: actualBytesOf(c, quantization, errors),
    indexBytes: c.size?.index_bytes ?? null,
    payloadBytes: c.size?.payload_bytes ?? null,
    actualSource: ESTIMATE_SOURCE,
    layout: { componentBytes: 4, keepsOriginals: false, hnswM: VECTORIZER_DEFAULT_M, enableSq8: VECTORIZER_SQ8 },
  };
}

/**
 * Vectorizer lists a collection it cannot open with invented figures (dimension 512,
 * 0 vectors) and `indexing_status.status` "error"; memsnap leaves those out.
 */
function isPlaceholder(c: VectorizerCollection, errors: SourceError[]): boolean {
  if (c.indexing_status?.status !== "error") return false;
  errors.push({
    source: SOURCE,
    message: `collection ${JSON.stringify(c.name)}: Vectorizer could not open it (indexing_status "error"); its figures are placeholders and are left out`,
  });
  return true;
}

/** Collections the server holds but does not list (tenant isolation) count as unaccounted memory: say so. */
function checkCompleteness(listed: number, stats: z.infer<typeof VectorizerStats>, errors: SourceError[]): void {
  if (stats.collections <= listed) return;
  errors.push({
    source: SOURCE,
    message:
      `Vectorizer holds ${stats.collections} collections but lists ${listed} to memsnap (tenant isolation?); ` +
      "the memory of the unlisted ones counts as unaccounted",
  });
}

/**
 * `vectorizer_vectors_total` of `GET /prometheus/metrics` (refreshed every 15 s by its
 * SystemCollector) against the vectors listed: more held than listed is memory no listed
 * collection explains. An older Vectorizer without the endpoint is not an error.
 */
function checkVectorTotal(collections: CollectionFigures[], text: string, errors: SourceError[]): void {
  const held = unlabelledSamples(text).get("vectorizer_vectors_total");
  const listed = collections.reduce((sum, c) => sum + c.vectorCount, 0);
  if (held === undefined || held <= listed) return;
  errors.push({
    source: SOURCE,
    message:
      `Vectorizer's /prometheus/metrics counts ${held} vectors (vectorizer_vectors_total) but its collections list ${listed}; ` +
      "the memory of the unlisted ones counts as unaccounted",
  });
}

export interface VectorizerOptions {
  url: string;
  timeoutMs: number;
  maxBytes: number;
}

/** Collections from the Vectorizer REST API: `GET /health` (liveness, version), `/collections`, `/stats`. */
export class VectorizerSource implements CollectionSource {
  readonly kind = SOURCE;
  constructor(private readonly options: VectorizerOptions) {}

  private get<T>(path: string, schema: z.ZodType<T>, signal: AbortSignal): Promise<T> {
    const url = endpoint(this.options.url, path);
    const request: FetchJsonOptions = { signal, timeoutMs: this.options.timeoutMs, maxBytes: this.options.maxBytes };
    return fetchJson(url, request).then((body) => parseShape(schema, body, url));
  }

  /**
   * The three reads run together. The first failure of a required one (health, collections)
   * cancels the others and is the one reported; all have settled before this returns, so
   * none writes to `errors` late.
   */
  private async readAll(signal: AbortSignal) {
    const cancel = new AbortController();
    const linked = AbortSignal.any([signal, cancel.signal]);
    let firstFailure: unknown = null;
    const required = <T>(read: Promise<T>) =>
      read.catch((err: unknown) => {
        firstFailure ??= err;
        cancel.abort();
        throw err;
      });
    const [health, listing, stats, prometheus] = await Promise.allSettled([
      required(this.get("health", VectorizerHealth, linked)),
      required(this.get("collections", VectorizerCollections, linked)),
      this.get("stats", VectorizerStats, linked),
      fetchPlainText(endpoint(this.options.url, PROMETHEUS_PATH), {
        signal: linked,
        timeoutMs: this.options.timeoutMs,
        maxBytes: this.options.maxBytes,
      }),
    ]);
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrows the first required read's rejection exactly as it came
    if (firstFailure !== null) throw firstFailure;
    return { health: settled(health), listing: settled(listing), stats, prometheus };
  }

  async collections(signal: AbortSignal, errors: SourceError[]): Promise<CollectionsReading> {
    const { health, listing, stats: statsRead, prometheus } = await this.readAll(signal);
    if (health.status !== "healthy") {
      errors.push({ source: SOURCE, message: `Vectorizer reports its health as ${JSON.stringify(health.status)}` });
    }
    const stats = statsRead.status === "fulfilled" ? statsRead.value : null;
    if (stats === null) {
      errors.push({
        source: SOURCE,
        message: `${((statsRead as PromiseRejectedResult).reason as Error).message}; the collection count is not cross-checked`,
      });
    } else {
      checkCompleteness(listing.collections.length, stats, errors);
    }
    const collections = listing.collections.filter((c) => !isPlaceholder(c, errors)).map((c) => toFigures(c, errors));
    if (prometheus.status === "fulfilled") checkVectorTotal(collections, prometheus.value, errors);
    return { serverVersion: health.version ?? stats?.version ?? null, collections };
  }
}
