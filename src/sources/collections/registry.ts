import type { TargetConfig } from "../../config/schema";
import type { CollectionSource } from "../types";
import { VECTORIZER_DEFAULT_URL, VectorizerSource } from "./vectorizer";

/** A database answer larger than this is refused rather than parsed. */
export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

type SourceFactory = (target: TargetConfig, url: string | undefined) => CollectionSource | null;

/** Every kind of target and where its collection figures come from. */
const SOURCES: Record<TargetConfig["kind"], SourceFactory> = {
  none: () => null,
  demo: (target, url) =>
    new VectorizerSource({ url: url!, timeoutMs: target.timeout_ms, maxBytes: MAX_RESPONSE_BYTES }),
  vectorizer: (target, url) =>
    new VectorizerSource({ url: url ?? VECTORIZER_DEFAULT_URL, timeoutMs: target.timeout_ms, maxBytes: MAX_RESPONSE_BYTES }),
  qdrant: () => {
    throw new Error("the qdrant adapter is not built yet");
  },
};

export function createCollectionSource(target: TargetConfig, url: string | undefined): CollectionSource | null {
  return SOURCES[target.kind](target, url);
}
