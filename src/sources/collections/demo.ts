import { z } from "zod";
import type { CollectionSource, CollectionsReading, RuntimeFigures, SourceError } from "../types";
import { endpoint, fetchJson } from "./http";
import { count, parseShape } from "./shape";
import { VectorizerSource, type VectorizerOptions } from "./vectorizer";

const SOURCE = "demo";
const MEASURED_SOURCE =
  "demo size.total_bytes: the bytes the demo store holds for the collection in V8, as it counts them (docs/attribution.md)";

const DemoRuntime = z.object({
  runtime: z.object({ v8_heap_used_bytes: count, v8_heap_resident_bytes: count }),
});

/**
 * The embedded demo store: Vectorizer's REST shapes, plus V8's own figures in `/stats`
 * (`runtime`), from which the heap V8 holds resident but does not use is its allocator_free.
 */
export class DemoSource implements CollectionSource {
  readonly kind = SOURCE;
  private readonly vectorizer: VectorizerSource;

  constructor(private readonly options: VectorizerOptions) {
    this.vectorizer = new VectorizerSource(options);
  }

  private async runtime(signal: AbortSignal, errors: SourceError[]): Promise<RuntimeFigures | null> {
    const url = endpoint(this.options.url, "stats");
    try {
      const body = await fetchJson(url, { signal, timeoutMs: this.options.timeoutMs, maxBytes: this.options.maxBytes });
      const { runtime } = parseShape(DemoRuntime, body, url);
      return {
        allocatorFreeBytes: Math.max(0, runtime.v8_heap_resident_bytes - runtime.v8_heap_used_bytes),
        source: "demo /stats: V8 heap resident (total_physical_size) − used",
      };
    } catch (err) {
      errors.push({ source: SOURCE, message: `${(err as Error).message}; the demo's allocator_free is not known` });
      return null;
    }
  }

  /** The runtime figures are asked for once the collections are read: a store that is down is one error, not two. */
  async collections(signal: AbortSignal, errors: SourceError[]): Promise<CollectionsReading> {
    const reading = await this.vectorizer.collections(signal, errors);
    const collections = reading.collections.map((c) => ({ ...c, actualSource: MEASURED_SOURCE }));
    return { ...reading, collections, runtime: await this.runtime(signal, errors) };
  }
}
