import type { Config } from "./config/schema";
import type { Logger } from "./log";
import type { MetricsExporter } from "./metrics/exporter";
import { buildSnapshot } from "./snapshot/build";
import type { SnapshotHistory } from "./snapshot/history";
import { sampleTarget, type SourceOutcome } from "./snapshot/sampler";
import type { Snapshot } from "./snapshot/schema";
import { snapshotTrendPoints } from "./snapshot/trend";
import type { Target } from "./sources/target";

/** One snapshot of a target: its sources read, its figures built against its recent history. */
export async function takeSnapshot(
  target: Target,
  config: Config,
  history: SnapshotHistory,
  signal: AbortSignal,
): Promise<{ snapshot: Snapshot; sources: SourceOutcome[] }> {
  const sample = await sampleTarget(target, signal, { smapsRollup: config.process_smaps });
  const earlier = snapshotTrendPoints(history.recent(target.name, config.history_size));
  return { snapshot: buildSnapshot(sample, config.thresholds, earlier), sources: sample.sources };
}

/**
 * Samples targets and feeds what it reads to the history and the metrics.
 * One sample per target at a time: a request for a target already being sampled
 * joins the sample under way.
 */
export class Monitor {
  private readonly inFlight = new Map<string, Promise<Snapshot>>();
  private readonly sampled = new Set<string>();
  private readonly abort = new AbortController();

  constructor(
    private readonly targets: Map<string, Target>,
    private readonly config: Config,
    private readonly history: SnapshotHistory,
    private readonly exporter: MetricsExporter,
    private readonly log: Logger,
    /** Runs synchronously after each snapshot is recorded (alert evaluation); must not throw. */
    private readonly afterSample: (snapshot: Snapshot) => void = () => {},
  ) {}

  get ready(): boolean {
    return this.sampled.size === this.targets.size;
  }

  sample(name: string): Promise<Snapshot> {
    const running = this.inFlight.get(name);
    if (running) return running;
    const next = this.run(this.targets.get(name)!).finally(() => this.inFlight.delete(name));
    this.inFlight.set(name, next);
    return next;
  }

  async sampleAll(): Promise<void> {
    await Promise.all([...this.targets.keys()].map((name) => this.sample(name)));
  }

  /** Stops sampling: requests to the databases under way are aborted. */
  async close(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled(this.inFlight.values());
  }

  private async run(target: Target): Promise<Snapshot> {
    const { snapshot, sources } = await takeSnapshot(target, this.config, this.history, this.abort.signal);
    this.history.add(snapshot);
    this.exporter.applySnapshot(snapshot, sources);
    this.afterSample(snapshot);
    this.sampled.add(target.name);
    this.logSample(snapshot);
    return snapshot;
  }

  private logSample(snapshot: Snapshot): void {
    const fields = {
      target: snapshot.target.name,
      duration_ms: Math.round(snapshot.sample_duration_seconds * 1000),
      rss_mb: snapshot.process_info.physical_memory_mb,
      unaccounted_mb: snapshot.discrepancy_analysis.unaccounted_memory_mb,
      health_score: snapshot.health.score,
    };
    if (snapshot.errors.length > 0) this.log.warn({ ...fields, errors: snapshot.errors }, "sampled with errors");
    else this.log.debug(fields, "sampled");
  }
}
