import type { Config } from "./config/schema";
import type { Logger } from "./log";
import type { MetricsExporter } from "./metrics/exporter";
import { buildSnapshot } from "./snapshot/build";
import type { SnapshotHistory } from "./snapshot/history";
import { sampleTarget } from "./sampling/sampler";
import type { Snapshot } from "./snapshot/schema";
import { snapshotTrendPoints } from "./snapshot/trend";
import type { Target } from "./sources/target";

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
    /** A sample ends within this long, with what was read by then; none: no deadline. */
    private readonly deadlineMs: number | undefined = config.sample_timeout,
  ) {}

  get ready(): boolean {
    return this.sampled.size === this.targets.size;
  }

  /** Samples one target within `deadlineMs` (the monitor's own deadline by default). */
  sample(name: string, deadlineMs = this.deadlineMs): Promise<Snapshot> {
    const running = this.inFlight.get(name);
    if (running) return running;
    const next = this.run(this.targets.get(name)!, deadlineMs).finally(() => this.inFlight.delete(name));
    this.inFlight.set(name, next);
    return next;
  }

  async sampleAll(deadlineMs = this.deadlineMs): Promise<void> {
    await Promise.all([...this.targets.keys()].map((name) => this.sample(name, deadlineMs)));
  }

  /** Stops sampling: requests to the databases under way are aborted. */
  async close(): Promise<void> {
    this.abort.abort(new Error("memsnap is stopping"));
    await Promise.allSettled(this.inFlight.values());
  }

  private async run(target: Target, deadlineMs: number | undefined): Promise<Snapshot> {
    const sample = await sampleTarget(target, this.abort.signal, { smapsRollup: this.config.process_smaps, deadlineMs });
    const earlier = snapshotTrendPoints(this.history.recent(target.name, this.config.history_size));
    const snapshot = buildSnapshot(sample, this.config.thresholds, earlier);
    this.history.add(snapshot);
    this.exporter.applySnapshot(snapshot, sample.sources);
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
