import type { TargetConfig } from "../../config/schema";
import type { CollectionSource } from "../types";
import { CHROMA_DEFAULT_URL, ChromaSource } from "./chroma";
import { DemoSource } from "./demo";
import { QDRANT_DEFAULT_URL, QdrantSource } from "./qdrant";
import { VECTORIZER_DEFAULT_URL, VectorizerSource } from "./vectorizer";

type SourceFactory = (target: TargetConfig, url: string) => CollectionSource;

const limits = (target: TargetConfig) => ({ timeoutMs: target.timeout_ms, maxBytes: target.max_response_bytes });

/** Every kind of target with an API, where its collection figures come from. */
const SOURCES: Record<Exclude<TargetConfig["kind"], "none">, SourceFactory> = {
  demo: (target, url) => new DemoSource({ url, ...limits(target) }),
  vectorizer: (target, url) => new VectorizerSource({ url, ...limits(target) }),
  qdrant: (target, url) => new QdrantSource({ url, apiKey: target.api_key, ...limits(target) }),
  chroma: (target, url) =>
    new ChromaSource({ url, tenant: target.tenant, database: target.database, ...limits(target) }),
};

const DEFAULT_URLS: Partial<Record<TargetConfig["kind"], string>> = {
  vectorizer: VECTORIZER_DEFAULT_URL,
  qdrant: QDRANT_DEFAULT_URL,
  chroma: CHROMA_DEFAULT_URL,
};

/** The target's API URL: its own, else its kind's default; null for a kind without an API (none). */
export function apiUrlOf(target: TargetConfig): string | null {
  if (target.kind === "none") return null;
  return target.url ?? DEFAULT_URLS[target.kind] ?? null;
}

/** The collection source of a target whose API answers at `url`; null for a target without an API. */
export function createCollectionSource(target: TargetConfig, url: string | null): CollectionSource | null {
  if (target.kind === "none" || url === null) return null;
  return SOURCES[target.kind](target, url);
}
