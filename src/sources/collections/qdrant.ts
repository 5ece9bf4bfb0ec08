import { z } from "zod";
import type { CollectionFigures, CollectionSource, CollectionsReading, Quantization, SourceError } from "../types";
import { endpoint, fetchJson, settled, SourceHttpError, type FetchJsonOptions } from "./http";
import { collectionBytes, QdrantTelemetry, TELEMETRY_PATH, type CollectionBytes } from "./qdrant-telemetry";
import { count, parseShape } from "./shape";

export const QDRANT_DEFAULT_URL = "http://127.0.0.1:6333";

const SOURCE = "qdrant";
/** Collection details read at once: enough to be quick, few enough not to load the database. */
const DETAIL_CONCURRENCY = 8;
/** Collections named one by one in the error about those not read; the rest are counted. */
const UNREAD_NAMED = 20;

/** Scalar (`{scalar: {type: "int8"}}`), product or binary; other shapes are kept to be named. */
const QuantizationConfig = z
  .object({
    scalar: z.object({ type: z.string() }).nullish(),
    product: z.object({ compression: z.string() }).nullish(),
    binary: z.object({}).nullish(),
  })
  .loose();
type QuantizationConfig = z.infer<typeof QuantizationConfig>;

const VectorParams = z.object({
  size: count,
  distance: z.string(),
  datatype: z.enum(["float32", "uint8", "float16"]).nullish(),
  quantization_config: QuantizationConfig.nullish(),
});
type VectorParams = z.infer<typeof VectorParams>;

const CollectionInfo = z.object({
  result: z.object({
    points_count: count.nullish(),
    config: z.object({
      params: z.object({ vectors: z.union([VectorParams, z.record(z.string(), VectorParams)]) }),
      quantization_config: QuantizationConfig.nullish(),
    }),
  }),
});
type CollectionInfo = z.infer<typeof CollectionInfo>["result"];
type CountedCollection = { name: string; info: CollectionInfo & { points_count: number } };

const CollectionList = z.object({ result: z.object({ collections: z.array(z.object({ name: z.string() })) }) });

/** Qdrant's quantization config as memsnap names it; null for a kind memsnap does not know. */
function normaliseQdrantQuantization(config: QuantizationConfig): Quantization | null {
  if (config.scalar) return config.scalar.type === "int8" ? "sq8" : null;
  if (config.product) return "pq";
  if (config.binary) return "binary";
  return null;
}

/**
 * How one vector's components are stored: its quantization (its own config, else the
 * collection's), else its datatype (uint8 holds one byte per component like SQ8, float16 two).
 */
function storageOf(vector: VectorParams, collectionConfig: QuantizationConfig | null | undefined): Quantization | null {
  const config = vector.quantization_config ?? collectionConfig;
  if (config) return normaliseQdrantQuantization(config);
  if (vector.datatype === "uint8") return "sq8";
  if (vector.datatype === "float16") return "sq16";
  return "none";
}

function namedVectors(info: CollectionInfo): Array<[string, VectorParams]> {
  const vectors = info.config.params.vectors;
  if ("size" in vectors && typeof vectors.size === "number") return [["", vectors as VectorParams]];
  return Object.entries(vectors as Record<string, VectorParams>);
}

/**
 * One quantization for the collection: the storage covering the most components. Named
 * vectors stored differently are rare; the snapshot says which one was taken.
 */
function dominantQuantization(name: string, info: CollectionInfo, errors: SourceError[]): Quantization {
  const components = new Map<Quantization, number>();
  for (const [vectorName, params] of namedVectors(info)) {
    let storage = storageOf(params, info.config.quantization_config);
    if (storage === null) {
      const which = vectorName ? ` vector ${JSON.stringify(vectorName)}` : "";
      errors.push({ source: SOURCE, message: `collection ${JSON.stringify(name)}${which}: a quantization config memsnap does not know; counted as none` });
      storage = "none";
    }
    components.set(storage, (components.get(storage) ?? 0) + params.size);
  }
  const ranked = [...components.entries()].sort((a, b) => b[1] - a[1]);
  if (ranked.length > 1) {
    const kinds = ranked.map(([quantization]) => quantization).join(", ");
    errors.push({ source: SOURCE, message: `collection ${JSON.stringify(name)}: its named vectors are stored differently (${kinds}); counted as ${ranked[0][0]}` });
  }
  return ranked[0]?.[0] ?? "none";
}

function toFigures({ name, info }: CountedCollection, bytes: CollectionBytes | undefined, errors: SourceError[]): CollectionFigures {
  const vectors = namedVectors(info);
  return {
    name,
    dimension: vectors.reduce((sum, [, params]) => sum + params.size, 0),
    vectorCount: info.points_count,
    documentCount: null,
    metric: [...new Set(vectors.map(([, params]) => params.distance))].join(",") || null,
    quantization: dominantQuantization(name, info, errors),
    actualBytes: bytes?.totalBytes ?? null,
    indexBytes: null,
    payloadBytes: bytes?.payloadBytes ?? null,
  };
}

function isCounted({ name, info }: { name: string; info: CollectionInfo }, errors: SourceError[]): boolean {
  if (typeof info.points_count === "number") return true;
  errors.push({ source: SOURCE, message: `collection ${JSON.stringify(name)}: Qdrant gives no points_count; left out` });
  return false;
}

/** Runs `read` over the items, at most `limit` at a time; after a failure, starts no more. */
async function mapLimited<T, R>(items: T[], limit: number, read: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < items.length && !failed) {
      const index = next++;
      results[index] = await read(items[index]).catch((err: unknown) => {
        failed = true;
        throw err;
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function unreadMessage(unread: string[], signal: AbortSignal): string {
  const named = unread.slice(0, UNREAD_NAMED).map((name) => JSON.stringify(name)).join(", ");
  const more = unread.length > UNREAD_NAMED ? ` and ${unread.length - UNREAD_NAMED} more` : "";
  const why = signal.reason instanceof Error ? signal.reason.message : "the sample was cancelled";
  return `${unread.length} collections not read (${why}); their figures are missing from this snapshot: ${named}${more}`;
}

export interface QdrantOptions {
  url: string;
  timeoutMs: number;
  maxBytes: number;
  apiKey?: string;
}

/**
 * Collections from the Qdrant REST API: `GET /collections`, `GET /collections/{name}` for
 * each, and `GET /telemetry?details_level=3` for the byte figures (optional: without it,
 * or on a version that lacks them, the byte figures are null and `errors` says why).
 */
export class QdrantSource implements CollectionSource {
  readonly kind = SOURCE;
  constructor(private readonly options: QdrantOptions) {}

  private get<T>(path: string, schema: z.ZodType<T>, signal: AbortSignal): Promise<T> {
    const url = endpoint(this.options.url, path);
    const headers: Record<string, string> = this.options.apiKey ? { "api-key": this.options.apiKey } : {};
    const request: FetchJsonOptions = {
      signal,
      timeoutMs: this.options.timeoutMs,
      maxBytes: this.options.maxBytes,
      headers,
      refusedHint: "check the target's api_key / MEMSNAP_TARGET_API_KEY",
    };
    return fetchJson(url, request).then((body) => parseShape(schema, body, url));
  }

  /**
   * A collection deleted between the listing and its read is left out (null); so is one not
   * read when the sample's signal aborts (its deadline), which goes to `unread`.
   */
  private detail(name: string, signal: AbortSignal, unread: string[]): Promise<CollectionInfo | null> {
    if (signal.aborted) {
      unread.push(name);
      return Promise.resolve(null);
    }
    return this.get(`collections/${encodeURIComponent(name)}`, CollectionInfo, signal).then(
      (info) => info.result,
      (err: unknown) => {
        if (err instanceof SourceHttpError && err.status === 404) return null;
        if (signal.aborted) {
          unread.push(name);
          return null;
        }
        throw err;
      },
    );
  }

  async collections(signal: AbortSignal, errors: SourceError[]): Promise<CollectionsReading> {
    const listed = (await this.get("collections", CollectionList, signal)).result.collections.map((c) => c.name);
    const unread: string[] = [];
    const [detailsRead, telemetryRead] = await Promise.allSettled([
      mapLimited(listed, DETAIL_CONCURRENCY, (name) => this.detail(name, signal, unread)),
      this.get(TELEMETRY_PATH, QdrantTelemetry, signal),
    ]);
    if (unread.length > 0) errors.push({ source: SOURCE, message: unreadMessage(unread, signal) });
    const read = settled(detailsRead)
      .map((info, i) => ({ name: listed[i], info }))
      .filter((c): c is { name: string; info: CollectionInfo } => c.info !== null);
    const counted = read.filter((c): c is CountedCollection => isCounted(c, errors));
    let bytes = new Map<string, CollectionBytes>();
    if (telemetryRead.status === "fulfilled") {
      bytes = collectionBytes(telemetryRead.value, counted.map((c) => c.name), errors);
    } else {
      errors.push({ source: SOURCE, message: `${(telemetryRead.reason as Error).message}; the collections' byte figures are unknown` });
    }
    return {
      serverVersion: telemetryRead.status === "fulfilled" ? (telemetryRead.value.result.app?.version ?? null) : null,
      collections: counted.map((c) => toFigures(c, bytes.get(c.name), errors)),
    };
  }
}
