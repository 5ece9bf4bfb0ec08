import { z } from "zod";
import type {
  CollectionFigures,
  CollectionLayout,
  CollectionSource,
  CollectionsReading,
  Quantization,
  SourceError,
} from "../types";
import { endpoint, fetchJson, fetchPlainText, settled, SourceHttpError, type FetchJsonOptions } from "./http";
import {
  appVersion,
  CLUSTER_NOTE,
  clusterEnabled,
  measuredByMemory,
  memoryPath,
  METRICS_PATH,
  QdrantMemoryReport,
  runtimeOf,
  type MemoryRead,
  type Sized,
} from "./qdrant-memory";
import { collectionBytes, QdrantTelemetry, TELEMETRY_PATH, type CollectionBytes } from "./qdrant-telemetry";
import { mapLimited } from "./parallel";
import { count, parseShape } from "./shape";

export const QDRANT_DEFAULT_URL = "http://127.0.0.1:6333";

const SOURCE = "qdrant";
const MEMORY_SOURCE =
  "qdrant /collections/{name}/memory: ram_bytes + cached_bytes (measured: heap and resident mapped pages)";
const TELEMETRY_SOURCE = "qdrant /telemetry: vectors_size_bytes + payloads_size_bytes (Qdrant's own estimate)";
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

const HnswConfig = z.object({ m: count.nullish() });

const VectorParams = z.object({
  size: count,
  distance: z.string(),
  datatype: z.enum(["float32", "uint8", "float16"]).nullish(),
  quantization_config: QuantizationConfig.nullish(),
  hnsw_config: HnswConfig.nullish(),
});
type VectorParams = z.infer<typeof VectorParams>;

const CollectionInfo = z.object({
  result: z.object({
    points_count: count.nullish(),
    config: z.object({
      params: z.object({ vectors: z.union([VectorParams, z.record(z.string(), VectorParams)]) }),
      quantization_config: QuantizationConfig.nullish(),
      hnsw_config: HnswConfig.nullish(),
    }),
  }),
});
type CollectionInfo = z.infer<typeof CollectionInfo>["result"];
interface CountedCollection {
  name: string;
  info: CollectionInfo & { points_count: number };
}

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
      errors.push({
        source: SOURCE,
        message: `collection ${JSON.stringify(name)}${which}: a quantization config memsnap does not know; counted as none`,
      });
      storage = "none";
    }
    components.set(storage, (components.get(storage) ?? 0) + params.size);
  }
  const ranked = [...components.entries()].sort((a, b) => b[1] - a[1]);
  if (ranked.length > 1) {
    const kinds = ranked.map(([quantization]) => quantization).join(", ");
    errors.push({
      source: SOURCE,
      message: `collection ${JSON.stringify(name)}: its named vectors are stored differently (${kinds}); counted as ${ranked[0][0]}`,
    });
  }
  return ranked[0]?.[0] ?? "none";
}

const DATATYPE_BYTES = { float32: 4, float16: 2, uint8: 1 } as const;
/** Qdrant's default HNSW `m`. */
const QDRANT_DEFAULT_M = 16;

/**
 * Qdrant keeps the original vectors beside their quantized copy (for rescoring), one HNSW
 * graph per named vector (m 0: none), and stores components by `datatype` (a uint8 or
 * float16 datatype without a quantization config is the only copy, named sq8 or sq16).
 */
/** The PATCH that quantizes a collection with SQ8, the copy in RAM and the originals moved to disk. */
function enableSq8Call(name: string, vectors: Array<[string, VectorParams]>): string {
  const onDisk = Object.fromEntries(vectors.map(([vector]) => [vector, { on_disk: true }]));
  const body = { vectors: onDisk, quantization_config: { scalar: { type: "int8", always_ram: true } } };
  return `PATCH /collections/${encodeURIComponent(name)} ${JSON.stringify(body)}`;
}

function layoutOf(name: string, info: CollectionInfo): CollectionLayout {
  const vectors = namedVectors(info);
  const components = vectors.reduce((sum, [, params]) => sum + params.size, 0);
  const bytes = vectors.reduce(
    (sum, [, params]) => sum + params.size * DATATYPE_BYTES[params.datatype ?? "float32"],
    0,
  );
  const m = vectors[0]?.[1].hnsw_config?.m ?? info.config.hnsw_config?.m ?? QDRANT_DEFAULT_M;
  const quantizedByConfig =
    info.config.quantization_config != null || vectors.some(([, params]) => params.quantization_config != null);
  return {
    componentBytes: components === 0 ? 4 : bytes / components,
    keepsOriginals: quantizedByConfig || vectors.every(([, params]) => (params.datatype ?? "float32") === "float32"),
    hnswM: m === 0 ? null : m,
    graphs: vectors.length,
    enableSq8: enableSq8Call(name, vectors),
  };
}

function byteFigures(sized: Sized | undefined): Partial<CollectionFigures> {
  if (sized === undefined) return { actualBytes: null, indexBytes: null, payloadBytes: null };
  if (sized.source === "telemetry") {
    return {
      actualBytes: sized.figures.totalBytes,
      indexBytes: null,
      payloadBytes: sized.figures.payloadBytes,
      actualSource: TELEMETRY_SOURCE,
    };
  }
  const m = sized.figures;
  return {
    actualBytes: m.residentBytes,
    indexBytes: m.indexBytes,
    payloadBytes: m.payloadBytes,
    anonymousBytes: m.anonymousBytes,
    mappedResidentBytes: m.mappedResidentBytes,
    actualSource: MEMORY_SOURCE,
  };
}

function toFigures(
  { name, info }: CountedCollection,
  sized: Sized | undefined,
  errors: SourceError[],
): CollectionFigures {
  const vectors = namedVectors(info);
  return {
    name,
    dimension: vectors.reduce((sum, [, params]) => sum + params.size, 0),
    vectorCount: info.points_count,
    documentCount: null,
    metric: [...new Set(vectors.map(([, params]) => params.distance))].join(",") || null,
    quantization: dominantQuantization(name, info, errors),
    actualBytes: null,
    indexBytes: null,
    payloadBytes: null,
    ...byteFigures(sized),
    layout: layoutOf(name, info),
  };
}

function isCounted({ name, info }: { name: string; info: CollectionInfo }, errors: SourceError[]): boolean {
  if (typeof info.points_count === "number") return true;
  errors.push({
    source: SOURCE,
    message: `collection ${JSON.stringify(name)}: Qdrant gives no points_count; left out`,
  });
  return false;
}

function unreadMessage(unread: string[], signal: AbortSignal): string {
  const named = unread
    .slice(0, UNREAD_NAMED)
    .map((name) => JSON.stringify(name))
    .join(", ");
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

  /** One collection's /memory report; "absent" where Qdrant answers 404 (before 1.18, or the collection is gone). */
  private memory(name: string, signal: AbortSignal): Promise<MemoryRead> {
    return this.get(memoryPath(name), QdrantMemoryReport, signal).then(
      (report) => ({ report: report.result }),
      (err: unknown) =>
        err instanceof SourceHttpError && err.status === 404 ? "absent" : { failed: (err as Error).message },
    );
  }

  private metricsText(signal: AbortSignal): Promise<string> {
    const headers: Record<string, string> = this.options.apiKey ? { "api-key": this.options.apiKey } : {};
    const { timeoutMs, maxBytes } = this.options;
    return fetchPlainText(endpoint(this.options.url, METRICS_PATH), { signal, timeoutMs, maxBytes, headers });
  }

  /** Byte figures from telemetry for the collections /memory could not size; errors say why for the others. */
  private async telemetryBytes(names: string[], signal: AbortSignal, errors: SourceError[]) {
    try {
      const telemetry = await this.get(TELEMETRY_PATH, QdrantTelemetry, signal);
      return { bytes: collectionBytes(telemetry, names, errors), version: telemetry.result.app?.version ?? null };
    } catch (err) {
      errors.push({
        source: SOURCE,
        message: `${(err as Error).message}; the byte figures of ${names.map((n) => JSON.stringify(n)).join(", ")} are unknown`,
      });
      return { bytes: new Map<string, CollectionBytes>(), version: null };
    }
  }

  async collections(signal: AbortSignal, errors: SourceError[]): Promise<CollectionsReading> {
    const listed = (await this.get("collections", CollectionList, signal)).result.collections.map((c) => c.name);
    const unread: string[] = [];
    const [detailsRead, memoryRead, metricsRead] = await Promise.allSettled([
      mapLimited(listed, DETAIL_CONCURRENCY, (name) => this.detail(name, signal, unread)),
      mapLimited(listed, DETAIL_CONCURRENCY, (name) => this.memory(name, signal)),
      this.metricsText(signal),
    ]);
    if (unread.length > 0) errors.push({ source: SOURCE, message: unreadMessage(unread, signal) });
    const memory = new Map(settled(memoryRead).map((read, i) => [listed[i], read]));
    const read = settled(detailsRead)
      .map((info, i) => ({ name: listed[i], info }))
      .filter((c): c is { name: string; info: CollectionInfo } => c.info !== null);
    const counted = read.filter((c): c is CountedCollection => isCounted(c, errors));
    const sized = new Map<string, Sized>();
    const unmeasured = measuredByMemory(
      counted.map((c) => c.name),
      memory,
      sized,
      errors,
    );
    let version = metricsRead.status === "fulfilled" ? appVersion(metricsRead.value) : null;
    if (metricsRead.status === "fulfilled" && clusterEnabled(metricsRead.value) && unmeasured.length < counted.length)
      errors.push({ source: SOURCE, message: CLUSTER_NOTE });
    if (unmeasured.length > 0) {
      const telemetry = await this.telemetryBytes(unmeasured, signal, errors);
      for (const [name, figures] of telemetry.bytes) sized.set(name, { source: "telemetry", figures });
      version = telemetry.version ?? version;
    }
    return {
      serverVersion: version,
      collections: counted.map((c) => toFigures(c, sized.get(c.name), errors)),
      runtime: runtimeOf(metricsRead, errors),
    };
  }
}
