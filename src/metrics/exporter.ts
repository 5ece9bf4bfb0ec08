import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { collectDefaultMetrics, Gauge, Registry } from "prom-client";
import type { SourceOutcome } from "../sampling/sampler";
import { ATTRIBUTION_PARTS } from "../snapshot/attribution";
import type { Snapshot } from "../snapshot/schema";
import { boundCollections } from "./cardinality";
import { ATTRIBUTION_GAUGE, COLLECTION_GAUGES, SYSTEM_GAUGES, TARGET_GAUGES } from "./definitions";
import { EventCounters } from "./event-counters";

export type ExpositionFormat = "prometheus" | "openmetrics";

export const CONTENT_TYPES: Record<ExpositionFormat, string> = {
  prometheus: Registry.PROMETHEUS_CONTENT_TYPE,
  openmetrics: Registry.OPENMETRICS_CONTENT_TYPE,
};

/** prom-client gauges named like counters (promtool lints them); their per-type siblings stay. */
const MISNAMED_DEFAULT_METRICS = [
  "nodejs_active_handles_total",
  "nodejs_active_requests_total",
  "nodejs_active_resources_total",
];

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
  private readonly attributionGauge = this.gauge(ATTRIBUTION_GAUGE.name, ATTRIBUTION_GAUGE.help, ["target", "part"]);
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
  private readonly collectionsNotExported = this.gauge(
    "memsnap_collections_not_exported",
    'Collections without series of their own (MEMSNAP_COLLECTION_SERIES_MAX): summed under collection="__other__", or all of them with a cap of 0.',
    ["target"],
  );
  private readonly targetInfo = this.gauge(
    "memsnap_target_info",
    "The watched database: its kind and the server version its API reports (empty when unknown); the value is always 1.",
    ["target", "kind", "server_version"],
  );
  private readonly targetStartTime = this.gauge(
    "memsnap_target_start_time_seconds",
    "Unix time the target's process started (/proc/PID/stat); a change means the database restarted.",
    ["target"],
  );
  private readonly infoByTarget = new Map<string, Record<string, string>>();
  private readonly events = new EventCounters(this.registry);
  private readonly collectionsByTarget = new Map<string, Set<string>>();
  private readonly rendered = new Map<ExpositionFormat, Promise<Exposition>>();
  private renderQueue: Promise<unknown> = Promise.resolve();
  /** The formats scrapers have asked for, and whether gzipped: rendered again ahead of them after a change. */
  private readonly wanted = new Map<ExpositionFormat, { gzip: boolean }>();
  private renderAheadScheduled = false;

  constructor(
    version: string,
    /** MEMSNAP_COLLECTION_SERIES_MAX: how many collections of a target keep series of their own. */
    public collectionSeriesMax = 500,
  ) {
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

  /**
   * Maps one target's snapshot onto the gauges; series of vanished collections are removed.
   * `startTimeSeconds` is when the target's process started, null when unknown.
   */
  applySnapshot(snapshot: Snapshot, sources: SourceOutcome[], startTimeSeconds: number | null = null): void {
    const target = snapshot.target.name;
    for (const { d, gauge } of this.targetGauges) setOrRemove(gauge, { target }, d.value(snapshot));
    for (const { d, gauge } of this.systemGauges) setOrRemove(gauge, {}, d.value(snapshot));
    this.events.apply(snapshot);
    this.applyCollections(target, snapshot.collections_info.collections_detail);
    this.applyTargetInfo(snapshot.target);
    this.applyAttribution(target, snapshot.memory_attribution);
    setOrRemove(this.targetStartTime, { target }, startTimeSeconds);
    for (const outcome of sources) {
      const labels = { target, source: outcome.source };
      this.sourceDuration.set(labels, outcome.durationSeconds);
      this.sourceSuccess.set(labels, outcome.success ? 1 : 0);
    }
    this.invalidate();
  }

  private applyCollections(target: string, details: Snapshot["collections_info"]["collections_detail"]): void {
    const { series, notExported } = boundCollections(details, this.collectionSeriesMax);
    const current = new Set<string>();
    for (const figures of series) {
      current.add(figures.collection);
      const labels = { target, collection: figures.collection };
      for (const { d, gauge } of this.collectionGauges) setOrRemove(gauge, labels, d.value(figures));
    }
    for (const gone of this.collectionsByTarget.get(target) ?? []) {
      if (current.has(gone)) continue;
      for (const { gauge } of this.collectionGauges) gauge.remove({ target, collection: gone });
    }
    this.collectionsByTarget.set(target, current);
    this.collectionsNotExported.set({ target }, notExported);
  }

  private applyTargetInfo(info: Snapshot["target"]): void {
    const labels = { target: info.name, kind: info.kind, server_version: info.server_version ?? "" };
    const previous = this.infoByTarget.get(info.name);
    if (previous !== undefined && previous.server_version !== labels.server_version) this.targetInfo.remove(previous);
    this.infoByTarget.set(info.name, labels);
    this.targetInfo.set(labels, 1);
  }

  /** Removes every series of a target memsnap no longer watches (after a reload). */
  async removeTarget(target: string): Promise<void> {
    for (const metric of this.registry.getMetricsAsArray()) {
      const removable = metric as unknown as Gauge;
      for (const { labels } of (await removable.get()).values) {
        if (labels.target === target) removable.remove(labels as Record<string, string>);
      }
    }
    this.collectionsByTarget.delete(target);
    this.infoByTarget.delete(target);
    this.invalidate();
  }

  /** One series per part; none while the snapshot has no attribution. */
  private applyAttribution(target: string, attribution: Snapshot["memory_attribution"]): void {
    const bytes = new Map((attribution?.parts ?? []).map((p) => [p.part, p.bytes]));
    for (const part of ATTRIBUTION_PARTS) setOrRemove(this.attributionGauge, { target, part }, bytes.get(part) ?? null);
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
