import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { collectDefaultMetrics, Gauge, Registry } from "prom-client";
import type { SourceOutcome } from "../sampling/sampler";
import type { Snapshot } from "../snapshot/schema";
import { COLLECTION_GAUGES, SYSTEM_GAUGES, TARGET_GAUGES } from "./definitions";

export type ExpositionFormat = "prometheus" | "openmetrics";

export const CONTENT_TYPES: Record<ExpositionFormat, string> = {
  prometheus: Registry.PROMETHEUS_CONTENT_TYPE,
  openmetrics: Registry.OPENMETRICS_CONTENT_TYPE,
};

/** prom-client gauges named like counters (promtool lints them); their per-type siblings stay. */
const MISNAMED_DEFAULT_METRICS = ["nodejs_active_handles_total", "nodejs_active_requests_total", "nodejs_active_resources_total"];

const gzipAsync = promisify(gzip);

/** One rendering of the exposition as sent on the wire: its bytes, and their gzip once asked for. */
class Exposition {
  private gzipped: Promise<Buffer> | null = null;

  constructor(readonly body: Buffer) {}

  gzip(): Promise<Buffer> {
    this.gzipped ??= gzipAsync(this.body);
    return this.gzipped;
  }
}

/**
 * The Prometheus registry, fed only from snapshots (plus counters other modules own).
 * The exposition is rendered once after a change and served from memory.
 */
export class MetricsExporter {
  readonly registry = new Registry();
  private readonly targetGauges = TARGET_GAUGES.map((d) => ({ d, gauge: this.gauge(d.name, d.help, ["target"]) }));
  private readonly systemGauges = SYSTEM_GAUGES.map((d) => ({ d, gauge: this.gauge(d.name, d.help, []) }));
  private readonly collectionGauges = COLLECTION_GAUGES.map((d) => ({
    d,
    gauge: this.gauge(d.name, d.help, ["target", "collection"]),
  }));
  private readonly sourceDuration = this.gauge(
    "memsnap_source_duration_seconds",
    "Wall time of the last read of one source (system, locate, process, cgroup, the database API).",
    ["target", "source"],
  );
  private readonly sourceSuccess = this.gauge(
    "memsnap_source_success",
    "1 when the last read of the source succeeded, else 0.",
    ["target", "source"],
  );
  private readonly collectionsByTarget = new Map<string, Set<string>>();
  private readonly rendered = new Map<ExpositionFormat, Promise<Exposition>>();
  private renderQueue: Promise<unknown> = Promise.resolve();
  /** The formats scrapers have asked for, and whether gzipped: rendered again ahead of them after a change. */
  private readonly wanted = new Map<ExpositionFormat, { gzip: boolean }>();
  private renderAheadScheduled = false;

  constructor(version: string) {
    collectDefaultMetrics({ register: this.registry });
    for (const name of MISNAMED_DEFAULT_METRICS) this.registry.removeSingleMetric(name);
    this.gauge("memsnap_build_info", "memsnap build; the value is always 1.", ["version", "nodejs_version"]).set(
      { version, nodejs_version: process.version },
      1,
    );
  }

  private gauge(name: string, help: string, labelNames: string[]): Gauge {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }

  /** Maps one target's snapshot onto the gauges; series of vanished collections are removed. */
  applySnapshot(snapshot: Snapshot, sources: SourceOutcome[]): void {
    const target = snapshot.target.name;
    for (const { d, gauge } of this.targetGauges) setOrRemove(gauge, { target }, d.value(snapshot));
    for (const { d, gauge } of this.systemGauges) setOrRemove(gauge, {}, d.value(snapshot));
    const current = new Set<string>();
    for (const detail of snapshot.collections_info.collections_detail) {
      current.add(detail.name);
      const labels = { target, collection: detail.name };
      for (const { d, gauge } of this.collectionGauges) setOrRemove(gauge, labels, d.value(detail));
    }
    for (const gone of this.collectionsByTarget.get(target) ?? []) {
      if (current.has(gone)) continue;
      for (const { gauge } of this.collectionGauges) gauge.remove({ target, collection: gone });
    }
    this.collectionsByTarget.set(target, current);
    for (const outcome of sources) {
      const labels = { target, source: outcome.source };
      this.sourceDuration.set(labels, outcome.durationSeconds);
      this.sourceSuccess.set(labels, outcome.success ? 1 : 0);
    }
    this.invalidate();
  }

  /**
   * Marks the cached exposition stale, and renders again, once the current turn of the event loop
   * is over, what scrapers have asked for: the next scrape finds it ready.
   */
  invalidate(): void {
    this.rendered.clear();
    if (this.wanted.size === 0 || this.renderAheadScheduled) return;
    this.renderAheadScheduled = true;
    setImmediate(() => {
      this.renderAheadScheduled = false;
      for (const [format, wants] of this.wanted) {
        const rendering = this.render(format, wants);
        void (wants.gzip ? rendering.then((exposition) => exposition.gzip()) : rendering).catch(() => undefined);
      }
    });
  }

  /** The exposition in `format`, rendered at most once between two changes. */
  render(format: ExpositionFormat, wants: { gzip: boolean } = { gzip: false }): Promise<Exposition> {
    this.wanted.set(format, wants);
    let text = this.rendered.get(format);
    if (text === undefined) {
      const rendering = this.enqueueRender(format);
      this.rendered.set(format, rendering);
      rendering.catch(() => {
        if (this.rendered.get(format) === rendering) this.rendered.delete(format);
      });
      text = rendering;
    }
    return text;
  }

  /**
   * Renders are serialised because the registry's content type is switched for
   * OpenMetrics; prom-client also renames counters (drops `_total`) when it renders
   * OpenMetrics, so their names are put back afterwards.
   */
  private enqueueRender(format: ExpositionFormat): Promise<Exposition> {
    const run = async () => {
      const names = this.registry.getMetricsAsArray().map((m) => [m, (m as unknown as { name: string }).name] as const);
      this.registry.setContentType(CONTENT_TYPES[format] as typeof Registry.PROMETHEUS_CONTENT_TYPE);
      try {
        return new Exposition(Buffer.from(await this.registry.metrics()));
      } finally {
        this.registry.setContentType(Registry.PROMETHEUS_CONTENT_TYPE);
        for (const [metric, name] of names) (metric as unknown as { name: string }).name = name;
      }
    };
    const result = this.renderQueue.then(run, run);
    this.renderQueue = result.catch(() => undefined);
    return result;
  }
}

function setOrRemove(gauge: Gauge, labels: Record<string, string>, value: number | null): void {
  if (value === null || !Number.isFinite(value)) gauge.remove(labels);
  else gauge.set(labels, value);
}
