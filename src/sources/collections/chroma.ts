import { z } from "zod";
import type { CollectionFigures, CollectionSource, CollectionsReading, SourceError } from "../types";
import { endpoint, fetchJson, SourceHttpError, type FetchJsonOptions } from "./http";
import { mapLimited } from "./parallel";
import { count, parseShape } from "./shape";

export const CHROMA_DEFAULT_URL = "http://127.0.0.1:8000";
export const CHROMA_DEFAULT_TENANT = "default_tenant";
export const CHROMA_DEFAULT_DATABASE = "default_database";

const SOURCE = "chroma";
const COUNT_CONCURRENCY = 4;
/** Chroma's local HNSW starts with room for 10 000 nodes and doubles when full (rust/segment local_hnsw.rs). */
const CHROMA_INITIAL_NODES = 10_000;
/** hnswlib stores each node's 8-byte label beside its level-0 links and vector. */
const HNSWLIB_LABEL_BYTES = 8;
/** Chroma's default `max_neighbors` (HNSW m) when a collection's configuration does not say. */
const CHROMA_DEFAULT_M = 16;
const BYTE_FIGURE_REASON =
  "Chroma reports no byte figures for its collections; their actual bytes are null and the model's expected_bytes stands in";

const Hnsw = z.object({
  space: z.string().nullish(),
  max_neighbors: count.nullish(),
  ef_construction: count.nullish(),
});

const ChromaCollection = z.object({
  id: z.string(),
  name: z.string(),
  dimension: count.nullish(),
  configuration_json: z.object({ hnsw: Hnsw.nullish() }).loose().nullish(),
});
type ChromaCollection = z.infer<typeof ChromaCollection>;

const Version = z.string();
const Database = z.object({ name: z.string() });

/** The nodes Chroma's HNSW has allocated for `vectors`: none before the first, then 10 000, doubled until they fit. */
export function chromaAllocatedNodes(vectors: number): number {
  if (vectors === 0) return 0;
  let nodes = CHROMA_INITIAL_NODES;
  while (nodes < vectors) nodes *= 2;
  return nodes;
}

function toFigures(c: ChromaCollection, vectorCount: number): CollectionFigures {
  const hnsw = c.configuration_json?.hnsw;
  return {
    name: c.name,
    dimension: c.dimension ?? 0,
    vectorCount,
    documentCount: null,
    metric: hnsw?.space ?? null,
    quantization: "none",
    actualBytes: null,
    indexBytes: null,
    payloadBytes: null,
    layout: {
      componentBytes: 4,
      keepsOriginals: false,
      hnswM: hnsw?.max_neighbors ?? CHROMA_DEFAULT_M,
      allocatedNodes: chromaAllocatedNodes(vectorCount),
      nodeLabelBytes: HNSWLIB_LABEL_BYTES,
      enableSq8: null,
    },
  };
}

export interface ChromaOptions {
  url: string;
  timeoutMs: number;
  maxBytes: number;
  tenant?: string;
  database?: string;
}

/**
 * Collections from the Chroma REST API v2: `GET /api/v2/version`, the database's
 * `collections` and each collection's `count`. Chroma gives no byte figures: each
 * collection carries its HNSW layout for the model instead.
 */
export class ChromaSource implements CollectionSource {
  readonly kind = SOURCE;
  private readonly databasePath: string;

  private readonly tenant: string;
  private readonly database: string;

  constructor(private readonly options: ChromaOptions) {
    this.tenant = options.tenant ?? CHROMA_DEFAULT_TENANT;
    this.database = options.database ?? CHROMA_DEFAULT_DATABASE;
    this.databasePath = `api/v2/tenants/${encodeURIComponent(this.tenant)}/databases/${encodeURIComponent(this.database)}`;
  }

  /** Chroma lists no collections, without an error, for a database that does not exist: ask for the database first. */
  private async checkDatabase(signal: AbortSignal): Promise<void> {
    try {
      await this.get(this.databasePath, Database, signal);
    } catch (err) {
      if (!(err instanceof SourceHttpError) || err.status !== 404) throw err;
      throw new SourceHttpError(
        `${err.message}: Chroma has no database ${JSON.stringify(this.database)} in tenant ${JSON.stringify(this.tenant)} ` +
          "(set MEMSNAP_TARGET_TENANT and MEMSNAP_TARGET_DATABASE, or tenant and database in the config file)",
        404,
      );
    }
  }

  private get<T>(path: string, schema: z.ZodType<T>, signal: AbortSignal): Promise<T> {
    const url = endpoint(this.options.url, path);
    const request: FetchJsonOptions = { signal, timeoutMs: this.options.timeoutMs, maxBytes: this.options.maxBytes };
    return fetchJson(url, request).then((body) => parseShape(schema, body, url));
  }

  /** A collection deleted between the listing and its count is left out (null). */
  private count(c: ChromaCollection, signal: AbortSignal): Promise<number | null> {
    return this.get(`${this.databasePath}/collections/${encodeURIComponent(c.id)}/count`, count, signal).catch(
      (err: unknown) => {
        if (err instanceof SourceHttpError && err.status === 404) return null;
        throw err;
      },
    );
  }

  async collections(signal: AbortSignal, errors: SourceError[]): Promise<CollectionsReading> {
    const [version, , listed] = await Promise.all([
      this.get("api/v2/version", Version, signal),
      this.checkDatabase(signal),
      this.get(`${this.databasePath}/collections`, z.array(ChromaCollection), signal),
    ]);
    const counts = await mapLimited(listed, COUNT_CONCURRENCY, (c) => this.count(c, signal));
    const collections = listed.flatMap((c, i) => {
      const vectors = counts[i];
      return vectors === null ? [] : [toFigures(c, vectors)];
    });
    if (collections.length > 0) errors.push({ source: SOURCE, message: BYTE_FIGURE_REASON });
    return { serverVersion: version, collections };
  }
}
